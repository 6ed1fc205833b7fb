//! Listing postings: every filter, every order, and drafts hidden everywhere.

use std::collections::BTreeSet;

use entity::enums::{EmploymentType, PostingStatus, RemotePolicy};
use serde_json::{Value, json};

use crate::fast_paths::{generic_fragment, generic_posting, one_pass_posting, operation};
use crate::fixtures::{self, PostingSpec, company_id, days_after_base, posting_id};
use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app, spawn_app_with};

on_both_databases!(
    every_filter_narrows_the_list_to_matching_postings,
    a_companys_own_list_takes_the_same_filter,
    filters_that_cannot_be_right_are_refused_with_the_field_named,
    every_order_lists_postings_in_that_order_with_ties_broken_by_id,
    anonymous_lists_hold_published_postings_only,
    unpublished_postings_and_their_requirements_are_null_to_anonymous_readers_by_every_lookup,
    a_published_posting_is_found_by_id_and_through_node,
    lists_of_plain_objects_answer_every_selection_as_graphql_would,
    aliases_in_a_list_of_plain_objects_answer_under_their_own_names,
    pages_read_the_description_whenever_their_selection_asks_for_it,
    postings_answer_every_selection_as_graphql_would,
    fields_sharing_a_response_key_are_merged_as_graphql_says,
);

async fn titles(app: &TestApp, filter: Value) -> BTreeSet<String> {
    let data = app
        .request().query("query($filter: PostingFilterInput) { postings(filter: $filter, first: 100) { totalCount nodes { title } } }").variables(json!({ "filter": filter })).send().await.data();
    let titles: BTreeSet<String> = data["postings"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        data["postings"]["totalCount"].as_u64(),
        Some(titles.len() as u64),
        "totalCount agrees with the list for {filter}"
    );
    titles
}

fn set(titles: &[&str]) -> BTreeSet<String> {
    titles.iter().map(|title| (*title).to_owned()).collect()
}

/// Nordvind's Alpha and Bravo and Lumen's Charlie and Delta, published, and Lumen's draft
/// Echo; each differs from the others in department, occupation, employment, remote policy,
/// language, places and date. Returns Nordvind and Lumen.
async fn five_postings(app: &TestApp) -> (entity::company::Model, entity::company::Model) {
    let nordvind = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    let lumen = fixtures::company(&app.db, "lumen", "Lumen").await;
    let city = |city: &str, country: &str| (Some(city.to_owned()), country.to_owned());
    let specs = [
        (
            &nordvind,
            PostingSpec {
                title: "Alpha".into(),
                department: Some("Engineering".into()),
                occupation: Some("Software developer".into()),
                locations: vec![city("Göteborg", "SE")],
                posted_at: Some(days_after_base(1)),
                ..Default::default()
            },
        ),
        (
            &nordvind,
            PostingSpec {
                title: "Bravo".into(),
                department: Some("Sales".into()),
                occupation: Some("Account manager".into()),
                employment_type: EmploymentType::PartTime,
                remote_policy: RemotePolicy::Onsite,
                language: "sv".into(),
                locations: vec![city("Stockholm", "SE"), city("Oslo", "NO")],
                posted_at: Some(days_after_base(2)),
                ..Default::default()
            },
        ),
        (
            &lumen,
            PostingSpec {
                title: "Charlie".into(),
                department: Some("Engineering".into()),
                occupation: Some("Consultant".into()),
                employment_type: EmploymentType::Contractor,
                remote_policy: RemotePolicy::Remote,
                locations: vec![],
                posted_at: Some(days_after_base(3)),
                ..Default::default()
            },
        ),
        (
            &lumen,
            PostingSpec {
                title: "Delta".into(),
                department: Some("Operations".into()),
                occupation: Some("Software developer".into()),
                language: "sv".into(),
                locations: vec![city("Austin", "US")],
                posted_at: Some(days_after_base(4)),
                ..Default::default()
            },
        ),
        (
            &lumen,
            PostingSpec {
                title: "Echo draft".into(),
                status: PostingStatus::Draft,
                department: Some("Engineering".into()),
                posted_at: None,
                ..Default::default()
            },
        ),
    ];
    for (company, spec) in specs {
        fixtures::posting(&app.db, company.id, spec).await;
    }
    (nordvind, lumen)
}

