//! The fast paths answer exactly as async-graphql does. Selections are built from the field
//! catalogue (`PlainFields::FIELDS`), so a field added to the catalogue is compared here
//! without editing this file; each is run over a posting whose every optional value is set
//! and one whose every optional value is null, through the one-pass path, the PostgreSQL
//! pushdown (the same document again) and async-graphql's generic resolver (the same
//! selection behind fragments and a directive), byte for byte.

use api::graphql::plain::PlainFields;
use api::graphql::types::company::Company;
use api::graphql::types::location::Location;
use api::graphql::types::posting::Posting;
use api::graphql::types::requirement::Requirement;
use api::graphql::types::section::DescriptionSection;
use api::service::posting::city_key;
use chrono::{TimeZone, Utc};
use entity::enums::{EmploymentType, PostingStatus, RemotePolicy, RequirementKind};
use entity::sections::{Description, DescriptionSection as StoredSection};
use entity::{company, posting, posting_location, requirement};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures::posting_id;
use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app_with};

on_both_databases!(
    every_catalogued_field_answers_as_graphql_would_when_every_optional_value_is_set,
    every_catalogued_field_answers_as_graphql_would_when_every_optional_value_is_null,
);

/// `T`'s catalogued fields, space-separated, with `__typename` first.
fn fields<T: PlainFields>() -> String {
    let mut names = vec!["__typename"];
    names.extend(T::FIELDS.iter().map(|field| field.name));
    names.join(" ")
}

