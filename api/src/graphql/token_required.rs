//! Whether an operation sent without a token is refused before anything runs: when every root
//! field it selects needs a token (by the registry in `service::permissions`), executing it
//! could only answer `UNAUTHENTICATED` for each field, so the request is refused at once (401
//! and `WWW-Authenticate: Bearer`, written by the transport). A document that also asks for
//! something anyone may have (`applyToPosting`, `postings`, `__typename`) runs as before, its
//! guarded fields each answering `UNAUTHENTICATED`.
//!
//! This runs before async-graphql validates the document, so it is conservative: a field
//! under a directive (`@skip`, `@include`) or a spread that cannot be followed counts as one
//! anyone may have, and the document runs as before.

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};

use super::operation;
use crate::error::{ErrorCode, RequestFailure};
use crate::service::permissions::{self, Needs};

/// The refusal for an anonymous request running `operation_name` of `document`, if every
/// root field it selects needs a token.
pub fn refusal(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<RequestFailure> {
    let operation = operation::select(document, operation_name).ok()?;
    let root = match operation.ty {
        OperationType::Query => "QueryRoot",
        OperationType::Mutation => "MutationRoot",
        OperationType::Subscription => return None,
    };
    let mut visited = HashSet::new();
    every_field_needs_a_token(document, root, &operation.selection_set.node, &mut visited).then(
        || {
            RequestFailure::new(
                ErrorCode::Unauthenticated,
                "this operation needs a token: send Authorization: Bearer <token>",
            )
        },
    )
}

/// Whether every field `selection_set` selects on `root` needs a token (and it selects one).
fn every_field_needs_a_token<'d>(
    document: &'d ExecutableDocument,
    root: &str,
    selection_set: &'d SelectionSet,
    visited: &mut HashSet<&'d str>,
) -> bool {
    !selection_set.items.is_empty()
        && selection_set
            .items
            .iter()
            .all(|selection| match &selection.node {
                Selection::Field(field) => {
                    field.node.directives.is_empty()
                        && needs_a_token(&format!("{root}.{}", field.node.name.node))
                }
                Selection::InlineFragment(fragment) => {
                    fragment.node.directives.is_empty()
                        && every_field_needs_a_token(
                            document,
                            root,
                            &fragment.node.selection_set.node,
                            visited,
                        )
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    // A cycle is a validation error; let async-graphql say so.
                    spread.node.directives.is_empty()
                        && visited.insert(name)
                        && document.fragments.get(name).is_some_and(|fragment| {
                            every_field_needs_a_token(
                                document,
                                root,
                                &fragment.node.selection_set.node,
                                visited,
                            )
                        })
                }
            })
}

/// Whether the root field at `coordinate` always needs a token.
fn needs_a_token(coordinate: &str) -> bool {
    matches!(
        permissions::needs(coordinate),
        Some(Needs::Scope(_) | Needs::Admin)
    ) && !permissions::ANSWERS_WITHOUT_TOKEN.contains(&coordinate)
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn refused(document: &str) -> bool {
        let document = parse_query(document).expect("the test's document parses");
        refusal(&document, None).is_some()
    }

    #[test]
    fn an_operation_of_guarded_fields_only_is_refused() {
        assert!(refused("{ application(id: \"x\") { id } }"));
        assert!(refused(
            "mutation { createCompany(input: {}) { company { id } } }"
        ));
        assert!(refused(
            "mutation { a: closePosting(input: {}) { posting { id } } ...F } \
             fragment F on MutationRoot { eraseApplication(input: {}) { application { id } } }"
        ));
        assert!(refused(
            "{ ... on QueryRoot { auditEvents(companyId: \"x\") { totalCount } } }"
        ));
    }

    #[test]
    fn anything_anyone_may_have_lets_the_document_run() {
        assert!(!refused(
            "mutation { applyToPosting(input: {}) { application { id } } }"
        ));
        assert!(!refused(
            "mutation { applyToPosting(input: {}) { application { id } } createCompany(input: {}) { company { id } } }"
        ));
        assert!(!refused("{ application(id: \"x\") { id } __typename }"));
        assert!(!refused("{ node(id: \"x\") { id } }"));
        assert!(!refused("{ postings { totalCount } }"));
        assert!(!refused(
            "{ application(id: \"x\") @skip(if: true) { id } postings { totalCount } }"
        ));
        assert!(!refused("{ ...F } fragment F on QueryRoot { ...F }"));
        assert!(!refused("{ ...Missing }"));
        assert!(!refused("{ nope }"));
    }
}
