//! Full-text search over the sample catalog and postings made here, on both databases: the
//! same query gives the same postings in the same order on SQLite and PostgreSQL (the first
//! answer generic, the repeated one from the PostgreSQL pushdown, byte for byte), with
//! stemming, diacritics, phrases, exclusions and `OR`; stable relevance pages; highlights
//! that point at the words; bad input that is only literal text; and writes seen at once.

use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{
    Backend, TestApp, error_code, on_both_databases, spawn_app_with, spawn_app_with_sample,
};
use crate::tokens::token;

const SEARCH: &str = "query($q: String, $first: Int, $after: String) { postings(filter: { query: $q }, first: $first, after: $after) { totalCount edges { cursor highlights { field text matches { start length } } node { title } } pageInfo { hasNextPage endCursor } } }";

async fn search(app: &TestApp, q: &str) -> Value {
    let response = app
        .request()
        .query(SEARCH)
        .variables(json!({ "q": q, "first": 50 }))
        .send()
        .await;
    assert_eq!(response.status, 200, "{q}: {}", response.text);
    let body = response.json();
    assert!(body.get("errors").is_none(), "{q}: {body}");
    body
}

fn titles(answer: &Value) -> Vec<String> {
    answer["data"]["postings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["title"].as_str().unwrap().to_owned())
        .collect()
}

/// Each case: a query and the titles it must find, in order (`..` ends a prefix: the rest
/// may follow in any order), or `[]` for none.
const CASES: &[(&str, &[&str])] = &[
    (
        "engineer",
        &[
            "Site Reliability Engineer",
            "Senior Frontend Engineer",
            "Senior Rust Engineer",
            "Backend Engineer",
            "..",
        ],
    ),
    ("\"site reliability\"", &["Site Reliability Engineer"]),
    (
        "engineer -senior",
        &["Site Reliability Engineer", "Backend Engineer", ".."],
    ),
    (
        "rust OR frontend",
        &["Senior Frontend Engineer", "Senior Rust Engineer", ".."],
    ),
    ("lager", &["Teamledare lager", ".."]),
    ("terminalarbetare natt", &["Terminalarbetare, natt"]),
    ("\"reliability site\"", &[]),
    ("xyzzy", &[]),
];

/// Queries that must find exactly what another spelling finds.
const SAME_AS: &[(&str, &str)] = &[
    ("engineers", "engineer"),
    ("ENGINEER", "engineer"),
    ("Engineering", "engineering"),
    ("Göteborg", "goteborg"),
    ("GÖTEBORG", "goteborg"),
    ("Go\u{308}teborg", "goteborg"),
    ("malmö", "MALMO"),
    ("utvecklaren", "utvecklare"),
];

fn check_case(query: &str, expected: &[&str], found: &[String]) {
    let (prefix, open) = match expected.split_last() {
        Some((&"..", prefix)) => (prefix, true),
        _ => (expected, false),
    };
    assert!(
        found.len() >= prefix.len() && found[..prefix.len()] == *prefix,
        "{query}: found {found:?}, expected {expected:?}"
    );
    if !open {
        assert_eq!(found.len(), prefix.len(), "{query}: found {found:?}");
    }
}

async fn relevance_cases_find_what_they_should(backend: Backend) {
    let app = spawn_app_with_sample(backend, |_| {}).await;
    for (query, expected) in CASES {
        let first = search(&app, query).await;
        check_case(query, expected, &titles(&first));
        // Asked again: the same bytes, whichever path answers it (the pushdown on PostgreSQL).
        let again = app
            .request()
            .query(SEARCH)
            .variables(json!({ "q": query, "first": 50 }))
            .send()
            .await;
        assert_eq!(first.to_string(), again.json().to_string(), "{query}");
    }
    for (spelling, reference) in SAME_AS {
        assert_eq!(
            titles(&search(&app, spelling).await),
            titles(&search(&app, reference).await),
            "{spelling} finds what {reference} finds"
        );
    }
    let found = titles(&search(&app, "utvecklare").await);
    assert!(found.contains(&"Systemutvecklare".to_owned()), "{found:?}");
}

/// Every case, on SQLite and on PostgreSQL, gives the same titles in the same order, and the
/// same highlights.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_answer_every_search_the_same() {
    let Some(postgres) = Backend::postgres() else {
        return;
    };
    let sqlite = spawn_app_with_sample(Backend::Sqlite, |_| {}).await;
    let postgres = spawn_app_with_sample(postgres, |_| {}).await;
    let queries = CASES
        .iter()
        .map(|(query, _)| *query)
        .chain(SAME_AS.iter().flat_map(|(a, b)| [*a, *b]))
        .chain([
            "engineer malmö",
            "göteborg OR stockholm -deltid",
            "data",
            "senior",
        ]);
    for query in queries {
        let on_sqlite = search(&sqlite, query).await;
        let on_postgres = search(&postgres, query).await;
        let shape = |answer: &Value| {
            let edges = answer["data"]["postings"]["edges"]
                .as_array()
                .unwrap()
                .clone();
            edges
                .into_iter()
                .map(|edge| json!([edge["node"]["title"], edge["highlights"]]))
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&on_sqlite), shape(&on_postgres), "{query}");
        assert_eq!(
            on_sqlite["data"]["postings"]["totalCount"],
            on_postgres["data"]["postings"]["totalCount"],
            "{query}"
        );
    }
}

