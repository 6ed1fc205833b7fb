//! The authorization matrix: every mutation and private query, with every kind of wrong token
//! and the right one. Only the right token succeeds, and a refusal changes nothing. The matrix
//! checks itself against the registry the service layer enforces (`service::permissions`) and
//! against `schema.graphql`, so a new mutation or guarded field cannot be left out of it.

use std::collections::{BTreeMap, BTreeSet};

use api::service::permissions::{self, Needs};
use entity::enums::PostingStatus;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures::{self, PostingSpec, company_id, posting_id};
use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app};
use crate::tokens::{token, wrong_tokens};

on_both_databases!(only_the_right_token_succeeds_and_refusals_change_nothing);

const ALL_BUT: fn(&str) -> String = |scope| {
    [
        "postings:read",
        "postings:write",
        "companies:write",
        "applications:read",
        "applications:write",
    ]
    .into_iter()
    .filter(|s| *s != scope)
    .collect::<Vec<_>>()
    .join(" ")
};

/// Everything in the database, to compare before and after a refusal.
async fn snapshot(db: &DatabaseConnection) -> String {
    format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}",
        entity::company::Entity::find().all(db).await.unwrap(),
        entity::posting::Entity::find().all(db).await.unwrap(),
        entity::posting_location::Entity::find()
            .all(db)
            .await
            .unwrap(),
        entity::requirement::Entity::find().all(db).await.unwrap(),
        entity::application::Entity::find().all(db).await.unwrap(),
        entity::audit_event::Entity::find().all(db).await.unwrap(),
    )
}

pub(crate) struct World {
    pub(crate) mine: entity::company::Model,
    pub(crate) other: entity::company::Model,
}

/// A fresh published posting of my company, with one requirement.
async fn posting(app: &TestApp, world: &World, status: PostingStatus) -> entity::posting::Model {
    fixtures::posting(
        &app.db,
        world.mine.id,
        PostingSpec {
            status,
            requirements: 1,
            ..Default::default()
        },
    )
    .await
}

