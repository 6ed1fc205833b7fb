use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posting {
    Table,
    CompanyId,
    SourceKey,
    Responsibilities,
}

const SOURCE_INDEX: &str = "posting_company_source_key";

/// What the import needs on a posting: the key that says which page it came from (its
/// source URL, its JSON-LD identifier, or the file and entry it was read from), unique per
/// company so that importing a page again finds its posting; and the duties a posting lists,
/// as their own list. One column per statement: SQLite alters one at a time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Posting::Table)
                    .add_column(ColumnDef::new(Posting::SourceKey).string_len(2100).null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Posting::Table)
                    .add_column(
                        ColumnDef::new(Posting::Responsibilities)
                            .json_binary()
                            .not_null()
                            .default("[]"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(SOURCE_INDEX)
                    .table(Posting::Table)
                    .col(Posting::CompanyId)
                    .col(Posting::SourceKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(SOURCE_INDEX)
                    .table(Posting::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Posting::Responsibilities, Posting::SourceKey] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Posting::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
