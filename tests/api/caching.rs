//! The response cache: hits and misses, invalidation after every mutation, two servers on one
//! database and one Redis, Redis faults, persisted queries, HTTP caching and metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::config::Settings;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::authorization::{OPERATIONS, World, operation};
use crate::fixtures::{self, PostingSpec, posting_id};
use crate::helpers::{
    Backend, Server, TestApp, error_code, on_both_databases, redis_url, spawn_app_with,
    spawn_binary,
};
use crate::tokens::token;

on_both_databases!(
    repeated_anonymous_queries_are_answered_from_the_cache,
    every_mutation_makes_cached_responses_stale,
    a_query_differing_only_inside_a_string_never_shares_its_answer,
    another_process_writes_reach_the_in_process_cache,
);

/// Without Redis, a write committed by another process on the same database (here the CLI's
/// `seed-sample`) is seen by the next read: the in-process cache checks the database's
/// generation on every hit.
async fn another_process_writes_reach_the_in_process_cache(backend: Backend) {
    const COUNT: &str = "{ companies { totalCount } }";
    let app = spawn_app_with(backend, |_| {}).await;
    let (_, before) = statements_for(&app, None, COUNT).await;
    assert_eq!(before["data"]["companies"]["totalCount"], 0, "{before}");
    let (cached, again) = statements_for(&app, None, COUNT).await;
    assert_eq!(cached, 0, "the second answer comes from the cache");
    assert_eq!(before, again);

    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_jobgraph"))
        .arg("seed-sample")
        .env("DATABASE_URL", &app.database_url)
        .env_remove("REDIS_URL")
        .output()
        .expect("run jobgraph seed-sample");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );

    let (_, after) = statements_for(&app, None, COUNT).await;
    assert_eq!(after["data"]["companies"]["totalCount"], 4, "{after}");
    let (cached, again) = statements_for(&app, None, COUNT).await;
    assert_eq!(cached, 0, "the new answer is cached in turn");
    assert_eq!(after, again);
}

/// One anonymous query for `["Customer  Success"]` (two spaces: no postings) must not make a
/// later query for `["Customer Success"]` answer no postings: whitespace inside a string is
/// the value, never formatting.
async fn a_query_differing_only_inside_a_string_never_shares_its_answer(backend: Backend) {
    let app = spawn_app_with(backend, with_redis).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    fixtures::posting(
        &app.db,
        company.id,
        PostingSpec {
            department: Some("Customer Success".into()),
            ..Default::default()
        },
    )
    .await;
    // `literal` is the department as written in the document: a string or a block string.
    let count = |literal: String| {
        let app = &app;
        async move {
            let query =
                format!("{{ postings(filter: {{ departments: [{literal}] }}) {{ totalCount }} }}");
            app.request().query(query).send().await.data()["postings"]["totalCount"].clone()
        }
    };
    let string = |value: &str| format!("\"{value}\"");
    let block = |value: &str| format!("\"\"\"{value}\"\"\"");
    assert_eq!(count(string("Customer  Success")).await, 0);
    assert_eq!(count(string("Customer Success")).await, 1);
    assert_eq!(count(string("Customer  Success")).await, 0);
    assert_eq!(count(block("Customer   Success")).await, 0);
    assert_eq!(count(block("Customer Success")).await, 1);
}

const LIST: &str =
    "{ postings(first: 100) { totalCount nodes { title } } companies { nodes { name } } }";

fn with_redis(settings: &mut Settings) {
    if let Some(url) = redis_url() {
        settings.cache.redis_url = Some(url.into());
    }
}

/// Statements the query ran: zero when it was answered from the cache.
async fn statements_for(app: &TestApp, token: Option<&str>, query: &str) -> (u64, Value) {
    let before = app.statements.get();
    let body = app
        .request()
        .maybe_token(token)
        .query(query)
        .send()
        .await
        .json();
    assert!(body.get("errors").is_none(), "{body}");
    (app.statements.get() - before, body)
}

