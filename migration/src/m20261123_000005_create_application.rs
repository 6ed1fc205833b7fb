use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_posting::Posting;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Application::Table)
                    .col(pk_uuid(Application::Id))
                    .col(uuid(Application::PostingId))
                    .col(string_len(Application::CandidateName, 200))
                    .col(string_len(Application::Email, 320))
                    .col(string_len_null(Application::Phone, 50))
                    .col(string_len_null(Application::ResumeUrl, 2048))
                    .col(text_null(Application::CoverLetter))
                    .col(string_len(Application::Status, 16))
                    .col(string_len(Application::IdempotencyKey, 200))
                    // Set when the personal data was erased on a data-protection request.
                    .col(timestamp_with_time_zone_null(Application::ErasedAt))
                    .col(timestamp_with_time_zone(Application::CreatedAt))
                    .col(timestamp_with_time_zone(Application::UpdatedAt))
                    // Candidates' applications are never deleted as a side effect of deleting a
                    // posting: they are erased on purpose, for a data-protection request.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_application_posting")
                            .from(Application::Table, Application::PostingId)
                            .to(Posting::Table, Posting::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A retried submission finds the row its first attempt wrote.
        manager
            .create_index(
                Index::create()
                    .name("uq_application_posting_idempotency_key")
                    .table(Application::Table)
                    .col(Application::PostingId)
                    .col(Application::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A posting's applications, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_application_posting_created")
                    .table(Application::Table)
                    .col(Application::PostingId)
                    .col(Application::CreatedAt)
                    .col(Application::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Application::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Application {
    Table,
    Id,
    PostingId,
    CandidateName,
    Email,
    Phone,
    ResumeUrl,
    CoverLetter,
    Status,
    IdempotencyKey,
    ErasedAt,
    CreatedAt,
    UpdatedAt,
}
