//! Stamps `extensions.code` on the errors async-graphql raises itself: parse and validation
//! failures (depth and complexity limits included). Any other error that reaches the response
//! without a code is a bug: it is logged and sent as `INTERNAL_SERVER_ERROR` without its text.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};

use crate::error::ErrorCode;

/// The extension factory to register on the schema.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

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

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|error| with_code(error, ErrorCode::GraphqlParseFailed))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| with_code(error, ErrorCode::GraphqlValidationFailed))
                .collect()
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        for error in &mut response.errors {
            if !has_code(error) {
                tracing::error!(message = %error.message, path = ?error.path, "error without a code");
                error.message = "internal error".to_owned();
                *error = with_code(error.clone(), ErrorCode::InternalServerError);
            }
        }
        response
    }
}
