//! Stamps `extensions.code` on the errors async-graphql raises itself: validation failures
//! (depth and complexity limits included). Any other error that reaches the response without a
//! code is a bug: it is logged and sent as `INTERNAL_SERVER_ERROR` without its text.
//!
//! This runs once on the finished response rather than as a schema extension: any extension
//! makes async-graphql take its slow path for every field it resolves.

use async_graphql::{Response, ServerError};

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

/// Gives every error of `response` a code. Errors of a request that never executed (no data,
/// no path) failed validation; codeless errors of an execution are hidden.
pub fn stamp(response: &mut Response) {
    let not_executed = response.data == async_graphql::Value::Null
        && response.errors.iter().all(|error| error.path.is_empty());
    for error in &mut response.errors {
        if has_code(error) {
            continue;
        }
        if not_executed {
            *error = with_code(error.clone(), ErrorCode::GraphqlValidationFailed);
        } else {
            tracing::error!(message = %error.message, path = ?error.path, "error without a code");
            error.message = "internal error".to_owned();
            *error = with_code(error.clone(), ErrorCode::InternalServerError);
        }
    }
}
