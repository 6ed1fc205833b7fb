//! No N+1: a page of postings with their relations runs a constant number of statements.

use serde_json::json;

use crate::fixtures::{self, PostingSpec, days_after_base};
use crate::helpers::{Backend, on_both_databases, spawn_app};

on_both_databases!(
    a_page_of_postings_with_company_locations_and_requirements_runs_at_most_three_statements,
    a_search_page_with_its_count_facets_companies_and_locations_runs_three_statements
);

const QUERY: &str = "query($first: Int) {
    postings(first: $first) {
        edges { node {
            title
            company { name slug }
            locations { city country }
            requirements { kind text required }
        } }
        pageInfo { hasNextPage }
    }
}";

async fn a_page_of_postings_with_company_locations_and_requirements_runs_at_most_three_statements(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut companies = Vec::new();
    for index in 0..5 {
        companies.push(
            fixtures::company(
                &app.db,
                &format!("company-{index}"),
                &format!("Company {index}"),
            )
            .await,
        );
    }
    for index in 0..60 {
        fixtures::posting(
            &app.db,
            companies[index % 5].id,
            PostingSpec {
                title: format!("Posting {index}"),
                posted_at: Some(days_after_base(index as i64)),
                locations: vec![
                    (Some("Göteborg".into()), "SE".into()),
                    (Some("Oslo".into()), "NO".into()),
                ],
                requirements: 8,
                ..Default::default()
            },
        )
        .await;
    }

    let mut counts = Vec::new();
    for first in [50, 10, 1] {
        let before = app.statements.get();
        let data = app
            .request()
            .query(QUERY)
            .variables(json!({ "first": first }))
            .send()
            .await
            .data();
        let statements = app.statements.get() - before;
        let edges = data["postings"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), first);
        assert_eq!(
            edges[0]["node"]["requirements"].as_array().unwrap().len(),
            8
        );
        assert_eq!(edges[0]["node"]["locations"].as_array().unwrap().len(), 2);
        assert!(edges[0]["node"]["company"]["name"].is_string());
        counts.push(statements);
    }
    eprintln!("statements per page of 50, 10, 1 postings: {counts:?}");
    assert!(
        counts[0] > 0,
        "the page was computed, not served from the cache"
    );
    // The page (its companies joined), the locations, the requirements.
    assert!(counts[0] <= 3, "a page of 50 ran {} statements", counts[0]);
    assert!(
        counts.iter().all(|count| *count == counts[0]),
        "not constant: {counts:?}"
    );
}

/// The shape of the benchmark's Q4: a search in one country, with `totalCount`, highlights,
/// two facets and each posting's company and locations.
const SEARCH: &str = r#"query($first: Int) {
    postings(first: $first, filter: { query: "data team", locations: [{ country: "SE" }] }) {
        totalCount
        edges { cursor highlights { field matches { start length } } node { id title company { name } locations { city } } }
        facets { departments { value count } cities { value count } }
        pageInfo { hasNextPage endCursor }
    }
}"#;

async fn a_search_page_with_its_count_facets_companies_and_locations_runs_three_statements(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut companies = Vec::new();
    for index in 0..3 {
        companies.push(
            fixtures::company(&app.db, &format!("c-{index}"), &format!("Company {index}")).await,
        );
    }
    for index in 0..30 {
        let (city, country) = if index % 3 == 0 {
            ("Oslo", "NO")
        } else {
            (["Malmö", "Göteborg"][index % 2], "SE")
        };
        fixtures::posting(
            &app.db,
            companies[index % 3].id,
            PostingSpec {
                title: format!("Data team member {index}"),
                department: Some(["Data", "Platform"][index % 2].into()),
                posted_at: Some(days_after_base(index as i64)),
                locations: vec![(Some(city.into()), country.into())],
                ..Default::default()
            },
        )
        .await;
    }
    let mut counts = Vec::new();
    for first in [20, 5] {
        let before = app.statements.get();
        let data = app
            .request()
            .query(SEARCH)
            .variables(json!({ "first": first }))
            .send()
            .await
            .data();
        counts.push(app.statements.get() - before);
        let postings = &data["postings"];
        assert_eq!(postings["totalCount"], 20, "{postings}");
        assert_eq!(postings["edges"].as_array().unwrap().len(), first);
        let node = &postings["edges"][0]["node"];
        assert!(
            node["company"]["name"]
                .as_str()
                .unwrap()
                .starts_with("Company ")
        );
        assert_eq!(node["locations"].as_array().unwrap().len(), 1);
        assert_eq!(
            postings["facets"]["departments"],
            json!([{ "value": "Data", "count": 10 }, { "value": "Platform", "count": 10 }])
        );
        assert_eq!(
            postings["facets"]["cities"],
            json!([{ "value": "Göteborg", "count": 10 }, { "value": "Malmö", "count": 10 }])
        );
    }
    eprintln!("statements per search page of 20, 5: {counts:?}");
    // The page with its companies; the count and both facets; the locations.
    assert!(counts[0] > 0, "computed, not served from the cache");
    assert!(counts.iter().all(|count| *count <= 3), "{counts:?}");
}
