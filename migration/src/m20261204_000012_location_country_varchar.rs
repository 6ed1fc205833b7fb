use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PostingLocation {
    Table,
    Country,
}

/// A location's country as `varchar(2)` instead of `char(2)` on PostgreSQL. The driver binds
/// a country filter as `text`, and PostgreSQL compares `char(2)` with `text` by casting the
/// column, which no index of the column answers: one-country filters and counts scanned every
/// location (issue 17's plans). Stored values are the same two letters. SQLite compares text
/// either way and keeps its column.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        country_as(
            manager,
            ColumnDef::new(PostingLocation::Country)
                .string_len(2)
                .not_null()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        country_as(
            manager,
            ColumnDef::new(PostingLocation::Country)
                .char_len(2)
                .not_null()
                .to_owned(),
        )
        .await
    }
}

async fn country_as(manager: &SchemaManager<'_>, mut column: ColumnDef) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    manager
        .alter_table(
            Table::alter()
                .table(PostingLocation::Table)
                .modify_column(&mut column)
                .to_owned(),
        )
        .await
}
