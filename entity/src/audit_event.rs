use sea_orm::entity::prelude::*;

/// One change to the catalog: who made it, what it was, and when. Written in the same
/// transaction as the change. Holds no personal data.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The company the change belongs to.
    pub company_id: Option<Uuid>,
    /// The token's `sub`, or `anonymous`.
    pub actor: String,
    /// The mutation, such as `updatePosting`.
    pub operation: String,
    /// `company`, `posting`, `requirement` or `application`.
    pub entity_type: String,
    pub entity_id: Uuid,
    pub occurred_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
