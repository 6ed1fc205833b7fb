//! Relay connection arguments and results over keyset pages.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{ObjectType, OutputType};

use crate::config::Limits;
use crate::error::ServiceError;
use crate::graphql::cursor::{CursorCodec, PageCursor};
use crate::service::keyset::{Page, PageRequest, Position};

/// The Relay arguments of a connection field, as the client sent them.
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    /// Checks sizes against `limits` and verifies the cursors of a list sorted by `sort`;
    /// `accepts` says whether a verified position fits that list.
    pub fn into_request(
        self,
        codec: &CursorCodec,
        sort: &str,
        accepts: impl Fn(&Position) -> bool,
        limits: &Limits,
    ) -> Result<PageRequest, ServiceError> {
        if self.first.is_some() && self.last.is_some() {
            return Err(ServiceError::invalid(
                "last",
                "cannot be combined with first; page forwards with first/after or backwards with last/before",
            ));
        }
        let size = |value: Option<i32>, field: &str| -> Result<Option<u64>, ServiceError> {
            match value {
                None => Ok(None),
                Some(n) if n < 0 => Err(ServiceError::invalid(field, "must not be negative")),
                Some(n) if n as u64 > limits.max_page_size => Err(ServiceError::invalid(
                    field,
                    format!("must be at most {}", limits.max_page_size),
                )),
                Some(n) => Ok(Some(n as u64)),
            }
        };
        let position =
            |cursor: Option<String>, field: &str| -> Result<Option<Position>, ServiceError> {
                let Some(cursor) = cursor else {
                    return Ok(None);
                };
                let position = codec.decode(&cursor, sort, field)?;
                if !accepts(&position) {
                    return Err(ServiceError::invalid(
                        field,
                        "is not a cursor this list issued",
                    ));
                }
                Ok(Some(position))
            };
        Ok(PageRequest {
            first: size(self.first, "first")?,
            after: position(self.after, "after")?,
            last: size(self.last, "last")?,
            before: position(self.before, "before")?,
        })
    }
}

/// Turns a page into a Relay connection with signed cursors; `fields` adds `totalCount`.
pub fn connection<M, N, F>(
    page: Page<M>,
    codec: &CursorCodec,
    sort: &'static str,
    node: impl Fn(M) -> N,
    fields: F,
) -> Connection<PageCursor, N, F, EmptyFields>
where
    N: OutputType,
    F: ObjectType,
{
    connection_with_edges(page, codec, sort, |row| (node(row), EmptyFields), fields)
}

/// [`connection`] whose edges carry fields of their own: `edge` makes each row its node and
/// its edge's fields.
pub fn connection_with_edges<M, N, F, E>(
    page: Page<M>,
    codec: &CursorCodec,
    sort: &'static str,
    edge: impl Fn(M) -> (N, E),
    fields: F,
) -> Connection<PageCursor, N, F, E>
where
    N: OutputType,
    F: ObjectType,
    E: ObjectType,
{
    let mut connection =
        Connection::with_additional_fields(page.has_previous_page, page.has_next_page, fields);
    connection.edges = page
        .rows
        .into_iter()
        .map(|(row, position)| {
            let (node, fields) = edge(row);
            Edge::with_additional_fields(codec.cursor(sort, position), node, fields)
        })
        .collect();
    connection
}

/// The complexity of a connection field: its page size times what each node asks for.
pub fn complexity(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first.or(last).unwrap_or(20).clamp(1, 100) as usize;
    size.saturating_mul(child_complexity).saturating_add(2)
}
