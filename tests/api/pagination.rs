//! Relay pagination over keysets: both directions, inserts between pages, bad cursors, caps.

use serde_json::{Value, json};

use crate::fixtures::{self, PostingSpec, days_after_base};
use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};

on_both_databases!(
    paging_forwards_visits_every_posting_once_in_order,
    paging_backwards_from_the_end_visits_every_posting_once_in_order,
    a_page_between_two_cursors_holds_the_postings_between_them,
    first_zero_is_an_empty_page_that_still_says_whether_there_is_more,
    postings_inserted_between_pages_are_neither_repeated_nor_skipped,
    a_malformed_tampered_or_foreign_cursor_is_bad_user_input,
    page_sizes_are_capped_and_first_and_last_do_not_mix,
    companies_page_by_name,
);

const PAGE: &str =
    "query($first: Int, $after: String, $last: Int, $before: String, $order: PostingOrderInput) {
    postings(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
        totalCount
        edges { cursor node { title } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
}";

fn titles(data: &Value) -> Vec<String> {
    data["postings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn page(app: &TestApp, variables: Value) -> Value {
    app.request()
        .query(PAGE)
        .variables(variables)
        .send()
        .await
        .data()
}

/// A fresh server with "Posting 00" to "Posting 24", one day apart; returns it and the titles
/// in order.
async fn twenty_five_postings(backend: Backend) -> (TestApp, Vec<String>) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let mut expected = Vec::new();
    for index in 0..25 {
        let title = format!("Posting {index:02}");
        fixtures::posting(
            &app.db,
            company.id,
            PostingSpec {
                title: title.clone(),
                posted_at: Some(days_after_base(index)),
                requirements: 0,
                ..Default::default()
            },
        )
        .await;
        expected.push(title);
    }
    (app, expected)
}

fn by_title() -> Value {
    json!({ "field": "TITLE", "direction": "ASC" })
}

async fn paging_forwards_visits_every_posting_once_in_order(backend: Backend) {
    let (app, expected) = twenty_five_postings(backend).await;
    let order = by_title();
    // Forwards, ten at a time.
    let mut forwards = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let data = page(&app, json!({ "first": 10, "after": after, "order": order })).await;
        assert_eq!(data["postings"]["totalCount"], json!(25));
        let info = &data["postings"]["pageInfo"];
        assert_eq!(info["hasPreviousPage"], json!(pages > 0));
        forwards.extend(titles(&data));
        pages += 1;
        if !info["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = info["endCursor"].clone();
    }
    assert_eq!(pages, 3);
    assert_eq!(forwards, expected);
}

async fn paging_backwards_from_the_end_visits_every_posting_once_in_order(backend: Backend) {
    let (app, expected) = twenty_five_postings(backend).await;
    let order = by_title();
    // Backwards from the end, ten at a time.
    let mut backwards: Vec<Vec<String>> = Vec::new();
    let mut before = Value::Null;
    loop {
        let data = page(
            &app,
            json!({ "last": 10, "before": before, "order": order }),
        )
        .await;
        let info = &data["postings"]["pageInfo"];
        assert_eq!(info["hasNextPage"], json!(!before.is_null()));
        backwards.push(titles(&data));
        if !info["hasPreviousPage"].as_bool().unwrap() {
            break;
        }
        before = info["startCursor"].clone();
    }
    assert_eq!(backwards.len(), 3);
    assert_eq!(backwards[0], expected[15..]);
    assert_eq!(backwards[2], expected[..5]);
    let all: Vec<String> = backwards.into_iter().rev().flatten().collect();
    assert_eq!(all, expected);
}

async fn a_page_between_two_cursors_holds_the_postings_between_them(backend: Backend) {
    let (app, expected) = twenty_five_postings(backend).await;
    let order = by_title();
    let first = page(&app, json!({ "first": 5, "order": order })).await;
    let start = first["postings"]["edges"][1]["cursor"].clone();
    let end = first["postings"]["edges"][4]["cursor"].clone();
    let window = page(
        &app,
        json!({ "first": 10, "after": start, "before": end, "order": order }),
    )
    .await;
    assert_eq!(titles(&window), expected[2..4]);
}

async fn first_zero_is_an_empty_page_that_still_says_whether_there_is_more(backend: Backend) {
    let (app, _) = twenty_five_postings(backend).await;
    let empty = page(&app, json!({ "first": 0 })).await;
    assert_eq!(titles(&empty), Vec::<String>::new());
    assert_eq!(empty["postings"]["pageInfo"]["hasNextPage"], json!(true));
}

async fn postings_inserted_between_pages_are_neither_repeated_nor_skipped(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    for index in 0..10 {
        fixtures::posting(
            &app.db,
            company.id,
            PostingSpec {
                title: format!("Old {index:02}"),
                posted_at: Some(days_after_base(index * 2)),
                requirements: 0,
                ..Default::default()
            },
        )
        .await;
    }
    // Newest first: Old 09, Old 08, ...
    let first = page(&app, json!({ "first": 4 })).await;
    assert_eq!(titles(&first), ["Old 09", "Old 08", "Old 07", "Old 06"]);

    // Between requests: one posting newer than everything, one between Old 03 and Old 02, one
    // tied in date with Old 06 (the cursor's row) and one tied with Old 05.
    for (title, posted) in [
        ("New top", 100),
        ("New middle", 5),
        ("Tie 06", 12),
        ("Tie 05", 10),
    ] {
        fixtures::posting(
            &app.db,
            company.id,
            PostingSpec {
                title: title.into(),
                posted_at: Some(days_after_base(posted)),
                requirements: 0,
                ..Default::default()
            },
        )
        .await;
    }

    let mut rest = Vec::new();
    let mut after = first["postings"]["pageInfo"]["endCursor"].clone();
    loop {
        let data = page(&app, json!({ "first": 4, "after": after })).await;
        rest.extend(titles(&data));
        if !data["postings"]["pageInfo"]["hasNextPage"]
            .as_bool()
            .unwrap()
        {
            break;
        }
        after = data["postings"]["pageInfo"]["endCursor"].clone();
    }
    // Every old posting after the cursor comes exactly once; the newer insert never appears.
    let old: Vec<&String> = rest
        .iter()
        .filter(|title| title.starts_with("Old"))
        .collect();
    assert_eq!(
        old,
        ["Old 05", "Old 04", "Old 03", "Old 02", "Old 01", "Old 00"]
    );
    assert!(!rest.iter().any(|title| title == "New top"), "{rest:?}");
    assert!(rest.iter().any(|title| title == "New middle"), "{rest:?}");
    assert!(rest.iter().any(|title| title == "Tie 05"), "{rest:?}");
    let mut unique = rest.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), rest.len(), "a row was repeated: {rest:?}");
    // A tie with the cursor's own row sorts by id: inserted later, its id is greater, so in
    // newest-first order it comes before the cursor and is not on later pages.
    assert!(!rest.iter().any(|title| title == "Tie 06"), "{rest:?}");
}

