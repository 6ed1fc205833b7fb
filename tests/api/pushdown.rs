//! Queries PostgreSQL answers whole: once async-graphql has answered a document, the same
//! document is answered by one statement that renders the JSON in the database. The answers
//! must be the same bytes, whatever the data, and anything the plan cannot answer exactly
//! must still get async-graphql's answer and errors.

use chrono::{TimeZone, Utc};
use entity::posting;
use entity::sections::{Description, DescriptionSection};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

use crate::fixtures::{self, PostingSpec, company_id, days_after_base, posting_id};
use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app_with};

on_both_databases!(
    a_document_seen_before_is_answered_by_one_statement_with_the_same_bytes,
    awkward_text_and_timestamps_render_as_graphql_renders_them,
    arguments_the_plan_cannot_take_get_the_same_errors_as_before,
    pages_answered_by_the_database_chain_through_their_cursors,
);

fn is_postgres(backend: &Backend) -> bool {
    matches!(backend, Backend::Postgres { .. })
}

async fn uncached(backend: Backend) -> TestApp {
    spawn_app_with(backend, |settings| settings.cache.enabled = false).await
}

/// The raw body of a successful request.
async fn body(app: &TestApp, query: &str, variables: Value) -> String {
    let response = app.request().query(query).variables(variables).send().await;
    assert_eq!(response.status, 200);
    response.text
}

/// The page the benchmark's Q2 asks for, through `edges`.
const PAGE: &str = "query($company: ID!) { postings(first: 50, filter: { companyIds: [$company] }) { \
    edges { cursor node { id title company { name } locations { city country } \
    requirements { kind text required } } } pageInfo { hasNextPage endCursor startCursor hasPreviousPage } } }";

async fn a_document_seen_before_is_answered_by_one_statement_with_the_same_bytes(backend: Backend) {
    let postgres = is_postgres(&backend);
    let app = uncached(backend).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    for day in 0..5 {
        fixtures::posting(
            &app.db,
            company.id,
            PostingSpec {
                posted_at: Some(days_after_base(day)),
                requirements: 8,
                locations: vec![(Some("Göteborg".into()), "SE".into()), (None, "NO".into())],
                ..Default::default()
            },
        )
        .await;
    }
    let variables = json!({ "company": company_id(&company) });
    let first = body(&app, PAGE, variables.clone()).await;
    let answered = "jobgraph_pushdown_total{outcome=\"answered\"}";
    let answered_before = app.metric(answered).await;
    let before = app.statements.get();
    let again = body(&app, PAGE, variables.clone()).await;
    let statements = app.statements.get() - before;
    assert!(first.contains("\"Requirement 7\""), "{first}");
    assert_eq!(again, first);
    if postgres {
        assert_eq!(
            statements, 1,
            "the database answers the page in one statement"
        );
        assert!(
            app.metric(answered).await > answered_before,
            "the answer is counted"
        );
    }

    let one = "query($id: ID!) { posting(id: $id) { id title summary description { heading paragraphs items } \
        company { name slug } requirements { kind text required yearsMin } } }";
    let id = app
        .request()
        .query(PAGE)
        .variables(variables)
        .send()
        .await
        .data()["postings"]["edges"][0]["node"]["id"]
        .clone();
    let first = body(&app, one, json!({ "id": id })).await;
    let before = app.statements.get();
    let again = body(&app, one, json!({ "id": id })).await;
    if postgres {
        assert_eq!(app.statements.get() - before, 1);
    }
    assert_eq!(again, first);
    assert!(first.contains("\"About the role\""), "{first}");
}

/// Text that JSON must escape, text that looks like JSON, no text at all, and timestamps with
/// and without fractions of a second.
async fn awkward_text_and_timestamps_render_as_graphql_renders_them(backend: Backend) {
    let postgres = is_postgres(&backend);
    let app = uncached(backend).await;
    let company = fixtures::company(&app.db, "awkward", "Quote \" and \\ backslash").await;
    let model = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let awkward = "tab\there, newline\nthere, \u{1} control, \"quoted\", \\ back, ünïcödé, 😀, \u{2028}, </script>";
    let mut active: posting::ActiveModel = model.clone().into();
    active.title = Set(awkward.to_owned());
    active.summary = Set(None);
    active.travel = Set(Some("\", \"".to_owned()));
    active.valid_through = Set(Some(
        Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap()
            + chrono::Duration::microseconds(123_456),
    ));
    active.posted_at = Set(Some(
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap() + chrono::Duration::milliseconds(70),
    ));
    active.description = Set(Description(vec![
        DescriptionSection {
            heading: None,
            paragraphs: vec![],
            items: vec![],
        },
        DescriptionSection {
            heading: Some(awkward.to_owned()),
            paragraphs: vec!["a\", \"b".to_owned(), "\\".to_owned(), "\", ".to_owned()],
            items: vec![awkward.to_owned(), String::new()],
        },
    ]));
    active.update(&app.db).await.unwrap();
    let fields = "__typename id slug title summary department occupation employmentType \
        remotePolicy travel language status postedAt validThrough applyUrl sourceUrl version \
        createdAt updatedAt description { __typename heading paragraphs items } \
        company { __typename id name description createdAt } \
        requirements { __typename id kind required yearsMin yearsMax } locations { __typename region city country }";
    for query in [
        format!("query($id: ID!) {{ posting(id: $id) {{ {fields} }} }}"),
        format!("{{ postings {{ nodes {{ {fields} }} }} }}"),
    ] {
        let variables = json!({ "id": posting_id(&model) });
        let generic = body(&app, &query, variables.clone()).await;
        let before = app.statements.get();
        let pushed_down = body(&app, &query, variables.clone()).await;
        if postgres {
            assert_eq!(app.statements.get() - before, 1, "answered by the database");
        }
        assert!(
            generic.contains("2026-12-31T23:59:59.123456+00:00"),
            "{generic}"
        );
        assert!(
            generic.contains("2026-01-02T03:04:05.070+00:00"),
            "{generic}"
        );
        assert!(!generic.contains("\"errors\""), "{generic}");
        assert_eq!(pushed_down, generic);
    }
}

