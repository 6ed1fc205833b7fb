//! Managing postings with tokens: the life of a posting, versions, validation, drafts seen by
//! their company only, applications, and the audit trail.

use std::collections::BTreeSet;

use entity::enums::PostingStatus;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::fixtures::{self, PostingSpec, company_id, posting_id};
use crate::helpers::{Backend, error_code, on_both_databases, spawn_app};
use crate::tokens::token;

on_both_databases!(
    an_internal_tool_creates_updates_publishes_and_archives_a_posting,
    two_updates_with_the_same_expected_version_one_wins_one_conflicts,
    fifty_concurrent_applications_with_one_key_make_one_row,
    drafts_are_visible_to_their_companys_postings_read_token_only,
    applications_are_visible_to_their_company_only_through_every_path,
    bad_input_is_refused_with_the_field_named_and_changes_nothing,
);

const CREATE: &str = "mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { id slug status version title description { heading paragraphs items } locations { city country } requirements { id text required yearsMin } } } }";
const UPDATE: &str = "mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { id version title summary locations { city } } } }";
const PUBLISH: &str = "mutation($input: PublishPostingInput!) { publishPosting(input: $input) { posting { id status version postedAt } } }";
const APPLY: &str = "mutation($input: ApplyToPostingInput!) { applyToPosting(input: $input) { application { id status } } }";

