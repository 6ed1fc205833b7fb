use sea_orm::entity::prelude::*;

use crate::enums::ApplicationStatus;

/// A candidate's application to a posting. Holds personal data: never log or trace a model.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub posting_id: Uuid,
    pub candidate_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub resume_url: Option<String>,
    pub cover_letter: Option<String>,
    pub status: ApplicationStatus,
    /// Chosen by the client; unique per posting, so that a retried submission finds its row.
    pub idempotency_key: String,
    /// When the personal data was erased; the fields holding it are then empty.
    pub erased_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "posting_id", to = "id")]
    pub posting: HasOne<super::posting::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
