use async_graphql::{ID, Object};
use entity::requirement;

use super::enums::RequirementKind;
use crate::graphql::global_id::{self, NodeKind};

/// Something a posting asks of candidates: required, or merely preferred.
pub struct Requirement(pub requirement::Model);

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
