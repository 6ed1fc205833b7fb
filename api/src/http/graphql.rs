//! `/graphql` over HTTP, after the GraphQL-over-HTTP spec: POST for everything, GET for queries
//! only, a body limit, content negotiation, and status codes that say what went wrong.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{ServerError, Variables};
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::media::{self, ResponseMedia};
use crate::auth::{AuthError, Principal, TokenVerifier};
use crate::cache::response::CachedResponse;
use crate::cache::response::{hex, request_key};
use crate::cache::{Lookup, ResponseCache};
use crate::db::ReadPool;
use crate::error::ErrorCode;
use crate::graphql::AppSchema;
use crate::graphql::context::RequestScope;
use crate::graphql::documents::DocumentCache;
use crate::graphql::error_codes::{self, with_code};
use crate::graphql::pushdown::Pushdown;
use crate::metrics::{self, Operation};
use bytes::Bytes;

/// What the endpoint needs, shared by every worker.
pub struct Endpoint {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    pub reads: ReadPool,
    pub verifier: TokenVerifier,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub cache: ResponseCache,
    /// Documents parsed before, by their text.
    pub documents: DocumentCache,
    /// `Cache-Control: max-age` of anonymous GET query responses.
    pub http_max_age: Duration,
    /// Plans of the queries PostgreSQL answers whole.
    pub pushdown: Pushdown,
}

/// A GraphQL request as POST bodies and GET query strings carry it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostBody {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    /// JSON-encoded.
    variables: Option<String>,
    /// JSON-encoded.
    extensions: Option<String>,
}

/// A request that reached us whole, before GraphQL looks at it.
struct GraphqlParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
    /// The `If-None-Match` of a GET, for `304 Not Modified`.
    if_none_match: Option<String>,
}

/// Answers with a request failure that GraphQL never saw.
fn failure(media: ResponseMedia, code: ErrorCode, message: impl Into<String>) -> HttpResponse {
    let body = json!({ "errors": [{ "message": message.into(), "extensions": { "code": code.as_str() } }] });
    let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    HttpResponse::build(status)
        .content_type(media.content_type())
        .body(body.to_string())
}

/// Reads and verifies the bearer token, if the request has one. A token that is present but
/// not valid is refused; it never silently counts as anonymous.
fn authenticate(
    request: &HttpRequest,
    verifier: &TokenVerifier,
) -> Result<Option<Principal>, AuthError> {
    let Some(header) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = header
        .to_str()
        .ok()
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty())
        .ok_or(AuthError::NotBearer)?;
    verifier.verify(token).map(Some)
}

fn unauthenticated(media: ResponseMedia, error: &AuthError) -> HttpResponse {
    tracing::info!(reason = %error, "refused a bearer token");
    let mut response = failure(media, ErrorCode::Unauthenticated, error.to_string());
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

fn not_acceptable() -> HttpResponse {
    failure(
        ResponseMedia::Json,
        ErrorCode::NotAcceptable,
        "send Accept: application/graphql-response+json or application/json",
    )
}

/// `POST /graphql`.
pub async fn post(
    request: HttpRequest,
    mut payload: web::Payload,
    endpoint: web::Data<Endpoint>,
) -> HttpResponse {
    let Some(media) = media::negotiate(&request) else {
        return not_acceptable();
    };
    if !media::is_json_body(&request) {
        return failure(
            media,
            ErrorCode::UnsupportedMediaType,
            "send the request as Content-Type: application/json",
        );
    }
    let limit = endpoint.max_body_bytes;
    let too_large = || {
        failure(
            media,
            ErrorCode::PayloadTooLarge,
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return too_large();
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return failure(
                media,
                ErrorCode::BadRequest,
                "the request body could not be read",
            );
        };
        if body.len() + chunk.len() > limit {
            return too_large();
        }
        body.extend_from_slice(&chunk);
    }
    let principal = match authenticate(&request, &endpoint.verifier) {
        Ok(principal) => principal,
        Err(error) => return unauthenticated(media, &error),
    };
    let body: PostBody = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(error) => {
            return failure(
                media,
                ErrorCode::BadRequest,
                format!("the body is not a GraphQL request in JSON: {error}"),
            );
        }
    };
    execute(
        &endpoint,
        media,
        GraphqlParams {
            query: body.query,
            operation_name: body.operation_name,
            variables: body.variables,
            extensions: body.extensions,
            if_none_match: None,
        },
        principal,
        false,
    )
    .await
}