async fn relevance_pages_are_stable_and_complete(backend: Backend) {
    let app = spawn_app_with_sample(backend, |_| {}).await;
    let whole = titles(&search(&app, "engineer OR specialist").await);
    assert!(whole.len() >= 6, "{whole:?}");
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .request()
            .query(SEARCH)
            .variables(json!({ "q": "engineer OR specialist", "first": 2, "after": after }))
            .send()
            .await
            .json();
        paged.extend(titles(&page));
        let info = &page["data"]["postings"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(paged, whole);
}

async fn highlights_point_at_the_matched_words(backend: Backend) {
    let app = spawn_app_with_sample(backend, |_| {}).await;
    let answer = search(&app, "ENGINEERS").await;
    let edge = &answer["data"]["postings"]["edges"][0];
    let highlight = &edge["highlights"][0];
    assert_eq!(highlight["field"], "TITLE", "{edge}");
    let text: Vec<char> = highlight["text"].as_str().unwrap().chars().collect();
    let matches = highlight["matches"].as_array().unwrap();
    assert!(!matches.is_empty());
    for range in matches {
        let start = range["start"].as_u64().unwrap() as usize;
        let length = range["length"].as_u64().unwrap() as usize;
        let word: String = text[start..start + length].iter().collect();
        assert_eq!(word.to_lowercase(), "engineer", "{highlight}");
    }
    // Offsets count code points: a word after "Göteborg" in a posting of our own.
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write postings:read", &[company.id]);
    let created = app
        .request()
        .token(&writer)
        .query("mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { id } } }")
        .variables(json!({ "input": {
            "companyId": fixtures::company_id(&company),
            "title": "Göteborg 🚢 Hamnlots",
            "language": "sv",
            "description": "Hamnen i Göteborg.",
            "locations": [{ "city": "Göteborg", "country": "SE" }],
        } }))
        .send()
        .await
        .data()["createPosting"]["posting"]["id"]
        .clone();
    let published = app
        .request()
        .token(&writer)
        .query("mutation($input: PublishPostingInput!) { publishPosting(input: $input) { posting { status } } }")
        .variables(json!({ "input": { "id": created } }))
        .send()
        .await;
    assert_eq!(
        published.data()["publishPosting"]["posting"]["status"],
        "PUBLISHED"
    );
    let answer = search(&app, "hamnlots").await;
    assert_eq!(
        answer["data"]["postings"]["edges"][0]["highlights"][0],
        json!({ "field": "TITLE", "text": "Göteborg 🚢 Hamnlots", "matches": [{ "start": 11, "length": 8 }] })
    );
}

async fn bad_input_is_literal_text_never_an_error(backend: Backend) {
    let app = spawn_app_with_sample(backend, |_| {}).await;
    for query in [
        "\"",
        "\"\"\"",
        "'",
        "%",
        "_",
        "\\",
        "100%_\\",
        "a & b",
        "a | b",
        "!a",
        "a <-> b",
        "a:*",
        "NEAR(a b)",
        "a AND b",
        "NOT a",
        "a*",
        "^a",
        "title:engineer",
        "col:x",
        "') OR 1=1 --",
        "'; DROP TABLE posting; --",
        "\u{0}",
        "a\u{0}b",
        "\u{202e}engineer",
        "\t\n",
        "",
        "-",
        "- -",
        "OR",
        "OR OR OR",
        "\"engineer",
        "engineer\"",
        "-\"",
        "(",
        ")",
        "{}",
        "[",
        "*",
    ] {
        let answer = search(&app, query).await;
        assert!(
            answer["data"]["postings"]["totalCount"].is_number(),
            "{query:?}: {answer}"
        );
    }
    // Empty and whitespace-only: no text condition.
    let all = search(&app, "").await["data"]["postings"]["totalCount"].clone();
    assert_eq!(all, 27);
    assert_eq!(
        search(&app, "  \t ").await["data"]["postings"]["totalCount"],
        all
    );
    // Over the documented limits: BAD_USER_INPUT naming the field.
    for query in [
        "x".repeat(201),
        (0..13)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" "),
    ] {
        let response = app
            .request()
            .query(SEARCH)
            .variables(json!({ "q": query }))
            .send()
            .await;
        let body = response.json();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "filter.query",
            "{body}"
        );
    }
}

