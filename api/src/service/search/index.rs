//! Keeping each posting's analyzed text (`posting_search`, and on SQLite its FTS5 table) and
//! its typeahead word starts (`posting_suggestion`) equal to the posting: every write that
//! changes what search or typeahead reads (a posting, its locations or requirements, its
//! company's name) calls [`reindex`] in its own transaction, and the server redoes at start
//! what an older analyzer wrote ([`refresh_stale`]).

use std::collections::HashMap;

use entity::{company, posting, posting_location, posting_search, posting_suggestion, requirement};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Set, SqlErr, TransactionTrait,
};
use uuid::Uuid;

use super::analyzer::{self, Analyzer, Stemming};
use crate::service::posting::{locations_of, requirements_of};
use crate::service::suggest;

/// How many postings one pass of [`refresh_stale`] reads at once.
const BATCH: u64 = 200;

/// A posting's fields as search reads them: each field a list of segments (texts whose words
/// may form a phrase together).
pub struct Fields<'a> {
    pub title: Vec<&'a str>,
    pub mid: Vec<&'a str>,
    pub body: Vec<&'a str>,
}

impl<'a> Fields<'a> {
    /// What search reads of `posting`, its company's name, its locations and requirements.
    pub fn of(
        posting: &'a posting::Model,
        company_name: &'a str,
        locations: &'a [posting_location::Model],
        requirements: &'a [requirement::Model],
    ) -> Self {
        let mut mid = vec![company_name];
        mid.extend(posting.department.as_deref());
        mid.extend(posting.occupation.as_deref());
        for location in locations {
            mid.extend(location.city.as_deref());
            mid.extend(location.region.as_deref());
        }
        mid.extend(
            requirements
                .iter()
                .map(|requirement| requirement.text.as_str()),
        );
        let mut body: Vec<&str> = posting.summary.as_deref().into_iter().collect();
        for section in &posting.description.0 {
            body.extend(section.heading.as_deref());
            body.extend(section.paragraphs.iter().map(String::as_str));
            body.extend(section.items.iter().map(String::as_str));
        }
        // Duties given on their own (a mutation's `responsibilities`); an import's are items
        // of a section already.
        body.extend(
            posting
                .responsibilities
                .0
                .iter()
                .filter(|duty| {
                    !posting
                        .description
                        .0
                        .iter()
                        .any(|section| section.items.contains(duty))
                })
                .map(String::as_str),
        );
        Fields {
            title: vec![posting.title.as_str()],
            mid,
            body,
        }
    }
}

/// One field's stored form: ` a b | c ` (see `entity::posting_search`).
pub fn field_terms(analyzer: &Analyzer, segments: &[&str]) -> String {
    let mut stored = String::from(" ");
    for segment in segments {
        let terms = analyzer.terms(segment);
        if terms.is_empty() {
            continue;
        }
        if stored.len() > 1 {
            stored.push_str("| ");
        }
        for term in terms {
            stored.push_str(&term);
            stored.push(' ');
        }
    }
    stored
}

