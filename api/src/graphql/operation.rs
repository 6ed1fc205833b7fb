//! Which operation of a document a request runs, by the GraphQL spec's rules. The executor,
//! the pushdown's plans and anything else that looks at "the operation" use this one selector.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};

/// Why no operation could be selected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("the document has no operation named {0:?}")]
    NoSuchOperation(String),
    #[error("the document has several operations: send operationName")]
    NameNeeded,
    #[error("the document has no operation")]
    NoOperation,
}

/// The operation `name` selects in `document`: with a name, the operation so named (an
/// anonymous operation has none, as async-graphql decides too); without one, the only
/// operation.
pub fn select<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Result<&'a OperationDefinition, SelectionError> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), None) => Ok(&operation.node),
        (DocumentOperations::Single(_), Some(name)) => {
            Err(SelectionError::NoSuchOperation(name.to_owned()))
        }
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .get(name)
            .map(|operation| &operation.node)
            .ok_or_else(|| SelectionError::NoSuchOperation(name.to_owned())),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .values()
            .next()
            .map(|operation| &operation.node)
            .ok_or(SelectionError::NoOperation),
        (DocumentOperations::Multiple(_), None) => Err(SelectionError::NameNeeded),
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use async_graphql::parser::types::OperationType;

    use super::*;

    fn selected(document: &str, name: Option<&str>) -> Result<OperationType, SelectionError> {
        let document = parse_query(document).expect("the test's document parses");
        select(&document, name).map(|operation| operation.ty)
    }

    #[test]
    fn without_a_name_the_only_operation_is_selected() {
        assert_eq!(selected("{ a }", None), Ok(OperationType::Query));
        assert_eq!(
            selected("mutation M { a }", None),
            Ok(OperationType::Mutation)
        );
        assert_eq!(
            selected("mutation M { a }", Some("M")),
            Ok(OperationType::Mutation)
        );
    }

    #[test]
    fn an_anonymous_operation_has_no_name_to_select() {
        assert_eq!(
            selected("{ a }", Some("X")),
            Err(SelectionError::NoSuchOperation("X".to_owned()))
        );
    }

    #[test]
    fn among_several_the_name_decides() {
        let document = "query A { a } mutation B { b }";
        assert_eq!(selected(document, Some("B")), Ok(OperationType::Mutation));
        assert_eq!(selected(document, None), Err(SelectionError::NameNeeded));
        assert_eq!(
            selected(document, Some("C")),
            Err(SelectionError::NoSuchOperation("C".to_owned()))
        );
    }
}
