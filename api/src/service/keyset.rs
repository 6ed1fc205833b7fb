//! Keyset pagination: a page starts strictly after (or ends strictly before) a position in a
//! total order of (sort key, id), so inserts between requests never repeat or skip rows and no
//! page is found by OFFSET.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{ExprTrait, NullOrdering};
use sea_orm::{
    Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, IntoSimpleExpr, Order,
    QueryFilter, QueryOrder, QuerySelect, Select, Value,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which way a list runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

impl Direction {
    fn reversed(self) -> Self {
        match self {
            Direction::Ascending => Direction::Descending,
            Direction::Descending => Direction::Ascending,
        }
    }
}

/// A sort key's value at some row. Null keys sort after every other value in ascending order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortValue {
    Time(Option<DateTime<Utc>>),
    Text(String),
    /// A search's relevance.
    Score(i64),
}

impl SortValue {
    fn into_value(self) -> Option<Value> {
        match self {
            SortValue::Time(time) => time.map(Value::from),
            SortValue::Text(text) => Some(Value::from(text)),
            SortValue::Score(score) => Some(Value::from(score)),
        }
    }
}

/// A row's place in an ordered list: its sort key's value and its id, which breaks ties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub key: SortValue,
    pub id: Uuid,
}

/// A validated page request, Relay style: `first` rows after `after`, or `last` rows before
/// `before`; `after` and `before` may bound either.
#[derive(Clone, Debug, Default)]
pub struct PageRequest {
    pub first: Option<u64>,
    pub after: Option<Position>,
    pub last: Option<u64>,
    pub before: Option<Position>,
}

/// One page of rows, in list order, each with its position.
#[derive(Debug)]
pub struct Page<M> {
    pub rows: Vec<(M, Position)>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

impl<M> Page<M> {
    /// The same page with each row made an `N`.
    pub fn map<N>(self, into: impl Fn(M) -> N) -> Page<N> {
        Page {
            rows: self
                .rows
                .into_iter()
                .map(|(row, position)| (into(row), position))
                .collect(),
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
        }
    }
}

/// The columns (or expressions) a list is ordered by.
#[derive(Clone, Copy, Debug)]
pub struct Ordering<C> {
    pub key: C,
    pub id: C,
    pub direction: Direction,
}

/// Fetches the page `request` asks for from `select`, which holds the list's filters.
/// `position_of` reads a row's position; `page_size` is used when the request gives no size.
/// Runs exactly one statement.
pub async fn fetch_page<E, C, D>(
    db: &D,
    select: Select<E>,
    ordering: Ordering<C>,
    request: &PageRequest,
    page_size: u64,
    position_of: impl Fn(&E::Model) -> Position,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    C: IntoSimpleExpr + Clone,
    D: ConnectionTrait,
{
    fetch_page_as(db, select, ordering, request, page_size, position_of).await
}

/// [`fetch_page`], with each row read as an `M` (which reads the columns `select` selects).
pub async fn fetch_page_as<M, E, C, D>(
    db: &D,
    select: Select<E>,
    ordering: Ordering<C>,
    request: &PageRequest,
    page_size: u64,
    position_of: impl Fn(&M) -> Position,
) -> Result<Page<M>, DbErr>
where
    M: FromQueryResult,
    E: EntityTrait,
    C: IntoSimpleExpr + Clone,
    D: ConnectionTrait,
{
    let mut select = select;
    if let Some(after) = &request.after {
        select = select.filter(beyond(
            ordering.key.clone(),
            ordering.id.clone(),
            after,
            ordering.direction,
        ));
    }
    if let Some(before) = &request.before {
        select = select.filter(beyond(
            ordering.key.clone(),
            ordering.id.clone(),
            before,
            ordering.direction.reversed(),
        ));
    }
    let backwards = request.last.is_some() && request.first.is_none();
    let limit = request.first.or(request.last).unwrap_or(page_size);
    let scan = if backwards {
        ordering.direction.reversed()
    } else {
        ordering.direction
    };
    let (order, nulls) = match scan {
        Direction::Ascending => (Order::Asc, NullOrdering::Last),
        Direction::Descending => (Order::Desc, NullOrdering::First),
    };
    let mut rows = select
        .order_by_with_nulls(ordering.key, order.clone(), nulls)
        .order_by(ordering.id, order)
        .limit(limit.saturating_add(1))
        .into_model::<M>()
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    if backwards {
        rows.reverse();
    }
    let (has_previous_page, has_next_page) = if backwards {
        (more, request.before.is_some())
    } else {
        (request.after.is_some(), more)
    };
    Ok(Page {
        rows: rows
            .into_iter()
            .map(|row| {
                let position = position_of(&row);
                (row, position)
            })
            .collect(),
        has_previous_page,
        has_next_page,
    })
}

/// Rows strictly beyond `position` when the list runs in `direction`.
fn beyond<C: IntoSimpleExpr>(
    key: C,
    id: C,
    position: &Position,
    direction: Direction,
) -> Condition {
    let key = key.into_simple_expr();
    let id = id.into_simple_expr();
    let value = position.key.clone().into_value();
    match (direction, value) {
        // Ascending: greater keys, then equal keys with greater ids, then every null key.
        (Direction::Ascending, Some(value)) => Condition::any()
            .add(key.clone().gt(value.clone()))
            .add(
                Condition::all()
                    .add(key.clone().eq(value))
                    .add(id.clone().gt(position.id)),
            )
            .add(key.clone().is_null()),
        (Direction::Ascending, None) => Condition::all()
            .add(key.clone().is_null())
            .add(id.clone().gt(position.id)),
        // Descending is the exact reverse: null keys come first.
        (Direction::Descending, Some(value)) => {
            Condition::any().add(key.clone().lt(value.clone())).add(
                Condition::all()
                    .add(key.clone().eq(value))
                    .add(id.clone().lt(position.id)),
            )
        }
        (Direction::Descending, None) => Condition::any().add(key.clone().is_not_null()).add(
            Condition::all()
                .add(key.clone().is_null())
                .add(id.clone().lt(position.id)),
        ),
    }
}
