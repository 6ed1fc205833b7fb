//! Managing postings with tokens: the life of a posting, versions, validation, drafts seen by
//! their company only, applications, and the audit trail.

use std::collections::BTreeSet;

use entity::enums::PostingStatus;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::fixtures::{self, PostingSpec, company_id, posting_id};
use crate::helpers::{Backend, Response, TestApp, error_code, on_both_databases, spawn_app};
use crate::tokens::token;

on_both_databases!(
    a_created_posting_is_a_draft_at_version_one_with_a_slug_made_from_its_title,
    a_created_posting_keeps_its_locations_description_sections_and_requirements,
    a_new_draft_is_invisible_to_anonymous_readers,
    an_update_bumps_the_version_and_changes_only_the_fields_it_names,
    an_update_with_null_clears_a_field_and_leaves_omitted_ones,
    publishing_a_draft_dates_it_and_shows_it_to_anonymous_readers,
    closing_a_closed_posting_is_a_conflict,
    a_closed_posting_can_be_archived,
    a_requirement_added_at_position_zero_comes_first,
    removing_a_requirement_keeps_the_others_in_order,
    setting_requirements_replaces_the_whole_list,
    the_audit_trail_lists_every_change_newest_first_with_who_made_it,
    a_posting_with_applications_cannot_be_deleted,
    deleting_a_posting_removes_it_with_its_requirements,
    two_updates_with_the_same_expected_version_one_wins_one_conflicts,
    fifty_concurrent_applications_with_one_key_make_one_row,
    drafts_are_visible_to_their_companys_postings_read_token_only,
    a_new_application_is_submitted,
    the_companys_applications_read_token_sees_an_application_by_every_path,
    no_other_reader_sees_an_application_by_any_path,
    an_applications_write_token_moves_an_application_along,
    erasing_an_application_removes_its_personal_data_and_keeps_an_anonymous_record,
    applying_to_a_draft_is_not_found,
    an_application_with_a_bad_address_is_refused_without_echoing_it,
    bad_input_is_refused_with_the_field_named_and_changes_nothing,
    an_unknown_enum_value_is_a_validation_error_and_changes_nothing,
    publishing_an_incomplete_draft_is_a_conflict_that_names_what_is_missing,
    an_update_at_a_stale_version_is_a_conflict_and_changes_nothing,
    a_slug_taken_within_the_company_is_a_conflict,
);

const CREATE: &str = "mutation($input: CreatePostingInput!) { createPosting(input: $input) { posting { id slug status version title description { heading paragraphs items } locations { city country } requirements { id text required yearsMin } } } }";
const UPDATE: &str = "mutation($input: UpdatePostingInput!) { updatePosting(input: $input) { posting { id version title summary locations { city } } } }";
const PUBLISH: &str = "mutation($input: PublishPostingInput!) { publishPosting(input: $input) { posting { id status version postedAt } } }";
const APPLY: &str = "mutation($input: ApplyToPostingInput!) { applyToPosting(input: $input) { application { id status } } }";

const CLOSE: &str =
    "mutation($input: PostingRefInput!) { closePosting(input: $input) { posting { status } } }";
const ARCHIVE: &str =
    "mutation($input: PostingRefInput!) { archivePosting(input: $input) { posting { status } } }";
const DELETE: &str =
    "mutation($input: PostingRefInput!) { deletePosting(input: $input) { deletedId } }";
const ADD_REQUIREMENT: &str = "mutation($input: AddRequirementInput!) { addRequirement(input: $input) { requirement { id text } posting { version requirements { text } } } }";
const REMOVE_REQUIREMENT: &str = "mutation($input: RemoveRequirementInput!) { removeRequirement(input: $input) { posting { requirements { text } } } }";
const SET_REQUIREMENTS: &str = "mutation($input: SetRequirementsInput!) { setRequirements(input: $input) { posting { version requirements { text yearsMin yearsMax } } } }";

/// A company, an internal tool's `postings:write` token for it, and a draft the tool created
/// through the API, in Swedish, with a Markdown description, a location and two requirements.
struct Draft {
    app: TestApp,
    company: entity::company::Model,
    writer: String,
    /// `createPosting`'s answer.
    created: Value,
    /// The draft's global id.
    id: Value,
}

async fn a_draft(backend: Backend) -> Draft {
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
    let id = created["id"].clone();
    Draft {
        app,
        company,
        writer,
        created,
        id,
    }
}

