use sea_orm::entity::prelude::*;

/// One place a posting is located in; a posting's locations are ordered by `position`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posting_location")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub posting_id: Uuid,
    pub position: i32,
    pub city: Option<String>,
    /// `city` lower-cased by the application, so that city filters match without regard to case
    /// in the same way on every database.
    pub city_key: Option<String>,
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    #[sea_orm(belongs_to, from = "posting_id", to = "id")]
    pub posting: HasOne<super::posting::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
