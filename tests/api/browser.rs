//! What a browser does with jobgraph, in a real headless Chromium cut off from everything but
//! loopback: GraphiQL renders from the binary's own files and runs its example query, a
//! partner's page on another origin reads postings, and a page on an origin not configured
//! for tokens cannot send one.

use actix_web::{App, HttpResponse, HttpServer, web};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::fixtures::{self, company_id};
use crate::helpers::{Backend, spawn_app_with_sample};
use crate::tokens::token;
use crate::webdriver::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_renders_offline_and_its_example_query_shows_postings() {
    let app = spawn_app_with_sample(Backend::Sqlite, |_| {}).await;
    let browser = Browser::start().await;
    browser.open(&format!("{}/", app.address)).await;

    browser
        .wait_for(
            "GraphiQL's run button",
            "return document.querySelector('.graphiql-execute-button') !== null",
        )
        .await;
    let editor = browser
        .run("return document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()")
        .await;
    assert!(
        editor
            .as_str()
            .unwrap_or_default()
            .contains("query LatestPostings"),
        "the first example is preloaded: {editor}"
    );
    browser.click(".graphiql-execute-button").await;
    let answer = browser
        .wait_for(
            "the example's answer",
            "const cm = document.querySelector('.graphiql-response .CodeMirror');\
             const text = cm && cm.CodeMirror.getValue();\
             return text && text.includes('totalCount') ? text : null;",
        )
        .await;
    let answer: Value = serde_json::from_str(answer.as_str().unwrap()).expect("JSON");
    let nodes = answer["data"]["postings"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("postings in the answer: {answer}"));
    assert_eq!(nodes.len(), 5, "{answer}");
    assert!(
        nodes.iter().all(|node| node["title"].is_string()),
        "{answer}"
    );

    // Everything the page loaded came from the server itself.
    let loaded = browser
        .run("return performance.getEntriesByType('resource').map((entry) => entry.name)")
        .await;
    let loaded: Vec<&str> = loaded
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        loaded.len() >= 5,
        "scripts, styles and the query: {loaded:?}"
    );
    for url in &loaded {
        assert!(url.starts_with(&app.address), "{url} is not the server's");
    }
    // And nothing the page does is refused by its Content-Security-Policy (the browser's
    // console is read, as the marker shows).
    browser
        .run("console.error('jobgraph-console-marker')")
        .await;
    let console = browser.console().await;
    assert!(
        console
            .iter()
            .any(|message| message.contains("jobgraph-console-marker")),
        "{console:#?}"
    );
    let refused: Vec<&String> = console
        .iter()
        .filter(|message| message.contains("Content Security Policy"))
        .collect();
    assert!(
        refused.is_empty(),
        "refused by the page's policy: {refused:#?}"
    );
    browser.close().await;
}

/// A stand-in for a partner's site: an empty page on an origin of its own.
async fn partner_site() -> (u16, actix_web::dev::ServerHandle) {
    let server = HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body("<!doctype html><title>partner</title><p>jobs</p>")
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("bind the partner site");
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (port, handle)
}

/// What `fetch` in the page made of a request: its status, readable headers and body, or
/// the error the browser threw.
fn fetch_script(endpoint: &str, body: &Value, token: Option<&str>) -> String {
    let mut headers = json!({ "content-type": "application/json" });
    if let Some(token) = token {
        headers["authorization"] = json!(format!("Bearer {token}"));
    }
    format!(
        "const response = await fetch({endpoint}, {{ method: 'POST', headers: {headers}, body: {body} }});\
         return {{ status: response.status, requestId: response.headers.get('x-request-id'),\
                   body: await response.json() }};",
        endpoint = json!(endpoint),
        body = json!(body.to_string()),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_page_reads_postings_and_only_configured_origins_send_tokens() {
    let (partner_port, partner) = partner_site().await;
    // `localhost` and `127.0.0.1` are different origins to a browser: one is configured.
    let listed = format!("http://localhost:{partner_port}");
    let unlisted = format!("http://127.0.0.1:{partner_port}");
    let app = spawn_app_with_sample(Backend::Sqlite, |settings| {
        settings.http.cors_token_origins = vec![listed.clone()];
    })
    .await;
    let endpoint = format!("{}/graphql", app.address);
    let browser = Browser::start().await;

    browser.open(&format!("{unlisted}/")).await;
    let read = json!({ "query": "{ postings(first: 3) { totalCount nodes { title } } }" });
    let answer = browser
        .run_async(&fetch_script(&endpoint, &read, None))
        .await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(
        answer["body"]["data"]["postings"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert!(
        answer["requestId"].is_string(),
        "x-request-id is exposed: {answer}"
    );

    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write", &[company.id]);
    let create = |title: &str| {
        json!({
            "query": "mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { title } } }",
            "variables": { "input": { "companyId": company_id(&company), "title": title } },
        })
    };
    let blocked = browser
        .run_async(&fetch_script(
            &endpoint,
            &create("From an unlisted page"),
            Some(&writer),
        ))
        .await;
    assert!(
        blocked["thrown"]
            .as_str()
            .is_some_and(|error| error.contains("Failed to fetch")),
        "the browser refuses to send the token: {blocked}"
    );

    browser.open(&format!("{listed}/")).await;
    let created = browser
        .run_async(&fetch_script(
            &endpoint,
            &create("From a listed page"),
            Some(&writer),
        ))
        .await;
    assert_eq!(created["status"], 200, "{created}");
    assert_eq!(
        created["body"]["data"]["createPosting"]["posting"]["title"], "From a listed page",
        "{created}"
    );

    // Only the listed page's posting exists.
    let titles: Vec<String> = entity::posting::Entity::find()
        .filter(entity::posting::Column::CompanyId.eq(company.id))
        .all(&app.db)
        .await
        .expect("read the company's postings")
        .into_iter()
        .map(|posting| posting.title)
        .collect();
    assert_eq!(titles, ["From a listed page"]);
    browser.close().await;
    partner.stop(true).await;
}
