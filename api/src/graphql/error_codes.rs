//! Stamps `extensions.code` on the errors async-graphql raises itself: validation failures
//! (depth and complexity limits included) and argument values it could not coerce while
//! executing. Any other error that reaches the response without a code is a bug: it is logged
//! and sent as `INTERNAL_SERVER_ERROR` without its text.
//!
//! Why coercion errors reach execution at all: async-graphql 7.0's validation accepts any
//! non-object value where an input object belongs (`postings(orderBy: "title")`, literal or
//! variable: `is_valid_input_value` answers "valid" for it) and custom scalars whose text it
//! cannot parse; each resolver then fails to parse its argument and raises an error with no
//! code, located at the argument's value. That location is how they are told apart from our
//! resolvers' errors, which are located at their field and always carry a code. They are what
//! the GraphQL spec makes validation errors ("Values of Correct Type"), and async-graphql
//! already answers them as if they were: the error escapes the field and nulls all of `data`,
//! nullable or not. So they get `GRAPHQL_VALIDATION_FAILED`, `extensions.field` naming the
//! argument, and no path, which makes the response a request error like any other validation
//! failure.
//!
//! This runs once on the finished response rather than as a schema extension: any extension
//! makes async-graphql take its slow path for every field it resolves.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Pos, Response, ServerError};

use crate::error::ErrorCode;

/// Whether an error already carries a code.
pub fn has_code(error: &ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.get("code").is_some())
}

/// Sets `code` on `error` unless it has one.
pub fn with_code(mut error: ServerError, code: ErrorCode) -> ServerError {
    if !has_code(&error) {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
    error
}

/// Gives every error of `response` to `document` a code. Errors of a request that never
/// executed (no data, no path) failed validation; so did errors located at an argument's value
/// (`extensions.field` names the argument); other codeless errors of an execution are hidden.
pub fn stamp(response: &mut Response, document: &ExecutableDocument) {
    let not_executed = response.data == async_graphql::Value::Null
        && response.errors.iter().all(|error| error.path.is_empty());
    let mut arguments = None;
    for error in &mut response.errors {
        if has_code(error) {
            continue;
        }
        if not_executed {
            *error = with_code(error.clone(), ErrorCode::GraphqlValidationFailed);
            continue;
        }
        let arguments = arguments.get_or_insert_with(|| argument_values(document));
        let argument = error
            .locations
            .first()
            .and_then(|location| arguments.get(location).copied());
        if let Some(argument) = argument {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("field", argument);
            if response.data == async_graphql::Value::Null {
                error.path.clear();
            }
            *error = with_code(error.clone(), ErrorCode::GraphqlValidationFailed);
        } else {
            tracing::error!(message = %error.message, path = ?error.path, "error without a code");
            error.message = "internal error".to_owned();
            *error = with_code(error.clone(), ErrorCode::InternalServerError);
        }
    }
}

/// Where each field argument's value starts in `document`, with the argument's name.
fn argument_values(document: &ExecutableDocument) -> HashMap<Pos, &str> {
    fn walk<'d>(selection_set: &'d SelectionSet, found: &mut HashMap<Pos, &'d str>) {
        for selection in &selection_set.items {
            match &selection.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        found.insert(value.pos, name.node.as_str());
                    }
                    walk(&field.node.selection_set.node, found);
                }
                Selection::InlineFragment(fragment) => {
                    walk(&fragment.node.selection_set.node, found);
                }
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut found = HashMap::new();
    for (_, operation) in document.operations.iter() {
        walk(&operation.node.selection_set.node, &mut found);
    }
    for fragment in document.fragments.values() {
        walk(&fragment.node.selection_set.node, &mut found);
    }
    found
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, InputObject, Object, Schema};

    use super::*;

    #[derive(InputObject)]
    struct Order {
        field: String,
    }

    struct Query;

    #[Object]
    impl Query {
        async fn items(&self, order: Option<Order>) -> Option<Vec<i32>> {
            order.map(|_| vec![1])
        }

        async fn fails(&self) -> async_graphql::Result<Option<i32>> {
            Err("a bug's own words".into())
        }
    }

    async fn stamped(query: &str, variables: serde_json::Value) -> serde_json::Value {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let document = async_graphql::parser::parse_query(query).expect("parses");
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        let mut response = schema.execute(request).await;
        stamp(&mut response, &document);
        serde_json::to_value(&response).expect("JSON")
    }

    /// async-graphql lets a string through where an input object belongs and fails the field
    /// later without a code; before, this answered INTERNAL_SERVER_ERROR.
    #[tokio::test]
    async fn a_value_of_the_wrong_type_fails_validation_naming_its_argument() {
        for (query, variables) in [
            (r#"{ items(order: "title") }"#, serde_json::json!({})),
            (
                "query($o: Order) { items(order: $o) }",
                serde_json::json!({ "o": "title" }),
            ),
            (
                "query($o: Order) { ...F } fragment F on Query { items(order: $o) }",
                serde_json::json!({ "o": 3 }),
            ),
        ] {
            let body = stamped(query, variables).await;
            let error = &body["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
                "{body}"
            );
            assert_eq!(error["extensions"]["field"], "order", "{body}");
            assert_eq!(error.get("path"), None, "a request error: {body}");
        }
    }

    #[tokio::test]
    async fn a_codeless_error_at_a_field_is_hidden_as_ours() {
        let body = stamped("{ fails }", serde_json::json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "INTERNAL_SERVER_ERROR"
        );
        assert_eq!(body["errors"][0]["message"], "internal error");
    }
}
