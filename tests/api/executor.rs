//! The executor's decisions, below HTTP: who may be given an answer, which documents the
//! pushdown answers, and which codes errors carry. Each test builds the server's state on a
//! fresh database and calls the executor directly.

use api::config::{DatabaseSettings, Settings};
use api::error::ErrorCode;
use api::graphql::executor::{Answer, GraphqlRequest, Outcome};
use api::state::AppState;
use serde_json::{Value, json};

use crate::fixtures::{self, PostingSpec};
use crate::helpers::{Backend, TestDatabase, on_both_databases};

/// The server's state on a fresh database of `backend`, with settings adjusted by `adjust`.
async fn state_with(
    backend: &Backend,
    adjust: impl FnOnce(&mut Settings),
) -> (AppState, TestDatabase) {
    let (database, url) = TestDatabase::create(backend).await;
    let mut settings = Settings::for_database(DatabaseSettings::new(url));
    settings.database.max_connections = 4;
    settings.auth.hs256_secret = Some(crate::tokens::SECRET.to_owned().into());
    settings.auth.issuer = Some(crate::tokens::ISSUER.to_owned());
    settings.auth.audience = Some(crate::tokens::AUDIENCE.to_owned());
    adjust(&mut settings);
    let state = api::startup::build_state(&settings)
        .await
        .expect("the state builds");
    (state, database)
}

fn request(query: &str) -> GraphqlRequest {
    GraphqlRequest {
        query: Some(query.to_owned()),
        operation_name: None,
        variables: None,
        extensions: None,
        principal: None,
        allows_mutations: true,
        uploads: Vec::new(),
    }
}

fn body_of(outcome: &Outcome) -> Value {
    let bytes: &[u8] = match &outcome.answer {
        Answer::Shared { response, .. } => &response.body,
        Answer::Own { body, .. } => body,
        Answer::Refused(failure) => return serde_json::from_str(&failure.body()).expect("JSON"),
    };
    serde_json::from_slice(bytes).expect("a JSON body")
}

const POSTINGS: &str = "{ postings(first: 5) { nodes { title company { name } } } }";

async fn clean_anonymous_queries_may_be_given_to_anyone(backend: Backend) {
    let (state, _database) = state_with(&backend, |_| {}).await;
    let outcome = state.executor.execute(request(POSTINGS)).await;
    assert!(
        matches!(outcome.answer, Answer::Shared { max_age, .. } if max_age.as_secs() > 0),
        "{:?}",
        body_of(&outcome)
    );
}

async fn answers_to_a_token_are_private(backend: Backend) {
    let (state, _database) = state_with(&backend, |_| {}).await;
    let token = crate::tokens::token("admin", &[]);
    let principal = state.verifier.verify(&token).expect("the token verifies");
    let outcome = state
        .executor
        .execute(GraphqlRequest {
            principal: Some(principal),
            ..request(POSTINGS)
        })
        .await;
    assert!(matches!(
        outcome.answer,
        Answer::Own {
            private: true,
            request_error: false,
            ..
        }
    ));
}

