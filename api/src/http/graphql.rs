//! `/graphql` over HTTP, after the GraphQL-over-HTTP spec: POST for everything, GET for queries
//! only, a body limit, content negotiation, and status codes that say what went wrong. This
//! module is transport only: what a request means and how it is answered is the executor's
//! ([`crate::graphql::executor`]).

use std::time::Instant;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::UploadValue;
use async_graphql::http::MultipartOptions;
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::SemaphorePermit;

use super::media::{self, ResponseMedia};
use crate::auth::{AuthError, Principal, TokenVerifier};
use crate::cache::response::CachedResponse;
use crate::error::{ErrorCode, RequestFailure};
use crate::graphql::executor::{Answer, GraphqlRequest};
use crate::metrics;
use crate::rate_limit::{self, Caller, Gate};
use crate::state::AppState;

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

/// How a GET asks to revalidate what it has: `None` for a POST, else its `If-None-Match`.
type Revalidation = Option<Option<String>>;

/// Answers with a request failure that GraphQL never saw.
fn failure(media: ResponseMedia, code: ErrorCode, message: impl Into<String>) -> HttpResponse {
    refusal(media, &RequestFailure::new(code, message))
}

/// A refused request's response: the code's status and the one error body.
fn refusal(media: ResponseMedia, failure: &RequestFailure) -> HttpResponse {
    let mut response = HttpResponse::build(failure.code.http_status());
    response
        .content_type(media.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"));
    match failure.code {
        ErrorCode::MethodNotAllowed => {
            response.insert_header((header::ALLOW, "POST"));
        }
        ErrorCode::ServiceUnavailable => {
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        _ => {}
    }
    if failure.code == ErrorCode::Unauthenticated {
        // RFC 6750: a 401 says how to authenticate. A refused token adds its error below.
        response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    response.body(failure.body())
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
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let Some(media) = media::negotiate(&request) else {
        return not_acceptable();
    };
    let Ok(permit) = state.in_flight.try_acquire() else {
        return too_busy(media);
    };
    let multipart = media::is_multipart_body(&request);
    if !multipart && !media::is_json_body(&request) {
        return failure(
            media,
            ErrorCode::UnsupportedMediaType,
            "send the request as Content-Type: application/json \
             (multipart/form-data with files to upload)",
        );
    }
    // Browsers send multipart/form-data across origins without asking first; a bearer
    // token, which they never send unasked, keeps other sites' pages from posting uploads.
    if multipart && request.headers().get(header::AUTHORIZATION).is_none() {
        return failure(
            media,
            ErrorCode::Unauthenticated,
            "file uploads need a bearer token",
        );
    }
    let limit = if multipart {
        state.max_upload_bytes
    } else {
        state.max_body_bytes
    };
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
    let body =
        match tokio::time::timeout(state.body_timeout, read_body(payload, limit, declared)).await {
            Err(_) => {
                return failure(
                    media,
                    ErrorCode::RequestTimeout,
                    "the request body did not arrive in time",
                );
            }
            Ok(Err(BodyError::TooLarge)) => return too_large(),
            Ok(Err(BodyError::Unreadable)) => {
                return failure(
                    media,
                    ErrorCode::BadRequest,
                    "the request body could not be read",
                );
            }
            Ok(Ok(body)) => body,
        };
    let principal = match authenticate(&request, &state.verifier) {
        Ok(principal) => principal,
        Err(error) => return unauthenticated(media, &error),
    };
    let (body, uploads) = if multipart {
        match multipart_request(&request, &body).await {
            Ok(read) => read,
            Err(error) => {
                return failure(
                    media,
                    ErrorCode::BadRequest,
                    format!("the body is not a GraphQL multipart request: {error}"),
                );
            }
        }
    } else {
        match serde_json::from_slice(&body) {
            Ok(body) => (body, Vec::new()),
            Err(error) => {
                return failure(
                    media,
                    ErrorCode::BadRequest,
                    format!("the body is not a GraphQL request in JSON: {error}"),
                );
            }
        }
    };
    execute(
        &state,
        &request,
        media,
        GraphqlRequest {
            query: body.query,
            operation_name: body.operation_name,
            variables: body.variables,
            extensions: body.extensions,
            principal,
            allows_mutations: true,
            uploads,
        },
        None,
        permit,
    )
    .await
}

/// Reads a GraphQL multipart request (the `operations` and `map` parts, then the files):
/// the request, with a placeholder in its variables where `map` puts each file, and the files.
async fn multipart_request(
    request: &HttpRequest,
    body: &[u8],
) -> Result<(PostBody, Vec<UploadValue>), String> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let read = async_graphql::http::receive_body(content_type, body, MultipartOptions::default())
        .await
        .map_err(|error| error.to_string())?;
    let variables = serde_json::to_value(&read.variables).map_err(|error| error.to_string())?;
    let extensions = serde_json::to_value(&read.extensions).map_err(|error| error.to_string())?;
    Ok((
        PostBody {
            query: Some(read.query).filter(|query| !query.is_empty()),
            operation_name: read.operation_name,
            variables: Some(variables),
            extensions: Some(extensions).filter(|extensions| {
                extensions
                    .as_object()
                    .is_some_and(|members| !members.is_empty())
            }),
        },
        read.uploads,
    ))
}

enum BodyError {
    TooLarge,
    Unreadable,
}

/// The request body, at most `limit` bytes, in one buffer sized by its declared length (so a
/// large body is not copied again each time the buffer grows).
async fn read_body(
    mut payload: web::Payload,
    limit: usize,
    declared: Option<usize>,
) -> Result<web::BytesMut, BodyError> {
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Every permit is taken: more requests than this replica works on at once.
fn too_busy(media: ResponseMedia) -> HttpResponse {
    failure(
        media,
        ErrorCode::ServiceUnavailable,
        "the server is answering as many requests as it can; try again shortly",
    )
}

/// `GET /graphql`: queries only; GraphiQL for a browser that asks for a page.
pub async fn get(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
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
    if state.graphiql && params.query.is_none() && media::wants_html(&request) {
        return super::graphiql::page();
    }
    let Some(media) = media::negotiate(&request) else {
        return not_acceptable();
    };
    let Ok(permit) = state.in_flight.try_acquire() else {
        return too_busy(media);
    };
    let principal = match authenticate(&request, &state.verifier) {
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
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    execute(
        &state,
        &request,
        media,
        GraphqlRequest {
            query: params.query,
            operation_name: params.operation_name,
            variables,
            extensions,
            principal,
            allows_mutations: false,
            uploads: Vec::new(),
        },
        Some(if_none_match),
        permit,
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

/// Runs `request` through the executor and sends its outcome, counting it. `permit` is the
/// request's place among those in flight, given up before a refusal is held.
async fn execute(
    state: &AppState,
    http: &HttpRequest,
    media: ResponseMedia,
    request: GraphqlRequest,
    revalidation: Revalidation,
    permit: SemaphorePermit<'_>,
) -> HttpResponse {
    let started = Instant::now();
    let mut gate = match &state.rate_limiter {
        Some(limiter) => Gate::new(
            Some(limiter),
            Caller::new(
                rate_limit::client::client_ip(http, &limiter.settings().trusted_proxies),
                request.principal.as_ref(),
            ),
        ),
        None => Gate::open(),
    };
    let outcome = state.executor.execute_limited(request, &mut gate).await;
    let over_limits = outcome.over_limits;
    // A public answer (a shared GET) may be stored and handed to other clients: it tells of
    // no one's budget.
    let public = matches!(outcome.answer, Answer::Shared { .. }) && revalidation.is_some();
    let mut response = match outcome.answer {
        Answer::Shared { response, max_age } => {
            shared_response(media, &response, max_age.as_secs(), revalidation.as_ref())
        }
        Answer::Own {
            body,
            request_error,
            private,
        } => {
            let status = match media {
                ResponseMedia::GraphqlResponseJson if request_error => StatusCode::BAD_REQUEST,
                _ => StatusCode::OK,
            };
            let cache_control = if private {
                "private, no-store"
            } else {
                "no-store"
            };
            HttpResponse::build(status)
                .content_type(media.content_type())
                .insert_header((header::CACHE_CONTROL, cache_control))
                .body(body)
        }
        Answer::Refused(failure) => {
            let mut response = refusal(media, &failure);
            if let Some(decision) = gate.refusal() {
                rate_limit::refusal_headers(&decision, response.headers_mut());
            }
            response
        }
    };
    if !public
        && response.status() != StatusCode::TOO_MANY_REQUESTS
        && let Some(decision) = gate.standing()
    {
        rate_limit::standing_headers(&decision, response.headers_mut());
    }
    metrics::graphql_request(
        outcome.operation,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    if over_limits && !state.refusal_hold.is_zero() {
        // Hostile documents come back to back on a connection: each waits here, holding
        // neither a permit nor a worker, so one client cannot keep the replica's cores busy
        // refusing them (bench/ABUSE.md).
        drop(permit);
        tokio::time::sleep(state.refusal_hold).await;
    }
    response
}

/// An answer any client may be given, with the HTTP caching headers: GET responses are public
/// for `max_age` seconds and revalidate by ETag; POST responses are not stored.
fn shared_response(
    media: ResponseMedia,
    response: &CachedResponse,
    max_age: u64,
    revalidation: Option<&Option<String>>,
) -> HttpResponse {
    let Some(if_none_match) = revalidation else {
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
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={max_age}")))
        .insert_header((header::VARY, "Accept"));
    if matches {
        builder.finish()
    } else {
        builder
            .content_type(media.content_type())
            .body(response.body.clone())
    }
}
