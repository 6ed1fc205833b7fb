//! `/graphql` over HTTP, after the GraphQL-over-HTTP spec, and the other routes. These do not
//! depend on the database, so they run on SQLite only.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::fixtures::{self, PostingSpec};
use crate::helpers::{Backend, TestApp, error_code, spawn_app, spawn_app_with};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn app() -> TestApp {
    spawn_app(Backend::Sqlite).await
}

#[tokio::test]
async fn queries_work_over_get_with_variables_and_operation_name() {
    let app = app().await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let response = app
        .request()
        .get()
        .query("query Count { postings { totalCount } } query Name($slug: String!) { company(slug: $slug) { name } }")
        .operation_name("Name")
        .variables(json!({ "slug": "acme" }))
        .send()
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({ "data": { "company": { "name": "Acme" } } })
    );
}

#[tokio::test]
async fn mutations_over_get_are_refused_with_405() {
    let app = app().await;
    let response = app
        .request()
        .get()
        .query("mutation { anything }")
        .send()
        .await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), "POST");
    assert_eq!(error_code(&response.json()), "METHOD_NOT_ALLOWED");

    let response = app.request().method(Method::PUT).body("{}").send().await;
    assert_eq!(response.status, 405);
}

#[tokio::test]
async fn malformed_requests_are_400_with_a_code() {
    let app = app().await;
    for raw in [
        "{not json",
        "[]",
        r#"{"query": 12}"#,
        r#"{"variables": {}}"#,
        r#"{"query": "{ postings { totalCount } }", "variables": [1]}"#,
    ] {
        for accept in ["application/json", GRAPHQL_RESPONSE] {
            let response = app
                .request()
                .header("Content-Type", "application/json")
                .header("Accept", accept)
                .body(raw)
                .send()
                .await;
            assert_eq!(response.status, 400, "{raw} as {accept}");
            assert!(response.header("content-type").starts_with(accept));
            let body = response.json();
            assert_eq!(error_code(&body), "BAD_REQUEST", "{raw}");
            assert!(body.get("data").is_none());
        }
    }
    let response = app
        .request()
        .get()
        .query("{ postings { totalCount } }")
        .param("variables", "{oops")
        .send()
        .await;
    assert_eq!(response.status, 400);
}

#[tokio::test]
async fn parse_and_validation_errors_carry_codes_and_follow_the_media_type() {
    let app = app().await;
    let cases = [
        ("{ postings { ", "GRAPHQL_PARSE_FAILED"),
        ("{ postings { noSuchField } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ noSuchRoot }", "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int) { postings(first: $n) { totalCount } }", ""),
    ];
    for (query, code) in cases {
        for (accept, failing_status) in [(GRAPHQL_RESPONSE, 400), ("application/json", 200)] {
            let response = app
                .request()
                .header("Accept", accept)
                .query(query)
                .variables(json!({ "n": "not a number" }))
                .send()
                .await;
            let status = response.status;
            let body = response.json();
            let code = if code.is_empty() {
                "GRAPHQL_VALIDATION_FAILED"
            } else {
                code
            };
            assert_eq!(status, failing_status, "{query} as {accept}: {body}");
            assert_eq!(error_code(&body), code, "{query}: {body}");
            assert!(
                body.get("data").is_none(),
                "a request error has no data: {body}"
            );
        }
    }
}

