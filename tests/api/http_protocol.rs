//! `/graphql` over HTTP, after the GraphQL-over-HTTP spec, and the other routes. These do not
//! depend on the database, so they run on SQLite only.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::fixtures::{self, PostingSpec};
use crate::helpers::{Backend, TestApp, error_code, spawn_app, spawn_app_with};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

async fn app() -> TestApp {
    spawn_app(Backend::Sqlite).await
}

async fn body(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

#[tokio::test]
async fn queries_work_over_get_with_variables_and_operation_name() {
    let app = app().await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let response = app
        .client
        .get(app.graphql_url())
        .query(&[
            ("query", "query Count { postings { totalCount } } query Name($slug: String!) { company(slug: $slug) { name } }"),
            ("operationName", "Name"),
            ("variables", r#"{"slug":"acme"}"#),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        body(response).await,
        json!({ "data": { "company": { "name": "Acme" } } })
    );
}

#[tokio::test]
async fn mutations_over_get_are_refused_with_405() {
    let app = app().await;
    let response = app
        .client
        .get(app.graphql_url())
        .query(&[("query", "mutation { anything }")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(error_code(&body(response).await), "METHOD_NOT_ALLOWED");

    let response = app
        .client
        .put(app.graphql_url())
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
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
                .client
                .post(app.graphql_url())
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, accept)
                .body(raw)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 400, "{raw} as {accept}");
            assert!(
                response.headers()[CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with(accept)
            );
            let body = body(response).await;
            assert_eq!(error_code(&body), "BAD_REQUEST", "{raw}");
            assert!(body.get("data").is_none());
        }
    }
    let response = app
        .client
        .get(app.graphql_url())
        .query(&[
            ("query", "{ postings { totalCount } }"),
            ("variables", "{oops"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
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
                .client
                .post(app.graphql_url())
                .header(ACCEPT, accept)
                .json(&json!({ "query": query, "variables": { "n": "not a number" } }))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body = body(response).await;
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

#[tokio::test]
async fn content_type_and_accept_are_negotiated() {
    let app = app().await;
    let query = json!({ "query": "{ postings { totalCount } }" }).to_string();
    let response = app
        .client
        .post(app.graphql_url())
        .header(CONTENT_TYPE, "text/plain")
        .body(query.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(error_code(&body(response).await), "UNSUPPORTED_MEDIA_TYPE");

    let response = app
        .client
        .post(app.graphql_url())
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .header(ACCEPT, "text/csv")
        .body(query.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 406);

    for (accept, expected) in [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some(GRAPHQL_RESPONSE), GRAPHQL_RESPONSE),
        (Some("application/json"), "application/json"),
    ] {
        let mut request = app
            .client
            .post(app.graphql_url())
            .header(CONTENT_TYPE, "application/json")
            .body(query.clone());
        if let Some(accept) = accept {
            request = request.header(ACCEPT, accept);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        let content_type = response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with(expected),
            "{accept:?} gave {content_type}"
        );
        assert_eq!(
            body(response).await,
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
        .client
        .post(app.graphql_url())
        .header(CONTENT_TYPE, "application/json")
        .body(format!(
            r#"{{"query": "{{ postings {{ totalCount }} }}{padding}"}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(&body(response).await), "PAYLOAD_TOO_LARGE");
    // Just under the limit still works.
    let response = app.post("{ postings { totalCount } }", json!({})).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn too_deep_and_too_complex_queries_are_refused_before_running() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.limits.max_depth = 6;
        settings.limits.max_complexity = 500;
    })
    .await;
    let before = app.statements.get();
    let deep = "{ postings(first: 1) { nodes { company { postings(first: 1) { nodes { company { name } } } } } } }";
    let body = app.query(deep, json!({})).await;
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
    let body = app.query(complex, json!({})).await;
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
        .query("{ postings(first: 10) { nodes { title } } }", json!({}))
        .await;
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
    let response = app.post("{ postings { totalCount } }", json!({})).await;
    assert_eq!(response.status(), 504);
    assert_eq!(error_code(&body(response).await), "TIMEOUT");
    held.rollback().await.unwrap();
    let response = app.post("{ postings { totalCount } }", json!({})).await;
    assert_eq!(
        response.status(),
        200,
        "the server recovers once the database answers"
    );
}

#[tokio::test]
async fn liveness_readiness_and_request_ids() {
    let app = app().await;
    let live = app
        .client
        .get(format!("{}/livez", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    let id = live.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert_ne!(
        ready.headers()["x-request-id"].to_str().unwrap(),
        id,
        "ids differ per request"
    );

    // Without its database the server is alive but not ready.
    app.db.close_by_ref().await.unwrap();
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let live = app
        .client
        .get(format!("{}/livez", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
}

#[tokio::test]
async fn browsers_get_graphiql() {
    let app = app().await;
    for path in ["/", "/graphql"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(
            response.text().await.unwrap().contains("graphiql"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_document_with_several_operations_needs_a_known_operation_name() {
    let app = app().await;
    let document = "query A { postings { totalCount } } query B { companies { totalCount } }";
    for operation_name in [None, Some("C")] {
        let response = app
            .client
            .post(app.graphql_url())
            .json(&json!({ "query": document, "operationName": operation_name }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        assert_eq!(error_code(&body(response).await), "BAD_REQUEST");
    }
    let response = app
        .client
        .post(app.graphql_url())
        .json(&json!({ "query": document, "operationName": "B" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        body(response).await,
        json!({ "data": { "companies": { "totalCount": 0 } } })
    );
}

#[tokio::test]
async fn response_fields_keep_the_order_the_query_asked_for() {
    let app = app().await;
    let response = app
        .post(
            "{ postings { totalCount pageInfo { hasNextPage } edges { cursor } } }",
            json!({}),
        )
        .await;
    let text = response.text().await.unwrap();
    let total = text.find("totalCount").unwrap();
    let info = text.find("pageInfo").unwrap();
    let edges = text.find("edges").unwrap();
    assert!(total < info && info < edges, "{text}");
}
