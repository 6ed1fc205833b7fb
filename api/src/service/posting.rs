//! Reading postings, their locations and their requirements.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::enums::{EmploymentType, PostingStatus, RemotePolicy};
use entity::{company, posting, posting_location, posting_search, requirement};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    IdenStatic, Iterable, JoinType, QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait,
    RelationTrait, Select, Statement,
};
use uuid::Uuid;

use crate::error::ServiceError;

use super::keyset::{self, Direction, Ordering, Page, PageRequest, Position, SortValue};
use super::rows::{self, ByPosition};
use super::search::{SearchQuery, sql as search_sql};
use super::visibility::Visibility;

/// Which postings a list holds. Empty lists mean "any"; the lists are ANDed together and each
/// list matches any of its values.
#[derive(Clone, Debug, Default)]
pub struct PostingFilter {
    pub company_ids: Vec<Uuid>,
    /// Narrows within what the reader's [`Visibility`] allows; never widens it.
    pub statuses: Vec<PostingStatus>,
    pub departments: Vec<String>,
    pub occupations: Vec<String>,
    pub locations: Vec<LocationMatch>,
    pub employment_types: Vec<EmploymentType>,
    pub remote_policies: Vec<RemotePolicy>,
    pub languages: Vec<String>,
    pub posted_after: Option<DateTime<Utc>>,
    pub posted_before: Option<DateTime<Utc>>,
    /// Paying at least this many hundredths of this currency per this period.
    pub salary_at_least: Option<(i64, String, entity::enums::SalaryUnit)>,
    /// Words, phrases, exclusions (see `search::query`): only postings matching it.
    pub query: Option<SearchQuery>,
}

/// A location a posting must have: a country, a city, or both.
#[derive(Clone, Debug, Default)]
pub struct LocationMatch {
    /// Compared without regard to case.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
}

/// The key a posting list is sorted by; the posting id breaks ties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostingSort {
    PostedAt,
    Title,
    UpdatedAt,
    /// How well a posting matches the filter's query, best first (every posting scores 0
    /// without one).
    Relevance,
}

impl PostingSort {
    /// The name cursors carry, so a cursor of one order is not used with another.
    pub fn name(self) -> &'static str {
        match self {
            PostingSort::PostedAt => "posted_at",
            PostingSort::Title => "title",
            PostingSort::UpdatedAt => "updated_at",
            PostingSort::Relevance => "relevance",
        }
    }

    /// What a list is sorted by: a column, or the relevance `score`.
    fn key(self, score: &SimpleExpr) -> SimpleExpr {
        let column = match self {
            PostingSort::PostedAt => posting::Column::PostedAt,
            PostingSort::Title => posting::Column::Title,
            PostingSort::UpdatedAt => posting::Column::UpdatedAt,
            PostingSort::Relevance => return score.clone(),
        };
        Expr::col((posting::Entity, column))
    }

    fn position_of(self, ranked: &Ranked<ListedRow>) -> Position {
        let posting = &ranked.row.posting.0;
        self.position(
            posting.id,
            posting.posted_at,
            posting.updated_at,
            &posting.title,
            ranked.relevance,
        )
    }

    fn position(
        self,
        id: Uuid,
        posted_at: Option<DateTime<Utc>>,
        updated_at: DateTime<Utc>,
        title: &str,
        relevance: i64,
    ) -> Position {
        let key = match self {
            PostingSort::PostedAt => SortValue::Time(posted_at),
            PostingSort::Title => SortValue::Text(title.to_owned()),
            PostingSort::UpdatedAt => SortValue::Time(Some(updated_at)),
            PostingSort::Relevance => SortValue::Score(relevance),
        };
        Position { key, id }
    }

    /// Whether `position` can be a position in a list sorted by this key.
    pub fn accepts(self, position: &Position) -> bool {
        matches!(
            (self, &position.key),
            (PostingSort::PostedAt, SortValue::Time(_))
                | (PostingSort::UpdatedAt, SortValue::Time(Some(_)))
                | (PostingSort::Title, SortValue::Text(_))
                | (PostingSort::Relevance, SortValue::Score(_))
        )
    }
}

