//! Property tests over generated catalogs, filters, orders and mutations (proptest, with a
//! bounded number of cases so CI time stays predictable).
//!
//! - Paging forwards or backwards through any filter and order, while postings are inserted
//!   between pages, yields every posting that existed before and matches, exactly once.
//! - A server with the response cache answers exactly as one without it, over one database,
//!   for any sequence of queries and mutations.

use std::collections::BTreeMap;

use entity::enums::{EmploymentType, RemotePolicy};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use crate::fixtures::{self, PostingSpec, days_after_base, posting_id};
use crate::helpers::{Backend, TestApp, redis_url, spawn_app_with};
use crate::tokens::token;

const DEPARTMENTS: [&str; 3] = ["Engineering", "Sales", "Support"];
const LANGUAGES: [&str; 2] = ["en", "sv"];
const TITLES: [&str; 4] = ["Alpha", "Beta", "Beta", "Gamma"];

#[derive(Clone, Debug)]
struct Spec {
    department: usize,
    language: usize,
    title: usize,
    /// Days after the base time; equal days make ties broken by id.
    posted: i64,
    remote: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..DEPARTMENTS.len(),
        0..LANGUAGES.len(),
        0..TITLES.len(),
        0i64..6,
        any::<bool>(),
    )
        .prop_map(|(department, language, title, posted, remote)| Spec {
            department,
            language,
            title,
            posted,
            remote,
        })
}

#[derive(Clone, Debug)]
struct Walk {
    catalog: Vec<Spec>,
    /// Postings inserted after each page, in turn.
    inserted: Vec<Spec>,
    departments: Vec<usize>,
    language: Option<usize>,
    order: (&'static str, &'static str),
    page_size: i32,
    backwards: bool,
}

fn walk() -> impl Strategy<Value = Walk> {
    (
        prop::collection::vec(spec(), 1..14),
        prop::collection::vec(spec(), 0..6),
        prop::collection::vec(0..DEPARTMENTS.len(), 0..3),
        prop::option::of(0..LANGUAGES.len()),
        prop::sample::select(vec![
            ("POSTED_AT", "DESC"),
            ("POSTED_AT", "ASC"),
            ("TITLE", "ASC"),
            ("TITLE", "DESC"),
            ("UPDATED_AT", "DESC"),
        ]),
        1i32..5,
        any::<bool>(),
    )
        .prop_map(
            |(catalog, inserted, departments, language, order, page_size, backwards)| Walk {
                catalog,
                inserted,
                departments,
                language,
                order,
                page_size,
                backwards,
            },
        )
}

fn posting_spec(spec: &Spec, title: String) -> PostingSpec {
    PostingSpec {
        title,
        department: Some(DEPARTMENTS[spec.department].to_owned()),
        language: LANGUAGES[spec.language].to_owned(),
        posted_at: Some(days_after_base(spec.posted)),
        updated_at: days_after_base(spec.posted),
        remote_policy: if spec.remote {
            RemotePolicy::Remote
        } else {
            RemotePolicy::Hybrid
        },
        employment_type: EmploymentType::FullTime,
        requirements: 0,
        ..Default::default()
    }
}

/// Runs `property` on each generated value, in a runtime of its own per case.
fn check<S: Strategy>(cases: u32, strategy: S, property: impl Fn(S::Value) -> BoxedCase)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        // Shrinking re-runs whole servers: a few steps say enough.
        max_shrink_iters: 8,
        ..Config::default()
    });
    let result = runner.run(&strategy, |value| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime
            .block_on(property(value))
            .map_err(TestCaseError::fail)
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

type BoxedCase = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>>;

fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(message()) }
}

async fn page(app: &TestApp, query: &str, variables: Value) -> Result<Value, String> {
    let response = app.request().query(query).variables(variables).send().await;
    let body = response.json();
    ensure(
        response.status == 200 && body.get("errors").is_none(),
        || format!("a page failed: {body}"),
    )?;
    Ok(body["data"]["postings"].clone())
}

async fn walk_once(walk: Walk) -> Result<(), String> {
    let app = spawn_app_with(Backend::Sqlite, |settings| settings.cache.enabled = false).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let mut before = BTreeMap::new();
    for (index, spec) in walk.catalog.iter().enumerate() {
        let title = format!("{} {index:02}", TITLES[spec.title]);
        let posting = fixtures::posting(&app.db, company.id, posting_spec(spec, title)).await;
        let matches = (walk.departments.is_empty() || walk.departments.contains(&spec.department))
            && walk
                .language
                .is_none_or(|language| language == spec.language);
        if matches {
            before.insert(posting_id(&posting), 0usize);
        }
    }
    let mut filter = serde_json::Map::new();
    if !walk.departments.is_empty() {
        let names: Vec<&str> = walk.departments.iter().map(|d| DEPARTMENTS[*d]).collect();
        filter.insert("departments".into(), json!(names));
    }
    if let Some(language) = walk.language {
        filter.insert("languages".into(), json!([LANGUAGES[language]]));
    }
    let order = json!({ "field": walk.order.0, "direction": walk.order.1 });
    let (size, cursor, next) = if walk.backwards {
        ("last", "before", "hasPreviousPage")
    } else {
        ("first", "after", "hasNextPage")
    };
    let query = format!(
        "query($filter: PostingFilterInput, $order: PostingOrderInput, $size: Int, $cursor: String) {{ \
         postings(filter: $filter, orderBy: $order, {size}: $size, {cursor}: $cursor) {{ \
         nodes {{ id }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"
    );
    let mut at: Value = Value::Null;
    let mut inserted = walk.inserted.iter().enumerate();
    for _ in 0..200 {
        let postings = page(
            &app,
            &query,
            json!({ "filter": filter, "order": order, "size": walk.page_size, "cursor": at }),
        )
        .await?;
        for node in postings["nodes"].as_array().into_iter().flatten() {
            if let Some(seen) = node["id"].as_str().and_then(|id| before.get_mut(id)) {
                *seen += 1;
            }
        }
        if !postings["pageInfo"][next].as_bool().unwrap_or(false) {
            let counts: Vec<usize> = before.values().copied().collect();
            return ensure(counts.iter().all(|count| *count == 1), || {
                format!("every matching posting once, got {counts:?} for {walk:?}")
            });
        }
        at = if walk.backwards {
            postings["pageInfo"]["startCursor"].clone()
        } else {
            postings["pageInfo"]["endCursor"].clone()
        };
        if let Some((index, spec)) = inserted.next() {
            let title = format!("{} new {index:02}", TITLES[spec.title]);
            fixtures::posting(&app.db, company.id, posting_spec(spec, title)).await;
        }
    }
    Err("the walk did not end".to_owned())
}

