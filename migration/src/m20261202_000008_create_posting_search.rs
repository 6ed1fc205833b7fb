use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261123_000002_create_posting::Posting;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Full-text search: each posting's analyzed terms (`posting_search`, written by the API in
/// the same transaction as the posting), and an index that finds candidates by term —
/// PostgreSQL: GIN over `to_tsvector('simple', ...)` of the three fields; SQLite: an FTS5
/// table of the same text. Existing postings are analyzed when the server next starts (the
/// analyzer lives in the API, and so does the rule that redoes stale analyses).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PostingSearch::Table)
                    .col(
                        ColumnDef::new(PostingSearch::PostingId)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(PostingSearch::Stemming).string().not_null())
                    .col(ColumnDef::new(PostingSearch::TitleTerms).text().not_null())
                    .col(ColumnDef::new(PostingSearch::MidTerms).text().not_null())
                    .col(ColumnDef::new(PostingSearch::BodyTerms).text().not_null())
                    .col(
                        ColumnDef::new(PostingSearch::AnalyzerVersion)
                            .integer()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_posting_search_posting")
                            .from(PostingSearch::Table, PostingSearch::PostingId)
                            .to(Posting::Table, Posting::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE INDEX ix_posting_search_terms ON posting_search USING GIN \
                     (to_tsvector('simple'::regconfig, title_terms || ' ' || mid_terms || ' ' || body_terms))",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE posting_search_fts USING fts5(\
                     posting_id UNINDEXED, terms, tokenize = 'unicode61 remove_diacritics 0')",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS posting_search_fts")
                .await?;
        }
        manager
            .drop_table(Table::drop().table(PostingSearch::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum PostingSearch {
    Table,
    PostingId,
    Stemming,
    TitleTerms,
    MidTerms,
    BodyTerms,
    AnalyzerVersion,
    FoldedTitle,
}