/// How a posting list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PostingOrder {
    pub sort: PostingSort,
    pub direction: Direction,
}

impl PostingOrder {
    /// What a list in this order is sorted by, `score` being the relevance.
    fn ordering(self, score: &SimpleExpr) -> Ordering<SimpleExpr> {
        Ordering {
            key: self.sort.key(score),
            id: Expr::col((posting::Entity, posting::Column::Id)),
            direction: self.direction,
        }
    }

    /// The best matches first, ties broken by id: the default order of a search.
    pub fn relevance() -> Self {
        PostingOrder {
            sort: PostingSort::Relevance,
            direction: Direction::Descending,
        }
    }
}

/// A row read with its relevance (the `relevance` column every list selects).
struct Ranked<M> {
    row: M,
    relevance: i64,
}

impl<M: FromQueryResult> FromQueryResult for Ranked<M> {
    fn from_query_result(row: &QueryResult, prefix: &str) -> Result<Self, DbErr> {
        Ok(Ranked {
            row: M::from_query_result(row, prefix)?,
            relevance: row.try_get(prefix, "relevance")?,
        })
    }
}

/// A posting of a page, with its company when the page joined it ([`CompanyOfPosting`]).
pub struct Listed {
    pub posting: posting::Model,
    pub company: Option<company::Model>,
}

/// Whether a page reads its postings' companies in the same statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompanyOfPosting {
    /// Joined, its columns named with [`COMPANY_PREFIX`].
    Joined,
    /// Not read: whoever needs it loads it.
    Skipped,
}

/// What a page reads of its postings beyond their own columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageReads {
    pub description: Description,
    pub company: CompanyOfPosting,
}

/// What a joined company's columns are named with in a page's rows.
const COMPANY_PREFIX: &str = "company__";

/// A page's row: the posting by position, then (after `relevance`) its company by name.
struct ListedRow {
    posting: ByPosition<posting::Model>,
    company: Option<company::Model>,
}

impl FromQueryResult for ListedRow {
    fn from_query_result(row: &QueryResult, prefix: &str) -> Result<Self, DbErr> {
        let posting = ByPosition::from_query_result(row, prefix)?;
        // Without the join its columns are absent: no company.
        let company = match row.try_get::<Option<Uuid>>(COMPANY_PREFIX, "id") {
            Ok(Some(_)) => Some(company::Model::from_query_result(row, COMPANY_PREFIX)?),
            _ => None,
        };
        Ok(ListedRow { posting, company })
    }
}

/// The postings a list holds, and the relevance of each (0 without a query).
struct Listing {
    select: Select<posting::Entity>,
    score: SimpleExpr,
}

impl Default for PostingOrder {
    /// Newest first.
    fn default() -> Self {
        PostingOrder {
            sort: PostingSort::PostedAt,
            direction: Direction::Descending,
        }
    }
}

fn visible(visibility: &Visibility) -> Select<posting::Entity> {
    posting::Entity::find().filter(visibility.postings())
}

