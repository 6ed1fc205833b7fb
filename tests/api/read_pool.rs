//! The connections PostgreSQL reads are kept on: bounded, never reused after a statement was
//! abandoned half-way, and replaced without an error when PostgreSQL drops them.

use std::time::Duration;

use api::db::{ReadPool, StatementCounter};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::json;

use crate::fixtures::{self, PostingSpec};
use crate::helpers::{Backend, TestDatabase, spawn_app_with};

/// A read pool of `size` connections on a fresh PostgreSQL database, when the suite is on.
async fn read_pool(size: u32) -> Option<(ReadPool, StatementCounter, TestDatabase)> {
    let backend = Backend::postgres()?;
    let (database, url) = TestDatabase::create(&backend).await;
    let db = Database::connect(url.as_str()).await.expect("connect");
    let counter = StatementCounter::default();
    let reads = ReadPool::new(
        &db,
        &url,
        size,
        Duration::from_secs(5),
        vec![],
        counter.clone(),
    )
    .expect("a read pool");
    Some((reads, counter, database))
}

fn sql(text: &str) -> Statement {
    Statement::from_string(DbBackend::Postgres, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_open_no_more_connections_than_their_share() {
    let Some((reads, counter, _database)) = read_pool(3).await else {
        return;
    };
    let statements = (0..20).map(|_| reads.query_all_raw(sql("SELECT pg_sleep(0.05)")));
    let outcomes = futures_util::future::join_all(statements).await;
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(counter.get(), 20);
    let (open, in_use) = reads.usage().expect("PostgreSQL reads keep connections");
    assert!((1..=3).contains(&open), "{open} connections open");
    assert_eq!(in_use, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_without_waiting_for_traffic() {
    let Some((reads, _counter, _database)) = read_pool(3).await else {
        return;
    };
    let statements = (0..6).map(|_| reads.query_all_raw(sql("SELECT pg_sleep(0.05)")));
    futures_util::future::join_all(statements).await;
    let (open, _) = reads.usage().expect("kept connections");
    assert!(open >= 1);
    reads.close_idle(Duration::from_secs(60));
    assert_eq!(reads.usage(), Some((open, 0)), "none idle for a minute yet");
    tokio::time::sleep(Duration::from_millis(50)).await;
    reads.close_idle(Duration::from_millis(20));
    assert_eq!(reads.usage(), Some((0, 0)));
    // The pool opens new ones when asked again.
    let row = reads
        .query_one_raw(sql("SELECT 1 AS one"))
        .await
        .expect("a statement after closing")
        .expect("one row");
    assert_eq!(row.try_get::<i32>("", "one").expect("an int"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_abandoned_half_way_does_not_hold_up_the_next() {
    let Some((reads, _counter, _database)) = read_pool(1).await else {
        return;
    };
    let abandoned = tokio::time::timeout(
        Duration::from_millis(200),
        reads.query_all_raw(sql("SELECT pg_sleep(30)")),
    )
    .await;
    assert!(abandoned.is_err(), "the sleep should still be running");

    // Were the abandoned connection reused, this would wait for the sleep to end.
    let next = tokio::time::timeout(
        Duration::from_secs(10),
        reads.query_one_raw(sql("SELECT 41 + 1 AS answer")),
    )
    .await
    .expect("the next statement is not held up")
    .expect("the next statement succeeds")
    .expect("one row");
    assert_eq!(next.try_get::<i32>("", "answer").expect("an int"), 42);
    assert_eq!(reads.usage(), Some((1, 0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_carry_on_without_an_error_when_postgresql_drops_their_connections() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    // Every answer comes from the database, not the response cache.
    let app = spawn_app_with(backend, |settings| settings.cache.enabled = false).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    fixtures::posting(
        &app.db,
        company.id,
        PostingSpec {
            title: "Backend Engineer".into(),
            requirements: 3,
            ..Default::default()
        },
    )
    .await;
    let query = "{ postings(first: 5) { edges { node { title company { name } requirements { text } } } } }";
    let title = |data: &serde_json::Value| data["postings"]["edges"][0]["node"]["title"].clone();

    // Several requests at once, so that several read connections are kept.
    let warm = (0..6).map(|_| app.request().query(query).send());
    for response in futures_util::future::join_all(warm).await {
        assert_eq!(title(&response.data()), json!("Backend Engineer"));
    }

    let database = app
        .database_url
        .rsplit('/')
        .next()
        .expect("a database name");
    let terminated = app
        .db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
            [database.into()],
        ))
        .await
        .expect("terminate the server's connections");
    assert!(!terminated.is_empty(), "the server kept no connection");

    for _ in 0..10 {
        let body = app.request().query(query).send().await.ok_json();
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(title(&body["data"]), json!("Backend Engineer"));
    }
    let metrics = app.metrics().await;
    for gauge in [
        "jobgraph_db_read_connections ",
        "jobgraph_db_read_connections_in_use ",
    ] {
        assert!(metrics.contains(gauge), "{gauge} missing from\n{metrics}");
    }
}
