use sea_orm::entity::prelude::*;

use crate::enums::RequirementKind;

/// One requirement of a posting; a posting's requirements are ordered by `position`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "requirement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub posting_id: Uuid,
    pub position: i32,
    pub kind: RequirementKind,
    pub text: String,
    /// `false` when the requirement is merely preferred ("meriterande").
    pub required: bool,
    pub years_min: Option<i32>,
    pub years_max: Option<i32>,
    #[sea_orm(belongs_to, from = "posting_id", to = "id")]
    pub posting: HasOne<super::posting::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
