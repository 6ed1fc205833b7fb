use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One row that every jobgraph process moves on after its writes commit (never inside a write
/// transaction, so it is no hot row that writers queue on). An in-process response cache
/// checks it on every hit, so a write committed by another process — a second server, the
/// CLI — is seen by the next read on the same database.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataGeneration::Table)
                    .col(
                        ColumnDef::new(DataGeneration::Id)
                            .small_integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DataGeneration::Value)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(DataGeneration::Table)
                    .columns([DataGeneration::Id, DataGeneration::Value])
                    .values_panic([1.into(), 0.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DataGeneration::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum DataGeneration {
    Table,
    Id,
    Value,
}
