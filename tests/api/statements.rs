//! No N+1: a page of postings with their relations runs a constant number of statements.

use serde_json::json;

use crate::fixtures::{self, PostingSpec, days_after_base};
use crate::helpers::{Backend, on_both_databases, spawn_app};

on_both_databases!(
    a_page_of_postings_with_company_locations_and_requirements_runs_at_most_four_statements
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

async fn a_page_of_postings_with_company_locations_and_requirements_runs_at_most_four_statements(
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
    assert!(counts[0] <= 4, "a page of 50 ran {} statements", counts[0]);
    assert!(
        counts.iter().all(|count| *count == counts[0]),
        "not constant: {counts:?}"
    );
}
