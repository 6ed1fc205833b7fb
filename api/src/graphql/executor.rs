//! The request pipeline below HTTP: everything between a decoded GraphQL request and the
//! answer to send, whatever the transport.
//!
//! In order: resolve a persisted query; for anonymous readers, look the answer up in the
//! response cache (one computation per key at a time) and try the PostgreSQL pushdown; parse
//! (documents are kept parsed); select the operation; execute under the request's deadline;
//! stamp error codes; invalidate the cache after mutations; learn plans from clean anonymous
//! answers; store what may be shared. The [`Outcome`] says what the body is, whether it is a
//! request error, and who may be given it for how long; the transport turns that into
//! status codes and headers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::parser::types::OperationType;
use async_graphql::{ServerError, UploadValue, Variables};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use super::AppSchema;
use super::charges;
use super::context::RequestScope;
use super::document_limits::DocumentLimits;
use super::documents::{DocumentCache, Unparsed};
use super::error_codes::{self, with_code};
use super::operation;
use super::persisted_query;
use super::pushdown::Pushdown;
use super::token_required;
use crate::auth::Principal;
use crate::cache::response::{CachedResponse, request_key};
use crate::cache::{Lookup, ResponseCache};
use crate::db::ReadPool;
use crate::error::{ErrorCode, RequestFailure};
use crate::metrics::Operation;
use crate::rate_limit::{Cost, Gate};

/// A GraphQL request as its transport decoded it.
pub struct GraphqlRequest {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    /// The `variables` member as sent: absent, null or an object.
    pub variables: Option<Value>,
    pub extensions: Option<Value>,
    /// The verified token's holder, if the request carried one.
    pub principal: Option<Principal>,
    /// False over transports that must not change anything (HTTP GET).
    pub allows_mutations: bool,
    /// The files of a `multipart/form-data` request; `variables` holds a placeholder for each.
    pub uploads: Vec<UploadValue>,
}

/// What the executor answered, and for which kind of operation.
pub struct Outcome {
    pub operation: Operation,
    pub answer: Answer,
    /// The document was refused unread for breaking a document limit: what hostile clients
    /// send over and over, so the transport may hold the answer (`--refusal-hold-ms`).
    pub over_limits: bool,
}

impl Outcome {
    fn new(operation: Operation, answer: Answer) -> Self {
        Outcome {
            operation,
            answer,
            over_limits: false,
        }
    }

    /// A document refused for breaking a limit: a request error carrying `error`.
    fn limit_refusal(error: ServerError) -> Self {
        let response = async_graphql::Response::from_errors(vec![error]);
        Outcome {
            operation: Operation::None,
            answer: own(&response, false),
            over_limits: true,
        }
    }
}

/// A response body and who may be given it.
pub enum Answer {
    /// A query answered without errors for an anonymous reader: any client may be given it
    /// (HTTP caches included) for `max_age`.
    Shared {
        response: Arc<CachedResponse>,
        max_age: Duration,
    },
    /// A GraphQL response for this client alone. `request_error` when nothing was executed
    /// (the document does not parse or validate); `private` when a token was used.
    Own {
        body: Vec<u8>,
        request_error: bool,
        private: bool,
    },
    /// Refused before GraphQL answered: its body is [`RequestFailure::body`].
    Refused(RequestFailure),
}

/// The pipeline's parts, shared by every worker.
pub struct Executor {
    schema: AppSchema,
    reads: ReadPool,
    cache: ResponseCache,
    documents: DocumentCache,
    pushdown: Pushdown,
    request_timeout: Duration,
    shared_max_age: Duration,
}

/// How long a request may take, how long an answer any client may be given stays fresh, and
/// what a document may hold.
#[derive(Clone, Copy, Debug)]
pub struct ExecutorSettings {
    pub request_timeout: Duration,
    pub shared_max_age: Duration,
    pub document_limits: DocumentLimits,
}

impl Executor {
    pub fn new(
        schema: AppSchema,
        reads: ReadPool,
        cache: ResponseCache,
        pushdown: Pushdown,
        settings: ExecutorSettings,
    ) -> Self {
        Executor {
            schema,
            reads,
            cache,
            documents: DocumentCache::new(settings.document_limits),
            pushdown,
            request_timeout: settings.request_timeout,
            shared_max_age: settings.shared_max_age,
        }
    }

    /// The response cache (the transport's health checks and tests read it).
    pub fn cache(&self) -> &ResponseCache {
        &self.cache
    }

    /// Answers `request`, without rate limits.
    pub async fn execute(&self, request: GraphqlRequest) -> Outcome {
        self.execute_limited(request, &mut Gate::open()).await
    }

