//! Timeouts and backpressure: statements bounded by PostgreSQL itself, a lock held elsewhere
//! answered with 504 in time, a request given up by its client stopped in the database, a replica over its in-flight cap answering 503, an unreachable
//! database answering 503 and recovering without a restart, and slow clients cut off.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement, TransactionTrait};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::fixtures::{self, PostingSpec, posting_id};
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::tokens::token;

const UPDATE: &str =
    "mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { title } } }";

/// A PostgreSQL app whose test then holds a row lock on one of its postings.
async fn app_with_posting(
    adjust: impl FnOnce(&mut api::config::Settings),
) -> Option<(TestApp, entity::posting::Model)> {
    let backend = Backend::postgres()?;
    let app = spawn_app_with(backend, |settings| {
        settings.cache.enabled = false;
        adjust(settings);
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    Some((app, posting))
}

/// Another session holding `posting`'s row lock, and its open transaction.
async fn lock_row(
    app: &TestApp,
    posting: &entity::posting::Model,
) -> (sea_orm::DatabaseConnection, sea_orm::DatabaseTransaction) {
    let holder = Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    let lock = holder.begin().await.expect("a transaction");
    lock.execute_unprepared(&format!(
        "SELECT 1 FROM posting WHERE id = '{}' FOR UPDATE",
        posting.id
    ))
    .await
    .expect("the row is locked");
    (holder, lock)
}

async fn show(db: &impl ConnectionTrait, setting: &str) -> String {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        format!("SHOW {setting}"),
    ))
    .await
    .expect("SHOW answers")
    .expect("a row")
    .try_get_by_index::<String>(0)
    .expect("a text value")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_postgres_connection_bounds_its_statements_idle_transactions_and_workers() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let (database, url) = crate::helpers::TestDatabase::create(&backend).await;
    let mut settings = api::config::Settings::for_database(api::config::DatabaseSettings::new(url));
    settings.database.statement_timeout = Duration::from_millis(1500);
    settings.database.idle_in_transaction_timeout = Duration::from_millis(2500);
    assert_eq!(settings.database.parallel_workers, 0, "none by default");
    settings.database.parallel_workers = 3;
    let state = api::startup::build_state(&settings)
        .await
        .expect("the state builds");
    assert_eq!(show(&state.db, "statement_timeout").await, "1500ms");
    assert_eq!(
        show(&state.db, "idle_in_transaction_session_timeout").await,
        "2500ms"
    );
    assert_eq!(show(&state.reads, "statement_timeout").await, "1500ms");
    assert_eq!(
        show(&state.db, "max_parallel_workers_per_gather").await,
        "3"
    );
    assert_eq!(
        show(&state.reads, "max_parallel_workers_per_gather").await,
        "3"
    );
    drop(state);
    drop(database);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_stuck_behind_a_lock_is_answered_504_within_the_timeout() {
    let Some((app, posting)) = app_with_posting(|settings| {
        settings.http.request_timeout = Duration::from_millis(1000);
        settings.database.statement_timeout = Duration::from_millis(1000);
    })
    .await
    else {
        return;
    };
    let (holder, lock) = lock_row(&app, &posting).await;
    let writer = token("postings:write", &[posting.company_id]);
    let started = Instant::now();
    let response = app
        .request()
        .token(&writer)
        .query(UPDATE)
        .variables(json!({ "input": { "id": posting_id(&posting), "expectedVersion": 1, "title": "Blocked" } }))
        .send()
        .await;
    let elapsed = started.elapsed();
    assert_eq!(response.status, 504, "{}", response.text);
    assert_eq!(
        response.json()["errors"][0]["extensions"]["code"],
        "TIMEOUT"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "answered after {elapsed:?}"
    );
    // Others are answered meanwhile.
    let other = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await
        .data();
    assert_eq!(other["postings"]["totalCount"], 1);
    lock.rollback().await.expect("rolled back");
    // PostgreSQL cancelled the abandoned statement: nothing of the server's is still waiting.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(waiting_for_locks(&holder).await, 0);
}

/// A client that gives up on its request (closes the connection) while the request's
/// statement waits behind a lock leaves nothing running: the server drops the request, and
/// PostgreSQL stops the statement within its client check, long before the statement timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_given_up_by_its_client_stops_its_statement() {
    let Some((app, _posting)) = app_with_posting(|settings| {
        settings.http.request_timeout = Duration::from_secs(30);
        settings.database.statement_timeout = Duration::from_secs(30);
    })
    .await
    else {
        return;
    };
    let holder = Database::connect(app.database_url.as_str())
        .await
        .expect("connect");
    let lock = holder.begin().await.expect("a transaction");
    lock.execute_unprepared("LOCK TABLE posting IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("the table is locked");
    let mut client = raw(&app).await;
    client
        .write_all(b"GET /graphql?query=%7B%20postings%20%7B%20totalCount%20%7D%20%7D HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("sent");
    let waiting = someone_waits_for_a_lock(&holder).await;
    assert!(waiting, "the read waits for the lock");
    drop(client);
    let left = Instant::now();
    while waiting_for_locks(&holder).await > 0 && left.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stopped = left.elapsed();
    assert!(
        stopped < Duration::from_secs(3),
        "the abandoned statement still waited {stopped:?} after its client left"
    );
    lock.rollback().await.expect("rolled back");
    let after = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await;
    assert_eq!(after.status, 200, "{}", after.text);
}

/// Whether a session of the test's database comes to wait for a lock within two seconds.
async fn someone_waits_for_a_lock(db: &impl ConnectionTrait) -> bool {
    for _ in 0..100 {
        if waiting_for_locks(db).await > 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// How many sessions of the test's database wait for a lock.
async fn waiting_for_locks(db: &impl ConnectionTrait) -> i32 {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        "SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() \
         AND wait_event_type = 'Lock'"
            .to_owned(),
    ))
    .await
    .expect("pg_stat_activity")
    .expect("a row")
    .try_get_by_index::<i32>(0)
    .expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_over_its_in_flight_cap_answers_503_with_retry_after() {
    let Some((app, posting)) = app_with_posting(|settings| {
        settings.http.max_in_flight = 1;
        settings.http.request_timeout = Duration::from_secs(5);
    })
    .await
    else {
        return;
    };
    let (holder, lock) = lock_row(&app, &posting).await;
    let writer = token("postings:write", &[posting.company_id]);
    let blocked = {
        let request = app
            .request()
            .token(&writer)
            .query(UPDATE)
            .variables(json!({ "input": { "id": posting_id(&posting), "expectedVersion": 1, "title": "Later" } }));
        tokio::spawn(request.send())
    };
    // Once the blocked request waits for the lock, it holds the only permit.
    let waiting = someone_waits_for_a_lock(&holder).await;
    assert!(waiting, "the update waits for the lock");
    let busy = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await;
    assert_eq!(busy.status, 503, "{}", busy.text);
    assert_eq!(busy.header("retry-after"), "1");
    assert_eq!(
        busy.json()["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );
    lock.rollback().await.expect("rolled back");
    let finished = blocked.await.expect("the blocked request ends");
    assert_eq!(finished.status, 200, "{}", finished.text);
    let after = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await;
    assert_eq!(after.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_answers_503_and_recovers_without_a_restart() {
    let Some((app, _posting)) = app_with_posting(|settings| {
        settings.database.acquire_timeout = Duration::from_millis(500);
    })
    .await
    else {
        return;
    };
    let name = app
        .database_url
        .rsplit('/')
        .next()
        .expect("a database name")
        .to_owned();
    let admin_url = std::env::var(crate::helpers::POSTGRES_ENV).expect("the admin URL");
    let admin = Database::connect(admin_url.as_str())
        .await
        .expect("connect");
    let run = |sql: String| {
        let admin = &admin;
        async move {
            admin
                .execute_unprepared(&sql)
                .await
                .expect("admin statement")
        }
    };
    run(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await;
    run(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .await;
    let started = Instant::now();
    let down = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await;
    assert_eq!(down.status, 503, "{}", down.text);
    assert_eq!(down.header("retry-after"), "1");
    assert_eq!(
        down.json()["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let ready = app.request().get().path("/readyz").send().await;
    assert_eq!(ready.status, 503);
    run(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await;
    let up = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await;
    assert_eq!(up.status, 200, "{}", up.text);
    assert_eq!(up.json()["data"]["postings"]["totalCount"], 1);
    let ready = app.request().get().path("/readyz").send().await;
    assert_eq!(ready.status, 200);
}

/// Opens a raw connection to the app.
async fn raw(app: &TestApp) -> tokio::net::TcpStream {
    let address = app.address.trim_start_matches("http://").to_owned();
    tokio::net::TcpStream::connect(address)
        .await
        .expect("connect")
}

/// What the server sends before closing, within `bound`.
async fn answer_within(stream: &mut tokio::net::TcpStream, bound: Duration) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(bound, stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the server did not cut the slow client off within {bound:?}"
    );
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_body_is_answered_408() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.http.request_timeout = Duration::from_millis(800);
    })
    .await;
    let mut stream = raw(&app).await;
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\nConnection: close\r\n\r\n{\"query\":",
        )
        .await
        .expect("write");
    let answer = answer_within(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_headers_is_cut_off() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.http.header_timeout = Duration::from_millis(500);
    })
    .await;
    let mut stream = raw(&app).await;
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: loc")
        .await
        .expect("write");
    let answer = answer_within(&mut stream, Duration::from_secs(5)).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    let live = app.request().get().path("/livez").send().await;
    assert_eq!(live.status, 200);
}
