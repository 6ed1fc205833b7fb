use async_graphql::{Context, Enum, Object, ResultExt, SimpleObject};

use crate::error::ServiceError;
use crate::graphql::context::scope;
use crate::service::suggest::{self, MAX_SUGGESTIONS, SuggestionKind};

#[derive(Default)]
pub struct SuggestQuery;

/// What a suggestion is, and so which filter finds its postings.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionType {
    /// A posting title: search for it with `filter.query`.
    Title,
    /// An occupation: `filter.occupations`.
    Occupation,
    /// A department: `filter.departments`.
    Department,
    /// A city: `filter.locations.city`.
    City,
}

/// A completion of what the reader is typing.
#[derive(SimpleObject, Clone, Debug)]
pub struct Suggestion {
    /// The completion, as stored (show it as typed here: it is plain text).
    pub text: String,
    /// What it is.
    pub kind: SuggestionType,
    /// How many postings the reader may see have it: for an occupation, department or city,
    /// exactly what that filter finds; for a title, the postings with that title.
    pub count: u64,
}

#[Object]
impl SuggestQuery {
    /// Typeahead for a search box: titles, occupations, departments and cities of the
    /// postings the reader may see whose words start with `prefix`, compared without regard
    /// to case or accents. Every typed word but the last must match a whole word; the last
    /// may be the start of one (`data eng` finds "Data Engineer", `göt` finds "Göteborg").
    /// The most postings first.
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What the reader has typed so far (at most 100 characters).")]
        prefix: String,
        #[graphql(desc = "The most suggestions to return (1 to 50; 10 when omitted).")]
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<Suggestion>> {
        let first = first.unwrap_or(10);
        let max = i32::try_from(MAX_SUGGESTIONS).unwrap_or(i32::MAX);
        if !(1..=max).contains(&first) {
            return Err(ServiceError::invalid(
                "first",
                format!("must be between 1 and {max}"),
            ))
            .extend();
        }
        let (catalog, scope) = scope(ctx)?;
        let found = suggest::suggest(
            &catalog.reads,
            &scope.visibility,
            &prefix,
            u64::try_from(first).unwrap_or(1),
        )
        .await
        .extend()?;
        Ok(found
            .into_iter()
            .map(|suggestion| Suggestion {
                text: suggestion.text,
                kind: match suggestion.kind {
                    SuggestionKind::Title => SuggestionType::Title,
                    SuggestionKind::Occupation => SuggestionType::Occupation,
                    SuggestionKind::Department => SuggestionType::Department,
                    SuggestionKind::City => SuggestionType::City,
                },
                count: suggestion.count,
            })
            .collect())
    }
}
