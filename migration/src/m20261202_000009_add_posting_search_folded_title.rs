use sea_orm_migration::prelude::*;

use crate::m20261202_000008_create_posting_search::PostingSearch;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The title's words folded for typeahead (lower case, accents dropped, not stemmed, stop
/// words kept), so that a prefix is matched in SQL on a short column instead of grouping every
/// title. Filled when the server next starts: the analyzer's version moved with it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PostingSearch::Table)
                    .add_column(
                        ColumnDef::new(PostingSearch::FoldedTitle)
                            .text()
                            .not_null()
                            .default(" "),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(PostingSearch::Table)
                    .drop_column(PostingSearch::FoldedTitle)
                    .to_owned(),
            )
            .await
    }
}
