//! Typeahead over the sample catalog, on both databases: word-start matching without regard
//! to case or accents, a partial last word after whole ones, counts equal to what each
//! suggestion's filter finds, visibility respected, bad input answered plainly, writes seen at
//! once, and the same suggestions on SQLite and PostgreSQL.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::{
    Backend, TestApp, error_code, on_both_databases, spawn_app_with, spawn_app_with_sample,
};
use crate::tokens::token;

const SUGGEST: &str = "query($prefix: String!, $first: Int) { suggest(prefix: $prefix, first: $first) { text kind count } }";

async fn suggest(app: &TestApp, prefix: &str, token: Option<&str>) -> Vec<Value> {
    let body = app
        .request()
        .maybe_token(token)
        .query(SUGGEST)
        .variables(json!({ "prefix": prefix, "first": 50 }))
        .send()
        .await
        .json();
    assert!(body.get("errors").is_none(), "{prefix}: {body}");
    body["data"]["suggest"].as_array().unwrap().clone()
}

fn has(suggestions: &[Value], text: &str, kind: &str) -> bool {
    suggestions
        .iter()
        .any(|s| s["text"] == text && s["kind"] == kind)
}

async fn suggestions_match_word_starts_and_count_what_their_filter_finds(backend: Backend) {
    let app = spawn_app_with_sample(backend, |_| {}).await;
    let engineering = suggest(&app, "eng", None).await;
    assert!(
        has(&engineering, "Engineering", "DEPARTMENT"),
        "{engineering:?}"
    );
    assert!(
        has(&engineering, "Backend Engineer", "TITLE"),
        "{engineering:?}"
    );
    for spelling in ["göt", "GOT", "Go\u{308}t", "gÖtEb"] {
        assert!(
            has(&suggest(&app, spelling, None).await, "Göteborg", "CITY"),
            "{spelling}"
        );
    }
    let partial = suggest(&app, "senior fr", None).await;
    assert_eq!(
        partial
            .iter()
            .map(|s| s["text"].clone())
            .collect::<Vec<_>>(),
        [json!("Senior Frontend Engineer")]
    );
    assert!(
        suggest(&app, "utv", None).await.is_empty(),
        "word starts only"
    );

    // Every count is what the suggestion's own filter finds; the most postings first.
    for prefix in ["s", "eng", "göt", "c", "o"] {
        let suggestions = suggest(&app, prefix, None).await;
        assert!(!suggestions.is_empty(), "{prefix}");
        let counts: Vec<u64> = suggestions
            .iter()
            .map(|s| s["count"].as_u64().unwrap())
            .collect();
        assert!(
            counts.windows(2).all(|pair| pair[0] >= pair[1]),
            "{prefix}: {counts:?}"
        );
        for suggestion in suggestions {
            let text = suggestion["text"].clone();
            let filter = match suggestion["kind"].as_str().unwrap() {
                "DEPARTMENT" => json!({ "departments": [text] }),
                "OCCUPATION" => json!({ "occupations": [text] }),
                "CITY" => json!({ "locations": [{ "city": text }] }),
                _ => continue,
            };
            let found = app
                .request()
                .query("query($filter: PostingFilterInput) { postings(filter: $filter) { totalCount } }")
                .variables(json!({ "filter": filter }))
                .send()
                .await
                .data()["postings"]["totalCount"]
                .clone();
            assert_eq!(suggestion["count"], found, "{suggestion}");
        }
    }
}

