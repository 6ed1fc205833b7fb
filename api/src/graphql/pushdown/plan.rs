//! Which operations PostgreSQL can answer whole, and how: a plan names the root field, keeps
//! the document for its arguments, and holds the SQL that renders each posting.

use std::sync::Arc;

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet, Type,
};
use async_graphql::{ID, InputType, Name, Positioned, Variables};
use async_graphql_value::Value as InputValue;
use sea_orm::{ConnectionTrait, DbBackend};

use super::render;
use crate::config::Limits;
use crate::graphql::cursor::CursorCodec;
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::json_sql;
use crate::graphql::operation;
use crate::graphql::plain::distinct_plain_fields;
use crate::graphql::types::page::PageArgs;
use crate::graphql::types::posting_list::{PostingList, PostingListArgs};
use crate::graphql::types::posting_node::OnePassSelection;
use crate::service;
use crate::service::keyset::Page;
use crate::service::posting::RenderedById;
use crate::service::visibility::Visibility;

/// An operation PostgreSQL answers whole.
pub struct Plan {
    document: Arc<ExecutableDocument>,
    /// The root field's response key.
    key: Name,
    root: Root,
}

enum Root {
    /// `posting(id:)`.
    Posting { statement: RenderedById },
    /// `postings(...)`: the connection's fields in the order asked.
    Postings {
        fields: Vec<(Name, ConnectionField)>,
        json: String,
    },
}

enum ConnectionField {
    Nodes,
    Edges(Vec<(Name, EdgeField)>),
    PageInfo(Vec<(Name, PageInfoField)>),
}

enum EdgeField {
    Node,
    Cursor,
}

#[derive(Clone, Copy)]
enum PageInfoField {
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
}

/// What answering needs besides the plan.
pub struct Reader<'a, D> {
    pub db: &'a D,
    pub cursors: &'a CursorCodec,
    pub limits: &'a Limits,
}

impl Plan {
    /// The plan of `operation_name` in `document`, when it is one root field PostgreSQL can
    /// answer with plain selections: `posting(id:)`, or `postings` with `nodes`, `edges`
    /// (`node`, `cursor`) and `pageInfo`. `document` must have been validated. Plans render
    /// for PostgreSQL only.
    pub fn of(document: Arc<ExecutableDocument>, operation_name: Option<&str>) -> Option<Self> {
        let operation = operation::select(&document, operation_name).ok()?;
        if operation.ty != OperationType::Query || !operation.directives.is_empty() {
            return None;
        }
        // Parsing a variable of a built-in scalar type checks it exactly as validation would;
        // parsing an input object would let fields validation refuses pass unnoticed.
        if !operation.variable_definitions.iter().all(|definition| {
            definition.node.directives.is_empty()
                && is_built_in_scalar(&definition.node.var_type.node)
        }) {
            return None;
        }
        let field = only_field(&operation.selection_set.node)?;
        let root = match field.name.node.as_str() {
            "posting" => {
                if field.arguments.len() != 1 || argument(field, "id").is_none() {
                    return None;
                }
                let json = render::posting(&OnePassSelection::of(&field.selection_set.node)?);
                Root::Posting {
                    statement: RenderedById::new(DbBackend::Postgres, &Visibility::Public, &json),
                }
            }
            "postings" => {
                let known = ["filter", "orderBy", "first", "after", "last", "before"];
                for (name, value) in &field.arguments {
                    if !known.contains(&name.node.as_str()) {
                        return None;
                    }
                    // A variable page size changes the query's complexity, which validation
                    // checked for the values it saw.
                    let sized = matches!(name.node.as_str(), "first" | "last");
                    if sized && value.node.clone().into_const_with(|_| Err(())).is_err() {
                        return None;
                    }
                }
                let (fields, json) = connection(&field.selection_set.node)?;
                Root::Postings { fields, json }
            }
            _ => return None,
        };
        let key = field.response_key().node.clone();
        Some(Plan {
            key,
            root,
            document,
        })
    }