async fn repeated_anonymous_queries_are_answered_from_the_cache(backend: Backend) {
    let app = spawn_app_with(backend, with_redis).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    fixtures::posting(
        &app.db,
        company.id,
        PostingSpec {
            title: "Cached".into(),
            ..Default::default()
        },
    )
    .await;
    let (first, body) = statements_for(&app, None, LIST).await;
    assert!(first > 0);
    let (second, again) = statements_for(&app, None, LIST).await;
    assert_eq!(second, 0, "the second answer comes from the cache");
    assert_eq!(body, again);
    // A document is its exact text: spelled differently, it is another entry.
    let (respelled, again) = statements_for(&app, None, &LIST.replace(' ', "\n ")).await;
    assert!(respelled > 0, "another spelling is another entry");
    assert_eq!(body, again);
    // Authenticated answers are neither served from nor stored in the shared cache.
    let reader = token("postings:read", &[company.id]);
    let (authenticated, _) = statements_for(&app, Some(&reader), LIST).await;
    assert!(authenticated > 0);
    // Responses with errors are not cached: the second run reaches the database again.
    let failing = "{ companies { totalCount } posting(id: \"garbage\") { title } }";
    for _ in 0..2 {
        let before = app.statements.get();
        let body = app.request().query(failing).send().await.json();
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert!(
            app.statements.get() > before,
            "a response with errors was served from the cache"
        );
    }
}

async fn every_mutation_makes_cached_responses_stale(backend: Backend) {
    let app = spawn_app_with(backend, with_redis).await;
    let world = World {
        mine: fixtures::company(&app.db, "mine", "Mine").await,
        other: fixtures::company(&app.db, "other", "Other").await,
    };
    let mut checked = 0;
    let mutations = OPERATIONS.iter().filter(|name| {
        name.chars().next().is_some_and(char::is_lowercase)
            && !["application", "auditEvents", "node(application)"].contains(name)
    });
    for name in mutations {
        let (scope, document, variables) = operation(&app, &world, name).await;
        statements_for(&app, None, LIST).await;
        let (cached, _) = statements_for(&app, None, LIST).await;
        assert_eq!(cached, 0, "{name}: warm");
        let body = app
            .request()
            .token(token(scope, &[world.mine.id]))
            .query(document)
            .variables(variables)
            .send()
            .await
            .json();
        assert!(body.get("errors").is_none(), "{name}: {body}");
        let (after, _) = statements_for(&app, None, LIST).await;
        assert!(after > 0, "{name} did not invalidate the cache");
        checked += 1;
    }
    // applyToPosting, the anonymous mutation, invalidates too.
    let posting = fixtures::posting(&app.db, world.mine.id, PostingSpec::default()).await;
    statements_for(&app, None, LIST).await;
    app.request().query("mutation($input: ApplyToPostingInput!) { applyToPosting(input: $input) { application { id } } }").variables(json!({ "input": { "postingId": posting_id(&posting), "idempotencyKey": "k", "name": "A", "email": "a@example.com" } })).send().await.data();
    let (after, _) = statements_for(&app, None, LIST).await;
    assert!(after > 0, "applyToPosting did not invalidate the cache");
    assert_eq!(checked, 15, "every mutation of the matrix");
}

/// Concurrent misses for one query compute it once in a process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_misses_for_one_query_compute_it_once() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.http.workers = Some(4);
        // A lookup whose generation check outlasts the cache's timeout (50 ms, which a test
        // run loading both cores can exceed) bypasses the cache and computes: that is the
        // fault path, not what this test is about.
        settings.cache.timeout = std::time::Duration::from_secs(10);
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let (once, _) = statements_for(&app, None, LIST).await;
    // Invalidate, then miss twenty times at once.
    app.request().query("mutation($input: ApplyToPostingInput!) { applyToPosting(input: $input) { application { id } } }").variables(json!({ "input": { "postingId": posting_id(&posting), "idempotencyKey": "k", "name": "A", "email": "a@example.com" } })).send().await.data();
    let before = app.statements.get();
    let bodies =
        futures_util::future::join_all((0..20).map(|_| app.request().query(LIST).send())).await;
    assert!(
        bodies
            .iter()
            .all(|body| body.json().get("errors").is_none())
    );
    assert_eq!(
        app.statements.get() - before,
        once,
        "twenty concurrent misses ran the query once"
    );
}

