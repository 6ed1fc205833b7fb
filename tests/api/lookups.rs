//! Finding single objects: by id, by slug, through `node`, and their relations.

use serde_json::{Value, json};

use crate::fixtures::{self, PostingSpec, company_id, posting_id};
use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};

on_both_databases!(
    a_posting_is_the_same_by_id_by_slug_and_through_node,
    a_posting_found_by_id_has_its_fields_description_company_locations_and_requirements,
    a_company_is_found_by_id_by_slug_and_through_node,
    nodes_finds_requirements_companies_and_postings_in_the_order_given,
    missing_objects_are_null,
    malformed_or_mismatched_ids_are_bad_user_input_with_the_argument_named,
    a_failing_nullable_field_is_null_on_its_own_and_the_rest_still_answers,
    nodes_refuses_more_than_a_hundred_ids,
);

/// A fresh server with Nordvind's "Backend Engineer", in three places with three requirements.
struct Findable {
    app: TestApp,
    company: entity::company::Model,
    posting: entity::posting::Model,
}

async fn a_posting_to_find(backend: Backend) -> Findable {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    let posting = fixtures::posting(
        &app.db,
        company.id,
        PostingSpec {
            slug: "backend-engineer".into(),
            title: "Backend Engineer".into(),
            locations: vec![
                (Some("Göteborg".into()), "SE".into()),
                (None, "NO".into()),
                (Some("Austin".into()), "US".into()),
            ],
            requirements: 3,
            ..Default::default()
        },
    )
    .await;
    Findable {
        app,
        company,
        posting,
    }
}

/// The posting by id, by slug and through `node`, and its company the same three ways.
async fn every_lookup(found: &Findable) -> Value {
    let Findable {
        app,
        company,
        posting,
    } = found;
    let fields = "id slug title summary language status employmentType remotePolicy version
        description { heading paragraphs items }
        company { id slug name }
        locations { city country }
        requirements { id kind text required yearsMin yearsMax }";
    app
        .request().query(format!(
                "query($id: ID!, $companyId: ID!) {{
                    byId: posting(id: $id) {{ {fields} }}
                    bySlug: posting(companySlug: \"nordvind\", slug: \"backend-engineer\") {{ {fields} }}
                    node(id: $id) {{ id ... on Posting {{ {fields} }} }}
                    companyById: company(id: $companyId) {{ id name }}
                    companyBySlug: company(slug: \"nordvind\") {{ id name website headquarters }}
                    companyNode: node(id: $companyId) {{ __typename id }}
                }}"
            )).variables(json!({ "id": posting_id(posting), "companyId": company_id(company) })).send().await.data()
}

async fn a_posting_is_the_same_by_id_by_slug_and_through_node(backend: Backend) {
    let data = every_lookup(&a_posting_to_find(backend).await).await;
    assert_eq!(data["byId"], data["bySlug"]);
    assert_eq!(data["byId"], data["node"]);
}

