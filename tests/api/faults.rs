//! Faults survived: each test starts its own PostgreSQL cluster or Redis on a free loopback
//! port, breaks it under bounded load, and checks what clients see and that nothing accepted
//! was lost.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::caching::OwnRedis;
use crate::fixtures::{self, PostingSpec, posting_id};
use crate::helpers::{Backend, on_both_databases, redis_url, spawn_app_with};
use crate::tokens::{self, token};

const LIST: &str = "{ postings(first: 20) { totalCount nodes { title } } }";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// A PostgreSQL cluster of the test's own: `initdb` and `pg_ctl` as the `postgres` user (they
/// refuse root), listening on a free loopback port, removed when dropped.
struct OwnPostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl OwnPostgres {
    /// `None` (and a note) when PostgreSQL's server binaries are not installed, outside CI.
    fn start() -> Option<OwnPostgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("bin"))
            .find(|bin| bin.join("initdb").exists());
        let Some(bin) = bin else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the fault tests: initdb is missing"
            );
            eprintln!("skipped: PostgreSQL's server binaries are not installed");
            return None;
        };
        let data =
            std::env::temp_dir().join(format!("jobgraph-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&data).expect("a data folder");
        let own = OwnPostgres {
            bin,
            data,
            port: free_port(),
        };
        own.checked(
            Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&own.data),
        );
        own.run(
            "initdb",
            &["-A", "trust", "-U", "postgres", "-E", "UTF8"],
            true,
        );
        own.pg_ctl_start();
        Some(own)
    }

    fn checked(&self, command: &mut Command) {
        let status = command.status().expect("the command runs");
        assert!(status.success(), "{command:?} failed");
    }

    fn run(&self, tool: &str, args: &[&str], with_data: bool) {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join(tool));
        if with_data {
            command.arg("-D").arg(&self.data);
        }
        command.args(args).stdout(std::process::Stdio::null());
        self.checked(&mut command);
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.data.display()
        );
        self.run(
            "pg_ctl",
            &["-w", "-t", "30", "-l", "/dev/null", "-o", &options, "start"],
            true,
        );
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-w", "-m", "immediate", "stop"], true);
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-w", "-m", "immediate", "stop"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