impl Draft {
    /// Sends `query` with the writer's token and `input` as `$input`.
    async fn write(&self, query: &str, input: Value) -> Response {
        self.app
            .request()
            .token(&self.writer)
            .query(query)
            .variables(json!({ "input": input }))
            .send()
            .await
    }

    /// Like [`Draft::write`], for a change that must succeed; returns its `data`.
    async fn change(&self, query: &str, input: Value) -> Value {
        self.write(query, input).await.data()
    }

    /// Gives the draft a summary and moves it to Borås; it is at version 2 after.
    async fn update(&self) -> Value {
        self.change(UPDATE, json!({ "id": self.id, "expectedVersion": 1, "summary": "Kort.", "locations": [{ "city": "Borås", "country": "SE" }] }))
            .await["updatePosting"]["posting"]
            .clone()
    }

    async fn publish(&self) -> Value {
        self.change(PUBLISH, json!({ "id": self.id })).await["publishPosting"]["posting"].clone()
    }

    async fn close(&self) -> Value {
        self.change(CLOSE, json!({ "id": self.id })).await
    }

    /// Adds "Rust" before the two requirements the draft was created with.
    async fn add_rust_first(&self) -> Value {
        self.change(
            ADD_REQUIREMENT,
            json!({ "postingId": self.id, "position": 0, "requirement": { "kind": "SKILL", "text": "Rust" } }),
        )
        .await["addRequirement"]
        .clone()
    }

    /// Removes the first requirement the draft was created with.
    async fn remove_first_created_requirement(&self) -> Value {
        let first = self.created["requirements"][0]["id"].clone();
        self.change(REMOVE_REQUIREMENT, json!({ "id": first }))
            .await
    }

    async fn set_five_years(&self) -> Value {
        self.change(
            SET_REQUIREMENTS,
            json!({ "postingId": self.id, "requirements": [{ "kind": "EXPERIENCE", "text": "Fem år", "yearsMin": 5, "yearsMax": 8 }] }),
        )
        .await
    }

    /// The posting as an anonymous reader finds it by id.
    async fn as_anonymous(&self) -> Value {
        self.app
            .request()
            .query("query($id: ID!) { posting(id: $id) { title status } }")
            .variables(json!({ "id": self.id }))
            .send()
            .await
            .data()["posting"]
            .clone()
    }
}

async fn a_created_posting_is_a_draft_at_version_one_with_a_slug_made_from_its_title(
    backend: Backend,
) {
    let draft = a_draft(backend).await;
    assert_eq!(draft.created["status"], json!("DRAFT"));
    assert_eq!(draft.created["version"], json!(1));
    assert_eq!(draft.created["slug"], json!("systemutvecklare-goteborg"));
}

async fn a_created_posting_keeps_its_locations_description_sections_and_requirements(
    backend: Backend,
) {
    let created = a_draft(backend).await.created;
    assert_eq!(
        created["locations"],
        json!([{ "city": "Göteborg", "country": "SE" }])
    );
    assert_eq!(
        created["description"][1],
        json!({ "heading": "Dina arbetsuppgifter", "paragraphs": [], "items": ["Bygga", "Drifta"] })
    );
    assert_eq!(created["requirements"][1]["required"], json!(false));
}

async fn a_new_draft_is_invisible_to_anonymous_readers(backend: Backend) {
    let draft = a_draft(backend).await;
    assert_eq!(draft.as_anonymous().await, Value::Null);
}

async fn an_update_bumps_the_version_and_changes_only_the_fields_it_names(backend: Backend) {
    let updated = a_draft(backend).await.update().await;
    assert_eq!(updated["version"], json!(2));
    assert_eq!(updated["title"], json!("Systemutvecklare, Göteborg"));
    assert_eq!(updated["summary"], json!("Kort."));
    assert_eq!(updated["locations"], json!([{ "city": "Borås" }]));
}

async fn an_update_with_null_clears_a_field_and_leaves_omitted_ones(backend: Backend) {
    let draft = a_draft(backend).await;
    draft.update().await;
    let cleared = draft
        .change(
            UPDATE,
            json!({ "id": draft.id, "expectedVersion": 2, "summary": null }),
        )
        .await["updatePosting"]["posting"]
        .clone();
    assert_eq!(cleared["summary"], Value::Null);
    assert_eq!(cleared["locations"], json!([{ "city": "Borås" }]));
}