/// Rewrites the analyses of `posting_ids` (removing those of postings that no longer exist).
pub async fn reindex(db: &impl ConnectionTrait, posting_ids: &[Uuid]) -> Result<(), DbErr> {
    if posting_ids.is_empty() {
        return Ok(());
    }
    let postings = posting::Entity::find()
        .filter(posting::Column::Id.is_in(posting_ids.iter().copied()))
        .all(db)
        .await?;
    let company_ids: Vec<Uuid> = postings.iter().map(|posting| posting.company_id).collect();
    let companies: HashMap<Uuid, String> = company::Entity::find()
        .filter(company::Column::Id.is_in(company_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|company| (company.id, company.name))
        .collect();
    let locations = locations_of(db, posting_ids).await?;
    let requirements = requirements_of(db, posting_ids).await?;

    posting_search::Entity::delete_many()
        .filter(posting_search::Column::PostingId.is_in(posting_ids.iter().copied()))
        .exec(db)
        .await?;
    posting_suggestion::Entity::delete_many()
        .filter(posting_suggestion::Column::PostingId.is_in(posting_ids.iter().copied()))
        .exec(db)
        .await?;
    let sqlite = db.get_database_backend() == DbBackend::Sqlite;
    let fts = Alias::new("posting_search_fts");
    let fts_posting_id = Alias::new("posting_id");
    if sqlite {
        let delete = Query::delete()
            .from_table(fts.clone())
            .and_where(Expr::col(fts_posting_id.clone()).is_in(posting_ids.iter().copied()))
            .to_owned();
        db.execute(&delete).await?;
    }
    let mut fts_rows = Query::insert()
        .into_table(fts)
        .columns([fts_posting_id, Alias::new("terms")])
        .to_owned();
    let no_locations = Vec::new();
    let no_requirements = Vec::new();
    let mut rows = Vec::with_capacity(postings.len());
    let mut suggestions = Vec::new();
    for posting in &postings {
        let company_name = companies
            .get(&posting.company_id)
            .map_or("", String::as_str);
        let posting_locations = locations.get(&posting.id).unwrap_or(&no_locations);
        suggestions.extend(suggest::rows_of(posting, posting_locations));
        let fields = Fields::of(
            posting,
            company_name,
            posting_locations,
            requirements.get(&posting.id).unwrap_or(&no_requirements),
        );
        let stemming = Stemming::of_language(&posting.language);
        let analyzer = Analyzer::new(stemming);
        let row = posting_search::ActiveModel {
            posting_id: Set(posting.id),
            stemming: Set(stemming.name().to_owned()),
            title_terms: Set(field_terms(&analyzer, &fields.title)),
            mid_terms: Set(field_terms(&analyzer, &fields.mid)),
            body_terms: Set(field_terms(&analyzer, &fields.body)),
            analyzer_version: Set(analyzer::VERSION),
        };
        if sqlite {
            let terms = format!(
                "{} {} {}",
                row.title_terms.as_ref(),
                row.mid_terms.as_ref(),
                row.body_terms.as_ref()
            );
            fts_rows.values_panic([posting.id.into(), terms.into()]);
        }
        rows.push(row);
    }
    if !rows.is_empty() {
        if sqlite {
            db.execute(&fts_rows).await?;
        }
        posting_search::Entity::insert_many(rows).exec(db).await?;
    }
    // Bounded statements: five values a row, well under either database's limit on them.
    let mut suggestions = suggestions.into_iter().peekable();
    while suggestions.peek().is_some() {
        posting_suggestion::Entity::insert_many(
            suggestions.by_ref().take(SUGGESTION_ROWS_PER_INSERT),
        )
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Typeahead rows written by one statement.
const SUGGESTION_ROWS_PER_INSERT: usize = 1000;

/// Rewrites the analyses of every posting of `company_id` (its name is in them).
pub async fn reindex_company(db: &impl ConnectionTrait, company_id: Uuid) -> Result<(), DbErr> {
    let ids: Vec<Uuid> = posting::Entity::find()
        .select_only()
        .column(posting::Column::Id)
        .filter(posting::Column::CompanyId.eq(company_id))
        .into_tuple()
        .all(db)
        .await?;
    for chunk in ids.chunks(BATCH as usize) {
        reindex(db, chunk).await?;
    }
    Ok(())
}

/// Analyzes every posting that has no analysis, or one an older analyzer wrote: after the
/// migration that added search, and after any change to the analyzer. Returns how many.
pub async fn refresh_stale(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let mut done = 0;
    loop {
        let current = sea_orm::sea_query::Query::select()
            .column(posting_search::Column::PostingId)
            .from(posting_search::Entity)
            .and_where(posting_search::Column::AnalyzerVersion.eq(analyzer::VERSION))
            .to_owned();
        let stale: Vec<Uuid> = posting::Entity::find()
            .select_only()
            .column(posting::Column::Id)
            .filter(posting::Column::Id.not_in_subquery(current))
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        if stale.is_empty() {
            return Ok(done);
        }
        // One transaction per batch. Replicas starting together may analyze the same batch:
        // the one that commits second finds the rows taken and leaves them.
        let txn = db.begin().await?;
        match reindex(&txn, &stale).await {
            Ok(()) => txn.commit().await?,
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                continue;
            }
            Err(error) => return Err(error),
        }
        done += stale.len() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_segments_apart_and_words_in_order() {
        let analyzer = Analyzer::new(Stemming::English);
        assert_eq!(
            field_terms(&analyzer, &["Senior Rust Engineer", "", "Malmö"]),
            " senior rust engin | malmo "
        );
        assert_eq!(field_terms(&analyzer, &[]), " ");
        assert_eq!(field_terms(&analyzer, &["the", "of"]), " ");
    }
}
