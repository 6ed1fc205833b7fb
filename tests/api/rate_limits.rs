//! Rate limits over real HTTP: budgets per client IP and per token subject, the application
//! budgets, one budget shared by two servers on one Redis, limits kept in process while Redis
//! is down, and the switch that turns them off. Budgets are small and windows long, so each
//! test ends in a few requests and never depends on timing.

use std::collections::BTreeSet;

use api::config::{DatabaseSettings, Settings};
use api::startup::{Application, ServerHandle};
use serde_json::json;

use crate::fixtures::{self, PostingSpec, posting_id};
use crate::helpers::{Backend, Server, TestApp, error_code, redis_url, spawn_app_with};
use crate::tokens;

const READ: &str = "{ postings(first: 1) { totalCount } }";
const APPLY: &str = "mutation($input: ApplyToPostingInput!) { applyToPosting(input: $input) { application { id } } }";

fn limited(settings: &mut Settings) {
    settings.rate_limits.enabled = true;
}

fn apply_input(posting: &str, key: &str) -> serde_json::Value {
    json!({ "input": { "postingId": posting, "idempotencyKey": key, "name": "Ada", "email": "ada@example.com" } })
}

fn token_for(subject: &str) -> String {
    let mut claims = tokens::claims("postings:read", &[]);
    claims["sub"] = json!(subject);
    tokens::hs256(tokens::SECRET, &claims)
}

/// A second server on `app`'s database, with `adjust`ed settings.
async fn second_server(
    app: &TestApp,
    adjust: impl FnOnce(&mut Settings),
) -> (Server, ServerHandle) {
    let mut settings = Settings::for_database(DatabaseSettings::new(app.database_url.clone()));
    settings.http.bind = "127.0.0.1:0".to_owned();
    settings.http.workers = Some(2);
    settings.database.max_connections = 5;
    adjust(&mut settings);
    let application = Application::build(settings)
        .await
        .expect("the second server starts");
    let server = Server::on_port(application.port());
    let handle = application.handle();
    tokio::spawn(application.run_until_stopped());
    (server, handle)
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.local_addr().expect("its address").port()
}

#[tokio::test]
async fn anonymous_reads_over_budget_get_429_with_retry_after_and_ratelimit_headers() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        limited(settings);
        settings.rate_limits.anonymous = "3/60s".parse().unwrap();
    })
    .await;
    // Cached answers count as much as computed ones: the same query four times. Each
    // admitted answer says what is left of the budget.
    for left in (0..3).rev() {
        let admitted = app.request().query(READ).send().await;
        admitted.data();
        assert_eq!(
            admitted.header("ratelimit-policy"),
            "\"anonymous\";q=3;w=60"
        );
        assert!(
            admitted
                .header("ratelimit")
                .starts_with(&format!("\"anonymous\";r={left};t=")),
            "{}",
            admitted.header("ratelimit")
        );
        assert!(admitted.headers.get("retry-after").is_none());
    }
    let refused = app.request().query(READ).send().await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(error_code(&refused.json()), "RATE_LIMITED");
    let retry_after: u64 = refused.header("retry-after").parse().unwrap();
    assert!(
        (1..=20).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_eq!(refused.header("ratelimit-policy"), "\"anonymous\";q=3;w=60");
    assert!(
        refused
            .header("ratelimit")
            .starts_with("\"anonymous\";r=0;t="),
        "{}",
        refused.header("ratelimit")
    );
    // GET shares the budget.
    let over_get = app.request().query(READ).get().send().await;
    assert_eq!(over_get.status, 429, "{}", over_get.text);
}

#[tokio::test]
async fn documents_refused_for_their_limits_spend_the_budget_as_reads_do() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        limited(settings);
        settings.rate_limits.anonymous = "2/60s".parse().unwrap();
    })
    .await;
    // Over the byte limit, even as a mutation: refused unread, but never for free.
    let oversized = format!("mutation {{ {} }}", "x ".repeat(20 * 1024));
    let too_deep = format!("{{ {}x{} }}", "a { ".repeat(40), " }".repeat(40));
    for document in [&oversized, &too_deep] {
        let refused = app.request().query(document).send().await;
        assert_eq!(
            refused.json()["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED",
            "{}",
            refused.text
        );
    }
    let over = app.request().query(&oversized).send().await;
    assert_eq!(over.status, 429, "{}", over.text);
    assert_eq!(error_code(&over.json()), "RATE_LIMITED");
}

#[tokio::test]
async fn answers_others_may_be_given_tell_of_no_ones_budget() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        limited(settings);
        settings.rate_limits.anonymous = "100/60s".parse().unwrap();
    })
    .await;
    let shared = app.request().query(READ).get().send().await;
    assert_eq!(shared.status, 200, "{}", shared.text);
    assert!(shared.header("cache-control").starts_with("public"));
    assert!(
        shared.headers.get("ratelimit").is_none(),
        "a public GET answer carries no client's budget"
    );
    let own = app.request().query(READ).send().await;
    assert!(own.header("ratelimit").starts_with("\"anonymous\";r=98;"));
}

