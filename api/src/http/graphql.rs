//! `/graphql` over HTTP, after the GraphQL-over-HTTP spec: POST for everything, GET for queries
//! only, a body limit, content negotiation, and status codes that say what went wrong.

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{ServerError, Variables};
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::media::{self, ResponseMedia};
use crate::auth::{AuthError, Principal, TokenVerifier};
use crate::error::ErrorCode;
use crate::graphql::AppSchema;
use crate::graphql::context::RequestScope;
use crate::graphql::error_codes::with_code;

/// What the endpoint needs, shared by every worker.
pub struct Endpoint {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    pub verifier: TokenVerifier,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
}

/// A GraphQL request as POST bodies and GET query strings carry it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostBody {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    /// JSON-encoded.
    variables: Option<String>,
}

/// A request that reached us whole, before GraphQL looks at it.
struct GraphqlParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<Value>,
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
        },
        principal,
        true,
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
    execute(
        &endpoint,
        media,
        GraphqlParams {
            query: params.query,
            operation_name: params.operation_name,
            variables,
        },
        principal,
        false,
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

async fn execute(
    endpoint: &Endpoint,
    media: ResponseMedia,
    params: GraphqlParams,
    principal: Option<Principal>,
    allow_mutations: bool,
) -> HttpResponse {
    let Some(query) = params.query else {
        return failure(media, ErrorCode::BadRequest, "the request has no query");
    };
    let variables = match params.variables {
        None | Some(Value::Null) => Variables::default(),
        Some(variables @ Value::Object(_)) => Variables::from_json(variables),
        Some(_) => {
            return failure(
                media,
                ErrorCode::BadRequest,
                "variables must be a JSON object",
            );
        }
    };
    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = params.operation_name.filter(|name| !name.is_empty()) {
        request = request.operation_name(name);
    }
    let operation_name = request.operation_name.clone();
    match request.parsed_query() {
        Err(error) => {
            return graphql_failure(media, with_code(error, ErrorCode::GraphqlParseFailed));
        }
        Ok(document) => match selected_operation(document, operation_name.as_deref()) {
            Err(message) => return failure(media, ErrorCode::BadRequest, message),
            Ok(OperationType::Mutation) if !allow_mutations => {
                let mut response = failure(
                    media,
                    ErrorCode::MethodNotAllowed,
                    "mutations are only accepted over POST",
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
                return response;
            }
            Ok(_) => {}
        },
    }
    let request = request.data(RequestScope::new(&endpoint.db, principal));
    match tokio::time::timeout(endpoint.request_timeout, endpoint.schema.execute(request)).await {
        Ok(response) => graphql_response(media, response),
        Err(_) => {
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
    }
}

/// A request error from GraphQL itself (the document does not parse or validate).
fn graphql_failure(media: ResponseMedia, error: ServerError) -> HttpResponse {
    graphql_response(media, async_graphql::Response::from_errors(vec![error]))
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

/// Sends a GraphQL response. A request error (no execution happened) has no `data` entry and,
/// as `application/graphql-response+json`, a 400 status.
fn graphql_response(media: ResponseMedia, response: async_graphql::Response) -> HttpResponse {
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    let body = ResponseBody {
        data: (!request_error).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    let body = match serde_json::to_string(&body) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "cannot serialize a response");
            return failure(media, ErrorCode::InternalServerError, "internal error");
        }
    };
    let status = match media {
        ResponseMedia::GraphqlResponseJson if request_error => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    HttpResponse::build(status)
        .content_type(media.content_type())
        .body(body)
}