async fn publishing_a_draft_dates_it_and_shows_it_to_anonymous_readers(backend: Backend) {
    let draft = a_draft(backend).await;
    let published = draft.publish().await;
    assert_eq!(published["status"], json!("PUBLISHED"));
    assert!(published["postedAt"].is_string());
    assert_eq!(draft.as_anonymous().await["status"], json!("PUBLISHED"));
}

async fn closing_a_closed_posting_is_a_conflict(backend: Backend) {
    let draft = a_draft(backend).await;
    draft.publish().await;
    draft.close().await;
    let again = draft.write(CLOSE, json!({ "id": draft.id })).await.json();
    assert_eq!(error_code(&again), "CONFLICT", "{again}");
}

async fn a_closed_posting_can_be_archived(backend: Backend) {
    let draft = a_draft(backend).await;
    draft.publish().await;
    draft.close().await;
    let archived = draft.change(ARCHIVE, json!({ "id": draft.id })).await;
    assert_eq!(
        archived["archivePosting"]["posting"]["status"],
        json!("ARCHIVED")
    );
}

async fn a_requirement_added_at_position_zero_comes_first(backend: Backend) {
    let added = a_draft(backend).await.add_rust_first().await;
    assert_eq!(added["posting"]["requirements"][0]["text"], json!("Rust"));
    assert_eq!(
        added["posting"]["requirements"].as_array().unwrap().len(),
        3
    );
}

async fn removing_a_requirement_keeps_the_others_in_order(backend: Backend) {
    let draft = a_draft(backend).await;
    draft.add_rust_first().await;
    let removed = draft.remove_first_created_requirement().await;
    assert_eq!(
        removed["removeRequirement"]["posting"]["requirements"],
        json!([{ "text": "Rust" }, { "text": "Engelska" }])
    );
}

async fn setting_requirements_replaces_the_whole_list(backend: Backend) {
    let set = a_draft(backend).await.set_five_years().await;
    assert_eq!(
        set["setRequirements"]["posting"]["requirements"],
        json!([{ "text": "Fem år", "yearsMin": 5, "yearsMax": 8 }])
    );
}

async fn the_audit_trail_lists_every_change_newest_first_with_who_made_it(backend: Backend) {
    let draft = a_draft(backend).await;
    draft.update().await;
    draft
        .change(
            UPDATE,
            json!({ "id": draft.id, "expectedVersion": 2, "summary": null }),
        )
        .await;
    draft.publish().await;
    draft.close().await;
    draft.change(ARCHIVE, json!({ "id": draft.id })).await;
    draft.add_rust_first().await;
    draft.remove_first_created_requirement().await;
    draft.set_five_years().await;

    let audit = draft
        .app
        .request()
        .token(token("admin", &[]))
        .query("query($company: ID!) { auditEvents(companyId: $company, first: 100) { nodes { actor operation entityType } } }")
        .variables(json!({ "company": company_id(&draft.company) }))
        .send()
        .await
        .data();
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
}

async fn a_posting_with_applications_cannot_be_deleted(backend: Backend) {
    let draft = a_draft(backend).await;
    let app = &draft.app;
    let applied = fixtures::posting(&app.db, draft.company.id, PostingSpec::default()).await;
    app.request()
        .query(APPLY)
        .variables(json!({ "input": { "postingId": posting_id(&applied), "idempotencyKey": "k1", "name": "Ada", "email": "ada@example.com" } }))
        .send()
        .await
        .data();
    let refused = draft
        .write(DELETE, json!({ "id": posting_id(&applied) }))
        .await
        .json();
    assert_eq!(error_code(&refused), "CONFLICT", "{refused}");
}