async fn suggestions_show_only_what_the_reader_may_see(backend: Backend) {
    let app = spawn_app_with_sample(backend, |_| {}).await;
    // Lumen's "Data Engineer" is closed: anonymous readers are not offered it.
    assert!(!has(
        &suggest(&app, "data eng", None).await,
        "Data Engineer",
        "TITLE"
    ));
    let lumen = entity::company::Entity::find()
        .filter(entity::company::Column::Slug.eq("lumen-betalningar"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the sample's Lumen");
    let reader = token("postings:read", &[lumen.id]);
    assert!(has(
        &suggest(&app, "data eng", Some(&reader)).await,
        "Data Engineer",
        "TITLE"
    ));
}

async fn bad_prefixes_are_answered_plainly(backend: Backend) {
    let app = spawn_app_with_sample(backend, |_| {}).await;
    for prefix in [
        "",
        "   ",
        "%",
        "_",
        "\\",
        "'",
        "\"",
        "a%",
        "e_g",
        "\u{0}",
        "*",
        "eng*",
        ":",
        "' OR 1=1 --",
    ] {
        let suggestions = suggest(&app, prefix, None).await;
        if prefix.trim().is_empty() || !prefix.chars().any(char::is_alphanumeric) {
            assert!(suggestions.is_empty(), "{prefix:?}: {suggestions:?}");
        }
    }
    for (variables, field) in [
        (json!({ "prefix": "x".repeat(101) }), "prefix"),
        (json!({ "prefix": "eng", "first": 0 }), "first"),
        (json!({ "prefix": "eng", "first": 51 }), "first"),
    ] {
        let body = app
            .request()
            .query(SUGGEST)
            .variables(variables)
            .send()
            .await
            .json();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
}

/// Typeahead reads word starts stored with each posting: a write changes what is suggested
/// in the same transaction, with the response cache on.
async fn writes_change_suggestions_at_once(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write postings:read", &[company.id]);
    let write = |query: &'static str, input: Value| {
        app.request()
            .token(&writer)
            .query(query)
            .variables(json!({ "input": input }))
            .send()
    };
    let created = write(
        "mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { id } } }",
        json!({
            "companyId": fixtures::company_id(&company),
            "title": "Senior Stevedore",
            "department": "Stevedoring",
            "description": "Loading ships.",
            "locations": [{ "city": "Strängnäs", "country": "SE" }],
        }),
    )
    .await
    .data();
    let id = created["createPosting"]["posting"]["id"].clone();
    assert!(suggest(&app, "steve", None).await.is_empty(), "a draft");
    write(
        "mutation($input: PublishPostingInput!) { publishPosting(input: $input) { posting { id } } }",
        json!({ "id": id }),
    )
    .await
    .data();
    let found = suggest(&app, "steve", None).await;
    assert_eq!(
        found,
        [
            json!({ "text": "Senior Stevedore", "kind": "TITLE", "count": 1 }),
            json!({ "text": "Stevedoring", "kind": "DEPARTMENT", "count": 1 }),
        ]
    );
    assert_eq!(suggest(&app, "steve", None).await, found, "cached");
    assert!(has(
        &suggest(&app, "strangn", None).await,
        "Strängnäs",
        "CITY"
    ));
    write(
        "mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { id } } }",
        json!({ "id": id, "expectedVersion": 2, "title": "Harbour pilot" }),
    )
    .await
    .data();
    assert_eq!(
        suggest(&app, "steve", None).await,
        [json!({ "text": "Stevedoring", "kind": "DEPARTMENT", "count": 1 })]
    );
    assert!(has(
        &suggest(&app, "harbour p", None).await,
        "Harbour pilot",
        "TITLE"
    ));
    write(
        "mutation($input: PostingRefInput!) { closePosting(input: $input) { posting { id } } }",
        json!({ "id": id }),
    )
    .await
    .data();
    assert!(suggest(&app, "steve", None).await.is_empty(), "closed");
}

on_both_databases!(
    suggestions_match_word_starts_and_count_what_their_filter_finds,
    suggestions_show_only_what_the_reader_may_see,
    bad_prefixes_are_answered_plainly,
    writes_change_suggestions_at_once,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_suggest_the_same() {
    let Some(postgres) = Backend::postgres() else {
        return;
    };
    let sqlite = spawn_app_with_sample(Backend::Sqlite, |_| {}).await;
    let postgres = spawn_app_with_sample(postgres, |_| {}).await;
    for prefix in ["s", "e", "göt", "senior", "c", "t", "m"] {
        assert_eq!(
            suggest(&sqlite, prefix, None).await,
            suggest(&postgres, prefix, None).await,
            "{prefix}"
        );
    }
}