async fn every_filter_narrows_the_list_to_matching_postings(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, lumen) = five_postings(&app).await;

    let cases = [
        (json!(null), set(&["Alpha", "Bravo", "Charlie", "Delta"])),
        (
            json!({ "companyIds": [company_id(&lumen)] }),
            set(&["Charlie", "Delta"]),
        ),
        (
            json!({ "statuses": ["PUBLISHED"] }),
            set(&["Alpha", "Bravo", "Charlie", "Delta"]),
        ),
        (json!({ "statuses": ["DRAFT"] }), set(&[])),
        (
            json!({ "departments": ["Engineering"] }),
            set(&["Alpha", "Charlie"]),
        ),
        (
            json!({ "departments": ["Sales", "Operations"] }),
            set(&["Bravo", "Delta"]),
        ),
        (
            json!({ "occupations": ["Software developer"] }),
            set(&["Alpha", "Delta"]),
        ),
        (
            json!({ "locations": [{ "country": "SE" }] }),
            set(&["Alpha", "Bravo"]),
        ),
        (
            json!({ "locations": [{ "country": "no" }] }),
            set(&["Bravo"]),
        ),
        (
            json!({ "locations": [{ "city": "GÖTEBORG" }] }),
            set(&["Alpha"]),
        ),
        (
            json!({ "locations": [{ "city": "stockholm", "country": "SE" }] }),
            set(&["Bravo"]),
        ),
        (
            json!({ "locations": [{ "city": "Stockholm", "country": "US" }] }),
            set(&[]),
        ),
        (
            json!({ "locations": [{ "city": "Austin" }, { "city": "Göteborg" }] }),
            set(&["Alpha", "Delta"]),
        ),
        (
            json!({ "employmentTypes": ["PART_TIME", "CONTRACTOR"] }),
            set(&["Bravo", "Charlie"]),
        ),
        (json!({ "remotePolicies": ["REMOTE"] }), set(&["Charlie"])),
        (
            json!({ "remotePolicies": ["HYBRID", "ONSITE"] }),
            set(&["Alpha", "Bravo", "Delta"]),
        ),
        (json!({ "languages": ["sv"] }), set(&["Bravo", "Delta"])),
        (
            json!({ "postedAfter": days_after_base(2).to_rfc3339() }),
            set(&["Charlie", "Delta"]),
        ),
        (
            json!({ "postedBefore": days_after_base(2).to_rfc3339() }),
            set(&["Alpha"]),
        ),
        (
            json!({ "postedAfter": days_after_base(1).to_rfc3339(), "postedBefore": days_after_base(4).to_rfc3339() }),
            set(&["Bravo", "Charlie"]),
        ),
        (
            json!({ "departments": ["Engineering"], "languages": ["en"], "remotePolicies": ["HYBRID"] }),
            set(&["Alpha"]),
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            titles(&app, filter.clone()).await,
            expected,
            "filter {filter}"
        );
    }
}

async fn a_companys_own_list_takes_the_same_filter(backend: Backend) {
    let app = spawn_app(backend).await;
    five_postings(&app).await;
    let data = app
        .request().query(r#"{ company(slug: "lumen") { postings(filter: { departments: ["Engineering"] }) { totalCount nodes { title } } } }"#).send().await.data();
    assert_eq!(
        data["company"]["postings"]["nodes"],
        json!([{ "title": "Charlie" }])
    );
    assert_eq!(data["company"]["postings"]["totalCount"], json!(1));
}

async fn filters_that_cannot_be_right_are_refused_with_the_field_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let (nordvind, _) = five_postings(&app).await;
    for (filter, field) in [
        (json!({ "locations": [{}] }), "filter.locations"),
        (
            json!({ "locations": [{ "country": "Sweden" }] }),
            "filter.locations.country",
        ),
        (json!({ "companyIds": ["nonsense"] }), "filter.companyIds"),
        (
            json!({ "companyIds": [posting_id(&fixtures::posting(&app.db, nordvind.id, PostingSpec::default()).await)] }),
            "filter.companyIds",
        ),
        (
            json!({ "postedAfter": days_after_base(3).to_rfc3339(), "postedBefore": days_after_base(1).to_rfc3339() }),
            "filter.postedBefore",
        ),
    ] {
        let body = app
            .request().query("query($filter: PostingFilterInput) { postings(filter: $filter) { nodes { title } } }").variables(json!({ "filter": filter })).send().await.ok_json();
        assert_eq!(
            crate::helpers::error_code(&body),
            "BAD_USER_INPUT",
            "{filter}: {body}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["field"],
            json!(field),
            "{body}"
        );
    }
}