async fn deleting_a_posting_removes_it_with_its_requirements(backend: Backend) {
    let draft = a_draft(backend).await;
    let app = &draft.app;
    fixtures::posting(&app.db, draft.company.id, PostingSpec::default()).await;
    let deleted = draft.change(DELETE, json!({ "id": draft.id })).await;
    assert_eq!(deleted["deletePosting"]["deletedId"], draft.id);
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

/// Katherine Johnson's application, through the API, to a published posting of `mine`.
struct Applied {
    app: TestApp,
    mine: entity::company::Model,
    other: entity::company::Model,
    posting: entity::posting::Model,
    /// `applyToPosting`'s `data`.
    applied: Value,
    /// The application's global id.
    id: Value,
}

async fn an_application(backend: Backend) -> Applied {
    let app = spawn_app(backend).await;
    let mine = fixtures::company(&app.db, "mine", "Mine").await;
    let other = fixtures::company(&app.db, "other", "Other").await;
    let posting = fixtures::posting(&app.db, mine.id, PostingSpec::default()).await;
    let applied = app
        .request()
        .query(APPLY)
        .variables(json!({ "input": { "postingId": posting_id(&posting), "idempotencyKey": "k", "name": "Katherine Johnson", "email": "kj@example.com", "phone": "+46 70 123 45 67" } }))
        .send()
        .await
        .data();
    let id = applied["applyToPosting"]["application"]["id"].clone();
    Applied {
        app,
        mine,
        other,
        posting,
        applied,
        id,
    }
}

/// Reads the application through `application`, `node` and its posting's `applications`.
const APPLICATION_BY_EVERY_PATH: &str = "query($id: ID!, $posting: ID!) { application(id: $id) { name email phone } node(id: $id) { ... on Application { name } } posting(id: $posting) { applications { nodes { name } } } }";

impl Applied {
    /// [`APPLICATION_BY_EVERY_PATH`] sent with `token` (anonymous when `None`).
    async fn read_by_every_path(&self, token: Option<&str>) -> Response {
        self.app
            .request()
            .maybe_token(token)
            .query(APPLICATION_BY_EVERY_PATH)
            .variables(json!({ "id": self.id, "posting": posting_id(&self.posting) }))
            .send()
            .await
    }

    /// Sends `query` with `$id` the application's id and an `applications:write` token.
    async fn change(&self, query: &str) -> Value {
        let writer = token("applications:write applications:read", &[self.mine.id]);
        self.app
            .request()
            .token(writer)
            .query(query)
            .variables(json!({ "id": self.id }))
            .send()
            .await
            .data()
    }

    async fn move_to_interviewing(&self) -> Value {
        self.change("mutation($id: ID!) { updateApplicationStatus(input: { id: $id, status: INTERVIEWING }) { application { status } } }")
            .await
    }
}

async fn a_new_application_is_submitted(backend: Backend) {
    let applied = an_application(backend).await.applied;
    assert_eq!(
        applied["applyToPosting"]["application"]["status"],
        json!("SUBMITTED")
    );
}

async fn the_companys_applications_read_token_sees_an_application_by_every_path(backend: Backend) {
    let applied = an_application(backend).await;
    let reader = token("applications:read", &[applied.mine.id]);
    let reader = applied.read_by_every_path(Some(&reader)).await.data();
    assert_eq!(
        reader["application"],
        json!({ "name": "Katherine Johnson", "email": "kj@example.com", "phone": "+46 70 123 45 67" })
    );
    assert_eq!(reader["node"]["name"], json!("Katherine Johnson"));
    assert_eq!(
        reader["posting"]["applications"]["nodes"],
        json!([{ "name": "Katherine Johnson" }])
    );
}

async fn no_other_reader_sees_an_application_by_any_path(backend: Backend) {
    let applied = an_application(backend).await;
    for (who, token, code) in [
        ("anonymous", None, "UNAUTHENTICATED"),
        (
            "the other company",
            Some(token("applications:read", &[applied.other.id])),
            "FORBIDDEN",
        ),
        (
            "postings:read only",
            Some(token("postings:read postings:write", &[applied.mine.id])),
            "FORBIDDEN",
        ),
    ] {
        let body = applied.read_by_every_path(token.as_deref()).await.json();
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
}

async fn an_applications_write_token_moves_an_application_along(backend: Backend) {
    let status = an_application(backend).await.move_to_interviewing().await;
    assert_eq!(
        status["updateApplicationStatus"]["application"]["status"],
        json!("INTERVIEWING")
    );
}

async fn erasing_an_application_removes_its_personal_data_and_keeps_an_anonymous_record(
    backend: Backend,
) {
    let applied = an_application(backend).await;
    applied.move_to_interviewing().await;
    let erased = applied
        .change("mutation($id: ID!) { eraseApplication(input: { id: $id }) { application { id name email phone status erasedAt } } }")
        .await["eraseApplication"]["application"]
        .clone();
    assert_eq!(erased["name"], Value::Null);
    assert_eq!(erased["email"], Value::Null);
    assert_eq!(erased["phone"], Value::Null);
    assert_eq!(erased["status"], json!("INTERVIEWING"));
    assert!(erased["erasedAt"].is_string());
    let stored = entity::application::Entity::find()
        .all(&applied.app.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1, "the record stays");
    assert!(
        !format!("{stored:?}").contains("Katherine"),
        "the personal data is gone from the database"
    );
}

async fn applying_to_a_draft_is_not_found(backend: Backend) {
    let applied = an_application(backend).await;
    let app = &applied.app;
    let draft = fixtures::posting(
        &app.db,
        applied.mine.id,
        PostingSpec {
            status: PostingStatus::Draft,
            ..Default::default()
        },
    )
    .await;
    let body = app
        .request()
        .query(APPLY)
        .variables(json!({ "input": { "postingId": posting_id(&draft), "idempotencyKey": "x", "name": "A", "email": "a@example.com" } }))
        .send()
        .await
        .json();
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
}

async fn an_application_with_a_bad_address_is_refused_without_echoing_it(backend: Backend) {
    let applied = an_application(backend).await;
    let body = applied
        .app
        .request()
        .query(APPLY)
        .variables(json!({ "input": { "postingId": posting_id(&applied.posting), "idempotencyKey": "y", "name": "A", "email": "not-an-address" } }))
        .send()
        .await
        .json();
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

/// A fresh server with Acme and a `postings:write` token for it.
async fn acme_and_writer(backend: Backend) -> (TestApp, entity::company::Model, String) {
    let app = spawn_app(backend).await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let writer = token("postings:write", &[company.id]);
    (app, company, writer)
}

/// `createPosting`'s variables for a complete posting of `company`, with `key` set to `value`.
fn create_with(company: &entity::company::Model, key: &str, value: Value) -> Value {
    let mut input =
        json!({ "companyId": company_id(company), "title": "Engineer", "description": "Build." });
    input[key] = value;
    json!({ "input": input })
}

async fn no_posting_was_stored(app: &TestApp) {
    assert_eq!(
        entity::posting::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
}

async fn bad_input_is_refused_with_the_field_named_and_changes_nothing(backend: Backend) {
    let (app, company, writer) = acme_and_writer(backend).await;
    let with = |key: &str, value: Value| create_with(&company, key, value);
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
    no_posting_was_stored(&app).await;
}

async fn an_unknown_enum_value_is_a_validation_error_and_changes_nothing(backend: Backend) {
    let (app, company, writer) = acme_and_writer(backend).await;
    let with = |key: &str, value: Value| create_with(&company, key, value);
    let body = app
        .request()
        .token(&writer)
        .query(CREATE)
        .variables(with("employmentType", json!("SOMETIMES")))
        .send()
        .await
        .json();
    assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    no_posting_was_stored(&app).await;
}

/// Creates a draft titled "No description", with no description; returns its id.
async fn an_incomplete_draft(
    app: &TestApp,
    company: &entity::company::Model,
    writer: &str,
) -> Value {
    let draft = app
        .request()
        .token(writer)
        .query(CREATE)
        .variables(
            json!({ "input": { "companyId": company_id(company), "title": "No description" } }),
        )
        .send()
        .await
        .data();
    draft["createPosting"]["posting"]["id"].clone()
}

async fn publishing_an_incomplete_draft_is_a_conflict_that_names_what_is_missing(backend: Backend) {
    let (app, company, writer) = acme_and_writer(backend).await;
    let id = an_incomplete_draft(&app, &company, &writer).await;
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
    // What Google for Jobs requires and the draft lacks, by the JobPosting property's name.
    let fields = &body["errors"][0]["extensions"]["fields"];
    assert!(
        fields.as_array().unwrap().contains(&json!("description")),
        "{body}"
    );
}

async fn an_update_at_a_stale_version_is_a_conflict_and_changes_nothing(backend: Backend) {
    let (app, company, writer) = acme_and_writer(backend).await;
    let id = an_incomplete_draft(&app, &company, &writer).await;
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
}

async fn a_slug_taken_within_the_company_is_a_conflict(backend: Backend) {
    let (app, company, writer) = acme_and_writer(backend).await;
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
