use sea_orm::entity::prelude::*;

/// A posting's text as search sees it: the terms of its fields, analyzed in its language by
/// the `api` crate's analyzer. Each field is its segments' terms, space-separated, with ` | `
/// between segments and a space at each end (` engin rust | malmo `), so a term is found as
/// ` term ` and a phrase as ` a b `, never across two segments. The same text feeds
/// PostgreSQL's GIN index and SQLite's FTS5 table, which find the candidates.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posting_search")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub posting_id: Uuid,
    /// How the posting's words were stemmed: `en`, `sv`, or empty for plain words.
    pub stemming: String,
    /// The title.
    pub title_terms: String,
    /// The company's name, the department, the occupation, the cities and the requirements.
    pub mid_terms: String,
    /// The summary and the description's sections.
    pub body_terms: String,
    /// The analyzer version that wrote the row; rows of another version are redone at start.
    pub analyzer_version: i32,
}

impl ActiveModelBehavior for ActiveModel {}