async fn every_order_lists_postings_in_that_order_with_ties_broken_by_id(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    // Pairs share a posted date and an update date, so the id must break the tie.
    let mut created = Vec::new();
    for (index, title) in ["Mike", "Bravo", "Zulu", "Alpha", "Kilo", "Echo"]
        .iter()
        .enumerate()
    {
        let day = (index / 2) as i64;
        let model = fixtures::posting(
            &app.db,
            company.id,
            PostingSpec {
                title: (*title).to_owned(),
                posted_at: Some(days_after_base(day)),
                updated_at: days_after_base(10 - day),
                ..Default::default()
            },
        )
        .await;
        created.push(model);
    }
    let sorted = |key: fn(&entity::posting::Model) -> String, descending: bool| -> Vec<String> {
        let mut rows = created.clone();
        rows.sort_by_key(|row| (key(row), row.id));
        if descending {
            rows.reverse();
        }
        rows.into_iter().map(|row| row.title).collect()
    };
    let posted = |row: &entity::posting::Model| row.posted_at.unwrap().to_rfc3339();
    let updated = |row: &entity::posting::Model| row.updated_at.to_rfc3339();
    let title = |row: &entity::posting::Model| row.title.clone();
    let cases = [
        (json!(null), sorted(posted, true)),
        (
            json!({ "field": "POSTED_AT", "direction": "ASC" }),
            sorted(posted, false),
        ),
        (
            json!({ "field": "POSTED_AT", "direction": "DESC" }),
            sorted(posted, true),
        ),
        (
            json!({ "field": "TITLE", "direction": "ASC" }),
            sorted(title, false),
        ),
        (
            json!({ "field": "TITLE", "direction": "DESC" }),
            sorted(title, true),
        ),
        (
            json!({ "field": "UPDATED_AT", "direction": "ASC" }),
            sorted(updated, false),
        ),
        (json!({ "field": "UPDATED_AT" }), sorted(updated, true)),
    ];
    for (order, expected) in cases {
        // Page by two so that every boundary falls inside or between ties.
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data = app
                .request().query("query($order: PostingOrderInput, $after: String) { postings(orderBy: $order, first: 2, after: $after) { edges { cursor node { title } } pageInfo { hasNextPage endCursor } } }").variables(json!({ "order": order, "after": after })).send().await.data();
            for edge in data["postings"]["edges"].as_array().unwrap() {
                seen.push(edge["node"]["title"].as_str().unwrap().to_owned());
            }
            if !data["postings"]["pageInfo"]["hasNextPage"]
                .as_bool()
                .unwrap()
            {
                break;
            }
            after = data["postings"]["pageInfo"]["endCursor"]
                .as_str()
                .map(str::to_owned);
        }
        assert_eq!(seen, expected, "order {order}");
    }
}

/// Acme's published "Visible" and its draft, closed and archived postings, on a fresh server.
struct OneVisibleThreeHidden {
    app: TestApp,
    published: entity::posting::Model,
    hidden: Vec<entity::posting::Model>,
}

async fn one_visible_three_hidden(backend: Backend) -> OneVisibleThreeHidden {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let published = fixtures::posting(
        &app.db,
        company.id,
        PostingSpec {
            slug: "visible".into(),
            title: "Visible".into(),
            ..Default::default()
        },
    )
    .await;
    let mut hidden = Vec::new();
    for status in [
        PostingStatus::Draft,
        PostingStatus::Closed,
        PostingStatus::Archived,
    ] {
        hidden.push(
            fixtures::posting(
                &app.db,
                company.id,
                PostingSpec {
                    slug: format!("hidden-{status:?}").to_lowercase(),
                    title: format!("Hidden {status:?}"),
                    status,
                    ..Default::default()
                },
            )
            .await,
        );
    }
    OneVisibleThreeHidden {
        app,
        published,
        hidden,
    }
}

async fn anonymous_lists_hold_published_postings_only(backend: Backend) {
    let OneVisibleThreeHidden { app, .. } = one_visible_three_hidden(backend).await;
    let data = app
        .request()
        .query(
            r#"{ postings { totalCount nodes { title } }
                 company(slug: "acme") { postings { totalCount nodes { title } } } }"#,
        )
        .send()
        .await
        .data();
    assert_eq!(data["postings"]["nodes"], json!([{ "title": "Visible" }]));
    assert_eq!(data["postings"]["totalCount"], json!(1));
    assert_eq!(
        data["company"]["postings"]["nodes"],
        json!([{ "title": "Visible" }])
    );
    assert_eq!(data["company"]["postings"]["totalCount"], json!(1));
}

