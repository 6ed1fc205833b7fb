//! The one place where failures become what clients see: a stable `extensions.code` and an
//! HTTP status. Internal causes are logged here in full and never sent to clients.

use actix_web::http::StatusCode;
use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

/// The stable error codes clients may branch on, sent as `errors[].extensions.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The request body is not a GraphQL-over-HTTP request (bad JSON, missing `query`, ...).
    BadRequest,
    /// The document does not parse.
    GraphqlParseFailed,
    /// The document does not validate against the schema (including depth and complexity).
    GraphqlValidationFailed,
    /// An argument or input value is not acceptable.
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    NotAcceptable,
    MethodNotAllowed,
    /// The request took longer than the server's request timeout.
    Timeout,
    /// The request's body did not arrive within the request timeout.
    RequestTimeout,
    /// The server cannot answer now (too many requests in flight, the database unreachable):
    /// try again after `Retry-After`.
    ServiceUnavailable,
    /// An automatic persisted query sent by hash alone whose text this deployment does not
    /// know: send the hash again with the query (Apollo's protocol).
    PersistedQueryNotFound,
    /// Over a rate-limit budget: retry after `Retry-After` seconds.
    RateLimited,
    /// The database has no room for a write (disk full, SQLite's page limit): nothing of that
    /// write was stored, everything accepted before is intact.
    InsufficientStorage,
    InternalServerError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorCode::NotAcceptable => "NOT_ACCEPTABLE",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::RequestTimeout => "REQUEST_TIMEOUT",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::InsufficientStorage => "INSUFFICIENT_STORAGE",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status of a response that fails as a whole with this code.
    pub fn http_status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest
            | ErrorCode::GraphqlParseFailed
            | ErrorCode::GraphqlValidationFailed
            | ErrorCode::BadUserInput => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Timeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::InsufficientStorage => StatusCode::INSUFFICIENT_STORAGE,
            // Apollo's clients read the code from a 200 answer and retry with the query.
            ErrorCode::PersistedQueryNotFound => StatusCode::OK,
        }
    }

    /// Every code, for tests and documentation.
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::BadRequest,
        ErrorCode::GraphqlParseFailed,
        ErrorCode::GraphqlValidationFailed,
        ErrorCode::BadUserInput,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::NotAcceptable,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Timeout,
        ErrorCode::RequestTimeout,
        ErrorCode::ServiceUnavailable,
        ErrorCode::PersistedQueryNotFound,
        ErrorCode::RateLimited,
        ErrorCode::InsufficientStorage,
        ErrorCode::InternalServerError,
    ];
}

/// A request refused before GraphQL execution answered it (a bad body, a missing persisted
/// query, a timeout): its code and what the client is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestFailure {
    pub code: ErrorCode,
    pub message: String,
}

impl RequestFailure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        RequestFailure {
            code,
            message: message.into(),
        }
    }

    /// The response body: `{"errors":[{"message":…,"extensions":{"code":…}}]}`. The one writer
    /// of error bodies outside GraphQL execution.
    pub fn body(&self) -> String {
        serde_json::json!({
            "errors": [{ "message": self.message, "extensions": { "code": self.code.as_str() } }]
        })
        .to_string()
    }
}