    /// Answers `request` if `gate` admits what it costs.
    pub async fn execute_limited(&self, request: GraphqlRequest, gate: &mut Gate<'_>) -> Outcome {
        let resolved =
            match persisted_query::resolve(&self.cache, request.query, request.extensions.as_ref())
                .await
            {
                Ok(resolved) => resolved,
                Err(failure) => return refused(Operation::None, failure),
            };
        let query = resolved.text;
        let variables_json = match request.variables {
            None | Some(Value::Null) => Value::Object(Default::default()),
            Some(variables @ Value::Object(_)) => variables,
            Some(_) => {
                return refused(
                    Operation::None,
                    RequestFailure::new(ErrorCode::BadRequest, "variables must be a JSON object"),
                );
            }
        };
        // Before the cache and the pushdown, which would hash all of it.
        let oversized = self.documents.check_size(&query).err();
        let operation_name = request.operation_name.filter(|name| !name.is_empty());
        let principal = request.principal;
        let anonymous = principal.is_none();

        // Rate limits (1 of 2): a document that cannot hold a mutation is a read, charged
        // before the cache so cached answers count too, and so is one refused for its size.
        // The rest are charged once parsed.
        if (oversized.is_some() || !request.allows_mutations || !query.contains("mutation"))
            && let Err(failure) = gate.admit(&Cost::read()).await
        {
            return refused(Operation::Query, failure);
        }
        if let Some(error) = oversized {
            return Outcome::limit_refusal(error);
        }

        // Anonymous requests share cached responses; a hit skips parsing and execution. On a
        // miss this process computes each key once at a time (the guard), then stores the
        // result under the generation it read before computing.
        let cache_key = (anonymous && request.uploads.is_empty() && self.cache.caches_responses())
            .then(|| request_key(&query, operation_name.as_deref(), &variables_json));
        let mut generation = None;
        let mut _computing = None;
        if let Some(key) = &cache_key {
            let mut cached = None;
            match self.cache.lookup(key).await {
                Lookup::Hit(entry) => cached = Some(entry),
                Lookup::Bypass => {}
                Lookup::Miss { .. } => {
                    _computing = Some(self.cache.computing(key).await);
                    // Looked up again under the guard: another request may have stored it.
                    match self.cache.lookup(key).await {
                        Lookup::Hit(entry) => cached = Some(entry),
                        Lookup::Miss {
                            generation: current,
                        } => generation = Some(current),
                        Lookup::Bypass => {}
                    }
                }
            }
            if let Some(entry) = cached {
                // A cached answer means the query ran cleanly before: a hash sent with it is
                // remembered as if it had run now.
                if let Some(hash) = &resolved.to_persist {
                    self.cache.persist_query(hash, &query).await;
                }
                return self.shared(entry);
            }
        }
        let store_under = cache_key.zip(generation);

        // The rest of the request has this long, however it is answered.
        let deadline = tokio::time::Instant::now() + self.request_timeout;
        let variables = Variables::from_json(variables_json);

        // Anonymous queries PostgreSQL can answer whole skip async-graphql, parsing included:
        // a plan exists only for a document that was parsed and answered before.
        if anonymous {
            let answer =
                self.pushdown
                    .answer(&query, operation_name.as_deref(), &variables, &self.reads);
            match tokio::time::timeout_at(deadline, answer).await {
                Ok(None) => {}
                Ok(Some(body)) => {
                    if let Some(hash) = &resolved.to_persist {
                        self.cache.persist_query(hash, &query).await;
                    }
                    return self.store_shared(store_under, body).await;
                }
                Err(_) => return self.timed_out(Operation::Query),
            }
        }

        let document = match self.documents.parse(&query).await {
            Ok(document) => document,
            Err(Unparsed::OverLimits(error)) => return Outcome::limit_refusal(error),
            Err(Unparsed::Syntax(error)) => {
                let response = async_graphql::Response::from_errors(vec![with_code(
                    error,
                    ErrorCode::GraphqlParseFailed,
                )]);
                return Outcome::new(Operation::None, own(&response, false));
            }
        };
        let selected = match operation::select(&document, operation_name.as_deref()) {
            Ok(operation) => operation,
            Err(error) => {
                return refused(
                    Operation::None,
                    RequestFailure::new(ErrorCode::BadRequest, error.to_string()),
                );
            }
        };
        let operation_type = selected.ty;
        let label = match operation_type {
            OperationType::Query => Operation::Query,
            OperationType::Mutation => Operation::Mutation,
            OperationType::Subscription => Operation::Subscription,
        };
        let is_mutation = operation_type == OperationType::Mutation;
        if is_mutation && !request.allows_mutations {
            return refused(
                label,
                RequestFailure::new(
                    ErrorCode::MethodNotAllowed,
                    "mutations are only accepted over POST",
                ),
            );
        }
        // An operation only token-holders may run is refused before it runs (issue 13).
        if anonymous
            && let Some(failure) = token_required::refusal(&document, operation_name.as_deref())
        {
            return refused(label, failure);
        }

        // Rate limits (2 of 2): what the selected operation costs, if not charged above.
        if !gate.charged()
            && let Err(failure) = gate
                .admit(&charges::of(&document, selected, &variables))
                .await
        {
            return refused(label, failure);
        }

        let mut graphql = async_graphql::Request::new(query.clone()).variables(variables);
        graphql.uploads = request.uploads;
        if let Some(name) = &operation_name {
            graphql = graphql.operation_name(name);
        }
        graphql.set_parsed_query(async_graphql::parser::types::ExecutableDocument::clone(
            &document,
        ));
        let graphql = graphql.data(RequestScope::new(&self.reads, principal));
        let mut response =
            match tokio::time::timeout_at(deadline, self.schema.execute(graphql)).await {
                Ok(response) => response,
                Err(_) => {
                    if is_mutation {
                        // It may have committed: readers must not see what was cached before it.
                        self.cache.invalidate().await;
                        gate.applications_not_stored().await;
                    }
                    return self.timed_out(label);
                }
            };
        error_codes::stamp(&mut response, &document);
        if is_mutation && !response.errors.is_empty() {
            // Some root field failed, perhaps an application: a retry of its key pays.
            gate.applications_not_stored().await;
        }
        if only_unavailable(&response) {
            // Nothing was answered but "try again": the whole response says so, as a 503.
            if is_mutation {
                self.cache.invalidate().await;
            }
            return refused(
                label,
                RequestFailure::new(
                    ErrorCode::ServiceUnavailable,
                    "the database is unavailable; try again shortly",
                ),
            );
        }
        if is_mutation {
            // Committed (or refused): either way no cached response may predate it.
            self.cache.invalidate().await;
        }
        if let Some(hash) = &resolved.to_persist
            && !is_request_error(&response)
        {
            self.cache.persist_query(hash, &query).await;
        }
        let shareable =
            operation_type == OperationType::Query && response.errors.is_empty() && anonymous;
        if !shareable {
            return Outcome::new(label, own(&response, !anonymous));
        }
        self.pushdown
            .learn(&query, operation_name.as_deref(), &document)
            .await;
        let mut outcome = self.store_shared(store_under, serialize(&response)).await;
        outcome.operation = label;
        outcome
    }

