//! What a selected operation costs against the rate limits ([`crate::rate_limit`]): a query
//! is a read; a mutation charges the token holder's mutation budget for its root fields
//! other than `applyToPosting`, and each `applyToPosting` the application budgets (per IP
//! and per posting, free when its idempotency key was already paid for).

use std::collections::HashSet;

use async_graphql::Variables;
use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql_value::{ConstValue, Name};

use super::global_id::{self, NodeKind};
use crate::rate_limit::{Application, Cost};

/// The root field whose applications have budgets of their own.
const APPLY: &str = "applyToPosting";

/// The cost of `operation` of `document`, its arguments read with `variables`.
pub fn of(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
) -> Cost {
    if operation.ty != OperationType::Mutation {
        return Cost::read();
    }
    let mut cost = Cost::default();
    let mut spread = HashSet::new();
    root_fields(
        document,
        &operation.selection_set.node,
        variables,
        &mut spread,
        &mut cost,
    );
    cost
}

fn root_fields<'a>(
    document: &'a ExecutableDocument,
    selections: &'a SelectionSet,
    variables: &Variables,
    spread: &mut HashSet<&'a Name>,
    cost: &mut Cost,
) {
    for selection in &selections.items {
        match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                match field.name.node.as_str() {
                    APPLY => cost.applications.push(application(field, variables)),
                    "__typename" => {}
                    _ => cost.mutation = true,
                }
            }
            Selection::InlineFragment(fragment) => root_fields(
                document,
                &fragment.node.selection_set.node,
                variables,
                spread,
                cost,
            ),
            Selection::FragmentSpread(fragment_spread) => {
                let name = &fragment_spread.node.fragment_name.node;
                // Each fragment once: a cycle is refused later, and costs nothing more here.
                if spread.insert(name)
                    && let Some(fragment) = document.fragments.get(name)
                {
                    root_fields(
                        document,
                        &fragment.node.selection_set.node,
                        variables,
                        spread,
                        cost,
                    );
                }
            }
        }
    }
}

fn application(field: &async_graphql::parser::types::Field, variables: &Variables) -> Application {
    let input = field.get_argument("input").and_then(|value| {
        value
            .node
            .clone()
            .into_const_with(|name| variables.get(&name).cloned().ok_or(()))
            .ok()
    });
    let member = |name: &str| match &input {
        Some(ConstValue::Object(members)) => match members.get(name) {
            Some(ConstValue::String(text)) => Some(text.clone()),
            _ => None,
        },
        _ => None,
    };
    Application {
        posting: member("postingId")
            .and_then(|id| global_id::decode_as(NodeKind::Posting, &id, "input.postingId").ok()),
        idempotency_key: member("idempotencyKey"),
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use uuid::Uuid;

    use super::*;
    use crate::graphql::operation;

    fn cost(text: &str, variables: serde_json::Value) -> Cost {
        let document = parse_query(text).expect("parses");
        let operation = operation::select(&document, None).expect("one operation");
        of(&document, operation, &Variables::from_json(variables))
    }

    #[test]
    fn queries_read_and_applications_are_found_through_variables_and_fragments() {
        assert_eq!(
            cost("{ postings { totalCount } }", serde_json::json!({})),
            Cost::read()
        );
        let posting = Uuid::now_v7();
        let id = global_id::encode(NodeKind::Posting, posting).0;
        let applied = cost(
            "mutation($input: ApplyToPostingInput!) { ...F __typename }
             fragment F on Mutation { applyToPosting(input: $input) { application { id } } }",
            serde_json::json!({ "input": { "postingId": id, "idempotencyKey": "k" } }),
        );
        assert!(!applied.read && !applied.mutation);
        assert_eq!(
            applied.applications,
            [Application {
                posting: Some(posting),
                idempotency_key: Some("k".to_owned())
            }]
        );
        let mixed = cost(
            r#"mutation { applyToPosting(input: { postingId: "nope", idempotencyKey: "k", name: "A", email: "a@example.com" }) { application { id } } createCompany(input: { slug: "a", name: "A" }) { company { id } } }"#,
            serde_json::json!({}),
        );
        assert!(mixed.mutation);
        assert_eq!(mixed.applications[0].posting, None);
    }
}
