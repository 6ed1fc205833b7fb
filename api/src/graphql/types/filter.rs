//! Filter and order inputs of posting lists.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

use super::enums::{EmploymentType, OrderDirection, RemotePolicy};
use crate::error::ServiceError;
use crate::graphql::global_id::{self, NodeKind};
use crate::service::posting::{LocationMatch, PostingFilter, PostingOrder, PostingSort};
use crate::service::search::SearchQuery;

/// Most values one filter list may hold.
const MAX_FILTER_VALUES: usize = 50;

/// Narrows a posting list. Every field is optional; fields combine with AND, and the values
/// within one list combine with OR.
#[derive(InputObject, Clone, Debug, Default)]
pub struct PostingFilterInput {
    /// Postings of these companies (their `Company.id`s).
    pub company_ids: Option<Vec<ID>>,
    /// Postings with one of these statuses. Anonymous readers only ever see `PUBLISHED`.
    pub statuses: Option<Vec<super::enums::PostingStatus>>,
    /// Postings in one of these departments, matched exactly.
    pub departments: Option<Vec<String>>,
    /// Postings for one of these occupations, matched exactly.
    pub occupations: Option<Vec<String>>,
    /// Postings located in at least one of these places.
    pub locations: Option<Vec<LocationFilterInput>>,
    /// Postings offering one of these kinds of employment.
    pub employment_types: Option<Vec<EmploymentType>>,
    /// Postings with one of these remote policies.
    pub remote_policies: Option<Vec<RemotePolicy>>,
    /// Postings written in one of these languages (BCP 47 tags such as `en` or `sv`).
    pub languages: Option<Vec<String>>,
    /// Postings published strictly after this instant.
    pub posted_after: Option<DateTime<Utc>>,
    /// Postings published strictly before this instant.
    pub posted_before: Option<DateTime<Utc>>,
    /// Postings paying at least this much, in this currency per this period.
    pub salary_at_least: Option<super::salary::SalaryAtLeastInput>,
    /// Full-text search, as in a web search box: every word must match (`backend engineer`),
    /// `"quoted words"` match as a phrase, `-word` excludes, `OR` between two words or phrases
    /// matches either. Case, accents and word endings do not matter (`goteborg` finds
    /// Göteborg, `engineers` finds "engineer", `utvecklare` finds "utvecklaren"): words are
    /// compared stemmed in each posting's language. Searches the title first, then the
    /// company, department, occupation, cities and requirements, then the summary and
    /// description. Any other character is literal. Empty or whitespace: no text condition.
    /// At most 200 characters and 12 words or phrases. With a query, lists are ordered by
    /// `RELEVANCE` unless `orderBy` says otherwise.
    pub query: Option<String>,
}

/// A place to look for postings in: a country, a city, or a city in a country.
#[derive(InputObject, Clone, Debug, Default)]
pub struct LocationFilterInput {
    /// A city, compared without regard to case, such as "göteborg".
    pub city: Option<String>,
    /// An ISO 3166-1 alpha-2 country code, such as "SE".
    pub country: Option<String>,
}

/// The key a posting list is sorted by. Ties are always broken by id, so the order is total
/// and pages are stable.
#[derive(async_graphql::Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PostingOrderField {
    /// When the posting was published; unpublished postings come last in ascending order.
    #[default]
    PostedAt,
    /// The posting's title.
    Title,
    /// When the posting last changed.
    UpdatedAt,
    /// How well the posting matches `filter.query` (best first with `DESC`): the title
    /// counts most, then company, department, occupation, cities and requirements, then the
    /// summary and description; words found next to each other as typed, and a title holding
    /// every word, count extra. The score depends only on the posting and the query, so pages
    /// stay stable. Without a query every posting scores the same and ties go by id.
    Relevance,
}

/// How a posting list is ordered. Defaults to the newest first.
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct PostingOrderInput {
    /// The key to sort by.
    #[graphql(default)]
    pub field: PostingOrderField,
    /// Which way to sort.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<PostingOrderInput> for PostingOrder {
    fn from(order: PostingOrderInput) -> Self {
        PostingOrder {
            sort: match order.field {
                PostingOrderField::PostedAt => PostingSort::PostedAt,
                PostingOrderField::Title => PostingSort::Title,
                PostingOrderField::UpdatedAt => PostingSort::UpdatedAt,
                PostingOrderField::Relevance => PostingSort::Relevance,
            },
            direction: order.direction.into(),
        }
    }
}

fn values<T>(field: &str, list: Option<Vec<T>>) -> Result<Vec<T>, ServiceError> {
    let list = list.unwrap_or_default();
    if list.len() > MAX_FILTER_VALUES {
        return Err(ServiceError::invalid(
            field,
            format!("may hold at most {MAX_FILTER_VALUES} values"),
        ));
    }
    Ok(list)
}

impl PostingFilterInput {
    /// Checks the filter and turns it into the service's filter.
    pub fn into_filter(self) -> Result<PostingFilter, ServiceError> {
        let company_ids = values("filter.companyIds", self.company_ids)?
            .iter()
            .map(|id| global_id::decode_as(NodeKind::Company, id, "filter.companyIds"))
            .collect::<Result<Vec<_>, _>>()?;
        let locations = values("filter.locations", self.locations)?
            .into_iter()
            .map(LocationFilterInput::into_match)
            .collect::<Result<Vec<_>, _>>()?;
        if let (Some(after), Some(before)) = (self.posted_after, self.posted_before)
            && after >= before
        {
            return Err(ServiceError::invalid(
                "filter.postedBefore",
                "must be later than postedAfter",
            ));
        }
        Ok(PostingFilter {
            company_ids,
            statuses: values("filter.statuses", self.statuses)?
                .into_iter()
                .map(Into::into)
                .collect(),
            departments: values("filter.departments", self.departments)?,
            occupations: values("filter.occupations", self.occupations)?,
            locations,
            employment_types: values("filter.employmentTypes", self.employment_types)?
                .into_iter()
                .map(Into::into)
                .collect(),
            remote_policies: values("filter.remotePolicies", self.remote_policies)?
                .into_iter()
                .map(Into::into)
                .collect(),
            languages: values("filter.languages", self.languages)?,
            posted_after: self.posted_after,
            posted_before: self.posted_before,
            salary_at_least: self
                .salary_at_least
                .map(super::salary::SalaryAtLeastInput::into_floor)
                .transpose()?,
            query: match self.query.as_deref() {
                Some(text) => SearchQuery::parse(text, "filter.query")?,
                None => None,
            },
        })
    }
}

impl LocationFilterInput {
    fn into_match(self) -> Result<LocationMatch, ServiceError> {
        let city = self.city.filter(|city| !city.trim().is_empty());
        let country = match self.country {
            Some(country)
                if country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()) =>
            {
                Some(country.to_ascii_uppercase())
            }
            Some(_) => {
                return Err(ServiceError::invalid(
                    "filter.locations.country",
                    "must be an ISO 3166-1 alpha-2 code such as SE",
                ));
            }
            None => None,
        };
        if city.is_none() && country.is_none() {
            return Err(ServiceError::invalid(
                "filter.locations",
                "each location needs a city, a country or both",
            ));
        }
        Ok(LocationMatch { city, country })
    }
}