#[test]
fn paging_through_any_filter_and_order_while_postings_are_inserted_yields_each_once() {
    check(12, walk(), |walk| Box::pin(walk_once(walk)));
}

#[derive(Clone, Debug)]
enum Step {
    /// A query: the department and language filters to list by.
    Query(Option<usize>, Option<usize>),
    /// Rename posting `n` (modulo the catalog).
    Rename(usize, usize),
    /// Close posting `n`.
    Close(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (prop::option::of(0..DEPARTMENTS.len()), prop::option::of(0..LANGUAGES.len()))
            .prop_map(|(department, language)| Step::Query(department, language)),
        1 => (0usize..6, 0..TITLES.len()).prop_map(|(posting, title)| Step::Rename(posting, title)),
        1 => (0usize..6).prop_map(Step::Close),
    ]
}

const LIST: &str = "query($filter: PostingFilterInput) { postings(first: 50, filter: $filter) { \
    totalCount nodes { title department language status } } }";

async fn same_answers(catalog: Vec<Spec>, steps: Vec<Step>) -> Result<(), String> {
    let cached = spawn_app_with(Backend::Sqlite, |settings| {
        if let Some(url) = redis_url() {
            settings.cache.redis_url = Some(url.into());
        }
    })
    .await;
    let url = cached.database_url.clone();
    let uncached = spawn_app_with(Backend::Sqlite, |settings| {
        settings.database = api::config::DatabaseSettings::new(url);
        settings.cache.enabled = false;
    })
    .await;
    let company = fixtures::company(&cached.db, "acme", "Acme").await;
    let mut postings = Vec::new();
    for (index, spec) in catalog.iter().enumerate() {
        let title = format!("{} {index:02}", TITLES[spec.title]);
        postings.push(fixtures::posting(&cached.db, company.id, posting_spec(spec, title)).await);
    }
    let writer = token("postings:write", &[company.id]);
    let mut versions: Vec<i32> = postings.iter().map(|posting| posting.version).collect();
    for step in &steps {
        match step {
            Step::Query(department, language) => {
                let mut filter = serde_json::Map::new();
                if let Some(department) = department {
                    filter.insert("departments".into(), json!([DEPARTMENTS[*department]]));
                }
                if let Some(language) = language {
                    filter.insert("languages".into(), json!([LANGUAGES[*language]]));
                }
                let variables = json!({ "filter": filter });
                // Asked twice of the caching server: the second may be a hit.
                let first = page(&cached, LIST, variables.clone()).await?;
                let hit = page(&cached, LIST, variables.clone()).await?;
                let truth = page(&uncached, LIST, variables).await?;
                ensure(first == truth && hit == truth, || {
                    format!("cached {first} / {hit} but uncached {truth} after {steps:?}")
                })?;
            }
            Step::Rename(index, title) => {
                let index = index % postings.len();
                let response = cached
                    .request()
                    .token(&writer)
                    .query("mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { version } } }")
                    .variables(json!({ "input": {
                        "id": posting_id(&postings[index]),
                        "expectedVersion": versions[index],
                        "title": format!("{} renamed", TITLES[*title]),
                    } }))
                    .send()
                    .await
                    .json();
                if let Some(version) =
                    response["data"]["updatePosting"]["posting"]["version"].as_i64()
                {
                    versions[index] = version as i32;
                }
            }
            Step::Close(index) => {
                let index = index % postings.len();
                let response = cached
                    .request()
                    .token(&writer)
                    .query("mutation($input: PostingRefInput!) { closePosting(input: $input) { posting { version } } }")
                    .variables(json!({ "input": { "id": posting_id(&postings[index]), "expectedVersion": versions[index] } }))
                    .send()
                    .await
                    .json();
                if let Some(version) =
                    response["data"]["closePosting"]["posting"]["version"].as_i64()
                {
                    versions[index] = version as i32;
                }
            }
        }
    }
    Ok(())
}

#[test]
fn answers_with_the_cache_on_equal_answers_with_it_off_for_any_queries_and_mutations() {
    check(
        10,
        (
            prop::collection::vec(spec(), 1..6),
            prop::collection::vec(step(), 1..12),
        ),
        |(catalog, steps)| Box::pin(same_answers(catalog, steps)),
    );
}