#[tokio::test]
async fn budgets_are_kept_per_client_ip_and_per_token_subject() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        limited(settings);
        settings.rate_limits.anonymous = "2/60s".parse().unwrap();
        settings.rate_limits.token = "2/60s".parse().unwrap();
        settings.rate_limits.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let from = |ip: &str| app.request().query(READ).header("X-Forwarded-For", ip);
    for _ in 0..2 {
        from("203.0.113.1").send().await.data();
    }
    assert_eq!(from("203.0.113.1").send().await.status, 429);
    from("203.0.113.2").send().await.data();

    let (first, second) = (token_for("partner-a"), token_for("partner-b"));
    for _ in 0..2 {
        app.request().query(READ).token(&first).send().await.data();
    }
    let over = app.request().query(READ).token(&first).send().await;
    assert_eq!(over.status, 429, "{}", over.text);
    assert_eq!(over.header("ratelimit-policy"), "\"token\";q=2;w=60");
    // Another subject has a budget of its own, from the same address.
    app.request().query(READ).token(&second).send().await.data();
}

#[tokio::test]
async fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        limited(settings);
        settings.rate_limits.anonymous = "2/60s".parse().unwrap();
    })
    .await;
    for ip in ["203.0.113.1", "203.0.113.2"] {
        app.request()
            .query(READ)
            .header("X-Forwarded-For", ip)
            .send()
            .await
            .data();
    }
    let spoofed = app
        .request()
        .query(READ)
        .header("X-Forwarded-For", "203.0.113.3")
        .send()
        .await;
    assert_eq!(spoofed.status, 429, "every request came from 127.0.0.1");
}

#[tokio::test]
async fn two_servers_on_one_database_and_one_redis_share_one_budget() {
    let Some(redis) = redis_url() else { return };
    let shared = |settings: &mut Settings| {
        limited(settings);
        settings.rate_limits.anonymous = "4/60s".parse().unwrap();
        settings.cache.redis_url = Some(redis.clone().into());
    };
    let app = spawn_app_with(Backend::Sqlite, shared).await;
    let (other, handle) = second_server(&app, shared).await;
    for _ in 0..2 {
        app.request().query(READ).send().await.data();
        other.request().query(READ).send().await.data();
    }
    assert_eq!(app.request().query(READ).send().await.status, 429);
    assert_eq!(other.request().query(READ).send().await.status, 429);
    handle.stop(false).await;
}

/// Far from its limit a replica reserves several units at once and spends them without
/// asking Redis; still, two replicas together never admit more than the budget.
#[tokio::test]
async fn replicas_reserving_units_ahead_never_admit_more_than_the_budget() {
    let Some(redis) = redis_url() else { return };
    let shared = |settings: &mut Settings| {
        limited(settings);
        settings.rate_limits.anonymous = "100/600s".parse().unwrap();
        settings.cache.redis_url = Some(redis.clone().into());
    };
    let app = spawn_app_with(Backend::Sqlite, shared).await;
    let (other, handle) = second_server(&app, shared).await;
    let mut admitted = 0;
    let mut last_remaining = Vec::new();
    for _ in 0..70 {
        for server in [app.request(), other.request()] {
            let response = server.query(READ).send().await;
            match response.status {
                200 => {
                    admitted += 1;
                    last_remaining.push(response.header("ratelimit").to_owned());
                }
                429 => {}
                status => panic!("{status}: {}", response.text),
            }
        }
    }
    assert!(admitted <= 100, "{admitted} admitted on a budget of 100");
    // Units a replica reserved and did not spend before its hold lapsed are the only loss.
    assert!(admitted >= 90, "only {admitted} admitted of 100");
    assert!(
        last_remaining[0].starts_with("\"anonymous\";r=99;"),
        "{last_remaining:?}"
    );
    handle.stop(false).await;
}

#[tokio::test]
async fn with_redis_down_limits_are_kept_in_process_and_requests_answered() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        limited(settings);
        settings.rate_limits.anonymous = "3/60s".parse().unwrap();
        settings.cache.redis_url = Some(format!("redis://127.0.0.1:{}", closed_port()).into());
    })
    .await;
    let failed_open = "jobgraph_rate_limit_events_total{event=\"failed_open\"}";
    let before = app.metric(failed_open).await;
    for _ in 0..3 {
        app.request().query(READ).send().await.data();
    }
    let refused = app.request().query(READ).send().await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(error_code(&refused.json()), "RATE_LIMITED");
    assert!(
        app.metric(failed_open).await >= before + 4.0,
        "counted in /metrics"
    );
}