    /// The response body, or `None` when this request must go through async-graphql (an
    /// argument it would refuse, a cursor of another list, a database error): the generic
    /// path then answers, errors included.
    /// `operation_name` is the one the plan was made for.
    pub async fn answer<D: ConnectionTrait>(
        &self,
        operation_name: Option<&str>,
        variables: &Variables,
        reader: Reader<'_, D>,
    ) -> Option<Vec<u8>> {
        let operation = operation::select(&self.document, operation_name).ok()?;
        let field = only_field(&operation.selection_set.node)?;
        let arguments = Arguments {
            field,
            operation,
            variables,
        };
        let mut body = Vec::with_capacity(4096);
        body.extend_from_slice(b"{\"data\":{\"");
        body.extend_from_slice(self.key.as_bytes());
        body.extend_from_slice(b"\":");
        match &self.root {
            Root::Posting { statement } => {
                let id: Option<ID> = arguments.parse("id")?;
                let id = global_id::decode_as(NodeKind::Posting, &id?, "id").ok()?;
                let posting = statement.run(reader.db, id).await.ok()?;
                json_sql::compact_into(&mut body, posting.as_deref().unwrap_or("null"));
            }
            Root::Postings { fields, json } => {
                let PostingList {
                    filter,
                    order,
                    page: request,
                } = PostingListArgs {
                    filter: arguments.parse("filter")?,
                    order_by: arguments.parse("orderBy")?,
                    page: PageArgs {
                        first: arguments.parse("first")?,
                        after: arguments.parse("after")?,
                        last: arguments.parse("last")?,
                        before: arguments.parse("before")?,
                    },
                }
                .into_list(reader.cursors, reader.limits, None)
                .ok()?;
                let sort = order.sort;
                let page = service::posting::rendered_page(
                    reader.db,
                    &Visibility::Public,
                    &filter,
                    order,
                    &request,
                    reader.limits.default_page_size,
                    json,
                )
                .await
                .ok()?;
                let cursor = |index: usize| {
                    page.rows
                        .get(index)
                        .map(|(_, position)| reader.cursors.encode(sort.name(), position))
                };
                write_connection(&mut body, fields, &page, cursor);
            }
        }
        body.extend_from_slice(b"}}");
        Some(body)
    }
}

/// The root field's arguments with the request's variables in place.
struct Arguments<'a> {
    field: &'a Field,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
}

impl Arguments<'_> {
    /// Argument `name` as a `T`, `None` when async-graphql would refuse it (or a variable it
    /// uses is missing).
    fn parse<T: InputType>(&self, name: &str) -> Option<T> {
        let value = match argument(self.field, name) {
            None => None,
            Some(value) => Some(
                value
                    .node
                    .clone()
                    .into_const_with(|variable| {
                        self.variables
                            .get(&variable)
                            .or_else(|| {
                                self.operation
                                    .variable_definitions
                                    .iter()
                                    .find(|definition| definition.node.name.node == variable)
                                    .and_then(|definition| definition.node.default_value())
                            })
                            .cloned()
                            .ok_or(())
                    })
                    .ok()?,
            ),
        };
        T::parse(value).ok()
    }
}

/// Whether `ty` is `ID`, `String`, `Int`, `Float` or `Boolean`, or lists of them.
fn is_built_in_scalar(ty: &Type) -> bool {
    match &ty.base {
        BaseType::Named(name) => {
            matches!(name.as_str(), "ID" | "String" | "Int" | "Float" | "Boolean")
        }
        BaseType::List(item) => is_built_in_scalar(item),
    }
}

/// The selection's only field, when it has no directives.
fn only_field(set: &SelectionSet) -> Option<&Field> {
    match set.items.as_slice() {
        [item] => match &item.node {
            Selection::Field(field) if field.node.directives.is_empty() => Some(&field.node),
            _ => None,
        },
        _ => None,
    }
}

fn argument<'a>(field: &'a Field, name: &str) -> Option<&'a Positioned<InputValue>> {
    field
        .arguments
        .iter()
        .find(|(argument, _)| argument.node == name)
        .map(|(_, value)| value)
}

/// A `postings` connection's fields, and the SQL of its one posting selection (in `nodes` or
/// in `edges.node`).
fn connection(set: &SelectionSet) -> Option<(Vec<(Name, ConnectionField)>, String)> {
    let mut json = None;
    let mut posting = |field: &Field| -> Option<()> {
        if json.is_some() {
            return None;
        }
        json = Some(render::posting(&OnePassSelection::of(
            &field.selection_set.node,
        )?));
        Some(())
    };
    let mut fields = Vec::new();
    for (key, field) in distinct_plain_fields(set)? {
        let connection_field = match field.name.node.as_str() {
            "nodes" => {
                posting(field)?;
                ConnectionField::Nodes
            }
            "edges" => {
                let mut edge_fields = Vec::new();
                for (key, field) in distinct_plain_fields(&field.selection_set.node)? {
                    let edge_field = match field.name.node.as_str() {
                        "node" => {
                            posting(field)?;
                            EdgeField::Node
                        }
                        "cursor" => EdgeField::Cursor,
                        _ => return None,
                    };
                    edge_fields.push((key, edge_field));
                }
                ConnectionField::Edges(edge_fields)
            }
            "pageInfo" => {
                let mut info_fields = Vec::new();
                for (key, field) in distinct_plain_fields(&field.selection_set.node)? {
                    let info_field = match field.name.node.as_str() {
                        "hasNextPage" => PageInfoField::HasNextPage,
                        "hasPreviousPage" => PageInfoField::HasPreviousPage,
                        "startCursor" => PageInfoField::StartCursor,
                        "endCursor" => PageInfoField::EndCursor,
                        _ => return None,
                    };
                    info_fields.push((key, info_field));
                }
                ConnectionField::PageInfo(info_fields)
            }
            _ => return None,
        };
        fields.push((key, connection_field));
    }
    Some((fields, json?))
}

