use async_graphql::{ID, InputType, Object};
use entity::enums as stored;
use entity::requirement::{self, Column};

use super::enums::RequirementKind;
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::json_sql::{Rendering, enumeration};
use crate::graphql::plain::{PlainField, PlainFields, nullable};

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
    const FIELDS: &'static [PlainField<Self>] = &[
        PlainField {
            name: "id",
            value: |r| global_id::encode(NodeKind::Requirement, r.0.id).0.into(),
            sql: Rendering::GlobalId(NodeKind::Requirement, &Column::Id),
        },
        PlainField {
            name: "kind",
            value: |r| RequirementKind::from(r.0.kind).to_value(),
            sql: Rendering::Enum(
                &Column::Kind,
                enumeration::<stored::RequirementKind, RequirementKind>,
            ),
        },
        PlainField {
            name: "text",
            value: |r| r.0.text.as_str().into(),
            sql: Rendering::Text(&Column::Text),
        },
        PlainField {
            name: "required",
            value: |r| r.0.required.into(),
            sql: Rendering::Boolean(&Column::Required),
        },
        PlainField {
            name: "yearsMin",
            value: |r| nullable(r.0.years_min),
            sql: Rendering::Integer(&Column::YearsMin),
        },
        PlainField {
            name: "yearsMax",
            value: |r| nullable(r.0.years_max),
            sql: Rendering::Integer(&Column::YearsMax),
        },
    ];
}