async fn unpublished_postings_and_their_requirements_are_null_to_anonymous_readers_by_every_lookup(
    backend: Backend,
) {
    let OneVisibleThreeHidden { app, hidden, .. } = one_visible_three_hidden(backend).await;
    for draft in &hidden {
        let requirement_ids: Vec<String> = {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            entity::requirement::Entity::find()
                .filter(entity::requirement::Column::PostingId.eq(draft.id))
                .all(&app.db)
                .await
                .unwrap()
                .into_iter()
                .map(|row| {
                    api::graphql::global_id::encode(
                        api::graphql::global_id::NodeKind::Requirement,
                        row.id,
                    )
                    .0
                })
                .collect()
        };
        assert!(!requirement_ids.is_empty());
        let data = app
            .request().query("query($id: ID!, $slug: String!, $requirement: ID!) {
                    byId: posting(id: $id) { title }
                    bySlug: posting(companySlug: \"acme\", slug: $slug) { title }
                    node(id: $id) { id }
                    nodes(ids: [$id, $requirement]) { id }
                    requirement: node(id: $requirement) { id }
                }").variables(json!({ "id": posting_id(draft), "slug": draft.slug, "requirement": requirement_ids[0] })).send().await.data();
        assert_eq!(
            data,
            json!({ "byId": null, "bySlug": null, "node": null, "nodes": [null, null], "requirement": null }),
            "{:?} posting leaked",
            draft.status
        );
    }
}

async fn a_published_posting_is_found_by_id_and_through_node(backend: Backend) {
    let OneVisibleThreeHidden { app, published, .. } = one_visible_three_hidden(backend).await;
    let data = app
        .request().query("query($id: ID!) { posting(id: $id) { title } node(id: $id) { ... on Posting { title } } }").variables(json!({ "id": posting_id(&published) })).send().await.data();
    assert_eq!(
        data,
        json!({ "posting": { "title": "Visible" }, "node": { "title": "Visible" } })
    );
}

/// Requirements, locations and description sections are built in one pass when only their
/// own fields are selected; fragments, directives and aliases go through async-graphql's
/// resolver. Both must give the same answer.
async fn lists_of_plain_objects_answer_every_selection_as_graphql_would(backend: Backend) {
    let app = a_posting_with_lists(backend).await;
    // Raw bodies: the order of keys is part of the answer.
    let body = |query: &'static str, variables: Value| {
        let app = &app;
        async move {
            let response = app.request().query(query).variables(variables).send().await;
            assert_eq!(response.status, 200);
            response.text
        }
    };
    let plain_body = body(
        "{ postings { nodes { requirements { id __typename kind text required yearsMin yearsMax text } \
           locations { city region country } description { heading paragraphs items } } } }",
        json!({}),
    )
    .await;
    let generic_body = body(
        "query($yes: Boolean!) { postings { nodes { \
           requirements { ... on Requirement { id __typename } ...More yearsMax text @include(if: $yes) } \
           locations { ... on Location { city } region country @skip(if: false) } \
           description { heading @include(if: $yes) ... { paragraphs items } } } } } \
         fragment More on Requirement { kind text required yearsMin }",
        json!({ "yes": true }),
    )
    .await;
    assert!(!plain_body.contains("errors"), "{plain_body}");
    assert_eq!(plain_body, generic_body);
    let plain: Value = serde_json::from_str(&plain_body).unwrap();
    let requirements = &plain["data"]["postings"]["nodes"][0]["requirements"];
    assert_eq!(requirements.as_array().map(Vec::len), Some(3));
    assert_eq!(requirements[0]["__typename"], "Requirement");
    assert_eq!(
        plain["data"]["postings"]["nodes"][0]["locations"][1],
        json!({ "city": null, "region": null, "country": "NO" })
    );
}

/// A posting of Nordvind's in Göteborg and in Norway, with three requirements.
async fn a_posting_with_lists(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    fixtures::posting(
        &app.db,
        company.id,
        PostingSpec {
            locations: vec![(Some("Göteborg".into()), "SE".into()), (None, "NO".into())],
            requirements: 3,
            ..Default::default()
        },
    )
    .await;
    app
}

async fn aliases_in_a_list_of_plain_objects_answer_under_their_own_names(backend: Backend) {
    let app = a_posting_with_lists(backend).await;
    let plain = app
        .request()
        .query("{ postings { nodes { requirements { text required } } } }")
        .send()
        .await
        .data();
    let requirements = &plain["postings"]["nodes"][0]["requirements"];
    let aliased = app
        .request()
        .query("{ postings { nodes { requirements { what: text text kind: required } } } }")
        .send()
        .await
        .data();
    let first = &aliased["postings"]["nodes"][0]["requirements"][0];
    assert_eq!(first["what"], requirements[0]["text"]);
    assert_eq!(first["kind"], requirements[0]["required"]);
}