/// `GET /graphql`: queries only; GraphiQL for a browser that asks for a page.
pub async fn get(request: HttpRequest, endpoint: web::Data<Endpoint>) -> HttpResponse {
    let params = match web::Query::<GetParams>::from_query(request.query_string()) {
        Ok(params) => params.into_inner(),
        Err(error) => {
            let media = media::negotiate(&request).unwrap_or(ResponseMedia::Json);
            return failure(
                media,
                ErrorCode::BadRequest,
                format!("bad query string: {error}"),
            );
        }
    };
    if params.query.is_none() && media::wants_html(&request) {
        return graphiql().await;
    }
    let Some(media) = media::negotiate(&request) else {
        return not_acceptable();
    };
    let principal = match authenticate(&request, &endpoint.verifier) {
        Ok(principal) => principal,
        Err(error) => return unauthenticated(media, &error),
    };
    let variables = match params
        .variables
        .as_deref()
        .map(serde_json::from_str::<Value>)
    {
        None => None,
        Some(Ok(variables)) => Some(variables),
        Some(Err(error)) => {
            return failure(
                media,
                ErrorCode::BadRequest,
                format!("variables is not JSON: {error}"),
            );
        }
    };
    let extensions = match params
        .extensions
        .as_deref()
        .map(serde_json::from_str::<Value>)
    {
        None => None,
        Some(Ok(extensions)) => Some(extensions),
        Some(Err(error)) => {
            return failure(
                media,
                ErrorCode::BadRequest,
                format!("extensions is not JSON: {error}"),
            );
        }
    };
    execute(
        &endpoint,
        media,
        GraphqlParams {
            query: params.query,
            operation_name: params.operation_name,
            variables,
            extensions,
            if_none_match: request
                .headers()
                .get(header::IF_NONE_MATCH)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
        },
        principal,
        true,
    )
    .await
}

/// Any other method on `/graphql`.
pub async fn method_not_allowed(request: HttpRequest) -> HttpResponse {
    let media = media::negotiate(&request).unwrap_or(ResponseMedia::Json);
    let mut response = failure(
        media,
        ErrorCode::MethodNotAllowed,
        "use POST, or GET for queries",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET, POST"));
    response
}

/// GraphiQL, the in-browser IDE, pointed at `/graphql`.
pub async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .title("jobgraph")
                .finish(),
        )
}

/// Which operation of `document` the request runs, by the spec's rules.
fn selected_operation(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Result<OperationType, String> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Ok(operation.node.ty),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .get(name)
            .map(|operation| operation.node.ty)
            .ok_or_else(|| format!("the document has no operation named {name:?}")),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .values()
            .next()
            .map(|operation| operation.node.ty)
            .ok_or_else(|| "the document has no operation".to_owned()),
        (DocumentOperations::Multiple(_), None) => {
            Err("the document has several operations: send operationName".to_owned())
        }
    }
}

/// Resolves an automatic persisted query (Apollo's protocol): a hash alone is looked up; a
/// hash with its query is checked and remembered for every replica.
async fn persisted_query(
    endpoint: &Endpoint,
    media: ResponseMedia,
    query: Option<String>,
    extensions: Option<&Value>,
) -> Result<(String, Option<String>), HttpResponse> {
    let Some(persisted) = extensions.and_then(|extensions| extensions.get("persistedQuery")) else {
        return query
            .map(|query| (query, None))
            .ok_or_else(|| failure(media, ErrorCode::BadRequest, "the request has no query"));
    };
    if persisted.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(failure(
            media,
            ErrorCode::BadRequest,
            "persistedQuery.version must be 1",
        ));
    }
    let hash = persisted
        .get("sha256Hash")
        .and_then(Value::as_str)
        .filter(|hash| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| {
            failure(
                media,
                ErrorCode::BadRequest,
                "persistedQuery.sha256Hash must be 64 hex digits",
            )
        })?;
    match query {
        Some(query) => {
            if hex(&Sha256::digest(query.as_bytes())) != hash {
                return Err(failure(
                    media,
                    ErrorCode::BadRequest,
                    "provided sha does not match query",
                ));
            }
            Ok((query, Some(hash)))
        }
        None => match endpoint.cache.persisted_query(&hash).await {
            Some(query) => Ok((query, None)),
            None => {
                let body = json!({ "errors": [{ "message": "PersistedQueryNotFound", "extensions": { "code": "PERSISTED_QUERY_NOT_FOUND" } }] });
                Err(HttpResponse::Ok()
                    .content_type(media.content_type())
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .body(body.to_string()))
            }
        },
    }
}