/// A connection's fields, in the order asked; `cursor(i)` is the signed cursor of row `i`.
fn write_connection(
    body: &mut Vec<u8>,
    fields: &[(Name, ConnectionField)],
    page: &Page<String>,
    cursor: impl Fn(usize) -> Option<String>,
) {
    let rows = |body: &mut Vec<u8>, write_row: &dyn Fn(&mut Vec<u8>, usize, &str)| {
        body.push(b'[');
        for (row, (json, _)) in page.rows.iter().enumerate() {
            if row > 0 {
                body.push(b',');
            }
            write_row(body, row, json);
        }
        body.push(b']');
    };
    body.push(b'{');
    for (index, (key, field)) in fields.iter().enumerate() {
        write_key(body, index, key);
        match field {
            ConnectionField::Nodes => {
                rows(body, &|body, _, json| json_sql::compact_into(body, json))
            }
            ConnectionField::Edges(edge_fields) => rows(body, &|body, row, json| {
                body.push(b'{');
                for (index, (key, edge_field)) in edge_fields.iter().enumerate() {
                    write_key(body, index, key);
                    match edge_field {
                        EdgeField::Node => json_sql::compact_into(body, json),
                        EdgeField::Cursor => write_string(body, cursor(row)),
                    }
                }
                body.push(b'}');
            }),
            ConnectionField::PageInfo(info_fields) => {
                body.push(b'{');
                for (index, (key, info_field)) in info_fields.iter().enumerate() {
                    write_key(body, index, key);
                    match info_field {
                        PageInfoField::HasNextPage => write_bool(body, page.has_next_page),
                        PageInfoField::HasPreviousPage => write_bool(body, page.has_previous_page),
                        PageInfoField::StartCursor => write_string(body, cursor(0)),
                        PageInfoField::EndCursor => {
                            write_string(body, page.rows.len().checked_sub(1).and_then(&cursor))
                        }
                    }
                }
                body.push(b'}');
            }
        }
    }
    body.push(b'}');
}

fn write_key(body: &mut Vec<u8>, index: usize, key: &Name) {
    if index > 0 {
        body.push(b',');
    }
    body.push(b'"');
    body.extend_from_slice(key.as_bytes());
    body.extend_from_slice(b"\":");
}

fn write_bool(body: &mut Vec<u8>, value: bool) {
    body.extend_from_slice(if value { b"true" } else { b"false" });
}

/// A string of base64url characters and dots (a cursor), or `null`.
fn write_string(body: &mut Vec<u8>, value: Option<String>) {
    match value {
        Some(value) => {
            body.push(b'"');
            body.extend_from_slice(value.as_bytes());
            body.push(b'"');
        }
        None => body.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn planned(document: &str) -> bool {
        let document = Arc::new(parse_query(document).expect("the test's document parses"));
        Plan::of(document, None).is_some()
    }

    #[test]
    fn plain_posting_reads_are_planned() {
        for document in [
            "query($id: ID!) { posting(id: $id) { id title company { name } requirements { text } } }",
            "query($c: ID!, $after: String) { postings(first: 50, after: $after, filter: { companyIds: [$c] }) { \
             edges { cursor node { title locations { city } } } pageInfo { hasNextPage endCursor } } }",
            "{ list: postings(filter: { departments: [\"Engineering\"] }) { nodes { t: title description { heading } } } }",
        ] {
            assert!(planned(document), "{document}");
        }
    }

    #[test]
    fn anything_else_is_left_to_async_graphql() {
        for document in [
            // A fragment, a directive, a field with arguments, a repeated key.
            "query($id: ID!) { posting(id: $id) { ... on Posting { title } } }",
            "query($id: ID!, $yes: Boolean!) { posting(id: $id) { title @include(if: $yes) } }",
            "query($id: ID!) { posting(id: $id) { applications(first: 1) { nodes { id } } } }",
            "query($id: ID!) { posting(id: $id) { company { name } company { slug } } }",
            // By slug, two root fields, totalCount, a variable page size or input object.
            "{ posting(companySlug: \"a\", slug: \"b\") { title } }",
            "{ postings { nodes { title } } companies { nodes { name } } }",
            "{ postings { totalCount nodes { title } } }",
            "query($n: Int) { postings(first: $n) { nodes { title } } }",
            "query($f: PostingFilterInput) { postings(filter: $f) { nodes { title } } }",
            // Nodes and edges together, and a mutation.
            "{ postings { nodes { title } edges { node { title } } } }",
            "mutation { deletePosting(id: \"x\") { deletedId } }",
        ] {
            assert!(!planned(document), "{document}");
        }
    }
}