async fn requirement_id(app: &TestApp, posting: &entity::posting::Model) -> String {
    use sea_orm::{ColumnTrait, QueryFilter};
    let row = entity::requirement::Entity::find()
        .filter(entity::requirement::Column::PostingId.eq(posting.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    api::graphql::global_id::encode(api::graphql::global_id::NodeKind::Requirement, row.id).0
}

async fn application_id(app: &TestApp, posting: &entity::posting::Model) -> String {
    let data = app
        .request()
        .query("mutation($input: ApplyToPostingInput!) { applyToPosting(input: $input) { application { id } } }")
        .variables(json!({ "input": { "postingId": posting_id(posting), "idempotencyKey": Uuid::now_v7().to_string(), "name": "Ada Lovelace", "email": "ada@example.com" } }))
        .send()
        .await
        .data();
    data["applyToPosting"]["application"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One operation of the matrix: the scope it needs, its document, and variables made fresh.
pub(crate) async fn operation(
    app: &TestApp,
    world: &World,
    name: &str,
) -> (&'static str, &'static str, Value) {
    let requirement = json!({ "kind": "SKILL", "text": "Rust", "required": true });
    match name {
        "createCompany" => (
            "admin",
            "mutation($input: CreateCompanyInput!) { createCompany(input: $input) { company { id } } }",
            json!({ "input": { "slug": format!("new-{}", Uuid::now_v7().simple()), "name": "New" } }),
        ),
        "updateCompany" => (
            "companies:write",
            "mutation($input: UpdateCompanyInput!) { updateCompany(input: $input) { company { id name } } }",
            json!({ "input": { "id": company_id(&world.mine), "name": "Renamed" } }),
        ),
        "createPosting" => (
            "postings:write",
            "mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { id status version } } }",
            json!({ "input": { "companyId": company_id(&world.mine), "title": "Engineer", "description": "Build things." } }),
        ),
        "updatePosting" => {
            let posting = posting(app, world, PostingStatus::Draft).await;
            (
                "postings:write",
                "mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { id version } } }",
                json!({ "input": { "id": posting_id(&posting), "expectedVersion": 1, "title": "Changed" } }),
            )
        }
        "publishPosting" => {
            let posting = posting(app, world, PostingStatus::Draft).await;
            (
                "postings:write",
                "mutation($input: PublishPostingInput!) { publishPosting(input: $input) { posting { id status } } }",
                json!({ "input": { "id": posting_id(&posting) } }),
            )
        }
        "closePosting" | "archivePosting" | "deletePosting" => {
            let posting = posting(app, world, PostingStatus::Published).await;
            let document = match name {
                "closePosting" => {
                    "mutation($input: PostingRefInput!) { closePosting(input: $input) { posting { id status } } }"
                }
                "archivePosting" => {
                    "mutation($input: PostingRefInput!) { archivePosting(input: $input) { posting { id status } } }"
                }
                _ => {
                    "mutation($input: PostingRefInput!) { deletePosting(input: $input) { deletedId } }"
                }
            };
            (
                "postings:write",
                document,
                json!({ "input": { "id": posting_id(&posting) } }),
            )
        }
        "importPostings" => (
            "postings:write",
            "mutation($input: ImportPostingsInput!) { importPostings(input: $input) { created rows { outcome } } }",
            json!({ "input": { "companyId": company_id(&world.mine), "documents": [{
                "name": "page.txt",
                "content": "Engineer\nWe build bridges in Malmö for everyone who crosses them.\n",
            }] } }),
        ),
        "setRequirements" => {
            let posting = posting(app, world, PostingStatus::Published).await;
            (
                "postings:write",
                "mutation($input: SetRequirementsInput!) { setRequirements(input: $input) { posting { version } } }",
                json!({ "input": { "postingId": posting_id(&posting), "requirements": [requirement] } }),
            )
        }
        "addRequirement" => {
            let posting = posting(app, world, PostingStatus::Published).await;
            (
                "postings:write",
                "mutation($input: AddRequirementInput!) { addRequirement(input: $input) { requirement { id } } }",
                json!({ "input": { "postingId": posting_id(&posting), "requirement": requirement } }),
            )
        }
        "updateRequirement" | "removeRequirement" => {
            let posting = posting(app, world, PostingStatus::Published).await;
            let id = requirement_id(app, &posting).await;
            if name == "updateRequirement" {
                (
                    "postings:write",
                    "mutation($input: UpdateRequirementInput!) { updateRequirement(input: $input) { requirement { id text } } }",
                    json!({ "input": { "id": id, "requirement": requirement } }),
                )
            } else {
                (
                    "postings:write",
                    "mutation($input: RemoveRequirementInput!) { removeRequirement(input: $input) { posting { version } } }",
                    json!({ "input": { "id": id } }),
                )
            }
        }
        "updateApplicationStatus" | "eraseApplication" => {
            let posting = posting(app, world, PostingStatus::Published).await;
            let id = application_id(app, &posting).await;
            if name == "updateApplicationStatus" {
                (
                    "applications:write",
                    "mutation($input: UpdateApplicationStatusInput!) { updateApplicationStatus(input: $input) { application { id status } } }",
                    json!({ "input": { "id": id, "status": "IN_REVIEW" } }),
                )
            } else {
                (
                    "applications:write",
                    "mutation($input: EraseApplicationInput!) { eraseApplication(input: $input) { application { id erasedAt } } }",
                    json!({ "input": { "id": id } }),
                )
            }
        }
        "application" | "node(application)" | "Posting.applications" => {
            let posting = posting(app, world, PostingStatus::Published).await;
            let id = application_id(app, &posting).await;
            let document = match name {
                "application" => "query($id: ID!) { application(id: $id) { id name email } }",
                "node(application)" => {
                    "query($id: ID!) { node(id: $id) { ... on Application { name email } } }"
                }
                _ => {
                    "query($posting: ID!) { posting(id: $posting) { applications { nodes { id name email } } } }"
                }
            };
            (
                "applications:read",
                document,
                json!({ "id": id, "posting": posting_id(&posting) }),
            )
        }
        "auditEvents" => (
            "companies:write",
            "query($company: ID!) { auditEvents(companyId: $company) { edges { node { operation } } } }",
            json!({ "company": company_id(&world.mine) }),
        ),
        other => panic!("unknown operation {other}"),
    }
}

pub(crate) const OPERATIONS: [&str; 19] = [
    "createCompany",
    "updateCompany",
    "createPosting",
    "updatePosting",
    "publishPosting",
    "closePosting",
    "archivePosting",
    "deletePosting",
    "importPostings",
    "setRequirements",
    "addRequirement",
    "updateRequirement",
    "removeRequirement",
    "updateApplicationStatus",
    "eraseApplication",
    "application",
    "node(application)",
    "Posting.applications",
    "auditEvents",
];

/// The schema coordinate (`Type.field`, with the SDL's type names) of the guarded field a
/// matrix operation exercises.
fn coordinate(name: &str) -> String {
    match name {
        "application" | "auditEvents" => format!("QueryRoot.{name}"),
        "node(application)" => "QueryRoot.node".to_owned(),
        name if name.contains('.') => name.to_owned(),
        name => format!("MutationRoot.{name}"),
    }
}

/// The fields of every object type in an SDL document, by type name, and the name of its
/// mutation type, read with async-graphql's own SDL parser.
fn object_fields(sdl: &str) -> (BTreeMap<String, BTreeSet<String>>, String) {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let document = async_graphql::parser::parse_schema(sdl).expect("schema.graphql parses");
    let mut types: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut mutation = String::new();
    for definition in &document.definitions {
        match definition {
            TypeSystemDefinition::Schema(schema) => {
                if let Some(name) = &schema.node.mutation {
                    mutation = name.node.to_string();
                }
            }
            TypeSystemDefinition::Type(ty) => {
                if let TypeKind::Object(object) = &ty.node.kind {
                    types.insert(
                        ty.node.name.node.to_string(),
                        object
                            .fields
                            .iter()
                            .map(|field| field.node.name.node.to_string())
                            .collect(),
                    );
                }
            }
            TypeSystemDefinition::Directive(_) => {}
        }
    }
    (types, mutation)
}

#[test]
fn the_matrix_covers_every_mutation_and_every_guarded_field() {
    let sdl =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    let (types, mutation) = object_fields(&sdl);
    let in_schema = |coordinate: &str| {
        coordinate
            .split_once('.')
            .is_some_and(|(type_name, field)| {
                types
                    .get(type_name)
                    .is_some_and(|fields| fields.contains(field))
            })
    };
    let in_matrix: BTreeSet<String> = OPERATIONS.iter().map(|name| coordinate(name)).collect();
    assert!(
        !types.get(&mutation).is_none_or(BTreeSet::is_empty),
        "no mutations found in schema.graphql"
    );

    for field in &types[&mutation] {
        let coordinate = format!("{mutation}.{field}");
        assert!(
            permissions::needs(&coordinate).is_some(),
            "{coordinate} is not in service::permissions::REGISTRY: register what it needs of a token"
        );
    }
    for guard in permissions::REGISTRY {
        for coordinate in guard.fields {
            assert!(
                in_schema(coordinate),
                "{coordinate} is registered but is not a field of schema.graphql"
            );
            if guard.needs != Needs::Nothing {
                assert!(
                    in_matrix.contains(*coordinate),
                    "{coordinate} needs a token but the authorization matrix does not test it: add it to OPERATIONS"
                );
            }
        }
    }
    for coordinate in &in_matrix {
        assert!(
            permissions::needs(coordinate).is_some_and(|needs| needs != Needs::Nothing),
            "the matrix tests {coordinate}, which the registry does not guard"
        );
    }
}

/// Whether a response carries what was asked for: no errors and no null in the way.
fn succeeded(body: &Value) -> bool {
    fn no_nulls(value: &Value) -> bool {
        match value {
            Value::Null => false,
            Value::Object(map) => map.values().all(no_nulls),
            Value::Array(items) => items.iter().all(no_nulls),
            _ => true,
        }
    }
    body.get("errors").is_none() && no_nulls(&body["data"])
}

async fn only_the_right_token_succeeds_and_refusals_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let world = World {
        mine: fixtures::company(&app.db, "mine", "Mine").await,
        other: fixtures::company(&app.db, "other", "Other").await,
    };
    let mut cases = 0;
    for name in OPERATIONS {
        let (scope, document, variables) = operation(&app, &world, name).await;
        assert_eq!(
            permissions::needs(&coordinate(name)).and_then(Needs::scope_name),
            Some(scope),
            "{name}: the matrix and service::permissions disagree on the scope"
        );
        let missing = if scope == "admin" {
            ALL_BUT("")
        } else {
            ALL_BUT(scope)
        };
        let before = snapshot(&app.db).await;
        for (case, wrong) in wrong_tokens(scope, world.mine.id, world.other.id, &missing) {
            let body = app
                .request()
                .maybe_token(wrong.as_deref())
                .query(document)
                .variables(variables.clone())
                .send()
                .await
                .json();
            assert!(!succeeded(&body), "{name} with {case} succeeded: {body}");
            let code = body["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or_default();
            // Another company's application looked up by id is null, as a missing id is: a
            // refusal would confirm that it exists (tests/api/errors.rs compares the two).
            let looked_up_by_id = ["application", "node(application)"].contains(&name)
                && case == "token for another company";
            if looked_up_by_id {
                assert!(body.get("errors").is_none(), "{name} with {case}: {body}");
            } else {
                assert!(
                    ["UNAUTHENTICATED", "FORBIDDEN"].contains(&code),
                    "{name} with {case}: {body}"
                );
            }
            assert!(
                !body.to_string().contains("Ada"),
                "{name} with {case} leaked personal data: {body}"
            );
            assert_eq!(
                snapshot(&app.db).await,
                before,
                "{name} with {case} changed the database"
            );
            cases += 1;
        }
        let body = app
            .request()
            .token(token(scope, &[world.mine.id]))
            .query(document)
            .variables(variables.clone())
            .send()
            .await
            .json();
        assert!(
            succeeded(&body),
            "{name} with the right token failed: {body}"
        );
        cases += 1;
    }
    eprintln!("authorization matrix: {cases} cases");
    assert_eq!(cases, OPERATIONS.len() * 11);
}
