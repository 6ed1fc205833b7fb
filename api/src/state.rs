//! What the running server shares between its workers: the GraphQL pipeline, token
//! verification, the pools, and the transport's own settings. Built once by
//! [`crate::startup::build_state`], before the HTTP server starts.

use sea_orm::DatabaseConnection;

use crate::auth::TokenVerifier;
use crate::db::{ReadPool, StatementCounter};
use crate::graphql::executor::Executor;
use crate::rate_limit::RateLimiter;

pub struct AppState {
    /// Answers GraphQL requests, whatever their transport.
    pub executor: Executor,
    /// Verifies bearer tokens at the edge.
    pub verifier: TokenVerifier,
    /// Writes, transactions and health checks.
    pub db: DatabaseConnection,
    /// Read-only statements (their gauges are served by `/metrics`).
    pub reads: ReadPool,
    /// Counts the SQL statements the server has run (tests read it).
    pub statements: StatementCounter,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The largest `multipart/form-data` body accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Whether `/` serves GraphiQL.
    pub graphiql: bool,
    /// One permit per `/graphql` request being worked on; none left means 503.
    pub in_flight: tokio::sync::Semaphore,
    /// Longest a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// How long a refusal for a document limit is held before it is sent.
    pub refusal_hold: std::time::Duration,
    /// The request budgets; `None` when rate limits are off.
    pub rate_limiter: Option<RateLimiter>,
}