/// Aliases enough that a posting's object has more than 50 members (its catalogued fields,
/// `__typename` and four relations besides), more than PostgreSQL's `json_build_object`
/// takes at once.
fn aliases() -> String {
    let members = Posting::FIELDS.len() + 5;
    (1..=51usize.saturating_sub(members).max(1))
        .map(|n| format!("alias{n}: title"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every catalogued field of a posting and of the relations the fast paths cover, plus
/// aliases: the one-pass path and the pushdown take them.
pub fn one_pass_posting() -> String {
    format!(
        "{} company {{ {} }} locations {{ {} }} requirements {{ {} }} description {{ {} }} {}",
        fields::<Posting>(),
        fields::<Company>(),
        fields::<Location>(),
        fields::<Requirement>(),
        fields::<DescriptionSection>(),
        aliases(),
    )
}

/// The same selection, in the same order, behind inline fragments, a named fragment and a
/// directive: async-graphql's own resolver answers it. Needs `$yes: Boolean!` and
/// [`GENERIC_FRAGMENT`].
pub fn generic_posting() -> String {
    format!(
        "... on Posting {{ {} }} company @include(if: $yes) {{ {} }} \
         locations {{ ... on Location {{ {} }} }} requirements {{ ...RequirementFields }} \
         description {{ ... {{ {} }} }} {}",
        fields::<Posting>(),
        fields::<Company>(),
        fields::<Location>(),
        fields::<DescriptionSection>(),
        aliases(),
    )
}

/// The named fragment [`generic_posting`] spreads.
pub fn generic_fragment() -> String {
    format!(
        "fragment RequirementFields on Requirement {{ {} }}",
        fields::<Requirement>()
    )
}

/// The query of `shape` (an operation body with `SELECTION` in it) holding `selection`, with
/// `fragment` after it, declaring `$id: ID!` and `$yes: Boolean!` where it uses them.
pub fn operation(shape: &str, selection: &str, fragment: &str) -> String {
    let operation = shape.replace("SELECTION", selection);
    let definitions: Vec<&str> = [("$id", "$id: ID!"), ("$yes", "$yes: Boolean!")]
        .into_iter()
        .filter(|(name, _)| operation.contains(name))
        .map(|(_, definition)| definition)
        .collect();
    let definitions = if definitions.is_empty() {
        String::new()
    } else {
        format!("({})", definitions.join(", "))
    };
    format!("query{definitions} {{ {operation} }} {fragment}")
}

/// Inserts a company and one published posting with one location, one requirement and one
/// section, every optional value set (`full`) or null.
async fn posting_with_optional_values(db: &DatabaseConnection, full: bool) -> posting::Model {
    let some = |text: &str| full.then(|| text.to_owned());
    // Microseconds and milliseconds, so that both of chrono's fractions are rendered.
    let created = Utc
        .timestamp_opt(1_767_225_600, 123_456_000)
        .single()
        .expect("a time");
    let updated = Utc
        .timestamp_opt(1_767_312_000, 250_000_000)
        .single()
        .expect("a time");
    let company = company::Model {
        id: Uuid::now_v7(),
        slug: "nordvind".to_owned(),
        name: "Nordvind \"Energi\" AB".to_owned(),
        website: some("https://nordvind.example"),
        description: some("Vind\nkraft \\ och \u{1F32C}"),
        headquarters: some("Göteborg, Sweden"),
        created_at: created,
        updated_at: updated,
    };
    company::Entity::insert(company::ActiveModel::from(company.clone()))
        .exec_without_returning(db)
        .await
        .expect("insert company");
    let model = posting::Model {
        id: Uuid::now_v7(),
        company_id: company.id,
        slug: "backend".to_owned(),
        title: "Backend-utvecklare </script>".to_owned(),
        summary: some("Bygg \"API:er\"\u{2028}med oss"),
        description: Description(vec![StoredSection {
            heading: some("Om rollen"),
            paragraphs: if full {
                vec![
                    "Du bygger, \"testar\"".to_owned(),
                    "och levererar".to_owned(),
                ]
            } else {
                vec![]
            },
            items: if full {
                vec!["Rust".to_owned(), "SQL, \\ PostgreSQL".to_owned()]
            } else {
                vec![]
            },
        }]),
        department: some("Engineering"),
        occupation: some("Software developer"),
        employment_type: EmploymentType::FullTime,
        remote_policy: RemotePolicy::Hybrid,
        travel: some("15–30 %"),
        language: "sv".to_owned(),
        status: PostingStatus::Published,
        posted_at: full.then_some(created),
        valid_through: full.then_some(updated),
        apply_url: some("https://nordvind.example/apply?x=1&y=2"),
        source_url: some("https://nordvind.example/jobs/1"),
        content_hash: None,
        source_key: None,
        responsibilities: entity::sections::Responsibilities(if full {
            vec![
                "Ship \"quoted\" code".to_owned(),
                "Review <b>it</b> – ünïcode".to_owned(),
            ]
        } else {
            Vec::new()
        }),
        salary_min: full.then_some(4_500_000),
        salary_max: full.then_some(5_500_050),
        salary_currency: some("SEK"),
        salary_unit: full.then_some(entity::enums::SalaryUnit::Month),
        version: 3,
        created_at: created,
        updated_at: updated,
    };
    posting::Entity::insert(posting::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await
        .expect("insert posting");
    let city = some("Göteborg");
    posting_location::Entity::insert(posting_location::ActiveModel {
        id: Set(Uuid::now_v7()),
        posting_id: Set(model.id),
        position: Set(0),
        city_key: Set(city.as_deref().map(city_key)),
        city: Set(city),
        region: Set(some("Västra Götaland")),
        country: Set("SE".to_owned()),
    })
    .exec_without_returning(db)
    .await
    .expect("insert location");
    requirement::Entity::insert(requirement::ActiveModel {
        id: Set(Uuid::now_v7()),
        posting_id: Set(model.id),
        position: Set(0),
        kind: Set(RequirementKind::Experience),
        text: Set("Minst 3 års erfarenhet".to_owned()),
        required: Set(full),
        years_min: Set(full.then_some(3)),
        years_max: Set(full.then_some(5)),
    })
    .exec_without_returning(db)
    .await
    .expect("insert requirement");
    model
}

/// The raw body of an answer that must have no errors.
async fn body(app: &TestApp, query: &str, variables: &Value) -> String {
    let response = app
        .request()
        .query(query)
        .variables(variables.clone())
        .send()
        .await;
    assert_eq!(response.status, 200);
    assert!(!response.text.contains("\"errors\""), "{}", response.text);
    response.text
}

async fn compare_every_shape(backend: Backend, full: bool) {
    // Uncached, so that a document sent again is answered again.
    let app = spawn_app_with(backend, |settings| settings.cache.enabled = false).await;
    let posting = posting_with_optional_values(&app.db, full).await;
    let variables = json!({ "id": posting_id(&posting), "yes": true });
    for shape in [
        "postings { nodes { SELECTION } }",
        "postings(first: 1) { edges { cursor node { SELECTION } } pageInfo { hasNextPage } }",
        "posting(id: $id) { SELECTION }",
        "company(slug: \"nordvind\") { postings { nodes { SELECTION } } }",
    ] {
        let query = |selection: &str, fragment: &str| operation(shape, selection, fragment);
        let one_pass_query = query(&one_pass_posting(), "");
        let one_pass = body(&app, &one_pass_query, &variables).await;
        // On PostgreSQL the same document again is answered by the database.
        let pushed_down = body(&app, &one_pass_query, &variables).await;
        let generic = body(
            &app,
            &query(&generic_posting(), &generic_fragment()),
            &variables,
        )
        .await;
        assert_eq!(one_pass, generic, "one pass, for {shape}");
        assert_eq!(pushed_down, generic, "pushdown, for {shape}");
        let answer: Value = serde_json::from_str(&generic).expect("JSON");
        let nulls = generic.matches(":null").count();
        if full {
            assert!(generic.contains("\"Västra Götaland\""), "{generic}");
            assert!(generic.contains("\"yearsMax\":5"), "{generic}");
            assert!(nulls <= 1, "only the shape's own nulls: {generic}");
        } else {
            assert!(nulls >= 14, "every optional value is null: {generic}");
        }
        assert!(answer["data"].is_object());
    }
}

async fn every_catalogued_field_answers_as_graphql_would_when_every_optional_value_is_set(
    backend: Backend,
) {
    compare_every_shape(backend, true).await;
}

async fn every_catalogued_field_answers_as_graphql_would_when_every_optional_value_is_null(
    backend: Backend,
) {
    compare_every_shape(backend, false).await;
}
