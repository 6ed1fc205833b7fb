//! Finding single objects: by id, by slug, through `node`, and their relations.

use serde_json::{Value, json};

use crate::fixtures::{self, PostingSpec, company_id, posting_id};
use crate::helpers::{Backend, error_code, on_both_databases, spawn_app};

on_both_databases!(
    postings_and_companies_are_found_by_id_slug_and_node_with_their_relations,
    missing_objects_are_null_and_malformed_ids_are_bad_user_input,
);

async fn postings_and_companies_are_found_by_id_slug_and_node_with_their_relations(
    backend: Backend,
) {
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

    let fields = "id slug title summary language status employmentType remotePolicy version
        description { heading paragraphs items }
        company { id slug name }
        locations { city country }
        requirements { id kind text required yearsMin yearsMax }";
    let data = app
        .request().query(format!(
                "query($id: ID!, $companyId: ID!) {{
                    byId: posting(id: $id) {{ {fields} }}
                    bySlug: posting(companySlug: \"nordvind\", slug: \"backend-engineer\") {{ {fields} }}
                    node(id: $id) {{ id ... on Posting {{ {fields} }} }}
                    companyById: company(id: $companyId) {{ id name }}
                    companyBySlug: company(slug: \"nordvind\") {{ id name website headquarters }}
                    companyNode: node(id: $companyId) {{ __typename id }}
                }}"
            )).variables(json!({ "id": posting_id(&posting), "companyId": company_id(&company) })).send().await.data();
    assert_eq!(data["byId"], data["bySlug"]);
    assert_eq!(data["byId"], data["node"]);
    let found = &data["byId"];
    assert_eq!(found["id"], json!(posting_id(&posting)));
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

    assert_eq!(data["companyById"]["name"], json!("Nordvind"));
    assert_eq!(data["companyBySlug"]["id"], json!(company_id(&company)));
    assert_eq!(
        data["companyNode"],
        json!({ "__typename": "Company", "id": company_id(&company) })
    );

    // A requirement is a node too, and `nodes` keeps the order it was given.
    let requirement_id = found["requirements"][2]["id"].clone();
    let data = app
        .request().query("query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Requirement { text } } }").variables(json!({ "ids": [requirement_id, company_id(&company), posting_id(&posting)] })).send().await.data();
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

async fn missing_objects_are_null_and_malformed_ids_are_bad_user_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let missing_posting = api::graphql::global_id::encode(
        api::graphql::global_id::NodeKind::Posting,
        uuid::Uuid::now_v7(),
    )
    .0;
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
    // A failing nullable field is null on its own; the rest of the query still answers.
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
