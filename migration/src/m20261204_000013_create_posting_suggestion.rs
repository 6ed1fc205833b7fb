use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261123_000002_create_posting::Posting;
use crate::m20261202_000008_create_posting_search::PostingSearch;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PostingSuggestion {
    Table,
    PostingId,
    Kind,
    ValueKey,
    Value,
    Start,
}

/// Typeahead by index: one row for every word start of a posting's title, occupation,
/// department and cities (`start`: the folded words from that word to the end), so that a
/// prefix is a range of one index and only the postings it finds are counted, where typeahead
/// grouped every occupation, department and city of the catalog. Its text compares byte by
/// byte on both databases (PostgreSQL: collation "C"; SQLite's default), the order a prefix
/// range needs. Written by the API in the same transaction as the posting; existing postings
/// are done when the server next starts (the analyzer's version moved with this). The title's
/// folded words in `posting_search`, which typeahead matched titles with before, go.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Byte order on both databases, for the prefix range and for the order (and the
        // spelling `MIN` picks) of suggestions with one count.
        let text = |name: PostingSuggestion| {
            let mut column = ColumnDef::new(name);
            column.text().not_null();
            if manager.get_database_backend() == DbBackend::Postgres {
                column.extra("COLLATE \"C\"");
            }
            column
        };
        manager
            .create_table(
                Table::create()
                    .table(PostingSuggestion::Table)
                    .col(
                        ColumnDef::new(PostingSuggestion::PostingId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PostingSuggestion::Kind)
                            .small_integer()
                            .not_null(),
                    )
                    .col(text(PostingSuggestion::ValueKey))
                    .col(text(PostingSuggestion::Value))
                    .col(text(PostingSuggestion::Start))
                    .primary_key(
                        Index::create()
                            .col(PostingSuggestion::PostingId)
                            .col(PostingSuggestion::Kind)
                            .col(PostingSuggestion::ValueKey)
                            .col(PostingSuggestion::Start),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_posting_suggestion_posting")
                            .from(PostingSuggestion::Table, PostingSuggestion::PostingId)
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
                    .name("idx_posting_suggestion_start")
                    .table(PostingSuggestion::Table)
                    .col(PostingSuggestion::Start)
                    .col(PostingSuggestion::PostingId)
                    .to_owned(),
            )
            .await?;
        // What typeahead matched titles with before, a substring of every title.
        manager
            .alter_table(
                Table::alter()
                    .table(PostingSearch::Table)
                    .drop_column(PostingSearch::FoldedTitle)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
            .await?;
        manager
            .drop_table(Table::drop().table(PostingSuggestion::Table).to_owned())
            .await
    }
}