fn filtered(visibility: &Visibility, filter: &PostingFilter, backend: DbBackend) -> Listing {
    let mut select = visible(visibility);
    let mut score: SimpleExpr = Func::cast_as(Expr::cust("0"), Alias::new("BIGINT")).into();
    if let Some(query) = &filter.query {
        let search = search_sql::build(query.branches(), backend);
        select = with_search_terms(select).filter(search.condition);
        score = search.score;
    }
    if !filter.company_ids.is_empty() {
        select = select.filter(posting::Column::CompanyId.is_in(filter.company_ids.clone()));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(posting::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if !filter.departments.is_empty() {
        select = select.filter(posting::Column::Department.is_in(storable(&filter.departments)));
    }
    if !filter.occupations.is_empty() {
        select = select.filter(posting::Column::Occupation.is_in(storable(&filter.occupations)));
    }
    if !filter.employment_types.is_empty() {
        select = select
            .filter(posting::Column::EmploymentType.is_in(filter.employment_types.iter().copied()));
    }
    if !filter.remote_policies.is_empty() {
        select = select
            .filter(posting::Column::RemotePolicy.is_in(filter.remote_policies.iter().copied()));
    }
    if !filter.languages.is_empty() {
        select = select.filter(posting::Column::Language.is_in(storable(&filter.languages)));
    }
    if let Some(after) = filter.posted_after {
        select = select.filter(posting::Column::PostedAt.gt(after));
    }
    if let Some(before) = filter.posted_before {
        select = select.filter(posting::Column::PostedAt.lt(before));
    }
    if let Some((amount, currency, unit)) = &filter.salary_at_least {
        let upper = Func::coalesce([
            Expr::col((posting::Entity, posting::Column::SalaryMax)),
            Expr::col((posting::Entity, posting::Column::SalaryMin)),
        ]);
        select = select
            .filter(posting::Column::SalaryCurrency.is_in(storable(std::slice::from_ref(currency))))
            .filter(posting::Column::SalaryUnit.eq(*unit))
            .filter(Expr::expr(upper).gte(*amount));
    }
    if !filter.locations.is_empty() {
        let mut any_location = Condition::any();
        for location in &filter.locations {
            let mut this = Condition::all();
            if let Some(city) = &location.city {
                this =
                    this.add(posting_location::Column::CityKey.is_in(storable(&[city_key(city)])));
            }
            if let Some(country) = &location.country {
                this = this.add(
                    posting_location::Column::Country.is_in(storable(&[country.to_uppercase()])),
                );
            }
            any_location = any_location.add(this);
        }
        select = select.filter(
            posting::Column::Id.in_subquery(
                Query::select()
                    .column(posting_location::Column::PostingId)
                    .from(posting_location::Entity)
                    .cond_where(any_location)
                    .to_owned(),
            ),
        );
    }
    Listing { select, score }
}

/// The postings `visibility` lets the reader see that match `filter`, as a select to narrow,
/// group or count further (`facets`).
pub(crate) fn matching(
    visibility: &Visibility,
    filter: &PostingFilter,
    backend: DbBackend,
) -> Select<posting::Entity> {
    filtered(visibility, filter, backend).select
}

/// `select` joined with its postings' search terms (`posting_search`): one row per posting.
pub(crate) fn with_search_terms(mut select: Select<posting::Entity>) -> Select<posting::Entity> {
    QueryTrait::query(&mut select).inner_join(
        posting_search::Entity,
        Expr::col((posting_search::Entity, posting_search::Column::PostingId))
            .equals((posting::Entity, posting::Column::Id)),
    );
    select
}

/// The values of a text filter that a stored text can equal. Stored text never holds NUL
/// (`validate` refuses it) and PostgreSQL refuses it in a parameter, so a value holding one
/// matches nothing: it is left out, and a list left empty renders as false (`IN ()` is
/// `1 = 2`), never as no filter.
pub fn storable(values: &[String]) -> Vec<String> {
    values
        .iter()
        .filter(|value| !value.contains('\0'))
        .cloned()
        .collect()
}

/// How a city is compared: trimmed and lower-cased, the same on every database.
pub fn city_key(city: &str) -> String {
    city.trim().to_lowercase()
}

/// Whether the rows read must carry the posting's description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Description {
    Read,
    /// Its column is not read and comes back as an empty description: only for readers that
    /// will not look at it. Parsing it is a good share of what a page of postings costs.
    Skipped,
}

/// One page of the postings `visibility` lets the reader see that match `filter`.
#[tracing::instrument(level = "debug", skip_all, fields(sort = order.sort.name()))]
pub async fn page(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &PostingFilter,
    order: PostingOrder,
    request: &PageRequest,
    page_size: u64,
    reads: PageReads,
) -> Result<Page<Listed>, ServiceError> {
    let sort = order.sort;
    let listing = filtered(visibility, filter, db.get_database_backend());
    let ordering = order.ordering(&listing.score);
    let mut select =
        by_position(listing.select, reads.description, db).column_as(listing.score, "relevance");
    if reads.company == CompanyOfPosting::Joined {
        select = company::Column::iter().fold(
            select.join(JoinType::InnerJoin, posting::Relation::Company.def()),
            |select, column| {
                select.column_as(
                    Expr::col((company::Entity, column)),
                    format!("{COMPANY_PREFIX}{}", column.as_str()),
                )
            },
        );
    }
    let page = keyset::fetch_page_as(
        db,
        select,
        ordering,
        request,
        page_size,
        |row: &Ranked<ListedRow>| sort.position_of(row),
    )
    .await?;
    Ok(page.map(|ranked| Listed {
        posting: ranked.row.posting.0,
        company: ranked.row.company,
    }))
}

/// A posting the database rendered as JSON, with the columns that place it in its list.
#[derive(FromQueryResult)]
struct RenderedPosting {
    id: Uuid,
    posted_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    title: String,
    relevance: i64,
    json: String,
}

/// The page [`page`] returns, each posting rendered by the database: `json` is a SQL
/// expression over the `posting` row that yields the posting's JSON text.
#[tracing::instrument(level = "debug", skip_all, fields(sort = order.sort.name()))]
pub async fn rendered_page(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &PostingFilter,
    order: PostingOrder,
    request: &PageRequest,
    page_size: u64,
    json: &str,
) -> Result<Page<String>, ServiceError> {
    let sort = order.sort;
    let listing = filtered(visibility, filter, db.get_database_backend());
    let ordering = order.ordering(&listing.score);
    let select = listing
        .select
        .select_only()
        .column(posting::Column::Id)
        .column(posting::Column::PostedAt)
        .column(posting::Column::UpdatedAt)
        .column(posting::Column::Title)
        .column_as(listing.score, "relevance")
        .column_as(Expr::cust(json.to_owned()), "json");
    let page = keyset::fetch_page_as(
        db,
        select,
        ordering,
        request,
        page_size,
        |row: &RenderedPosting| {
            sort.position(
                row.id,
                row.posted_at,
                row.updated_at,
                &row.title,
                row.relevance,
            )
        },
    )
    .await?;
    Ok(page.map(|row| row.json))
}

/// The statement reading one visible posting by id, rendered by the database as
/// [`rendered_page`] renders: built once, run with each request's id.
#[derive(Clone, Debug)]
pub struct RenderedById {
    statement: Statement,
}

impl RenderedById {
    /// The id the statement is built with; [`RenderedById::run`] binds the real one in its
    /// place (an id equal to it changes nothing).
    const PLACEHOLDER: Uuid = Uuid::nil();

    pub fn new(backend: DbBackend, visibility: &Visibility, json: &str) -> Self {
        let statement = visible(visibility)
            .select_only()
            .column_as(Expr::cust(json.to_owned()), "json")
            .filter(posting::Column::Id.eq(Self::PLACEHOLDER))
            .build(backend);
        RenderedById { statement }
    }

    /// The posting with `id`, `None` when there is none the reader may see.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn run(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<Option<String>, ServiceError> {
        let mut statement = self.statement.clone();
        for value in statement.values.iter_mut().flat_map(|values| &mut values.0) {
            if *value == sea_orm::Value::Uuid(Some(Self::PLACEHOLDER)) {
                *value = sea_orm::Value::Uuid(Some(id));
            }
        }
        match db.query_one_raw(statement).await? {
            None => Ok(None),
            Some(row) => Ok(Some(row.try_get_by_index::<String>(0)?)),
        }
    }
}

