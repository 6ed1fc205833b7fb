use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign keys: the trail outlives what it records (a deleted posting keeps its
        // history).
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(pk_uuid(AuditEvent::Id))
                    .col(uuid_null(AuditEvent::CompanyId))
                    .col(string_len(AuditEvent::Actor, 200))
                    .col(string_len(AuditEvent::Operation, 64))
                    .col(string_len(AuditEvent::EntityType, 32))
                    .col(uuid(AuditEvent::EntityId))
                    .col(timestamp_with_time_zone(AuditEvent::OccurredAt))
                    .to_owned(),
            )
            .await?;
        // `auditEvents(companyId)`, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_company_occurred")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::CompanyId)
                    .col(AuditEvent::OccurredAt)
                    .col(AuditEvent::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvent::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum AuditEvent {
    Table,
    Id,
    CompanyId,
    Actor,
    Operation,
    EntityType,
    EntityId,
    OccurredAt,
}
