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
                    .table(Requirement::Table)
                    .col(pk_uuid(Requirement::Id))
                    .col(uuid(Requirement::PostingId))
                    .col(integer(Requirement::Position))
                    .col(string_len(Requirement::Kind, 16))
                    .col(text(Requirement::Text))
                    .col(boolean(Requirement::Required))
                    .col(integer_null(Requirement::YearsMin))
                    .col(integer_null(Requirement::YearsMax))
                    // Requirements are part of their posting and go with it.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_requirement_posting")
                            .from(Requirement::Table, Requirement::PostingId)
                            .to(Posting::Table, Posting::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_requirement_position")
                    .table(Requirement::Table)
                    .col(Requirement::PostingId)
                    .col(Requirement::Position)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Requirement::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Requirement {
    Table,
    Id,
    PostingId,
    Position,
    Kind,
    Text,
    Required,
    YearsMin,
    YearsMax,
}
