use sea_orm::entity::prelude::*;

/// An employer whose postings the catalog lists.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "company")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub website: Option<String>,
    pub description: Option<String>,
    pub headquarters: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub postings: HasMany<super::posting::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