/// `select` with the columns [`ByPosition<posting::Model>`] reads, the description selected as
/// an empty one when it is skipped.
fn by_position(
    select: Select<posting::Entity>,
    description: Description,
    db: &impl ConnectionTrait,
) -> Select<posting::Entity> {
    let empty = match db.get_database_backend() {
        DbBackend::Postgres => "'[]'::jsonb",
        _ => "'[]'",
    };
    rows::posting_columns().fold(select.select_only(), |select, column| {
        if matches!(column, posting::Column::Description) && description == Description::Skipped {
            select.column_as(Expr::cust(empty), column.as_str())
        } else {
            select.column(column)
        }
    })
}

/// The visible postings among `ids`, in no particular order.
#[tracing::instrument(level = "debug", skip_all, fields(ids = ids.len()))]
pub async fn by_ids(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    ids: &[Uuid],
) -> Result<Vec<posting::Model>, ServiceError> {
    Ok(by_position(visible(visibility), Description::Read, db)
        .filter(posting::Column::Id.is_in(ids.iter().copied()))
        .into_model::<ByPosition<posting::Model>>()
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.0)
        .collect())
}

/// The visible posting with `slug` at the company with `company_slug`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_slug(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    company_slug: &str,
    slug: &str,
) -> Result<Option<posting::Model>, ServiceError> {
    // No stored slug holds NUL, and PostgreSQL would refuse the parameter.
    if company_slug.contains('\0') || slug.contains('\0') {
        return Ok(None);
    }
    visible(visibility)
        .join(JoinType::InnerJoin, posting::Relation::Company.def())
        .filter(company::Column::Slug.eq(company_slug))
        .filter(posting::Column::Slug.eq(slug))
        .one(db)
        .await
        .map_err(ServiceError::from)
}