/// What the service layer can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input names a field path (`input.title`, `after`) and says what is wrong with it.
    #[error("{field}: {message}")]
    InvalidInput { field: String, message: String },
    /// No token, where one is needed.
    #[error("{0}")]
    Unauthenticated(String),
    /// A token without the scope, or for another company.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A stale `expectedVersion`, or a change the object's state does not allow.
    #[error("{0}")]
    Conflict(String),
    /// A posting that Google for Jobs would not accept cannot be published: `missing` names
    /// the JobPosting properties it lacks (`title`, `description`, `jobLocation`,
    /// `applicantLocationRequirements`), sent as `extensions.fields`.
    #[error("the posting cannot be published yet; it lacks {}", .missing.join(", "))]
    Unpublishable { missing: Vec<&'static str> },
    /// A value that must be unique is already used (a slug): `field` names the input field
    /// that holds it. Raised by the check before a write and, when a concurrent write took the
    /// value between that check and the insert, by [`ServiceError::unique`] from the
    /// database's own refusal (SQLite's errors name no constraint, so the operation names it).
    #[error("{message}")]
    Taken { field: String, message: String },
    /// Anything the database refused. Unique and foreign-key violations no operation named
    /// are still classified by kind (`DbErr::sql_err`), never by their text: see
    /// [`ServiceError::code`].
    #[error("database error")]
    Database(#[from] DbErr),
}

impl ServiceError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn taken(field: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError::Taken {
            field: field.into(),
            message: message.into(),
        }
    }

    /// For a write whose only unique value is the input's `field`: the database's unique
    /// violation becomes [`ServiceError::Taken`] with `message`; any other error is kept.
    /// Use as `.map_err(ServiceError::unique("input.slug", || ...))`.
    pub fn unique<E: Into<ServiceError>>(
        field: &'static str,
        message: impl FnOnce() -> String,
    ) -> impl FnOnce(E) -> ServiceError {
        move |error| match error.into() {
            ServiceError::Database(cause)
                if matches!(cause.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                ServiceError::taken(field, message())
            }
            other => other,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::InvalidInput { .. } => ErrorCode::BadUserInput,
            ServiceError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            ServiceError::Forbidden(_) => ErrorCode::Forbidden,
            ServiceError::NotFound(_) => ErrorCode::NotFound,
            ServiceError::Conflict(_)
            | ServiceError::Taken { .. }
            | ServiceError::Unpublishable { .. } => ErrorCode::Conflict,
            ServiceError::Database(cause) if is_storage_full(cause) => {
                ErrorCode::InsufficientStorage
            }
            ServiceError::Database(cause) if is_unavailable(cause) => ErrorCode::ServiceUnavailable,
            ServiceError::Database(cause) => match cause.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => ErrorCode::Conflict,
                Some(SqlErr::ForeignKeyConstraintViolation(_)) => ErrorCode::BadUserInput,
                _ => ErrorCode::InternalServerError,
            },
        }
    }
}

/// Whether `error` says the database cannot be reached now (no connection could be had, or
/// the connection failed), rather than that a statement was wrong: the request may succeed
/// when tried again.
pub fn is_unavailable(error: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx};
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(cause)) | DbErr::Exec(RuntimeErr::SqlxError(cause)) => {
            matches!(
                **cause,
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
            )
        }
        _ => false,
    }
}

/// Whether `error` is the database refusing a write for want of room: SQLite's `SQLITE_FULL`
/// (result code 13: the disk, or `PRAGMA max_page_count`), PostgreSQL's `disk_full` (53100).
pub fn is_storage_full(error: &DbErr) -> bool {
    matches!(database_code(error).as_deref(), Some("13" | "53100"))
}

/// The code the database refused a statement with: PostgreSQL's SQLSTATE, SQLite's
/// (extended) result code; `None` for errors that are not the database's answer.
pub fn database_code(error: &DbErr) -> Option<String> {
    use sea_orm::{RuntimeErr, sqlx};
    let (DbErr::Query(RuntimeErr::SqlxError(cause))
    | DbErr::Exec(RuntimeErr::SqlxError(cause))
    | DbErr::Conn(RuntimeErr::SqlxError(cause))) = error
    else {
        return None;
    };
    match &**cause {
        sqlx::Error::Database(database) => database.code().map(|code| code.into_owned()),
        _ => None,
    }
}

/// Builds a GraphQL error carrying `code`.
pub fn graphql_error(code: ErrorCode, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, extensions| {
        extensions.set("code", code.as_str());
    })
}

