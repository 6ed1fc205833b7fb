//! Typeahead: the titles, occupations, departments and cities of visible postings whose words
//! start with what the reader has typed so far (`data eng` finds "Data Engineer"), compared
//! without regard to case or accents, each with the number of visible postings it would find
//! as its kind's filter. One statement reads every distinct value with its count; matching
//! and ranking happen here, with the same folding search uses.

use std::cmp::Reverse;

use entity::{posting, posting_location, posting_search};
use sea_orm::sea_query::{Expr, ExprTrait, UnionType};
use sea_orm::{ConnectionTrait, QueryFilter, QuerySelect, QueryTrait};

use super::posting::{PostingFilter, matching, with_locations, with_search_terms};
use super::search::analyzer::folded_words;
use super::search::sql::contains;
use super::visibility::Visibility;
use crate::error::ServiceError;

/// Longest prefix accepted, in characters.
pub const MAX_PREFIX_CHARS: usize = 100;
/// Most suggestions one request may ask for.
pub const MAX_SUGGESTIONS: u64 = 50;

/// What a suggestion is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SuggestionKind {
    Title,
    Occupation,
    Department,
    City,
}

impl SuggestionKind {
    fn from_tag(tag: &str) -> Option<Self> {
        match tag {
            "title" => Some(SuggestionKind::Title),
            "occupation" => Some(SuggestionKind::Occupation),
            "department" => Some(SuggestionKind::Department),
            "city" => Some(SuggestionKind::City),
            _ => None,
        }
    }
}

/// One suggestion: its text as stored, its kind, and how many visible postings have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
    pub count: u64,
}

/// Whether `value`'s words hold `prefix`'s: every typed word but the last whole, the last as
/// the start of a word, from the start of some word of `value`.
fn matches(value: &[String], prefix: &[String]) -> bool {
    let Some((last, whole)) = prefix.split_last() else {
        return false;
    };
    (0..value.len()).any(|start| {
        let words = &value[start..];
        words.len() > whole.len()
            && words[..whole.len()] == *whole
            && words[whole.len()].starts_with(last.as_str())
    })
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
    let typed = folded_words(prefix);
    if typed.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let everything = PostingFilter::default();
    let column_of = |column: posting::Column| Expr::col((posting::Entity, column));
    let of_column = |tag: &str, column: posting::Column| {
        let value = column_of(column);
        matching(visibility, &everything, backend)
            .select_only()
            .column_as(Expr::val(tag.to_owned()), "kind")
            .column_as(value.clone(), "text")
            .column_as(Expr::cust("COUNT(*)"), "n")
            .filter(value.clone().is_not_null())
            .group_by(value)
            .into_query()
    };
    let cities = with_locations(matching(visibility, &everything, backend))
        .select_only()
        .column_as(Expr::val("city".to_owned()), "kind")
        .column_as(Expr::cust("MIN(\"posting_location\".\"city\")"), "text")
        .column_as(Expr::cust("COUNT(DISTINCT \"posting\".\"id\")"), "n");
    let city_key = Expr::col((posting_location::Entity, posting_location::Column::CityKey));
    let cities = cities
        .filter(city_key.clone().is_not_null())
        .group_by(city_key)
        .into_query();
    // Titles are nearly all distinct: only those holding the typed words are grouped, found
    // by a substring of their folded words (` data eng`), which is exactly the match below.
    let title = Expr::col((posting::Entity, posting::Column::Title));
    let folded = Expr::col((posting_search::Entity, posting_search::Column::FoldedTitle));
    let mut union = with_search_terms(matching(visibility, &everything, backend))
        .select_only()
        .column_as(Expr::val("title".to_owned()), "kind")
        .column_as(title.clone(), "text")
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(contains(backend, folded, format!(" {}", typed.join(" "))))
        .group_by(title)
        .into_query();
    union
        .union(
            UnionType::All,
            of_column("occupation", posting::Column::Occupation),
        )
        .union(
            UnionType::All,
            of_column("department", posting::Column::Department),
        )
        .union(UnionType::All, cities);
    let rows = db.query_all_raw(backend.build(&union)).await?;
    let mut found = Vec::new();
    for row in rows {
        let tag: String = row.try_get_by_index(0)?;
        let text: String = row.try_get_by_index(1)?;
        let count: i64 = row.try_get_by_index(2)?;
        let Some(kind) = SuggestionKind::from_tag(&tag) else {
            continue;
        };
        if matches(&folded_words(&text), &typed) {
            found.push(Suggestion {
                text,
                kind,
                count: u64::try_from(count).unwrap_or_default(),
            });
        }
    }
    found.sort_by(|a, b| {
        (Reverse(a.count), a.kind, &a.text).cmp(&(Reverse(b.count), b.kind, &b.text))
    });
    found.truncate(usize::try_from(Ord::min(first, MAX_SUGGESTIONS)).unwrap_or(usize::MAX));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        folded_words(text)
    }

    #[test]
    fn whole_words_then_a_partial_last_one() {
        assert!(matches(&words("Data Engineer"), &words("data eng")));
        assert!(matches(&words("Senior Data Engineer"), &words("DATA ENG")));
        assert!(!matches(&words("Data Analyst"), &words("data eng")));
        assert!(!matches(&words("Database Engineer"), &words("data eng")));
        assert!(matches(&words("Göteborg"), &words("gote")));
        assert!(matches(&words("Go\u{308}teborg"), &words("GÖT")));
        assert!(!matches(&words("Systemutvecklare"), &words("utv")));
        assert!(!matches(&words("anything"), &words("")));
    }
}