    /// An answer any client may be given, stored first in the response cache under the
    /// generation read before it was computed.
    async fn store_shared(&self, store_under: Option<(String, u64)>, body: Vec<u8>) -> Outcome {
        let entry = Arc::new(CachedResponse::new(Bytes::from(body)));
        if let Some((key, generation)) = store_under {
            self.cache.store(&key, generation, &entry).await;
        }
        self.shared(entry)
    }

    fn shared(&self, response: Arc<CachedResponse>) -> Outcome {
        Outcome::new(
            Operation::Query,
            Answer::Shared {
                response,
                max_age: self.shared_max_age,
            },
        )
    }

    fn timed_out(&self, operation: Operation) -> Outcome {
        tracing::warn!(
            timeout_ms = self.request_timeout.as_millis() as u64,
            "request timed out"
        );
        refused(
            operation,
            RequestFailure::new(
                ErrorCode::Timeout,
                "the request took too long; ask for less and try again",
            ),
        )
    }
}

fn refused(operation: Operation, failure: RequestFailure) -> Outcome {
    Outcome::new(operation, Answer::Refused(failure))
}

/// A response for this client alone.
fn own(response: &async_graphql::Response, private: bool) -> Answer {
    Answer::Own {
        body: serialize(response),
        request_error: is_request_error(response),
        private,
    }
}

/// The body of a GraphQL response, fields in the order the client asked for them.
#[derive(Serialize)]
struct ResponseBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, async_graphql::Value>,
}

/// Whether the response has errors and every one of them is the database being unavailable.
fn only_unavailable(response: &async_graphql::Response) -> bool {
    !response.errors.is_empty()
        && response.errors.iter().all(|error| {
            error
                .extensions
                .as_ref()
                .and_then(|extensions| extensions.get("code"))
                .is_some_and(|code| {
                    *code == async_graphql::Value::from(ErrorCode::ServiceUnavailable.as_str())
                })
        })
}

/// Whether nothing was executed: the response has errors and no data.
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// Serializes a GraphQL response. A request error has no `data` entry.
fn serialize(response: &async_graphql::Response) -> Vec<u8> {
    let body = ResponseBody {
        data: (!is_request_error(response)).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    serde_json::to_vec(&body).unwrap_or_else(|error| {
        tracing::error!(%error, "cannot serialize a response");
        br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#.to_vec()
    })
}