/// Two `jobgraph` processes on one PostgreSQL database and one Redis: a write through one is
/// seen through the other at once, while concurrent readers keep its cache warm and its lease
/// on the generation renewed (a long lease here, so that a write answered before the leases
/// taken before it ended would show as stale reads).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_through_one_server_is_seen_at_once_through_another() {
    let (Some(backend), Some(redis)) = (Backend::postgres(), redis_url()) else {
        return;
    };
    let app = spawn_app_with(backend, |_| {}).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(
        &app.db,
        company.id,
        PostingSpec {
            title: "Version 0".into(),
            ..Default::default()
        },
    )
    .await;
    let secret = crate::tokens::SECRET;
    let common = [
        "--database-url",
        app.database_url.as_str(),
        "--redis-url",
        redis.as_str(),
        "--jwt-secret",
        secret,
        "--jwt-issuer",
        crate::tokens::ISSUER,
        "--jwt-audience",
        crate::tokens::AUDIENCE,
        "--cursor-secret",
        "shared",
        // The readers send far more than one client's budget.
        "--rate-limits",
        "off",
        "--cache-generation-lease-ms",
        "150",
    ];
    let (mut writer_process, writer_port) = spawn_binary(&common);
    let (mut reader_process, reader_port) = spawn_binary(&common);
    let (reader, writer) = (Server::on_port(reader_port), Server::on_port(writer_port));
    let id = posting_id(&posting);
    let read_posting = move || {
        reader
            .request()
            .query("query($id: ID!) { posting(id: $id) { title version } }")
            .variables(json!({ "id": id }))
    };

    // Readers hammer the second server all along.
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (read_posting, stop, reads) = (read_posting.clone(), stop.clone(), reads.clone());
        readers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let response = read_posting().send().await;
                assert_eq!(response.status, 200);
                reads.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let writer_token = token("postings:write", &[company.id]);
    let mut stale = 0;
    for version in 1..=40 {
        let title = format!("Version {version}");
        let body = writer
            .request()
            .token(&writer_token)
            .query("mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { version } } }")
            .variables(json!({ "input": { "id": posting_id(&posting), "expectedVersion": version, "title": title } }))
            .send()
            .await
            .json();
        assert!(body.get("errors").is_none(), "{body}");
        let read = read_posting().send().await.json();
        if read["data"]["posting"]["title"] != json!(title) {
            stale += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }
    let _ = writer_process.kill();
    let _ = reader_process.kill();
    let _ = writer_process.wait();
    let _ = reader_process.wait();
    eprintln!(
        "two servers: 40 writes, {} concurrent reads, {stale} stale reads",
        reads.load(Ordering::Relaxed)
    );
    assert_eq!(stale, 0);
    assert!(reads.load(Ordering::Relaxed) > 40);
}

/// A starting server makes every cached answer stale: the database may have been restored,
/// seeded or migrated beside the API while no server ran.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_starting_server_never_serves_answers_cached_before_it_started() {
    let (Some(backend), Some(redis)) = (Backend::postgres(), redis_url()) else {
        return;
    };
    let app = spawn_app_with(backend, |_| {}).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let args = [
        "--database-url",
        app.database_url.as_str(),
        "--redis-url",
        redis.as_str(),
    ];
    let count = |port: u16| {
        Server::on_port(port)
            .request()
            .query("{ postings { totalCount } }")
    };
    let (mut first, port) = spawn_binary(&args);
    for _ in 0..2 {
        let body = count(port).send().await.json();
        assert_eq!(body["data"]["postings"]["totalCount"], json!(0));
    }
    let _ = first.kill();
    let _ = first.wait();
    // A change made beside the API, while no server runs.
    fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let (mut second, port) = spawn_binary(&args);
    let body = count(port).send().await.json();
    let _ = second.kill();
    let _ = second.wait();
    assert_eq!(
        body["data"]["postings"]["totalCount"],
        json!(1),
        "a stale answer from before the start"
    );
}

/// A Redis of the test's own, on a free port.
pub(crate) struct OwnRedis {
    pub(crate) port: u16,
    pub(crate) process: std::process::Child,
}

impl OwnRedis {
    pub(crate) fn start(port: Option<u16>) -> OwnRedis {
        OwnRedis::start_with(port, &[])
    }