/// The locations of each of `posting_ids`, in their order.
#[tracing::instrument(level = "debug", skip_all, fields(postings = posting_ids.len()))]
pub async fn locations_of(
    db: &impl ConnectionTrait,
    posting_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<posting_location::Model>>, DbErr> {
    let rows = posting_location::Entity::find()
        .select_only()
        .columns(rows::LOCATION_COLUMNS)
        .filter(posting_location::Column::PostingId.is_in(posting_ids.iter().copied()))
        .order_by_asc(posting_location::Column::PostingId)
        .order_by_asc(posting_location::Column::Position)
        .into_model::<ByPosition<posting_location::Model>>()
        .all(db)
        .await?;
    Ok(group_by(rows.into_iter().map(|row| row.0), |row| {
        row.posting_id
    }))
}

/// The requirements of each of `posting_ids`, in their order.
#[tracing::instrument(level = "debug", skip_all, fields(postings = posting_ids.len()))]
pub async fn requirements_of(
    db: &impl ConnectionTrait,
    posting_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<requirement::Model>>, DbErr> {
    let rows = requirement::Entity::find()
        .select_only()
        .columns(rows::REQUIREMENT_COLUMNS)
        .filter(requirement::Column::PostingId.is_in(posting_ids.iter().copied()))
        .order_by_asc(requirement::Column::PostingId)
        .order_by_asc(requirement::Column::Position)
        .into_model::<ByPosition<requirement::Model>>()
        .all(db)
        .await?;
    Ok(group_by(rows.into_iter().map(|row| row.0), |row| {
        row.posting_id
    }))
}

/// The requirements among `ids` whose posting `visibility` lets the reader see.
#[tracing::instrument(level = "debug", skip_all, fields(ids = ids.len()))]
pub async fn requirements_by_ids(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    ids: &[Uuid],
) -> Result<Vec<requirement::Model>, ServiceError> {
    requirement::Entity::find()
        .join(JoinType::InnerJoin, requirement::Relation::Posting.def())
        .filter(visibility.postings())
        .filter(requirement::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
        .map_err(ServiceError::from)
}

fn group_by<M>(
    rows: impl IntoIterator<Item = M>,
    key: impl Fn(&M) -> Uuid,
) -> HashMap<Uuid, Vec<M>> {
    let mut groups: HashMap<Uuid, Vec<M>> = HashMap::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(row);
    }
    groups
}
