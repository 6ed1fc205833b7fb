use async_graphql::{ID, InputType, Object, Value};
use entity::requirement;

use super::enums::RequirementKind;
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::plain::{PlainFields, nullable};

/// Something a posting asks of candidates: required, or merely preferred.
pub struct Requirement(pub requirement::Model);

/// Something a posting asks of candidates: required, or merely preferred.
#[Object]
impl Requirement {
    /// The requirement's global id, for `node(id:)`.
    pub async fn id(&self) -> ID {
        global_id::encode(NodeKind::Requirement, self.0.id)
    }

    /// What the requirement is about.
    async fn kind(&self) -> RequirementKind {
        self.0.kind.into()
    }

    /// The requirement in the posting's own words and language.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// True when the requirement must be met; false when it is preferred ("meriterande").
    async fn required(&self) -> bool {
        self.0.required
    }

    /// The fewest years (of experience, usually) asked for, if any.
    async fn years_min(&self) -> Option<i32> {
        self.0.years_min
    }

    /// The most years asked for, if the posting gives a range.
    async fn years_max(&self) -> Option<i32> {
        self.0.years_max
    }
}

impl PlainFields for Requirement {
    fn plain_field(&self, name: &str) -> Option<Value> {
        let requirement = &self.0;
        Some(match name {
            "id" => global_id::encode(NodeKind::Requirement, requirement.id)
                .0
                .into(),
            "kind" => RequirementKind::from(requirement.kind).to_value(),
            "text" => requirement.text.as_str().into(),
            "required" => requirement.required.into(),
            "yearsMin" => nullable(requirement.years_min),
            "yearsMax" => nullable(requirement.years_max),
            _ => return None,
        })
    }

    fn is_plain_field(name: &str) -> bool {
        matches!(
            name,
            "id" | "kind" | "text" | "required" | "yearsMin" | "yearsMax"
        )
    }
}