    /// A Redis with `extra` arguments (such as `--maxmemory`).
    pub(crate) fn start_with(port: Option<u16>, extra: &[&str]) -> OwnRedis {
        let port = port.unwrap_or_else(|| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        });
        let process = std::process::Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(extra)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        OwnRedis { port, process }
    }

    fn kill(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_and_restarted_mid_run_fails_no_request() {
    if redis_url().is_none() {
        return;
    }
    let mut redis = OwnRedis::start(None);
    let port = redis.port;
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.cache.redis_url = Some(format!("redis://127.0.0.1:{port}").into());
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    statements_for(&app, None, LIST).await;
    assert_eq!(
        statements_for(&app, None, LIST).await.0,
        0,
        "cached while Redis is up"
    );

    let errors = "jobgraph_cache_events_total{event=\"error\"}";
    let errors_before = app.metric(errors).await;
    let started = Instant::now();
    let mut requests = 0;
    let mut restarted = false;
    redis.kill();
    while started.elapsed() < Duration::from_secs(3) {
        let response = app.request().query(LIST).send().await;
        assert_eq!(response.status, 200);
        let body = response.json();
        assert!(
            body.get("errors").is_none(),
            "a request failed while Redis was down: {body}"
        );
        requests += 1;
        if !restarted && started.elapsed() > Duration::from_millis(1500) {
            redis = OwnRedis::start(Some(port));
            restarted = true;
        }
    }
    assert!(requests > 10, "{requests} requests");
    // The connection comes back by itself and the cache works again.
    let back = Instant::now();
    loop {
        statements_for(&app, None, LIST).await;
        if statements_for(&app, None, LIST).await.0 == 0 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "the cache did not come back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        app.metric(errors).await > errors_before,
        "faults are counted"
    );
    drop(redis);
}

#[tokio::test]
async fn persisted_queries_round_trip_over_post_and_get() {
    let app = spawn_app_with(Backend::Sqlite, with_redis).await;
    let query = "{ companies { totalCount } }";
    // The answer is cached before the hash is registered: registering still works on a hit.
    app.request().query(query).send().await;
    let hash = api::cache::response::hex(&Sha256::digest(query.as_bytes()));
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let body = app
        .request()
        .extensions(extensions.clone())
        .send()
        .await
        .json();
    assert_eq!(
        body["errors"][0]["message"],
        json!("PersistedQueryNotFound")
    );
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": "0".repeat(64) } });
    let response = app.request().query(query).extensions(wrong).send().await;
    assert_eq!(response.status, 400);
    let body = app
        .request()
        .query(query)
        .extensions(extensions.clone())
        .send()
        .await
        .json();
    assert_eq!(
        body,
        json!({ "data": { "companies": { "totalCount": 0 } } })
    );
    let body = app
        .request()
        .extensions(extensions.clone())
        .send()
        .await
        .json();
    assert_eq!(
        body,
        json!({ "data": { "companies": { "totalCount": 0 } } })
    );
    let response = app.request().get().extensions(extensions).send().await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({ "data": { "companies": { "totalCount": 0 } } })
    );
}

#[tokio::test]
async fn anonymous_get_queries_carry_etags_and_revalidate_with_304() {
    let app = spawn_app_with(Backend::Sqlite, with_redis).await;
    let get = |if_none_match: Option<&str>, bearer: Option<&str>| {
        let mut request = app
            .request()
            .get()
            .query("{ companies { totalCount } }")
            .maybe_token(bearer);
        if let Some(tag) = if_none_match {
            request = request.header("If-None-Match", tag);
        }
        request.send()
    };
    let first = get(None, None).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("cache-control"), "public, max-age=30");
    let tag = first.header("etag").to_owned();
    assert!(
        tag.starts_with('"') && tag.len() > 10,
        "a strong ETag: {tag}"
    );
    let again = get(Some(&tag), None).await;
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), tag);
    assert!(again.text.is_empty());
    let other = get(Some("\"something-else\""), None).await;
    assert_eq!(other.status, 200);
    let authenticated = get(None, Some(&token("postings:read", &[]))).await;
    assert_eq!(authenticated.header("cache-control"), "private, no-store");
    assert!(authenticated.headers.get("etag").is_none());
    let post = app
        .request()
        .query("{ companies { totalCount } }")
        .send()
        .await;
    assert_eq!(post.header("cache-control"), "no-store");
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_cache_events() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let requests = "jobgraph_graphql_requests_total{operation=\"query\",status=\"2xx\"}";
    let timed = "jobgraph_graphql_request_duration_seconds_count{operation=\"query\"}";
    let hits = "jobgraph_cache_events_total{event=\"hit\"}";
    let misses = "jobgraph_cache_events_total{event=\"miss\"}";
    let before = [
        app.metric(requests).await,
        app.metric(timed).await,
        app.metric(hits).await,
        app.metric(misses).await,
    ];
    // A query no other test sends: its first answer is a miss, its second a hit.
    let query = "{ metricsProbe: companies { totalCount } }";
    app.request().query(query).send().await;
    app.request().query(query).send().await;
    assert!(
        app.metric(requests).await >= before[0] + 2.0,
        "requests counted"
    );
    assert!(app.metric(timed).await >= before[1] + 2.0, "requests timed");
    assert!(app.metric(hits).await >= before[2] + 1.0, "the hit counted");
    assert!(
        app.metric(misses).await >= before[3] + 1.0,
        "the miss counted"
    );
    let text = app.metrics().await;
    for needle in [
        "jobgraph_graphql_request_duration_seconds_bucket{operation=\"query\"",
        "jobgraph_db_pool_connections",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
}