const CREATE: &str =
    "mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { id } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_mid_load_answers_503_fast_and_comes_back_without_losing_a_write() {
    if Backend::postgres().is_none() {
        return;
    }
    let Some(postgres) = OwnPostgres::start() else {
        return;
    };
    let app = spawn_app_with(
        Backend::Postgres {
            admin_url: postgres.url("postgres"),
        },
        |settings| {
            settings.cache.enabled = false;
            settings.database.acquire_timeout = Duration::from_millis(500);
        },
    )
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write", &[company.id]);
    let mut accepted = Vec::new();
    let mut refused = 0;
    let started = Instant::now();
    let mut stopped = false;
    let mut restarted = false;
    let mut slowest_refusal = Duration::ZERO;
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(6) {
        n += 1;
        let sent = Instant::now();
        let response = app
            .request()
            .token(&writer)
            .query(CREATE)
            .variables(json!({ "input": { "companyId": fixtures::company_id(&company), "title": format!("Job {n}") } }))
            .send()
            .await;
        match response.status {
            200 => {
                let body = response.json();
                if let Some(id) = body["data"]["createPosting"]["posting"]["id"].as_str() {
                    accepted.push(id.to_owned());
                } else {
                    panic!("a 200 without the posting: {body}");
                }
            }
            503 => {
                refused += 1;
                slowest_refusal = slowest_refusal.max(sent.elapsed());
                assert_eq!(response.header("retry-after"), "1");
            }
            status => panic!("status {status}: {}", response.text),
        }
        if !stopped && started.elapsed() > Duration::from_secs(1) {
            postgres.stop();
            stopped = true;
            let ready = app.request().get().path("/readyz").send().await;
            assert_eq!(ready.status, 503);
        }
        if stopped && !restarted && started.elapsed() > Duration::from_secs(3) {
            postgres.pg_ctl_start();
            restarted = true;
        }
    }
    assert!(refused > 0, "no request saw PostgreSQL down");
    assert!(
        slowest_refusal < Duration::from_secs(3),
        "a refusal took {slowest_refusal:?}"
    );
    let ready = app.request().get().path("/readyz").send().await;
    assert_eq!(ready.status, 200, "ready again without a restart");
    // Every accepted write is there.
    let reader = token("postings:read", &[company.id]);
    for id in &accepted {
        let data = app
            .request()
            .token(&reader)
            .query("query($id: ID!) { posting(id: $id) { id } }")
            .variables(json!({ "id": id }))
            .send()
            .await
            .data();
        assert_eq!(data["posting"]["id"], json!(id), "accepted write {id} lost");
    }
    assert!(
        accepted.len() > 5,
        "writes were accepted before and after ({})",
        accepted.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_redis_costs_requests_the_cache_timeout_never_a_failure() {
    if redis_url().is_none() {
        return;
    }
    let redis = OwnRedis::start(None);
    let port = redis.port;
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.cache.redis_url = Some(format!("redis://127.0.0.1:{port}").into());
        settings.cache.timeout = Duration::from_millis(50);
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    app.request().query(LIST).send().await.data();
    let pid = redis.process.id().to_string();
    let signal = |name: &str| {
        let status = Command::new("kill")
            .args([name, &pid])
            .status()
            .expect("kill runs");
        assert!(status.success());
    };
    signal("-STOP");
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut requests = 0;
    while started.elapsed() < Duration::from_secs(2) {
        let sent = Instant::now();
        let response = app.request().query(LIST).send().await;
        slowest = slowest.max(sent.elapsed());
        assert_eq!(response.status, 200);
        assert!(response.json().get("errors").is_none(), "{}", response.text);
        requests += 1;
    }
    signal("-CONT");
    assert!(requests > 5, "{requests} requests");
    assert!(
        slowest < Duration::from_millis(1000),
        "a request took {slowest:?}"
    );
    drop(redis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_redis_fails_no_request() {
    if redis_url().is_none() {
        return;
    }
    let redis = OwnRedis::start_with(
        None,
        &["--maxmemory", "2mb", "--maxmemory-policy", "noeviction"],
    );
    let port = redis.port;
    // Fill it until it refuses writes.
    let filler = "x".repeat(64 * 1024);
    for index in 0..200 {
        let output = Command::new("redis-cli")
            .args([
                "-p",
                &port.to_string(),
                "SET",
                &format!("fill:{index}"),
                &filler,
            ])
            .output()
            .expect("redis-cli runs");
        if String::from_utf8_lossy(&output.stdout).contains("OOM") {
            break;
        }
    }
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.cache.redis_url = Some(format!("redis://127.0.0.1:{port}").into());
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    for index in 0..20 {
        let query = format!(
            "{{ postings(first: {}) {{ totalCount nodes {{ title }} }} }}",
            index + 1
        );
        let response = app.request().query(query).send().await;
        assert_eq!(response.status, 200);
        assert!(response.json().get("errors").is_none(), "{}", response.text);
    }
    drop(redis);
}

on_both_databases!(two_updates_racing_on_one_posting_give_one_conflict);

async fn two_updates_racing_on_one_posting_give_one_conflict(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let writer = token("postings:write", &[company.id]);
    let update = |title: &'static str| {
        app.request()
            .token(&writer)
            .query("mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { title version } } }")
            .variables(json!({ "input": { "id": posting_id(&posting), "expectedVersion": 1, "title": title } }))
            .send()
    };
    let (a, b) = tokio::join!(update("A"), update("B"));
    let codes: Vec<Value> = [a.json(), b.json()]
        .iter()
        .map(|body| body["errors"][0]["extensions"]["code"].clone())
        .collect();
    let conflicts = codes
        .iter()
        .filter(|code| **code == json!("CONFLICT"))
        .count();
    let successes = codes.iter().filter(|code| code.is_null()).count();
    assert_eq!((successes, conflicts), (1, 1), "{codes:?}");
}

#[tokio::test]
async fn tokens_from_a_clock_skewed_within_the_leeway_are_accepted() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.auth.leeway = Duration::from_secs(30);
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    for (iat, nbf, exp) in [(20, 20, 600), (-600, -600, -20)] {
        let mut claims = tokens::claims("postings:read", &[company.id]);
        claims["iat"] = json!(tokens::now() + iat);
        claims["nbf"] = json!(tokens::now() + nbf);
        claims["exp"] = json!(tokens::now() + exp);
        let skewed = tokens::hs256(tokens::SECRET, &claims);
        let response = app
            .request()
            .token(&skewed)
            .query("{ postings { totalCount } }")
            .send()
            .await;
        assert_eq!(
            response.status, 200,
            "iat {iat}, exp {exp}: {}",
            response.text
        );
    }
    let mut claims = tokens::claims("postings:read", &[company.id]);
    claims["exp"] = json!(tokens::now() - 120);
    let expired = tokens::hs256(tokens::SECRET, &claims);
    let response = app
        .request()
        .token(&expired)
        .query("{ postings { totalCount } }")
        .send()
        .await;
    assert_eq!(response.status, 401, "beyond the leeway: {}", response.text);
}

/// SQLite's database full (`PRAGMA max_page_count` at the pages it already has, on the only
/// connection the server writes with): a write that needs room is refused with
/// `INSUFFICIENT_STORAGE`, everything already accepted is still there and still served, and
/// writes succeed again once there is room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sqlite_database_refuses_new_writes_clearly_and_keeps_what_it_had() {
    use sea_orm::ConnectionTrait;

    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.database.max_connections = 1;
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write", &[company.id]);
    let create = |title: String| {
        let app = &app;
        let writer = &writer;
        let company_id = fixtures::company_id(&company);
        async move {
            app.request()
                .token(writer)
                .query("mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { title } } }")
                .variables(json!({ "input": {
                    "companyId": company_id,
                    "title": title,
                    // Several pages' worth: it cannot fit in free space the file already has.
                    "description": "Vi bygger vindkraft. ".repeat(2_000),
                } }))
                .send()
                .await
        }
    };
    let accepted = create("Accepted before".to_owned()).await;
    assert_eq!(
        accepted.data()["createPosting"]["posting"]["title"],
        "Accepted before"
    );

    let pages = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA page_count",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    let limit = |pages: i64| {
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            format!("PRAGMA max_page_count = {pages}"),
        )
    };
    app.db.execute_raw(limit(pages)).await.unwrap();

    let refused = create("Refused while full".to_owned()).await;
    assert_eq!(refused.status, 200, "{}", refused.text);
    let body = refused.json();
    assert_eq!(
        crate::helpers::error_code(&body),
        "INSUFFICIENT_STORAGE",
        "{body}"
    );
    assert!(body["data"]["createPosting"].is_null(), "{body}");

    // Reads still work, and show exactly what was accepted.
    let titles = app
        .request()
        .token(token("postings:read", &[company.id]))
        .query("{ postings(filter: { statuses: [DRAFT] }) { nodes { title } } }")
        .send()
        .await;
    assert_eq!(
        titles.data()["postings"]["nodes"],
        json!([{ "title": "Accepted before" }]),
        "{}",
        titles.text
    );

    app.db.execute_raw(limit(pages * 100)).await.unwrap();
    let after = create("Accepted after".to_owned()).await;
    assert_eq!(
        after.data()["createPosting"]["posting"]["title"],
        "Accepted after",
        "{}",
        after.text
    );
}