async fn arguments_the_plan_cannot_take_get_the_same_errors_as_before(backend: Backend) {
    let app = uncached(backend).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    let model = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let one = "query($id: ID!) { posting(id: $id) { title } }";
    let page = "query($after: String, $filter: PostingFilterInput) { postings(first: 5, after: $after, filter: $filter) { nodes { title } } }";
    // Learned from a clean answer first.
    assert_eq!(
        app.request()
            .query(one)
            .variables(json!({ "id": posting_id(&model) }))
            .send()
            .await
            .data()["posting"]["title"],
        "Engineer"
    );
    assert_eq!(
        app.request().query(page).send().await.data()["postings"]["nodes"][0]["title"],
        "Engineer"
    );
    // The id of a company, a missing variable, a forged cursor, an empty filter list.
    let wrong_kind = app
        .request()
        .query(one)
        .variables(json!({ "id": company_id(&company) }))
        .send()
        .await
        .ok_json();
    assert_eq!(error_code(&wrong_kind), "BAD_USER_INPUT", "{wrong_kind}");
    assert_eq!(wrong_kind["data"]["posting"], Value::Null);
    let missing = app.request().query(one).send().await.ok_json();
    assert!(missing["errors"].is_array(), "{missing}");
    let forged = app
        .request()
        .query(page)
        .variables(json!({ "after": "bm90LmEuY3Vyc29y.AAAA" }))
        .send()
        .await
        .ok_json();
    assert_eq!(error_code(&forged), "BAD_USER_INPUT", "{forged}");
    let empty = app
        .request()
        .query(page)
        .variables(json!({ "filter": { "departments": [] } }))
        .send()
        .await
        .ok_json();
    let expected = app
        .request().query("query($filter: PostingFilterInput) { postings(first: 5, filter: $filter) { nodes { title } } }").variables(json!({ "filter": { "departments": [] } })).send().await.ok_json();
    let messages = |body: &Value| -> Vec<Value> {
        body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|error| error["message"].clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(empty["data"], expected["data"]);
    assert_eq!(messages(&empty), messages(&expected));
    // A field the input type does not have is refused, learned document or not.
    let page_of_company = "query($company: ID!) { postings(first: 5, filter: { companyIds: [$company] }) { nodes { title } } }";
    let company_variables = json!({ "company": company_id(&company) });
    assert_eq!(
        app.request()
            .query(page_of_company)
            .variables(company_variables.clone())
            .send()
            .await
            .data()["postings"]["nodes"][0]["title"],
        "Engineer"
    );
    for _ in 0..2 {
        let bogus = app
            .request()
            .query(page)
            .variables(json!({ "filter": { "bogus": true } }))
            .send()
            .await
            .ok_json();
        assert!(bogus["errors"].is_array(), "{bogus}");
        assert_eq!(bogus.get("data"), None, "{bogus}");
        let not_an_id = app
            .request()
            .query(page_of_company)
            .variables(json!({ "company": { "id": 1 } }))
            .send()
            .await
            .ok_json();
        assert!(not_an_id["errors"].is_array(), "{not_an_id}");
    }
    // A posting nobody may see is null, without an error.
    let unknown = app
        .request().query(one).variables(json!({ "id": posting_id(&posting::Model { id: uuid::Uuid::now_v7(), ..model.clone() }) })).send().await.ok_json();
    assert_eq!(unknown, json!({ "data": { "posting": null } }));
}

async fn pages_answered_by_the_database_chain_through_their_cursors(backend: Backend) {
    let app = uncached(backend).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    for day in 0..7 {
        fixtures::posting(
            &app.db,
            company.id,
            PostingSpec {
                title: format!("Posting {day}"),
                posted_at: Some(days_after_base(day % 3)),
                ..Default::default()
            },
        )
        .await;
    }
    let query = "query($after: String) { postings(first: 3, after: $after) { \
        edges { cursor node { title } } pageInfo { hasNextPage endCursor } } }";
    // Twice over: the first walk is answered by async-graphql, the second by the database.
    let mut walks = Vec::new();
    for _ in 0..2 {
        let mut titles = Vec::new();
        let mut after = Value::Null;
        loop {
            let data = app
                .request()
                .query(query)
                .variables(json!({ "after": after }))
                .send()
                .await
                .data();
            let page = &data["postings"];
            let edges = page["edges"].as_array().unwrap();
            for edge in edges {
                titles.push(edge["node"]["title"].as_str().unwrap().to_owned());
            }
            assert_eq!(
                page["pageInfo"]["endCursor"],
                edges
                    .last()
                    .map_or(Value::Null, |edge| edge["cursor"].clone())
            );
            if page["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        walks.push(titles);
    }
    assert_eq!(walks[0].len(), 7);
    let mut distinct = walks[0].clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 7, "no posting twice: {:?}", walks[0]);
    assert_eq!(walks[0], walks[1]);
}
