//! Typeahead: the titles, occupations, departments and cities of visible postings whose words
//! start with what the reader has typed so far (`data eng` finds "Data Engineer"), compared
//! without regard to case or accents, each with the number of visible postings it would find
//! as its kind's filter. Every write stores each such value's word starts, folded as search
//! folds words ([`word_starts`], in `posting_suggestion`, by `index::reindex`), so that one
//! statement finds what was typed as a range of one index and counts only the postings it
//! finds, best first.

use std::collections::HashSet;

use entity::{posting, posting_location, posting_suggestion};
use sea_orm::sea_query::{Expr, ExprTrait, Order};
use sea_orm::{ConnectionTrait, EntityName, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set};

use super::posting::{PostingFilter, matching};
use super::search::analyzer::folded_words;
use super::visibility::Visibility;
use crate::error::ServiceError;

/// Longest prefix accepted, in characters.
pub const MAX_PREFIX_CHARS: usize = 100;
/// Most suggestions one request may ask for.
pub const MAX_SUGGESTIONS: u64 = 50;

/// What a suggestion is; its order is the order suggestions of one count are listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuggestionKind {
    Title,
    Occupation,
    Department,
    City,
}

impl SuggestionKind {
    /// How `posting_suggestion.kind` stores it.
    fn stored(self) -> i16 {
        match self {
            SuggestionKind::Title => 0,
            SuggestionKind::Occupation => 1,
            SuggestionKind::Department => 2,
            SuggestionKind::City => 3,
        }
    }

    fn from_stored(kind: i16) -> Option<Self> {
        [
            SuggestionKind::Title,
            SuggestionKind::Occupation,
            SuggestionKind::Department,
            SuggestionKind::City,
        ]
        .into_iter()
        .find(|candidate| candidate.stored() == kind)
    }
}

/// One suggestion: its text as stored, its kind, and how many visible postings have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
    pub count: u64,
}

/// Longest word start stored, in characters. Folding can make a text many times longer than
/// it is (compatibility decompositions: one character of a 200-character title may become
/// several words), and an index entry has a size limit (about 2.7 KB on PostgreSQL), so starts
/// are cut here, and what was typed is cut the same way before it is looked up: exact for
/// anything that folds to at most this length, as every prefix of at most
/// [`MAX_PREFIX_CHARS`] characters but the most contrived does.
const MAX_START_CHARS: usize = 400;

/// `text` cut to [`MAX_START_CHARS`] characters.
fn bounded(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(MAX_START_CHARS) {
        text.truncate(cut);
    }
    text
}

/// `value`'s folded words from each word to the end (`data engineer`, `engineer`), each
/// [`bounded`]: what has been typed matches `value` exactly when it is a prefix of one of
/// them (every typed word but the last whole, the last the start of a word).
fn word_starts(value: &str) -> Vec<String> {
    let words = folded_words(value);
    (0..words.len())
        .map(|from| bounded(words[from..].join(" ")))
        .collect()
}

/// The `posting_suggestion` rows of a posting with its locations.
pub(crate) fn rows_of(
    posting: &posting::Model,
    locations: &[posting_location::Model],
) -> Vec<posting_suggestion::ActiveModel> {
    let mut values: Vec<(SuggestionKind, &str, &str)> =
        vec![(SuggestionKind::Title, &posting.title, &posting.title)];
    values.extend(
        posting
            .occupation
            .as_deref()
            .map(|occupation| (SuggestionKind::Occupation, occupation, occupation)),
    );
    values.extend(
        posting
            .department
            .as_deref()
            .map(|department| (SuggestionKind::Department, department, department)),
    );
    for location in locations {
        if let (Some(city), Some(key)) = (&location.city, &location.city_key) {
            values.push((SuggestionKind::City, key, city));
        }
    }
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (kind, key, value) in values {
        for start in word_starts(value) {
            if seen.insert((kind, key, start.clone())) {
                rows.push(posting_suggestion::ActiveModel {
                    posting_id: Set(posting.id),
                    kind: Set(kind.stored()),
                    value_key: Set(key.to_owned()),
                    value: Set(value.to_owned()),
                    start: Set(start),
                });
            }
        }
    }
    rows
}