async fn writes_change_search_results_at_once(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token(
        "postings:write postings:read companies:write",
        &[company.id],
    );
    let write = |query: &'static str, input: Value| {
        let app = &app;
        let writer = &writer;
        async move {
            let body = app
                .request()
                .token(writer)
                .query(query)
                .variables(json!({ "input": input }))
                .send()
                .await
                .json();
            assert!(body.get("errors").is_none(), "{body}");
            body
        }
    };
    let created = write(
        "mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { id } } }",
        json!({
            "companyId": fixtures::company_id(&company),
            "title": "Crane operator",
            "description": "Lifting containers.",
            "responsibilities": ["Inspect the spreader before each shift"],
            "locations": [{ "city": "Malmö", "country": "SE" }],
        }),
    )
    .await;
    let id = created["data"]["createPosting"]["posting"]["id"].clone();
    write(
        "mutation($input: PublishPostingInput!) { publishPosting(input: $input) { posting { id } } }",
        json!({ "id": id }),
    )
    .await;
    let count = |q: &'static str| {
        let app = &app;
        async move { search(app, q).await["data"]["postings"]["totalCount"].clone() }
    };
    assert_eq!(count("crane").await, 1);
    assert_eq!(count("crane").await, 1, "cached");
    assert_eq!(count("spreader").await, 1, "the duties are searched");
    write(
        "mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { id } } }",
        json!({ "id": id, "expectedVersion": 2, "title": "Harbour pilot", "responsibilities": ["Board the ships"] }),
    )
    .await;
    assert_eq!(count("crane").await, 0);
    assert_eq!(count("pilot").await, 1);
    assert_eq!(count("spreader").await, 0);
    assert_eq!(count("board ships").await, 1);
    write(
        "mutation($input: UpdateCompanyInput!) { updateCompany(input: $input) { company { id } } }",
        json!({ "id": fixtures::company_id(&company), "name": "Nordhamn" }),
    )
    .await;
    assert_eq!(count("nordhamn").await, 1, "the company's name is searched");
    write(
        "mutation($input: PostingRefInput!) { closePosting(input: $input) { posting { id } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        count("pilot").await,
        0,
        "anonymous readers see published postings only"
    );
}

/// With the response cache off, a search asked again is answered on PostgreSQL by one
/// statement (the pushdown), byte for byte as async-graphql answered it, cursors included;
/// on SQLite, by the generic path again.
async fn a_repeated_search_is_pushed_down_and_answers_the_same(backend: Backend) {
    const PAGE: &str = "query($q: String, $after: String) { postings(filter: { query: $q }, first: 3, after: $after) { edges { cursor node { title company { name } locations { city } } } pageInfo { hasNextPage endCursor } } }";
    let postgres = matches!(backend, Backend::Postgres { .. });
    let app = spawn_app_with_sample(backend, |settings| settings.cache.enabled = false).await;
    let answered = "jobgraph_pushdown_total{outcome=\"answered\"}";
    for q in [
        "engineer",
        "göteborg OR stockholm -deltid",
        "\"site reliability\"",
    ] {
        let mut after = Value::Null;
        loop {
            let variables = json!({ "q": q, "after": after });
            let send = || {
                app.request()
                    .query(PAGE)
                    .variables(variables.clone())
                    .send()
            };
            let first = send().await.text;
            let answered_before = app.metric(answered).await;
            let before = app.statements.get();
            let again = send().await.text;
            let statements = app.statements.get() - before;
            assert_eq!(again, first, "{q}");
            if postgres {
                assert_eq!(statements, 1, "{q}: one statement");
                assert!(
                    app.metric(answered).await > answered_before,
                    "{q}: pushed down"
                );
            }
            let page: Value = serde_json::from_str(&first).unwrap();
            let info = &page["data"]["postings"]["pageInfo"];
            if info["hasNextPage"] != true {
                break;
            }
            after = info["endCursor"].clone();
        }
    }
}

on_both_databases!(
    a_repeated_search_is_pushed_down_and_answers_the_same,
    relevance_cases_find_what_they_should,
    relevance_pages_are_stable_and_complete,
    highlights_point_at_the_matched_words,
    bad_input_is_literal_text_never_an_error,
    writes_change_search_results_at_once,
);
