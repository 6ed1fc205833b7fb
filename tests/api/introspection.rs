//! Introspection as real tools send it: graphql-js's standard query answers and describes
//! exactly the schema of `schema.graphql`; deeper introspection stays bounded; the production
//! profile turns it off with field suggestions.

use std::collections::BTreeSet;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use serde_json::Value;

use crate::helpers::{Backend, spawn_app, spawn_app_with};

const STANDARD_QUERY: &str = include_str!("introspection_query.graphql");

fn sdl_type(ty: &Type) -> String {
    let base = match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(item) => format!("[{}]", sdl_type(item)),
    };
    if ty.nullable {
        base
    } else {
        format!("{base}!")
    }
}

/// The schema's shape as lines: types with their kind, fields with their types, arguments,
/// input fields, enum values, interfaces. Built-in scalars and introspection types aside.
fn shape_of_sdl(sdl: &str) -> BTreeSet<String> {
    let document = async_graphql::parser::parse_schema(sdl).expect("the SDL parses");
    let mut shape = BTreeSet::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let name = ty.name.node.as_str();
        let (kind, fields, inputs, values, interfaces) = match &ty.kind {
            TypeKind::Scalar => ("SCALAR", vec![], vec![], vec![], vec![]),
            TypeKind::Object(object) => (
                "OBJECT",
                object.fields.iter().collect(),
                vec![],
                vec![],
                object.implements.iter().collect(),
            ),
            TypeKind::Interface(interface) => (
                "INTERFACE",
                interface.fields.iter().collect(),
                vec![],
                vec![],
                interface.implements.iter().collect(),
            ),
            TypeKind::Union(_) => ("UNION", vec![], vec![], vec![], vec![]),
            TypeKind::Enum(enumeration) => (
                "ENUM",
                vec![],
                vec![],
                enumeration.values.iter().collect(),
                vec![],
            ),
            TypeKind::InputObject(input) => (
                "INPUT_OBJECT",
                vec![],
                input.fields.iter().collect(),
                vec![],
                vec![],
            ),
        };
        shape.insert(format!("{kind} {name}"));
        for interface in interfaces {
            shape.insert(format!("{name} implements {}", interface.node));
        }
        for field in fields {
            let field = &field.node;
            shape.insert(format!(
                "{name}.{}: {}",
                field.name.node,
                sdl_type(&field.ty.node)
            ));
            for argument in &field.arguments {
                let argument = &argument.node;
                shape.insert(format!(
                    "{name}.{}({}: {})",
                    field.name.node,
                    argument.name.node,
                    sdl_type(&argument.ty.node)
                ));
            }
        }
        for input in inputs {
            let input = &input.node;
            shape.insert(format!(
                "{name}.{}: {}",
                input.name.node,
                sdl_type(&input.ty.node)
            ));
        }
        for value in values {
            shape.insert(format!("{name}.{}", value.node.value.node));
        }
    }
    shape
}

fn introspected_type(ty: &Value) -> String {
    match ty["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", introspected_type(&ty["ofType"])),
        Some("LIST") => format!("[{}]", introspected_type(&ty["ofType"])),
        _ => ty["name"].as_str().unwrap_or("?").to_owned(),
    }
}

/// The same lines, from an introspection answer.
fn shape_of_introspection(schema: &Value) -> BTreeSet<String> {
    let built_in = ["String", "Int", "Float", "Boolean", "ID"];
    let mut shape = BTreeSet::new();
    for ty in schema["types"].as_array().expect("types") {
        let name = ty["name"].as_str().expect("a type name");
        if name.starts_with("__") || built_in.contains(&name) {
            continue;
        }
        shape.insert(format!("{} {name}", ty["kind"].as_str().expect("a kind")));
        for interface in ty["interfaces"].as_array().into_iter().flatten() {
            shape.insert(format!(
                "{name} implements {}",
                interface["name"].as_str().unwrap_or("?")
            ));
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().expect("a field name");
            shape.insert(format!(
                "{name}.{field_name}: {}",
                introspected_type(&field["type"])
            ));
            for argument in field["args"].as_array().into_iter().flatten() {
                shape.insert(format!(
                    "{name}.{field_name}({}: {})",
                    argument["name"].as_str().unwrap_or("?"),
                    introspected_type(&argument["type"])
                ));
            }
        }
        for input in ty["inputFields"].as_array().into_iter().flatten() {
            shape.insert(format!(
                "{name}.{}: {}",
                input["name"].as_str().unwrap_or("?"),
                introspected_type(&input["type"])
            ));
        }
        for value in ty["enumValues"].as_array().into_iter().flatten() {
            shape.insert(format!("{name}.{}", value["name"].as_str().unwrap_or("?")));
        }
    }
    shape
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_introspection_query_describes_the_published_schema() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app
        .request()
        .query(STANDARD_QUERY)
        .operation_name("IntrospectionQuery")
        .send()
        .await;
    let data = response.data();
    let published = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    let expected = shape_of_sdl(&published);
    let answered = shape_of_introspection(&data["__schema"]);
    assert!(
        expected.len() > 300,
        "the SDL was read: {} lines",
        expected.len()
    );
    let missing: Vec<_> = expected.difference(&answered).collect();
    let extra: Vec<_> = answered.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(data["__schema"]["queryType"]["name"], "QueryRoot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_nested_deeper_than_its_limit_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let of_type = "ofType { ".repeat(20) + "name" + &" }".repeat(20);
    let body = app
        .request()
        .query(format!(
            "{{ __schema {{ types {{ fields {{ type {{ {of_type} }} }} }} }} }}"
        ))
        .send()
        .await
        .json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["limit"],
        "introspectionDepth"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_production_profile_refuses_introspection_and_suggests_no_fields() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.graphql = api::config::GraphqlSettings::production();
    })
    .await;
    let body = app
        .request()
        .query("{ __schema { queryType { name } } }")
        .send()
        .await
        .json();
    // async-graphql answers a disabled introspection field with null.
    assert_eq!(body["data"]["__schema"], Value::Null, "{body}");
    assert!(!body.to_string().contains("QueryRoot"), "{body}");
    let message = typo_message(&app).await;
    assert!(!message.contains("Did you mean"), "{message}");
    let page = app
        .request()
        .get()
        .path("/")
        .header("accept", "text/html")
        .send()
        .await;
    assert_eq!(page.status, 404);
}

/// The error message of a query with a misspelt field (`titl`).
async fn typo_message(app: &crate::helpers::TestApp) -> String {
    let typo = app
        .request()
        .query("{ postings { nodes { titl } } }")
        .send()
        .await
        .json();
    typo["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_suggestions_are_given_while_introspection_is_on() {
    let app = spawn_app(Backend::Sqlite).await;
    let message = typo_message(&app).await;
    assert!(message.contains("Did you mean"), "{message}");
}