async fn an_internal_tool_creates_updates_publishes_and_archives_a_posting(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "nordvind", "Nordvind").await;
    let writer = token("postings:write", &[company.id]);

    let created = app
        .request()
        .token(&writer)
        .query(CREATE)
        .variables(json!({ "input": {
            "companyId": company_id(&company),
            "title": "Systemutvecklare, Göteborg",
            "description": "Vi bygger vindkraft.\n\n## Dina arbetsuppgifter\n- Bygga\n- Drifta",
            "language": "sv",
            "locations": [{ "city": "Göteborg", "country": "se" }],
            "requirements": [
                { "kind": "EXPERIENCE", "text": "Tre års erfarenhet", "yearsMin": 3 },
                { "kind": "LANGUAGE", "text": "Engelska", "required": false },
            ],
        } }))
        .send()
        .await
        .data()["createPosting"]["posting"]
        .clone();
    assert_eq!(created["status"], json!("DRAFT"));
    assert_eq!(created["version"], json!(1));
    assert_eq!(created["slug"], json!("systemutvecklare-goteborg"));
    assert_eq!(
        created["locations"],
        json!([{ "city": "Göteborg", "country": "SE" }])
    );
    assert_eq!(
        created["description"][1],
        json!({ "heading": "Dina arbetsuppgifter", "paragraphs": [], "items": ["Bygga", "Drifta"] })
    );
    assert_eq!(created["requirements"][1]["required"], json!(false));
    let id = created["id"].clone();

    // Drafts are invisible to anonymous readers.
    let anonymous = app
        .request()
        .query("query($id: ID!) { posting(id: $id) { id } }")
        .variables(json!({ "id": id }))
        .send()
        .await
        .data();
    assert_eq!(anonymous["posting"], Value::Null);

    let updated = app
        .request().token(&writer).query(UPDATE).variables(json!({ "input": { "id": id, "expectedVersion": 1, "summary": "Kort.", "locations": [{ "city": "Borås", "country": "SE" }] } })).send().await.data()["updatePosting"]["posting"]
        .clone();
    assert_eq!(updated["version"], json!(2));
    assert_eq!(updated["title"], json!("Systemutvecklare, Göteborg"));
    assert_eq!(updated["summary"], json!("Kort."));
    assert_eq!(updated["locations"], json!([{ "city": "Borås" }]));

    // Null clears a field; omitted fields stay.
    let cleared = app
        .request()
        .token(&writer)
        .query(UPDATE)
        .variables(json!({ "input": { "id": id, "expectedVersion": 2, "summary": null } }))
        .send()
        .await
        .data()["updatePosting"]["posting"]
        .clone();
    assert_eq!(cleared["summary"], Value::Null);
    assert_eq!(cleared["locations"], json!([{ "city": "Borås" }]));

    let published = app
        .request()
        .token(&writer)
        .query(PUBLISH)
        .variables(json!({ "input": { "id": id, "expectedVersion": 3 } }))
        .send()
        .await
        .data()["publishPosting"]["posting"]
        .clone();
    assert_eq!(published["status"], json!("PUBLISHED"));
    assert!(published["postedAt"].is_string());
    let public = app
        .request()
        .query("query($id: ID!) { posting(id: $id) { title status } }")
        .variables(json!({ "id": id }))
        .send()
        .await
        .data();
    assert_eq!(public["posting"]["status"], json!("PUBLISHED"));

    // Closing twice is a conflict; archiving works from closed.
    let close =
        "mutation($input: PostingRefInput!) { closePosting(input: $input) { posting { status } } }";
    app.request()
        .token(&writer)
        .query(close)
        .variables(json!({ "input": { "id": id } }))
        .send()
        .await
        .data();
    let again = app
        .request()
        .token(&writer)
        .query(close)
        .variables(json!({ "input": { "id": id } }))
        .send()
        .await
        .json();
    assert_eq!(error_code(&again), "CONFLICT", "{again}");
    let archive = "mutation($input: PostingRefInput!) { archivePosting(input: $input) { posting { status } } }";
    let archived = app
        .request()
        .token(&writer)
        .query(archive)
        .variables(json!({ "input": { "id": id } }))
        .send()
        .await
        .data();
    assert_eq!(
        archived["archivePosting"]["posting"]["status"],
        json!("ARCHIVED")
    );

    // Requirements: add at the front, update, remove, replace; each bumps the version.
    let requirement_ids = |posting: &Value| -> Vec<String> {
        posting["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first_ids = requirement_ids(&created);
    let added = app
        .request().token(&writer).query("mutation($input: AddRequirementInput!) { addRequirement(input: $input) { requirement { id text } posting { version requirements { text } } } }").variables(json!({ "input": { "postingId": id, "position": 0, "requirement": { "kind": "SKILL", "text": "Rust" } } })).send().await.data()["addRequirement"]
        .clone();
    assert_eq!(added["posting"]["requirements"][0]["text"], json!("Rust"));
    assert_eq!(
        added["posting"]["requirements"].as_array().unwrap().len(),
        3
    );
    let removed = app
        .request().token(&writer).query("mutation($input: RemoveRequirementInput!) { removeRequirement(input: $input) { posting { requirements { text } } } }").variables(json!({ "input": { "id": first_ids[0] } })).send().await.data();
    assert_eq!(
        removed["removeRequirement"]["posting"]["requirements"],
        json!([{ "text": "Rust" }, { "text": "Engelska" }])
    );
    let set = app
        .request().token(&writer).query("mutation($input: SetRequirementsInput!) { setRequirements(input: $input) { posting { version requirements { text yearsMin yearsMax } } } }").variables(json!({ "input": { "postingId": id, "requirements": [{ "kind": "EXPERIENCE", "text": "Fem år", "yearsMin": 5, "yearsMax": 8 }] } })).send().await.data();
    assert_eq!(
        set["setRequirements"]["posting"]["requirements"],
        json!([{ "text": "Fem år", "yearsMin": 5, "yearsMax": 8 }])
    );

    // The audit trail saw every change, newest first, with who made them.
    let admin = token("admin", &[]);
    let audit = app
        .request().token(&admin).query("query($company: ID!) { auditEvents(companyId: $company, first: 100) { nodes { actor operation entityType } } }").variables(json!({ "company": company_id(&company) })).send().await.data();
    let operations: Vec<&str> = audit["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(
        operations,
        [
            "setRequirements",
            "removeRequirement",
            "addRequirement",
            "archivePosting",
            "closePosting",
            "publishPosting",
            "updatePosting",
            "updatePosting",
            "createPosting"
        ]
    );
    assert_eq!(
        audit["auditEvents"]["nodes"][0]["actor"],
        json!("test-tool")
    );

    // Deleting: a posting with applications is kept.
    let fresh = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    app.request().query(APPLY).variables(json!({ "input": { "postingId": posting_id(&fresh), "idempotencyKey": "k1", "name": "Ada", "email": "ada@example.com" } })).send().await.data();
    let delete =
        "mutation($input: PostingRefInput!) { deletePosting(input: $input) { deletedId } }";
    let refused = app
        .request()
        .token(&writer)
        .query(delete)
        .variables(json!({ "input": { "id": posting_id(&fresh) } }))
        .send()
        .await
        .json();
    assert_eq!(error_code(&refused), "CONFLICT", "{refused}");
    let deleted = app
        .request()
        .token(&writer)
        .query(delete)
        .variables(json!({ "input": { "id": id } }))
        .send()
        .await
        .data();
    assert_eq!(deleted["deletePosting"]["deletedId"], id);
    let left = entity::requirement::Entity::find()
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(
        left as usize,
        PostingSpec::default().requirements,
        "only the kept posting's requirements are left"
    );
}

async fn two_updates_with_the_same_expected_version_one_wins_one_conflicts(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let writer = token("postings:write", &[company.id]);
    for round in 0..5 {
        let version = round + 1;
        let send = |title: &'static str| {
            app.request().token(&writer).query(UPDATE).variables(json!({ "input": { "id": posting_id(&posting), "expectedVersion": version, "title": title } })).send()
        };
        let (a, b) = tokio::join!(send("From A"), send("From B"));
        let (a, b) = (a.json(), b.json());
        let codes: BTreeSet<String> = [&a, &b]
            .iter()
            .map(|body| {
                body["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or("OK")
                    .to_owned()
            })
            .collect();
        assert_eq!(
            codes,
            BTreeSet::from(["CONFLICT".to_owned(), "OK".to_owned()]),
            "round {round}: {a} {b}"
        );
    }
    let stored = entity::posting::Entity::find_by_id(posting.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, 6);
}

async fn fifty_concurrent_applications_with_one_key_make_one_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(&app.db, company.id, PostingSpec::default()).await;
    let input = json!({ "input": { "postingId": posting_id(&posting), "idempotencyKey": "retry-me", "name": "Grace Hopper", "email": "grace@example.com" } });
    let responses = futures_util::future::join_all(
        (0..50).map(|_| app.request().query(APPLY).variables(input.clone()).send()),
    )
    .await;
    let ids: BTreeSet<String> = responses
        .iter()
        .map(|response| {
            let body = response.json();
            assert!(body.get("errors").is_none(), "{body}");
            body["data"]["applyToPosting"]["application"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every retry returns the same application");
    assert_eq!(
        entity::application::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        1
    );
    // A different key is a different application.
    let other = json!({ "input": { "postingId": posting_id(&posting), "idempotencyKey": "another", "name": "Grace Hopper", "email": "grace@example.com" } });
    app.request()
        .query(APPLY)
        .variables(other)
        .send()
        .await
        .data();
    assert_eq!(
        entity::application::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        2
    );
}

async fn drafts_are_visible_to_their_companys_postings_read_token_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = fixtures::company(&app.db, "mine", "Mine").await;
    let other = fixtures::company(&app.db, "other", "Other").await;
    let draft = fixtures::posting(
        &app.db,
        mine.id,
        PostingSpec {
            title: "Draft".into(),
            status: PostingStatus::Draft,
            ..Default::default()
        },
    )
    .await;
    fixtures::posting(
        &app.db,
        mine.id,
        PostingSpec {
            title: "Public".into(),
            ..Default::default()
        },
    )
    .await;
    let query = "query($id: ID!) { postings { nodes { title } } node(id: $id) { id } posting(id: $id) { title } company(slug: \"mine\") { postings { totalCount } } }";
    let variables = json!({ "id": posting_id(&draft) });

    let reader = app
        .request()
        .token(token("postings:read", &[mine.id]))
        .query(query)
        .variables(variables.clone())
        .send()
        .await
        .data();
    assert_eq!(reader["posting"]["title"], json!("Draft"));
    assert_eq!(reader["node"]["id"], json!(posting_id(&draft)));
    assert_eq!(reader["company"]["postings"]["totalCount"], json!(2));

    for (who, token) in [
        (
            "the other company",
            Some(token("postings:read", &[other.id])),
        ),
        (
            "a token without postings:read",
            Some(token("postings:write applications:read", &[mine.id])),
        ),
        ("anonymous", None),
    ] {
        let body = app
            .request()
            .maybe_token(token.as_deref())
            .query(query)
            .variables(variables.clone())
            .send()
            .await
            .json();
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(
            body["data"]["postings"]["nodes"],
            json!([{ "title": "Public" }]),
            "{who}"
        );
        assert_eq!(body["data"]["posting"], Value::Null, "{who}");
        assert_eq!(body["data"]["node"], Value::Null, "{who}");
        assert_eq!(
            body["data"]["company"]["postings"]["totalCount"],
            json!(1),
            "{who}"
        );
    }
}

async fn applications_are_visible_to_their_company_only_through_every_path(backend: Backend) {
    let app = spawn_app(backend).await;
    let mine = fixtures::company(&app.db, "mine", "Mine").await;
    let other = fixtures::company(&app.db, "other", "Other").await;
    let posting = fixtures::posting(&app.db, mine.id, PostingSpec::default()).await;
    let applied = app
        .request().query(APPLY).variables(json!({ "input": { "postingId": posting_id(&posting), "idempotencyKey": "k", "name": "Katherine Johnson", "email": "kj@example.com", "phone": "+46 70 123 45 67" } })).send().await.data();
    let id = applied["applyToPosting"]["application"]["id"].clone();
    assert_eq!(
        applied["applyToPosting"]["application"]["status"],
        json!("SUBMITTED")
    );

    let query = "query($id: ID!, $posting: ID!) { application(id: $id) { name email phone } node(id: $id) { ... on Application { name } } posting(id: $posting) { applications { nodes { name } } } }";
    let variables = json!({ "id": id, "posting": posting_id(&posting) });
    let reader = app
        .request()
        .token(token("applications:read", &[mine.id]))
        .query(query)
        .variables(variables.clone())
        .send()
        .await
        .data();
    assert_eq!(
        reader["application"],
        json!({ "name": "Katherine Johnson", "email": "kj@example.com", "phone": "+46 70 123 45 67" })
    );
    assert_eq!(reader["node"]["name"], json!("Katherine Johnson"));
    assert_eq!(
        reader["posting"]["applications"]["nodes"],
        json!([{ "name": "Katherine Johnson" }])
    );

    for (who, token, code) in [
        ("anonymous", None, "UNAUTHENTICATED"),
        (
            "the other company",
            Some(token("applications:read", &[other.id])),
            "FORBIDDEN",
        ),
        (
            "postings:read only",
            Some(token("postings:read postings:write", &[mine.id])),
            "FORBIDDEN",
        ),
    ] {
        let body = app
            .request()
            .maybe_token(token.as_deref())
            .query(query)
            .variables(variables.clone())
            .send()
            .await
            .json();
        assert!(
            !body.to_string().contains("Katherine"),
            "{who} saw personal data: {body}"
        );
        assert!(
            !body.to_string().contains("kj@example.com"),
            "{who} saw personal data: {body}"
        );
        let codes: BTreeSet<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["extensions"]["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, BTreeSet::from([code]), "{who}: {body}");
        assert_eq!(body["data"]["application"], Value::Null);
        assert_eq!(body["data"]["posting"]["applications"], Value::Null);
    }

    // Status changes and erasure need applications:write; erasure keeps an anonymous record.
    let writer = token("applications:write applications:read", &[mine.id]);
    let status = app
        .request().token(&writer).query("mutation($id: ID!) { updateApplicationStatus(input: { id: $id, status: INTERVIEWING }) { application { status } } }").variables(json!({ "id": id })).send().await.data();
    assert_eq!(
        status["updateApplicationStatus"]["application"]["status"],
        json!("INTERVIEWING")
    );
    let erased = app
        .request().token(&writer).query("mutation($id: ID!) { eraseApplication(input: { id: $id }) { application { id name email phone status erasedAt } } }").variables(json!({ "id": id })).send().await.data()["eraseApplication"]["application"]
        .clone();
    assert_eq!(erased["name"], Value::Null);
    assert_eq!(erased["email"], Value::Null);
    assert_eq!(erased["phone"], Value::Null);
    assert_eq!(erased["status"], json!("INTERVIEWING"));
    assert!(erased["erasedAt"].is_string());
    let stored = entity::application::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1, "the record stays");
    assert!(
        !format!("{stored:?}").contains("Katherine"),
        "the personal data is gone from the database"
    );

    // Applying to a draft, or with a bad address, is refused.
    let draft = fixtures::posting(
        &app.db,
        mine.id,
        PostingSpec {
            status: PostingStatus::Draft,
            ..Default::default()
        },
    )
    .await;
    let body = app.request().query(APPLY).variables(json!({ "input": { "postingId": posting_id(&draft), "idempotencyKey": "x", "name": "A", "email": "a@example.com" } })).send().await.json();
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let body = app.request().query(APPLY).variables(json!({ "input": { "postingId": posting_id(&posting), "idempotencyKey": "y", "name": "A", "email": "not-an-address" } })).send().await.json();
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        json!("input.email")
    );
    assert!(
        !body.to_string().contains("not-an-address"),
        "errors never echo personal data: {body}"
    );
}

async fn bad_input_is_refused_with_the_field_named_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write", &[company.id]);
    let base =
        json!({ "companyId": company_id(&company), "title": "Engineer", "description": "Build." });
    let with = |key: &str, value: Value| {
        let mut input = base.clone();
        input[key] = value;
        json!({ "input": input })
    };
    for (variables, field) in [
        (with("title", json!("  ")), "input.title"),
        (with("title", json!("x".repeat(201))), "input.title"),
        (with("slug", json!("Not A Slug")), "input.slug"),
        (
            with("applyUrl", json!("javascript:alert(1)")),
            "input.applyUrl",
        ),
        (with("language", json!("english")), "input.language"),
        (
            with("locations", json!([{ "country": "Sweden" }])),
            "input.locations.0.country",
        ),
        (
            with(
                "requirements",
                json!([{ "kind": "EXPERIENCE", "text": "x", "yearsMin": 5, "yearsMax": 2 }]),
            ),
            "input.requirements.0.yearsMin",
        ),
        (
            with(
                "requirements",
                json!([{ "kind": "EXPERIENCE", "text": "" }]),
            ),
            "input.requirements.0.text",
        ),
        (with("companyId", json!("garbage")), "input.companyId"),
    ] {
        let body = app
            .request()
            .token(&writer)
            .query(CREATE)
            .variables(variables.clone())
            .send()
            .await
            .json();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{variables}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"],
            json!(field),
            "{body}"
        );
    }
    // An unknown enum value is a validation error.
    let body = app
        .request()
        .token(&writer)
        .query(CREATE)
        .variables(with("employmentType", json!("SOMETIMES")))
        .send()
        .await
        .json();
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert_eq!(
        entity::posting::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );

    // Publishing an incomplete draft is refused, and a stale version is a conflict.
    let draft = app
        .request()
        .token(&writer)
        .query(CREATE)
        .variables(
            json!({ "input": { "companyId": company_id(&company), "title": "No description" } }),
        )
        .send()
        .await
        .data();
    let id = draft["createPosting"]["posting"]["id"].clone();
    let body = app
        .request()
        .token(&writer)
        .query(PUBLISH)
        .variables(json!({ "input": { "id": id } }))
        .send()
        .await
        .json();
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("description"),
        "{body}"
    );
    let body = app
        .request()
        .token(&writer)
        .query(UPDATE)
        .variables(json!({ "input": { "id": id, "expectedVersion": 7, "title": "Late" } }))
        .send()
        .await
        .json();
    assert_eq!(error_code(&body), "CONFLICT");
    let stored = entity::posting::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.title.as_str(), stored.version),
        ("No description", 1)
    );

    // A taken slug is a conflict.
    let slug =
        json!({ "input": { "companyId": company_id(&company), "title": "Twin", "slug": "twin" } });
    app.request()
        .token(&writer)
        .query(CREATE)
        .variables(slug.clone())
        .send()
        .await
        .data();
    let body = app
        .request()
        .token(&writer)
        .query(CREATE)
        .variables(slug)
        .send()
        .await
        .json();
    assert_eq!(error_code(&body), "CONFLICT");
}