async fn a_malformed_tampered_or_foreign_cursor_is_bad_user_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    for index in 0..3 {
        fixtures::posting(
            &app.db,
            company.id,
            PostingSpec {
                title: format!("P{index}"),
                ..Default::default()
            },
        )
        .await;
    }
    let data = page(&app, json!({ "first": 1 })).await;
    let cursor = data["postings"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut tampered = cursor.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let company_cursor = app
        .request()
        .query("{ companies(first: 1) { pageInfo { endCursor } } }")
        .send()
        .await
        .data()["companies"]["pageInfo"]["endCursor"]
        .clone();

    for (variables, field) in [
        (json!({ "first": 1, "after": "not a cursor" }), "after"),
        (json!({ "first": 1, "after": "" }), "after"),
        (json!({ "first": 1, "after": tampered }), "after"),
        (
            json!({ "last": 1, "before": format!("{cursor}x") }),
            "before",
        ),
        // A cursor of another order, and one of another list.
        (
            json!({ "first": 1, "after": cursor, "order": { "field": "TITLE" } }),
            "after",
        ),
        (json!({ "first": 1, "after": company_cursor }), "after"),
    ] {
        let body = app
            .request()
            .query(PAGE)
            .variables(variables.clone())
            .send()
            .await
            .ok_json();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{variables}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], json!(field));
        assert_eq!(body["data"]["postings"], Value::Null);
    }
}

async fn page_sizes_are_capped_and_first_and_last_do_not_mix(backend: Backend) {
    let app = spawn_app(backend).await;
    for (variables, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "first": -1 }), "first"),
        (json!({ "last": 1000 }), "last"),
        (json!({ "first": 1, "last": 1 }), "last"),
    ] {
        let body = app
            .request()
            .query(PAGE)
            .variables(variables.clone())
            .send()
            .await
            .ok_json();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{variables}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], json!(field));
    }
    let data = page(&app, json!({ "first": 100 })).await;
    assert_eq!(data["postings"]["totalCount"], json!(0));
}

async fn companies_page_by_name(backend: Backend) {
    let app = spawn_app(backend).await;
    for name in ["Cobalt", "Amber", "Birch"] {
        fixtures::company(&app.db, &name.to_lowercase(), name).await;
    }
    let query = "query($after: String) { companies(first: 2, after: $after) { totalCount nodes { name } pageInfo { hasNextPage endCursor } } }";
    let first = app.request().query(query).send().await.data();
    assert_eq!(
        first["companies"]["nodes"],
        json!([{ "name": "Amber" }, { "name": "Birch" }])
    );
    assert_eq!(first["companies"]["totalCount"], json!(3));
    assert_eq!(first["companies"]["pageInfo"]["hasNextPage"], json!(true));
    let after = first["companies"]["pageInfo"]["endCursor"].clone();
    let second = app
        .request()
        .query(query)
        .variables(json!({ "after": after }))
        .send()
        .await
        .data();
    assert_eq!(second["companies"]["nodes"], json!([{ "name": "Cobalt" }]));
    assert_eq!(second["companies"]["pageInfo"]["hasNextPage"], json!(false));
}
