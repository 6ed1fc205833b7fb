//! Salary ranges: set by mutations, read back, filtered by `salaryAtLeast` in one currency and
//! period, refused clearly when malformed, exported as JSON-LD `baseSalary`.

use serde_json::{Value, json};

use crate::fixtures::{self, company_id};
use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};
use crate::tokens::token;

const CREATE: &str = "mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { id version salary { min max currency unit } } } }";
const UPDATE: &str = "mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { version salary { min max } } } }";
const PUBLISH: &str =
    "mutation($id: ID!) { publishPosting(input: { id: $id }) { posting { status } } }";
const AT_LEAST: &str = "query($floor: SalaryAtLeastInput!) { postings(filter: { salaryAtLeast: $floor }) { totalCount edges { node { title jsonLd } } } }";

async fn create(app: &TestApp, writer: &str, company: Value, salary: Value) -> Value {
    app.request()
        .token(writer)
        .query(CREATE)
        .variables(json!({ "input": {
            "companyId": company, "title": "Engineer", "description": "Build bridges.",
            "locations": [{ "city": "Malmö", "country": "SE" }], "salary": salary,
        } }))
        .send()
        .await
        .json()
}

async fn count_at_least(app: &TestApp, amount: f64, currency: &str, unit: &str) -> Value {
    let data = app
        .request()
        .query(AT_LEAST)
        .variables(json!({ "floor": { "amount": amount, "currency": currency, "unit": unit } }))
        .send()
        .await
        .data();
    data["postings"]["totalCount"].clone()
}

on_both_databases!(
    a_salary_range_is_set_read_filtered_and_exported,
    malformed_salaries_are_refused_naming_the_field
);

async fn a_salary_range_is_set_read_filtered_and_exported(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write", &[company.id]);
    let body = create(
        &app,
        &writer,
        json!(company_id(&company)),
        json!({ "min": 45000, "max": 55000.5, "currency": "sek", "unit": "MONTH" }),
    )
    .await;
    let posting = &body["data"]["createPosting"]["posting"];
    assert_eq!(
        posting["salary"],
        json!({ "min": 45000.0, "max": 55000.5, "currency": "SEK", "unit": "MONTH" }),
        "{body}"
    );
    let id = posting["id"].as_str().unwrap().to_owned();
    let published = app
        .request()
        .token(&writer)
        .query(PUBLISH)
        .variables(json!({ "id": id }))
        .send()
        .await
        .data();
    assert_eq!(
        published["publishPosting"]["posting"]["status"],
        "PUBLISHED"
    );

    assert_eq!(count_at_least(&app, 50000.0, "SEK", "MONTH").await, 1);
    assert_eq!(count_at_least(&app, 55000.5, "sek", "MONTH").await, 1);
    assert_eq!(count_at_least(&app, 55001.0, "SEK", "MONTH").await, 0);
    assert_eq!(
        count_at_least(&app, 100.0, "USD", "MONTH").await,
        0,
        "no conversion"
    );
    assert_eq!(
        count_at_least(&app, 100.0, "SEK", "YEAR").await,
        0,
        "no conversion"
    );

    let data = app
        .request()
        .query(AT_LEAST)
        .variables(json!({ "floor": { "amount": 1, "currency": "SEK", "unit": "MONTH" } }))
        .send()
        .await
        .data();
    let json_ld: Value = serde_json::from_str(
        data["postings"]["edges"][0]["node"]["jsonLd"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        json_ld["baseSalary"],
        json!({ "@type": "MonetaryAmount", "currency": "SEK", "value": {
            "@type": "QuantitativeValue", "minValue": 45000.0, "maxValue": 55000.5, "unitText": "MONTH"
        } })
    );

    // Null removes it; the filter no longer finds the posting.
    let updated = app
        .request()
        .token(&writer)
        .query(UPDATE)
        .variables(json!({ "input": { "id": id, "expectedVersion": 2, "salary": null } }))
        .send()
        .await
        .json();
    assert_eq!(
        updated["data"]["updatePosting"]["posting"]["salary"],
        Value::Null,
        "{updated}"
    );
    assert_eq!(count_at_least(&app, 1.0, "SEK", "MONTH").await, 0);
}

async fn malformed_salaries_are_refused_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write", &[company.id]);
    for (salary, field) in [
        (
            json!({ "min": 1, "currency": "kronor", "unit": "MONTH" }),
            "input.salary.currency",
        ),
        (
            json!({ "min": 10, "max": 5, "currency": "SEK", "unit": "MONTH" }),
            "input.salary.max",
        ),
        (
            json!({ "min": -1, "currency": "SEK", "unit": "MONTH" }),
            "input.salary.min",
        ),
        (
            json!({ "max": 1e300, "currency": "SEK", "unit": "MONTH" }),
            "input.salary.max",
        ),
        (
            json!({ "currency": "SEK", "unit": "MONTH" }),
            "input.salary.min",
        ),
    ] {
        let body = create(&app, &writer, json!(company_id(&company)), salary.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{salary}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let body = app
        .request()
        .query(AT_LEAST)
        .variables(json!({ "floor": { "amount": 1, "currency": "$", "unit": "MONTH" } }))
        .send()
        .await
        .json();
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "filter.salaryAtLeast.currency"
    );
}