async fn answers_with_errors_are_never_shared(backend: Backend) {
    let (state, _database) = state_with(&backend, |_| {}).await;
    let outcome = state
        .executor
        .execute(request("{ postings(first: 1000) { nodes { title } } }"))
        .await;
    assert!(matches!(
        outcome.answer,
        Answer::Own {
            private: false,
            request_error: false,
            ..
        }
    ));
    assert_eq!(
        body_of(&outcome)["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
}

async fn mutation_answers_are_never_shared(backend: Backend) {
    let (state, _database) = state_with(&backend, |_| {}).await;
    // applyToPosting needs no token, so it runs (and fails on its input) anonymously.
    let outcome = state
        .executor
        .execute(request(
            "mutation { applyToPosting(input: { postingId: \"x\", idempotencyKey: \"k\", name: \"A\", email: \"a@example.com\" }) { application { id } } }",
        ))
        .await;
    assert!(matches!(outcome.answer, Answer::Own { .. }));
    assert_eq!(outcome.operation, api::metrics::Operation::Mutation);

    // One only token-holders may run is refused before it runs.
    let outcome = state
        .executor
        .execute(request(
            "mutation { createCompany(input: { name: \"X\" }) { company { id } } }",
        ))
        .await;
    assert!(matches!(
        &outcome.answer,
        Answer::Refused(failure) if failure.code == api::error::ErrorCode::Unauthenticated
    ));
}

async fn documents_that_fail_validation_are_request_errors_with_a_code(backend: Backend) {
    let (state, _database) = state_with(&backend, |_| {}).await;
    let outcome = state.executor.execute(request("{ noSuchField }")).await;
    assert!(matches!(
        outcome.answer,
        Answer::Own {
            request_error: true,
            ..
        }
    ));
    let body = body_of(&outcome);
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
}

async fn documents_that_do_not_parse_are_request_errors_with_a_code(backend: Backend) {
    let (state, _database) = state_with(&backend, |_| {}).await;
    let outcome = state.executor.execute(request("{ postings {")).await;
    assert!(matches!(
        outcome.answer,
        Answer::Own {
            request_error: true,
            ..
        }
    ));
    assert_eq!(
        body_of(&outcome)["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );
}

async fn refusals_before_execution_carry_their_code(backend: Backend) {
    let (state, _database) = state_with(&backend, |_| {}).await;
    let refused = |outcome: Outcome| match outcome.answer {
        Answer::Refused(failure) => Some(failure.code),
        _ => None,
    };
    let mutation_over_get = GraphqlRequest {
        allows_mutations: false,
        ..request("mutation { deletePosting(id: \"x\") { deletedId } }")
    };
    assert_eq!(
        refused(state.executor.execute(mutation_over_get).await),
        Some(ErrorCode::MethodNotAllowed)
    );
    let unknown_operation = GraphqlRequest {
        operation_name: Some("Missing".to_owned()),
        ..request("query A { postings { nodes { id } } } query B { companies { nodes { id } } }")
    };
    assert_eq!(
        refused(state.executor.execute(unknown_operation).await),
        Some(ErrorCode::BadRequest)
    );
    let unknown_hash = GraphqlRequest {
        query: None,
        extensions: Some(
            json!({ "persistedQuery": { "version": 1, "sha256Hash": "0".repeat(64) } }),
        ),
        ..request("")
    };
    assert_eq!(
        refused(state.executor.execute(unknown_hash).await),
        Some(ErrorCode::PersistedQueryNotFound)
    );
    let not_an_object = GraphqlRequest {
        variables: Some(json!([1])),
        ..request(POSTINGS)
    };
    assert_eq!(
        refused(state.executor.execute(not_an_object).await),
        Some(ErrorCode::BadRequest)
    );
}

on_both_databases!(
    clean_anonymous_queries_may_be_given_to_anyone,
    answers_to_a_token_are_private,
    answers_with_errors_are_never_shared,
    mutation_answers_are_never_shared,
    documents_that_fail_validation_are_request_errors_with_a_code,
    documents_that_do_not_parse_are_request_errors_with_a_code,
    refusals_before_execution_carry_their_code,
);

/// How many statements answering `query` runs, and its body.
async fn statements_for(state: &AppState, query: &str) -> (u64, Value) {
    let before = state.statements.get();
    let outcome = state.executor.execute(request(query)).await;
    (state.statements.get() - before, body_of(&outcome))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_posting_list_seen_before_is_answered_by_one_statement_on_postgres() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let (state, _database) = state_with(&backend, |settings| settings.cache.enabled = false).await;
    let company = fixtures::company(&state.db, "acme", "Acme").await;
    for _ in 0..3 {
        fixtures::posting(&state.db, company.id, PostingSpec::default()).await;
    }
    let query = "{ postings { nodes { title company { name } requirements { text } } } }";
    let (first, generic) = statements_for(&state, query).await;
    let (second, pushed) = statements_for(&state, query).await;
    assert!(
        first > 1,
        "the first answer is async-graphql's: {first} statements"
    );
    assert_eq!(second, 1, "the plan answers in one statement");
    assert_eq!(generic, pushed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_with_fragments_are_never_pushed_down() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let (state, _database) = state_with(&backend, |settings| settings.cache.enabled = false).await;
    let company = fixtures::company(&state.db, "acme", "Acme").await;
    fixtures::posting(&state.db, company.id, PostingSpec::default()).await;
    // async-graphql's path runs two statements for it (the page with its companies, the
    // locations), a plan one.
    let query =
        "{ postings { nodes { ... on Posting { title company { name } locations { city } } } } }";
    statements_for(&state, query).await;
    let (again, _) = statements_for(&state, query).await;
    assert!(
        again > 1,
        "a fragment goes through async-graphql: {again} statements"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_answers_are_never_pushed_down() {
    let (state, _database) =
        state_with(&Backend::Sqlite, |settings| settings.cache.enabled = false).await;
    let company = fixtures::company(&state.db, "acme", "Acme").await;
    fixtures::posting(&state.db, company.id, PostingSpec::default()).await;
    let query = "{ postings { nodes { title company { name } locations { city } } } }";
    statements_for(&state, query).await;
    let (again, _) = statements_for(&state, query).await;
    assert!(
        again > 1,
        "SQLite answers through async-graphql: {again} statements"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_pool_can_be_switched_off_on_postgres() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let (on, _first) = state_with(&backend, |_| {}).await;
    assert!(matches!(on.reads, api::db::ReadPool::Kept(_)));
    let (off, _second) = state_with(&backend, |settings| settings.database.read_pool = false).await;
    assert!(matches!(off.reads, api::db::ReadPool::Shared(_)));
    let company = fixtures::company(&off.db, "acme", "Acme").await;
    fixtures::posting(&off.db, company.id, PostingSpec::default()).await;
    let outcome = off.executor.execute(request(POSTINGS)).await;
    assert_eq!(
        body_of(&outcome)["data"]["postings"]["nodes"][0]["company"]["name"],
        "Acme"
    );
}