/// Sends a successful anonymous query's body with the HTTP caching headers: GET responses are
/// public for `max-age` and revalidate by ETag; others are not stored.
fn cacheable_response(
    endpoint: &Endpoint,
    media: ResponseMedia,
    response: &CachedResponse,
    get: Option<&Option<String>>,
) -> HttpResponse {
    let Some(if_none_match) = get else {
        return HttpResponse::Ok()
            .content_type(media.content_type())
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(response.body.clone());
    };
    let tag = &response.etag;
    let matches = if_none_match.as_deref().is_some_and(|value| {
        value.trim() == "*"
            || value
                .split(',')
                .any(|candidate| candidate.trim().trim_start_matches("W/") == tag)
    });
    let mut builder = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    builder
        .insert_header((header::ETAG, tag.as_str()))
        .insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={}", endpoint.http_max_age.as_secs()),
        ))
        .insert_header((header::VARY, "Accept"));
    if matches {
        builder.finish()
    } else {
        builder
            .content_type(media.content_type())
            .body(response.body.clone())
    }
}

async fn execute(
    endpoint: &Endpoint,
    media: ResponseMedia,
    params: GraphqlParams,
    principal: Option<Principal>,
    is_get: bool,
) -> HttpResponse {
    let started = Instant::now();
    let (response, operation) = run(endpoint, media, params, principal, is_get).await;
    metrics::graphql_request(
        operation,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

async fn run(
    endpoint: &Endpoint,
    media: ResponseMedia,
    params: GraphqlParams,
    principal: Option<Principal>,
    is_get: bool,
) -> (HttpResponse, Operation) {
    let (query, newly_persisted) =
        match persisted_query(endpoint, media, params.query, params.extensions.as_ref()).await {
            Ok(resolved) => resolved,
            Err(response) => return (response, Operation::None),
        };
    let variables_json = match params.variables {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(variables @ Value::Object(_)) => variables,
        Some(_) => {
            return (
                failure(
                    media,
                    ErrorCode::BadRequest,
                    "variables must be a JSON object",
                ),
                Operation::None,
            );
        }
    };
    let operation_name = params.operation_name.filter(|name| !name.is_empty());
    let get = is_get.then_some(&params.if_none_match);

    // Anonymous requests share cached responses; a hit skips parsing and execution. On a miss
    // this process computes each key once at a time (the guard), then stores the result under
    // the generation it read before computing.
    let cache_key = (principal.is_none() && endpoint.cache.caches_responses())
        .then(|| request_key(&query, operation_name.as_deref(), &variables_json));
    let mut generation = None;
    let mut _computing = None;
    if let Some(key) = &cache_key {
        let mut cached = None;
        match endpoint.cache.lookup(key).await {
            Lookup::Hit(entry) => cached = Some(entry),
            Lookup::Bypass => {}
            Lookup::Miss { .. } => {
                _computing = Some(endpoint.cache.computing(key).await);
                // Looked up again under the guard: another request may have stored it meanwhile.
                match endpoint.cache.lookup(key).await {
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
            if let Some(hash) = &newly_persisted {
                endpoint.cache.persist_query(hash, &query).await;
            }
            return (
                cacheable_response(endpoint, media, &entry, get),
                Operation::Query,
            );
        }
    }

    // The rest of the request has this long, however it is answered.
    let deadline = tokio::time::Instant::now() + endpoint.request_timeout;
    let variables = Variables::from_json(variables_json);

    // Anonymous queries PostgreSQL can answer whole skip async-graphql, parsing included: a
    // plan exists only for a query document that was parsed and answered before (see
    // `graphql::pushdown`).
    if principal.is_none() {
        let answer = endpoint.pushdown.answer(
            &query,
            operation_name.as_deref(),
            &variables,
            &endpoint.reads,
        );
        match tokio::time::timeout_at(deadline, answer).await {
            Ok(None) => {}
            Ok(Some(body)) => {
                if let Some(hash) = newly_persisted {
                    endpoint.cache.persist_query(&hash, &query).await;
                }
                return (
                    shared_answer(endpoint, media, cache_key.zip(generation), body, get).await,
                    Operation::Query,
                );
            }
            Err(_) => return (timed_out(endpoint, media), Operation::Query),
        }
    }

    let document = match endpoint.documents.parse(&query).await {
        Err(error) => {
            return (
                graphql_failure(media, with_code(error, ErrorCode::GraphqlParseFailed)),
                Operation::None,
            );
        }
        Ok(document) => document,
    };
    let operation_type = match selected_operation(&document, operation_name.as_deref()) {
        Err(message) => {
            return (
                failure(media, ErrorCode::BadRequest, message),
                Operation::None,
            );
        }
        Ok(OperationType::Mutation) if is_get => {
            let mut response = failure(
                media,
                ErrorCode::MethodNotAllowed,
                "mutations are only accepted over POST",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
            return (response, Operation::Mutation);
        }
        Ok(operation_type) => operation_type,
    };

    let mut request = async_graphql::Request::new(query.clone()).variables(variables);
    if let Some(name) = &operation_name {
        request = request.operation_name(name);
    }
    request.set_parsed_query(ExecutableDocument::clone(&document));
    let label = match operation_type {
        OperationType::Query => Operation::Query,
        OperationType::Mutation => Operation::Mutation,
        OperationType::Subscription => Operation::Subscription,
    };
    let authenticated = principal.is_some();
    let request = request.data(RequestScope::new(&endpoint.reads, principal));
    let mut response =
        match tokio::time::timeout_at(deadline, endpoint.schema.execute(request)).await {
            Ok(response) => response,
            Err(_) => {
                if operation_type == OperationType::Mutation {
                    // It may have committed: readers must not see what was cached before it.
                    endpoint.cache.invalidate().await;
                }
                return (timed_out(endpoint, media), label);
            }
        };
    error_codes::stamp(&mut response);
    if operation_type == OperationType::Mutation {
        // Committed (or refused): either way no cached response may predate it.
        endpoint.cache.invalidate().await;
    }
    if let Some(hash) = newly_persisted
        && !is_request_error(&response)
    {
        endpoint.cache.persist_query(&hash, &query).await;
    }
    let (status, body) = render(media, &response);
    let shareable =
        operation_type == OperationType::Query && response.errors.is_empty() && !authenticated;
    if shareable {
        endpoint
            .pushdown
            .learn(&query, operation_name.as_deref(), &document)
            .await;
        return (
            shared_answer(endpoint, media, cache_key.zip(generation), body, get).await,
            label,
        );
    }
    let cache_control = if authenticated {
        "private, no-store"
    } else {
        "no-store"
    };
    (
        HttpResponse::build(status)
            .content_type(media.content_type())
            .insert_header((header::CACHE_CONTROL, cache_control))
            .body(body),
        label,
    )
}

/// Answers with a successful anonymous query's body, first storing it in the response cache
/// under the generation read before it was computed.
async fn shared_answer(
    endpoint: &Endpoint,
    media: ResponseMedia,
    cache_entry: Option<(String, u64)>,
    body: Vec<u8>,
    get: Option<&Option<String>>,
) -> HttpResponse {
    let entry = Arc::new(CachedResponse::new(Bytes::from(body)));
    if let Some((key, generation)) = cache_entry {
        endpoint.cache.store(&key, generation, &entry).await;
    }
    cacheable_response(endpoint, media, &entry, get)
}

fn timed_out(endpoint: &Endpoint, media: ResponseMedia) -> HttpResponse {
    tracing::warn!(
        timeout_ms = endpoint.request_timeout.as_millis() as u64,
        "request timed out"
    );
    failure(
        media,
        ErrorCode::Timeout,
        "the request took too long; ask for less and try again",
    )
}

/// A request error from GraphQL itself (the document does not parse or validate).
fn graphql_failure(media: ResponseMedia, error: ServerError) -> HttpResponse {
    let (status, body) = render(media, &async_graphql::Response::from_errors(vec![error]));
    HttpResponse::build(status)
        .content_type(media.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
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

/// Whether nothing was executed: the response has errors and no data.
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// Serializes a GraphQL response. A request error has no `data` entry and, as
/// `application/graphql-response+json`, a 400 status.
fn render(media: ResponseMedia, response: &async_graphql::Response) -> (StatusCode, Vec<u8>) {
    let request_error = is_request_error(response);
    let body = ResponseBody {
        data: (!request_error).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    let body = serde_json::to_vec(&body).unwrap_or_else(|error| {
        tracing::error!(%error, "cannot serialize a response");
        br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#.to_vec()
    });
    let status = match media {
        ResponseMedia::GraphqlResponseJson if request_error => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    (status, body)
}