#[tokio::test]
async fn new_applications_have_budgets_per_ip_and_per_posting_and_retries_are_free_in_process() {
    applications_have_budgets(None).await;
}

#[tokio::test]
async fn new_applications_have_budgets_per_ip_and_per_posting_and_retries_are_free_in_redis() {
    let Some(redis) = redis_url() else { return };
    applications_have_budgets(Some(redis)).await;
}

async fn applications_have_budgets(redis: Option<String>) {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        limited(settings);
        settings.cache.redis_url = redis.map(Into::into);
        settings.rate_limits.apply_per_ip = "2/60s".parse().unwrap();
        settings.rate_limits.apply_per_posting = "3/60s".parse().unwrap();
        settings.rate_limits.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let id = posting_id(&posting);
    let apply = |ip: &str, key: &str| {
        app.request()
            .query(APPLY)
            .variables(apply_input(&id, key))
            .header("X-Forwarded-For", ip)
    };
    apply("203.0.113.1", "a1").send().await.data();
    apply("203.0.113.1", "a2").send().await.data();
    let over_ip = apply("203.0.113.1", "a3").send().await;
    assert_eq!(over_ip.status, 429, "{}", over_ip.text);
    assert_eq!(over_ip.header("ratelimit-policy"), "\"apply-ip\";q=2;w=60");
    // A retry of an application already made costs nothing.
    for _ in 0..3 {
        apply("203.0.113.1", "a1").send().await.data();
    }
    // The posting's own budget: a third new application from elsewhere, then no more.
    apply("203.0.113.2", "b1").send().await.data();
    let over_posting = apply("203.0.113.3", "c1").send().await;
    assert_eq!(over_posting.status, 429, "{}", over_posting.text);
    assert_eq!(
        over_posting.header("ratelimit-policy"),
        "\"apply-posting\";q=3;w=60"
    );
}

#[tokio::test]
async fn a_retry_after_a_failed_application_pays_again_in_process() {
    a_failed_application_leaves_its_key_unpaid(None).await;
}

#[tokio::test]
async fn a_retry_after_a_failed_application_pays_again_in_redis() {
    let Some(redis) = redis_url() else { return };
    a_failed_application_leaves_its_key_unpaid(Some(redis)).await;
}

/// Only a key whose application was stored is free to retry: one that failed (here a bad
/// e-mail address, refused as the field runs) pays each time, or failing requests would cost
/// nothing after the first.
async fn a_failed_application_leaves_its_key_unpaid(redis: Option<String>) {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        limited(settings);
        settings.cache.redis_url = redis.map(Into::into);
        settings.rate_limits.apply_per_ip = "2/60s".parse().unwrap();
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let mut bad = apply_input(&posting_id(&posting), "same-key");
    bad["input"]["email"] = json!("not an address");
    for attempt in 1..=2 {
        let failed = app
            .request()
            .query(APPLY)
            .variables(bad.clone())
            .send()
            .await;
        assert_eq!(failed.status, 200, "attempt {attempt}: {}", failed.text);
        assert_eq!(
            error_code(&failed.json()),
            "BAD_USER_INPUT",
            "attempt {attempt}"
        );
    }
    let over = app.request().query(APPLY).variables(bad).send().await;
    assert_eq!(
        over.status, 429,
        "both failures were paid for: {}",
        over.text
    );
    assert_eq!(over.header("ratelimit-policy"), "\"apply-ip\";q=2;w=60");
}

async fn fifty_concurrent_retries_pay_once(redis: Option<String>) {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        limited(settings);
        settings.rate_limits.apply_per_ip = "2/60s".parse().unwrap();
        settings.cache.redis_url = redis.map(Into::into);
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let input = apply_input(&posting_id(&posting), "retry-me");
    let responses = futures_util::future::join_all(
        (0..50).map(|_| app.request().query(APPLY).variables(input.clone()).send()),
    )
    .await;
    let ids: BTreeSet<String> = responses
        .iter()
        .map(|response| {
            response.data()["applyToPosting"]["application"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every retry returns the same application");
}

#[tokio::test]
async fn fifty_concurrent_retries_of_one_application_pay_once_in_process() {
    fifty_concurrent_retries_pay_once(None).await;
}

#[tokio::test]
async fn fifty_concurrent_retries_of_one_application_pay_once_in_redis() {
    let Some(redis) = redis_url() else { return };
    fifty_concurrent_retries_pay_once(Some(redis)).await;
}

#[tokio::test]
async fn with_rate_limits_off_nothing_is_limited() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.rate_limits.enabled = false;
        settings.rate_limits.anonymous = "1/60s".parse().unwrap();
    })
    .await;
    for _ in 0..5 {
        app.request().query(READ).send().await.data();
    }
}