async fn a_posting_found_by_id_has_its_fields_description_company_locations_and_requirements(
    backend: Backend,
) {
    let findable = a_posting_to_find(backend).await;
    let Findable { posting, .. } = &findable;
    let data = every_lookup(&findable).await;
    let found = &data["byId"];
    assert_eq!(found["id"], json!(posting_id(posting)));
    assert_eq!(found["title"], json!("Backend Engineer"));
    assert_eq!(found["status"], json!("PUBLISHED"));
    assert_eq!(found["employmentType"], json!("FULL_TIME"));
    assert_eq!(found["version"], json!(1));
    assert_eq!(found["company"]["slug"], json!("nordvind"));
    assert_eq!(
        found["description"],
        json!([{ "heading": "About the role", "paragraphs": ["You will build things."], "items": ["Build", "Ship"] }])
    );
    assert_eq!(
        found["locations"],
        json!([
            { "city": "Göteborg", "country": "SE" },
            { "city": null, "country": "NO" },
            { "city": "Austin", "country": "US" },
        ])
    );
    let texts: Vec<&str> = found["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|requirement| requirement["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Requirement 0", "Requirement 1", "Requirement 2"]);
    assert_eq!(found["requirements"][0]["required"], json!(true));
    assert_eq!(found["requirements"][1]["required"], json!(false));
}

async fn a_company_is_found_by_id_by_slug_and_through_node(backend: Backend) {
    let findable = a_posting_to_find(backend).await;
    let company = &findable.company;
    let data = every_lookup(&findable).await;
    assert_eq!(data["companyById"]["name"], json!("Nordvind"));
    assert_eq!(data["companyBySlug"]["id"], json!(company_id(company)));
    assert_eq!(
        data["companyNode"],
        json!({ "__typename": "Company", "id": company_id(company) })
    );
}

async fn nodes_finds_requirements_companies_and_postings_in_the_order_given(backend: Backend) {
    let findable = a_posting_to_find(backend).await;
    let Findable {
        app,
        company,
        posting,
    } = &findable;
    let found = &every_lookup(&findable).await["byId"];
    // A requirement is a node too, and `nodes` keeps the order it was given.
    let requirement_id = found["requirements"][2]["id"].clone();
    let data = app
        .request().query("query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Requirement { text } } }").variables(json!({ "ids": [requirement_id, company_id(company), posting_id(posting)] })).send().await.data();
    let types: Vec<&Value> = data["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| &node["__typename"])
        .collect();
    assert_eq!(
        types,
        [&json!("Requirement"), &json!("Company"), &json!("Posting")]
    );
    assert_eq!(data["nodes"][0]["text"], json!("Requirement 2"));
}

/// A fresh server with one company, Acme, and no postings.
async fn acme(backend: Backend) -> (TestApp, entity::company::Model) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    (app, company)
}

/// A well-formed posting id that no posting has.
fn missing_posting() -> String {
    api::graphql::global_id::encode(
        api::graphql::global_id::NodeKind::Posting,
        uuid::Uuid::now_v7(),
    )
    .0
}

async fn missing_objects_are_null(backend: Backend) {
    let (app, _) = acme(backend).await;
    let missing_posting = missing_posting();
    let data = app
        .request()
        .query(
            "query($id: ID!) {
                posting(id: $id) { title }
                bySlug: posting(companySlug: \"acme\", slug: \"nope\") { title }
                company(slug: \"nope\") { name }
                node(id: $id) { id }
            }",
        )
        .variables(json!({ "id": missing_posting }))
        .send()
        .await
        .data();
    assert_eq!(
        data,
        json!({ "posting": null, "bySlug": null, "company": null, "node": null })
    );
}

async fn malformed_or_mismatched_ids_are_bad_user_input_with_the_argument_named(backend: Backend) {
    let (app, company) = acme(backend).await;
    let missing_posting = missing_posting();
    for (query, variables, field) in [
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": "garbage" }),
            "id",
        ),
        (
            "query($id: ID!) { posting(id: $id) { id } }",
            json!({ "id": company_id(&company) }),
            "id",
        ),
        (
            "query($id: ID!) { company(id: $id) { id } }",
            json!({ "id": missing_posting }),
            "id",
        ),
        ("{ company { id } }", json!({}), "id"),
        (
            "{ company(id: \"x\", slug: \"acme\") { id } }",
            json!({}),
            "id",
        ),
        ("{ posting(companySlug: \"acme\") { id } }", json!({}), "id"),
        (
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ["garbage"] }),
            "ids",
        ),
    ] {
        let body = app
            .request()
            .query(query)
            .variables(variables)
            .send()
            .await
            .ok_json();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{query}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"],
            json!(field),
            "{body}"
        );
    }
}

async fn a_failing_nullable_field_is_null_on_its_own_and_the_rest_still_answers(backend: Backend) {
    let (app, company) = acme(backend).await;
    let body = app
        .request().query("query($ids: [ID!]!) { companies { totalCount } posting(id: \"garbage\") { title } nodes(ids: $ids) { id } }").variables(json!({ "ids": ["garbage", company_id(&company)] })).send().await.ok_json();
    assert_eq!(body["data"]["companies"]["totalCount"], json!(1), "{body}");
    assert_eq!(body["data"]["posting"], Value::Null);
    assert_eq!(
        body["data"]["nodes"],
        json!([null, { "id": company_id(&company) }])
    );
    assert_eq!(body["errors"][0]["path"], json!(["posting"]), "{body}");
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}

async fn nodes_refuses_more_than_a_hundred_ids(backend: Backend) {
    let (app, _) = acme(backend).await;
    let missing_posting = missing_posting();
    let too_many: Vec<String> = (0..101).map(|_| missing_posting.clone()).collect();
    let body = app
        .request()
        .query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }")
        .variables(json!({ "ids": too_many }))
        .send()
        .await
        .ok_json();
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}