/// Up to `first` suggestions for `prefix`, the most postings first (then by kind and text).
pub async fn suggest(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    prefix: &str,
    first: u64,
) -> Result<Vec<Suggestion>, ServiceError> {
    if prefix.chars().count() > MAX_PREFIX_CHARS {
        return Err(ServiceError::invalid(
            "prefix",
            format!("may be at most {MAX_PREFIX_CHARS} characters long"),
        ));
    }
    let typed = bounded(folded_words(prefix).join(" "));
    if typed.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let table = posting_suggestion::Entity.table_name();
    let column =
        |column: posting_suggestion::Column| Expr::col((posting_suggestion::Entity, column));
    // Every text starting with `typed` sorts from `typed` to `typed` and the last code point
    // (byte order: PostgreSQL's collation "C" on the column, SQLite's default).
    let start = column(posting_suggestion::Column::Start);
    let mut select = matching(visibility, &PostingFilter::default(), backend);
    QueryTrait::query(&mut select).inner_join(
        posting_suggestion::Entity,
        column(posting_suggestion::Column::PostingId)
            .equals((posting::Entity, posting::Column::Id)),
    );
    let count = Expr::cust(format!("COUNT(DISTINCT \"{table}\".\"posting_id\")"));
    let text = Expr::cust(format!("MIN(\"{table}\".\"value\")"));
    let limit = Ord::min(first, MAX_SUGGESTIONS);
    let query = select
        .select_only()
        .column_as(column(posting_suggestion::Column::Kind), "kind")
        .column_as(text.clone(), "text")
        .column_as(count.clone(), "n")
        .filter(start.clone().gte(typed.clone()))
        .filter(start.lt(format!("{typed}{}", char::MAX)))
        .group_by(column(posting_suggestion::Column::Kind))
        .group_by(column(posting_suggestion::Column::ValueKey))
        .order_by(count, Order::Desc)
        .order_by(column(posting_suggestion::Column::Kind), Order::Asc)
        .order_by(text, Order::Asc)
        .limit(limit)
        .into_query();
    let rows = db.query_all_raw(backend.build(&query)).await?;
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: i16 = row.try_get_by_index(0)?;
        let text: String = row.try_get_by_index(1)?;
        let count: i64 = row.try_get_by_index(2)?;
        let Some(kind) = SuggestionKind::from_stored(kind) else {
            continue;
        };
        found.push(Suggestion {
            text,
            kind,
            count: u64::try_from(count).unwrap_or_default(),
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the stored rows make of a prefix: whether it begins one of `value`'s word starts.
    fn matches(value: &str, prefix: &str) -> bool {
        let typed = bounded(folded_words(prefix).join(" "));
        !typed.is_empty()
            && word_starts(value)
                .iter()
                .any(|start| start.starts_with(&typed))
    }

    #[test]
    fn whole_words_then_a_partial_last_one() {
        assert!(matches("Data Engineer", "data eng"));
        assert!(matches("Senior Data Engineer", "DATA ENG"));
        assert!(!matches("Data Analyst", "data eng"));
        assert!(!matches("Database Engineer", "data eng"));
        assert!(matches("Göteborg", "gote"));
        assert!(matches("Go\u{308}teborg", "GÖT"));
        assert!(!matches("Systemutvecklare", "utv"));
        assert!(!matches("anything", ""));
    }

    #[test]
    fn starts_stay_short_enough_to_index_however_long_folding_makes_them() {
        // U+FDFA folds to several Arabic words (18 characters): 200 of them, 3,600 characters.
        let value: String = std::iter::repeat_n('\u{FDFA}', 200).collect();
        let starts = word_starts(&value);
        assert!(starts.len() > 200, "{}", starts.len());
        assert!(
            starts
                .iter()
                .all(|start| start.chars().count() <= MAX_START_CHARS)
        );
        assert!(matches(&value, "\u{FDFA}\u{FDFA}"));
    }

    #[test]
    fn a_value_has_one_start_per_word() {
        assert_eq!(
            word_starts("Senior  Data-Engineer"),
            ["senior data engineer", "data engineer", "engineer"]
        );
    }
}
