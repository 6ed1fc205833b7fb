//! Hostile documents are refused before they are parsed, as request errors with a code, and
//! the server keeps answering everyone else while they arrive.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

/// `fragment F1 on QueryRoot { ...F2 ...F2 }` … `fragment F30 on QueryRoot { __typename }`:
/// 2^29 `__typename`s once expanded.
fn fan_out() -> String {
    let mut document = String::from("{ ...F1 }");
    for i in 1..30 {
        document.push_str(&format!(
            " fragment F{i} on QueryRoot {{ ...F{next} ...F{next} }}",
            next = i + 1
        ));
    }
    document.push_str(" fragment F30 on QueryRoot { __typename }");
    document
}

fn nested_lists() -> String {
    format!(
        "{{ postings(filter: {{ departments: {}\"x\"{} }}) {{ totalCount }} }}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    )
}

fn whitespace() -> String {
    format!("{{{}__typename }}", " ".repeat(100 * 1024))
}

/// A server whose body limit lets these documents reach the document checks.
async fn app() -> TestApp {
    spawn_app_with(crate::helpers::Backend::Sqlite, |settings| {
        settings.http.max_body_bytes = 1024 * 1024;
        settings.http.workers = Some(2);
    })
    .await
}

async fn refused(app: &TestApp, document: &str, accept: &str) -> (u16, Value) {
    let response = app
        .request()
        .header("accept", accept)
        .query(document)
        .send()
        .await;
    (response.status, response.json())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exponential_fragment_fan_out_is_refused_as_a_request_error() {
    let app = app().await;
    let (status, body) = refused(&app, &fan_out(), "application/graphql-response+json").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(body["errors"][0]["extensions"]["limit"], "spreads");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_nested_fifty_thousand_deep_are_refused_without_parsing_them() {
    let app = app().await;
    let (status, body) = refused(&app, &nested_lists(), "application/graphql-response+json").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(body["errors"][0]["extensions"]["limit"], "bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_kilobytes_of_whitespace_are_refused() {
    let app = app().await;
    let (status, body) = refused(&app, &whitespace(), "application/graphql-response+json").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_application_json_a_refusal_is_200_without_data_as_the_readme_says() {
    let app = app().await;
    let (status, body) = refused(&app, &fan_out(), "application/json").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fragment_cycle_is_refused() {
    let app = app().await;
    let (status, body) = refused(
        &app,
        "{ ...A } fragment A on QueryRoot { ...B } fragment B on QueryRoot { ...A }",
        "application/graphql-response+json",
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "fragmentCycle");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_aliases_or_root_fields_are_refused() {
    let app = app().await;
    let aliases: String = (0..31).map(|i| format!("a{i}: totalCount ")).collect();
    let (_, body) = refused(
        &app,
        &format!("{{ postings {{ {aliases} }} }}"),
        "application/json",
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["limit"], "aliases",
        "{body}"
    );
    let roots: String = (0..21).map(|_| "__typename ").collect();
    let (_, body) = refused(&app, &format!("{{ {roots} }}"), "application/json").await;
    assert_eq!(
        body["errors"][0]["extensions"]["limit"], "rootFields",
        "{body}"
    );
}

/// While hostile documents arrive on several connections, a second client's health checks and
/// ordinary queries are answered, each within a bound far above their usual milliseconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_keeps_answering_others_while_hostile_documents_arrive() {
    // Refusals sent at once, as fast as the attackers can ask: the hold only slows them.
    let app = spawn_app_with(crate::helpers::Backend::Sqlite, |settings| {
        settings.http.max_body_bytes = 1024 * 1024;
        settings.http.workers = Some(2);
        settings.http.refusal_hold = Duration::ZERO;
    })
    .await;
    let hostile = [fan_out(), nested_lists(), whitespace()];
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut attackers = Vec::new();
    let port: u16 = app
        .address
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .expect("the test server's port");
    for attacker in 0..4 {
        let document = hostile[attacker % hostile.len()].clone();
        let stop = stop.clone();
        attackers.push(tokio::spawn(async move {
            let server = crate::helpers::Server::on_port(port);
            let mut sent = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && sent < 2_000 {
                let response = server.request().query(document.clone()).send().await;
                assert_ne!(response.status, 500);
                sent += 1;
            }
            sent
        }));
    }
    for _ in 0..20 {
        let live = tokio::time::timeout(
            Duration::from_secs(2),
            app.request().get().path("/livez").send(),
        )
        .await
        .expect("/livez answers while hostile documents arrive");
        assert_eq!(live.status, 200);
        let data = tokio::time::timeout(
            Duration::from_secs(2),
            app.request()
                .query("{ postings(first: 1) { totalCount } }")
                .variables(json!({}))
                .send(),
        )
        .await
        .expect("an ordinary query answers while hostile documents arrive")
        .data();
        assert!(data["postings"]["totalCount"].is_u64());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for attacker in attackers {
        total += attacker.await.expect("an attacker ends");
    }
    assert!(total > 20, "the hostile documents were sent ({total})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_for_a_limit_is_held_without_its_permit_and_nothing_else_is() {
    let hold = Duration::from_millis(1500);
    let app = spawn_app_with(crate::helpers::Backend::Sqlite, |settings| {
        settings.http.refusal_hold = hold;
        // One request in flight at a time: a held refusal that kept its permit would make
        // every other request a 503.
        settings.http.max_in_flight = 1;
    })
    .await;
    // The refusal's own time, not the join's (the other requests end later).
    let refusal = async {
        let started = std::time::Instant::now();
        let response = app.request().query(fan_out()).send().await;
        (response, started.elapsed())
    };
    let others = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let during = std::time::Instant::now();
        let data = app
            .request()
            .query("{ postings(first: 1) { totalCount } }")
            .send()
            .await
            .data();
        let syntax = app.request().query("{ postings {").send().await;
        (data, syntax, during.elapsed())
    };
    let ((refusal, refusal_took), (data, syntax, others_took)) = tokio::join!(refusal, others);
    assert!(
        refusal_took >= hold,
        "the refusal was sent after {refusal_took:?}"
    );
    assert_eq!(
        refusal.json()["errors"][0]["extensions"]["limit"],
        "spreads"
    );
    assert!(data["postings"]["totalCount"].is_u64(), "{data}");
    assert_eq!(
        syntax.json()["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );
    assert!(
        others_took < hold,
        "a query and a syntax error answered during the hold took {others_took:?}"
    );
}