/// Resolvers turn service errors into GraphQL errors with `.extend()`. Errors that reach the
/// response without a code anyway are hidden by the error-code extension (`graphql::error_codes`).
impl ErrorExtensions for ServiceError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            ServiceError::Database(cause) => match self.code() {
                ErrorCode::ServiceUnavailable => {
                    tracing::warn!(error = %cause, "the database is unavailable");
                    graphql_error(
                        ErrorCode::ServiceUnavailable,
                        "the database is unavailable; try again shortly",
                    )
                }
                // Classified, but no operation named the field: the constraint's name and the
                // row it collided with stay in the logs.
                ErrorCode::InsufficientStorage => {
                    tracing::error!(error = %cause, "the database has no room for a write");
                    graphql_error(
                        ErrorCode::InsufficientStorage,
                        "the database has no room for this write: nothing of it was stored",
                    )
                }
                ErrorCode::Conflict => {
                    tracing::info!(error = %cause, "unique violation no operation named");
                    graphql_error(ErrorCode::Conflict, "a value that must be unique is taken")
                }
                ErrorCode::BadUserInput => {
                    tracing::info!(error = %cause, "foreign-key violation");
                    graphql_error(
                        ErrorCode::BadUserInput,
                        "the input refers to something that does not exist",
                    )
                }
                _ => {
                    tracing::error!(error = %cause, "database error while resolving a request");
                    graphql_error(ErrorCode::InternalServerError, "internal error")
                }
            },
            ServiceError::Taken { field, .. } => {
                graphql_error(ErrorCode::Conflict, self.to_string())
                    .extend_with(|_, extensions| extensions.set("field", field.as_str()))
            }
            ServiceError::Unpublishable { missing } => {
                graphql_error(ErrorCode::Conflict, self.to_string()).extend_with(|_, extensions| {
                    extensions.set(
                        "fields",
                        async_graphql::Value::List(
                            missing.iter().map(|field| (*field).into()).collect(),
                        ),
                    );
                })
            }
            ServiceError::InvalidInput { field, message } => {
                graphql_error(ErrorCode::BadUserInput, self.to_string()).extend_with(
                    |_, extensions| {
                        extensions.set("field", field.as_str());
                        extensions.set("reason", message.as_str());
                    },
                )
            }
            _ => graphql_error(self.code(), self.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_errors_reach_clients_as_internal_without_their_cause() {
        let error = ServiceError::Database(DbErr::Custom("secret table name".into())).extend();
        assert_eq!(error.message, "internal error");
        let code = error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code").cloned());
        assert_eq!(
            code,
            Some(async_graphql::Value::from("INTERNAL_SERVER_ERROR"))
        );
    }

    #[test]
    fn every_code_is_listed_once_with_its_own_name() {
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        assert_eq!(
            ErrorCode::PersistedQueryNotFound.http_status(),
            StatusCode::OK
        );
    }

    #[test]
    fn a_request_failure_body_carries_its_code() {
        let body = RequestFailure::new(ErrorCode::Timeout, "too slow").body();
        let body: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT");
        assert_eq!(body["errors"][0]["message"], "too slow");
    }

    #[test]
    fn an_unreachable_database_is_unavailable_not_internal() {
        let acquire =
            ServiceError::Database(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout));
        assert_eq!(acquire.code(), ErrorCode::ServiceUnavailable);
        let statement = ServiceError::Database(DbErr::Custom("syntax".into()));
        assert_eq!(statement.code(), ErrorCode::InternalServerError);
    }

    #[test]
    fn invalid_input_names_the_field() {
        let error = ServiceError::invalid("first", "at most 100").extend();
        assert_eq!(error.message, "first: at most 100");
        let field = error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("field").cloned());
        assert_eq!(field, Some(async_graphql::Value::from("first")));
    }

    /// Real refusals from an in-memory SQLite (one connection): classified by kind.
    #[tokio::test]
    async fn constraint_violations_are_classified_by_kind_not_text() {
        use sea_orm::{ConnectionTrait, Database};
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        for statement in [
            "PRAGMA foreign_keys = ON",
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE)",
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id))",
            "INSERT INTO parent (id, slug) VALUES (1, 'a')",
        ] {
            db.execute_unprepared(statement).await.expect(statement);
        }
        let duplicate = db
            .execute_unprepared("INSERT INTO parent (id, slug) VALUES (2, 'a')")
            .await
            .expect_err("a unique violation");
        let orphan = db
            .execute_unprepared("INSERT INTO child (id, parent_id) VALUES (1, 9)")
            .await
            .expect_err("a foreign-key violation");
        let other = db
            .execute_unprepared("INSERT INTO nowhere VALUES (1)")
            .await
            .expect_err("no such table");

        assert_eq!(
            ServiceError::Database(duplicate.clone()).code(),
            ErrorCode::Conflict
        );
        assert_eq!(
            ServiceError::Database(orphan).code(),
            ErrorCode::BadUserInput
        );
        assert_eq!(
            ServiceError::Database(other.clone()).code(),
            ErrorCode::InternalServerError
        );

        let named = ServiceError::unique("input.slug", || "taken".to_owned())(duplicate).extend();
        let extension = |name: &str| {
            named
                .extensions
                .as_ref()
                .and_then(|extensions| extensions.get(name).cloned())
        };
        assert_eq!(
            extension("code"),
            Some(async_graphql::Value::from("CONFLICT"))
        );
        assert_eq!(
            extension("field"),
            Some(async_graphql::Value::from("input.slug"))
        );
        let kept = ServiceError::unique("input.slug", || "taken".to_owned())(other);
        assert_eq!(kept.code(), ErrorCode::InternalServerError);
    }
}
