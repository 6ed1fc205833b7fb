//! CORS over HTTP: anonymous requests from any origin, tokens only from configured origins,
//! preflights cached, the headers a page may read, and the headers every response carries.
//! `browser.rs` checks that a real browser acts on them.

use reqwest::Method;
use serde_json::json;

use crate::fixtures;
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::tokens::token;

const TOOLS: &str = "https://tools.example.com";
const PARTNER: &str = "https://jobs.partner.example";

async fn app() -> TestApp {
    spawn_app_with(Backend::Sqlite, |settings| {
        settings.http.cors_token_origins = vec![TOOLS.to_owned()];
    })
    .await
}

async fn preflight(app: &TestApp, origin: &str, headers: &str) -> crate::helpers::Response {
    app.request()
        .method(Method::OPTIONS)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", headers)
        .send()
        .await
}

#[tokio::test]
async fn any_origin_may_query_anonymously_and_read_the_exposed_headers() {
    let app = app().await;
    let allowed = preflight(&app, PARTNER, "content-type").await;
    assert_eq!(allowed.status, 200);
    assert_eq!(allowed.header("access-control-allow-origin"), PARTNER);
    assert_eq!(allowed.header("access-control-max-age"), "7200");
    assert!(
        allowed
            .headers
            .get("access-control-allow-credentials")
            .is_none()
    );

    let response = app
        .request()
        .header("Origin", PARTNER)
        .query("{ companies { totalCount } }")
        .send()
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("access-control-allow-origin"), PARTNER);
    let exposed = response
        .header("access-control-expose-headers")
        .to_lowercase();
    for name in [
        "etag",
        "ratelimit",
        "ratelimit-policy",
        "retry-after",
        "x-request-id",
    ] {
        assert!(
            exposed.split(", ").any(|exposed| exposed == name),
            "{name} in {exposed}"
        );
    }
}

#[tokio::test]
async fn only_configured_origins_may_send_a_token() {
    let app = app().await;
    let refused = preflight(&app, PARTNER, "content-type, authorization").await;
    assert_eq!(refused.status, 400);
    assert!(refused.headers.get("access-control-allow-origin").is_none());
    let allowed = preflight(&app, TOOLS, "content-type, authorization").await;
    assert_eq!(allowed.status, 200);
    assert_eq!(allowed.header("access-control-allow-origin"), TOOLS);

    // A browser that cached an anonymous preflight may send the token without asking again:
    // the request is refused before it runs.
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write", &[company.id]);
    let create = "mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { title } } }";
    let input = json!({ "input": { "companyId": fixtures::company_id(&company), "title": "Sent from a partner page" } });
    let refused = app
        .request()
        .header("Origin", PARTNER)
        .token(&writer)
        .query(create)
        .variables(input.clone())
        .send()
        .await;
    assert_eq!(refused.status, 400);
    let created = app
        .request()
        .header("Origin", TOOLS)
        .token(&writer)
        .query(create)
        .variables(input)
        .send()
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.header("access-control-allow-origin"), TOOLS);
    let count = app
        .request()
        .token(token("postings:read", &[company.id]))
        .query("{ postings(filter: { statuses: [DRAFT] }) { totalCount } }")
        .send()
        .await;
    assert_eq!(count.data()["postings"]["totalCount"], 1, "{}", count.text);
}

#[tokio::test]
async fn every_response_says_nosniff_and_sends_no_referrer() {
    let app = app().await;
    for (method, path) in [
        (Method::GET, "/livez"),
        (Method::GET, "/"),
        (Method::GET, "/no-such-page"),
        (Method::POST, "/graphql"),
        (Method::DELETE, "/graphql"),
    ] {
        let response = app.request().method(method.clone()).path(path).send().await;
        assert_eq!(
            response.header("x-content-type-options"),
            "nosniff",
            "{method} {path}"
        );
        assert_eq!(
            response.header("referrer-policy"),
            "no-referrer",
            "{method} {path}"
        );
    }
}