/// `{ postings { totalCount } }` as a JSON request body.
fn count_body() -> String {
    json!({ "query": "{ postings { totalCount } }" }).to_string()
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = app().await;
    let query = count_body();
    let response = app
        .request()
        .header("Content-Type", "text/plain")
        .body(query.clone())
        .send()
        .await;
    assert_eq!(response.status, 415);
    assert_eq!(error_code(&response.json()), "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn an_accept_the_server_cannot_answer_is_406() {
    let app = app().await;
    let query = count_body();
    let response = app
        .request()
        .header("Content-Type", "application/json; charset=utf-8")
        .header("Accept", "text/csv")
        .body(query.clone())
        .send()
        .await;
    assert_eq!(response.status, 406);
}

#[tokio::test]
async fn the_answer_has_the_media_type_accept_asks_for() {
    let app = app().await;
    let query = count_body();
    for (accept, expected) in [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some(GRAPHQL_RESPONSE), GRAPHQL_RESPONSE),
        (Some("application/json"), "application/json"),
    ] {
        let mut request = app
            .request()
            .header("Content-Type", "application/json")
            .body(query.clone());
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        let response = request.send().await;
        assert_eq!(response.status, 200);
        let content_type = response.header("content-type");
        assert!(
            content_type.starts_with(expected),
            "{accept:?} gave {content_type}"
        );
        assert_eq!(
            response.json(),
            json!({ "data": { "postings": { "totalCount": 0 } } })
        );
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.http.max_body_bytes = 1024
    })
    .await;
    let padding = " ".repeat(2000);
    let response = app
        .request()
        .header("Content-Type", "application/json")
        .body(format!(
            r#"{{"query": "{{ postings {{ totalCount }} }}{padding}"}}"#
        ))
        .send()
        .await;
    assert_eq!(response.status, 413);
    assert_eq!(error_code(&response.json()), "PAYLOAD_TOO_LARGE");
    // Just under the limit still works.
    let response = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await;
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn too_deep_and_too_complex_queries_are_refused_before_running() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.limits.document.max_depth = 6;
        settings.limits.max_complexity = 500;
    })
    .await;
    let before = app.statements.get();
    let deep = "{ postings(first: 1) { nodes { company { postings(first: 1) { nodes { company { name } } } } } } }";
    let body = app.request().query(deep).send().await.ok_json();
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );

    let complex =
        "{ postings(first: 100) { nodes { title slug summary language company { name slug } } } }";
    let body = app.request().query(complex).send().await.ok_json();
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too complex"),
        "{body}"
    );
    assert_eq!(
        app.statements.get(),
        before,
        "refused queries never reach the database"
    );

    let fine = app
        .request()
        .query("{ postings(first: 10) { nodes { title } } }")
        .send()
        .await
        .ok_json();
    assert!(fine.get("errors").is_none(), "{fine}");
}

#[tokio::test]
async fn a_request_that_runs_past_the_timeout_gets_a_timeout_error() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.http.request_timeout = Duration::from_millis(200);
        settings.database.max_connections = 1;
    })
    .await;
    // The test holds the pool's only connection, so the request waits past its timeout.
    let held = sea_orm::TransactionTrait::begin(&app.db).await.unwrap();
    let response = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await;
    assert_eq!(response.status, 504);
    assert_eq!(error_code(&response.json()), "TIMEOUT");
    held.rollback().await.unwrap();
    let response = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await;
    assert_eq!(
        response.status, 200,
        "the server recovers once the database answers"
    );
}

#[tokio::test]
async fn liveness_readiness_and_request_ids() {
    let app = app().await;
    let live = app.request().get().path("/livez").send().await;
    assert_eq!(live.status, 200);
    let id = live.header("x-request-id");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let ready = app.request().get().path("/readyz").send().await;
    assert_eq!(ready.status, 200);
    assert_ne!(ready.header("x-request-id"), id, "ids differ per request");

    // Without its database the server is alive but not ready.
    app.db.close_by_ref().await.unwrap();
    let ready = app.request().get().path("/readyz").send().await;
    assert_eq!(ready.status, 503);
    let live = app.request().get().path("/livez").send().await;
    assert_eq!(live.status, 200);
}

#[tokio::test]
async fn a_document_with_several_operations_needs_a_known_operation_name() {
    let app = app().await;
    let document = "query A { postings { totalCount } } query B { companies { totalCount } }";
    for operation_name in [None, Some("C")] {
        let response = app
            .request()
            .header("Content-Type", "application/json")
            .body(json!({ "query": document, "operationName": operation_name }).to_string())
            .send()
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(error_code(&response.json()), "BAD_REQUEST");
    }
    let response = app
        .request()
        .query(document)
        .operation_name("B")
        .send()
        .await;
    assert_eq!(
        response.json(),
        json!({ "data": { "companies": { "totalCount": 0 } } })
    );
}

#[tokio::test]
async fn response_fields_keep_the_order_the_query_asked_for() {
    let app = app().await;
    let response = app
        .request()
        .query("{ postings { totalCount pageInfo { hasNextPage } edges { cursor } } }")
        .send()
        .await;
    let text = response.text;
    let total = text.find("totalCount").unwrap();
    let info = text.find("pageInfo").unwrap();
    let edges = text.find("edges").unwrap();
    assert!(total < info && info < edges, "{text}");
}