/// Pages leave the description column unread when their selection does not ask for it; every
/// way of asking for it must still get the real one.
async fn pages_read_the_description_whenever_their_selection_asks_for_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let description = json!([{ "heading": "About the role", "items": ["Build", "Ship"] }]);
    let queries = [
        "{ postings { nodes { description { heading items } } } }",
        "{ postings { edges { node { title description { heading items } } } } }",
        "{ postings { nodes { ...Described } } }
         fragment Described on Posting { description { heading items } }",
        "{ postings { edges { node { ... on Posting { description { heading items } } } } } }",
        "{ postings { nodes { description @include(if: true) { heading items } } } }",
        "{ company(slug: \"nordvind\") { postings { nodes { description { heading items } } } } }",
    ];
    for query in queries {
        let data = app.request().query(query).send().await.data();
        let page = data.get("company").map_or(&data, |company| company);
        let node = page["postings"]["nodes"]
            .get(0)
            .or_else(|| page["postings"]["edges"][0].get("node"))
            .unwrap_or_else(|| panic!("one posting for {query}: {data}"));
        assert_eq!(node["description"], description, "{query}");
    }
    // Without it, the page answers the rest as before.
    let data = app
        .request()
        .query("{ postings { nodes { title company { name } } } }")
        .send()
        .await
        .data();
    assert_eq!(
        data["postings"]["nodes"],
        json!([{ "title": "Engineer", "company": { "name": "Nordvind" } }])
    );
}

/// Postings whose selection is only plain fields and plain relations are built in one pass;
/// any other selection goes through async-graphql's resolver. Both must give the same bytes,
/// in pages, through `edges`, and for `posting(id:)`, with several locations and requirements
/// a posting (`fast_paths` covers every optional value set and null).
async fn postings_answer_every_selection_as_graphql_would(backend: Backend) {
    // Uncached, so that a document sent again is answered again.
    let app = spawn_app_with(backend, |settings| settings.cache.enabled = false).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    let posting = fixtures::posting(
        &app.db,
        company.id,
        PostingSpec {
            locations: vec![(Some("Göteborg".into()), "SE".into()), (None, "NO".into())],
            requirements: 3,
            posted_at: Some(days_after_base(2)),
            ..Default::default()
        },
    )
    .await;
    fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let body = |query: String, variables: Value| {
        let app = &app;
        async move {
            let response = app
                .request()
                .query(&query)
                .variables(variables)
                .send()
                .await;
            assert_eq!(response.status, 200);
            response.text
        }
    };
    for shape in [
        "postings { nodes { SELECTION } }",
        "postings(first: 1) { edges { node { SELECTION } } pageInfo { hasNextPage } }",
        "posting(id: $id) { SELECTION }",
        "company(slug: \"nordvind\") { postings { nodes { SELECTION } } }",
    ] {
        let variables = json!({ "id": posting_id(&posting), "yes": true });
        let request = |selection: &str, fragment: &str| {
            (operation(shape, selection, fragment), variables.clone())
        };
        // Every catalogued field of a posting and its relations (see `fast_paths`).
        let (query, variables) = request(&one_pass_posting(), "");
        let one_pass = body(query.clone(), variables.clone()).await;
        // On PostgreSQL the same document again is answered by the database (pushdown).
        let pushed_down = body(query, variables).await;
        let (query, variables) = request(&generic_posting(), &generic_fragment());
        let generic = body(query, variables).await;
        assert!(!one_pass.contains("errors"), "{one_pass}");
        assert!(one_pass.contains("\"Göteborg\""), "{one_pass}");
        assert!(one_pass.contains("\"Requirement 2\""), "{one_pass}");
        assert!(one_pass.contains("\"About the role\""), "{one_pass}");
        assert_eq!(one_pass, generic, "for {shape}");
        assert_eq!(pushed_down, generic, "for {shape}");
    }
}

async fn fields_sharing_a_response_key_are_merged_as_graphql_says(backend: Backend) {
    let app = spawn_app_with(backend, |settings| settings.cache.enabled = false).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let merged = app
        .request()
        .query("{ postings { nodes { company { name } company { slug } } } }")
        .send()
        .await
        .data();
    assert_eq!(
        merged["postings"]["nodes"][0]["company"],
        json!({ "name": "Nordvind", "slug": "nordvind" })
    );
}
