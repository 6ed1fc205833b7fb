//! `importPostings` with its pages uploaded as files, per the GraphQL multipart request spec:
//! files in any encoding import like inline pages and are named by their file names; uploads
//! need a token and have their own size limit; a malformed multipart body is a 400; a file
//! placeholder forged in JSON, or a document giving both or neither of content and file, is a
//! clear input error.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, corpus_dir, error_code, on_both_databases, spawn_app_with};

const IMPORT: &str = "mutation($input: ImportPostingsInput!) { importPostings(input: $input) { created failed rows { document outcome title detail } } }";

const BOUNDARY: &str = "jobgraph-test-boundary-7d1f";

/// A `multipart/form-data` body: the `operations` and `map` parts, then each file.
fn multipart(operations: &Value, map: &Value, files: &[(&str, &str, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [("operations", operations), ("map", map)] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (field, filename, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A small JSON-LD posting, as UTF-16 with a byte-order mark.
fn utf16_json_ld() -> Vec<u8> {
    let text = json!({
        "@context": "https://schema.org/", "@type": "JobPosting",
        "title": "Svetsare till verkstaden i Göteborg",
        "description": "<p>Vi söker en svetsare.</p><ul><li>Minst 3 års erfarenhet av svetsning</li></ul>",
        "datePosted": "2026-11-01",
        "hiringOrganization": { "@type": "Organization", "name": "Verkstad AB" },
        "jobLocation": { "@type": "Place", "address": { "addressLocality": "Göteborg", "addressCountry": "SE" } },
    })
    .to_string();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

async fn upload(app: &TestApp, token: Option<&str>, body: Vec<u8>) -> crate::helpers::Response {
    app.request()
        .maybe_token(token)
        .header("Content-Type", &multipart_type())
        .body(body)
        .send()
        .await
}

on_both_databases!(uploaded_pages_import_like_inline_ones);

async fn uploaded_pages_import_like_inline_ones(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let mine = crate::fixtures::company(&app.db, "mine", "Mine").await;
    let writer = crate::tokens::token("postings:write", &[mine.id]);
    let page = std::fs::read(corpus_dir().join("us-career-site-posting.txt")).unwrap();
    let operations = json!({
        "query": IMPORT,
        "variables": { "input": {
            "companyId": crate::fixtures::company_id(&mine),
            "documents": [
                { "file": null },
                { "file": null, "name": "welder" },
            ],
        } },
    });
    let map = json!({
        "0": ["variables.input.documents.0.file"],
        "1": ["variables.input.documents.1.file"],
    });
    let body = multipart(
        &operations,
        &map,
        &[
            ("0", "us-career-site-posting.txt", page),
            ("1", "welder.json", utf16_json_ld()),
        ],
    );
    let answer = upload(&app, Some(&writer), body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let body = answer.json();
    let payload = &body["data"]["importPostings"];
    assert_eq!(payload["created"], 2, "{body}");
    assert_eq!(payload["failed"], 0, "{body}");
    assert_eq!(
        payload["rows"][0]["document"], "us-career-site-posting.txt",
        "named by its file name"
    );
    assert_eq!(
        payload["rows"][0]["title"],
        "Regional Fixed Operations Manager"
    );
    assert_eq!(payload["rows"][1]["document"], "welder", "named as asked");
    assert_eq!(
        payload["rows"][1]["title"], "Svetsare till verkstaden i Göteborg",
        "UTF-16 decoded"
    );
    let stored = entity::posting::Entity::find()
        .filter(entity::posting::Column::CompanyId.eq(mine.id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 2, "both stored, for the token's company");
}

#[tokio::test]
async fn uploads_need_a_token_and_a_body_the_spec_describes() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.http.max_upload_bytes = 4_096;
    })
    .await;
    let mine = crate::fixtures::company(&app.db, "mine", "Mine").await;
    let writer = crate::tokens::token("postings:write", &[mine.id]);
    let operations = json!({
        "query": IMPORT,
        "variables": { "input": {
            "companyId": crate::fixtures::company_id(&mine),
            "documents": [{ "file": null }],
        } },
    });
    let map = json!({ "0": ["variables.input.documents.0.file"] });
    let small = || multipart(&operations, &map, &[("0", "a.json", utf16_json_ld())]);

    let anonymous = upload(&app, None, small()).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    assert_eq!(error_code(&anonymous.json()), "UNAUTHENTICATED");
    assert!(anonymous.header("www-authenticate").starts_with("Bearer"));

    let large = multipart(&operations, &map, &[("0", "a.txt", vec![b'x'; 8_192])]);
    let too_large = upload(&app, Some(&writer), large).await;
    assert_eq!(too_large.status, 413, "{}", too_large.text);
    assert_eq!(error_code(&too_large.json()), "PAYLOAD_TOO_LARGE");

    let no_map = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n--{BOUNDARY}--\r\n"
    );
    let malformed = upload(&app, Some(&writer), no_map.into_bytes()).await;
    assert_eq!(malformed.status, 400, "{}", malformed.text);
    assert_eq!(error_code(&malformed.json()), "BAD_REQUEST");

    let missing_file = multipart(&operations, &map, &[]);
    let missing = upload(&app, Some(&writer), missing_file).await;
    assert_eq!(missing.status, 400, "{}", missing.text);

    let fine = upload(&app, Some(&writer), small()).await;
    assert_eq!(
        fine.json()["data"]["importPostings"]["created"],
        1,
        "{}",
        fine.text
    );
}

#[tokio::test]
async fn a_file_cannot_be_forged_in_json_nor_given_with_content() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let mine = crate::fixtures::company(&app.db, "mine", "Mine").await;
    let writer = crate::tokens::token("postings:write", &[mine.id]);
    let send = |documents: Value| {
        app.request()
            .token(&writer)
            .query(IMPORT)
            .variables(json!({ "input": {
                "companyId": crate::fixtures::company_id(&mine),
                "documents": documents,
            } }))
            .send()
    };
    for (documents, field) in [
        (
            json!([{ "file": "#__graphql_file__:0" }]),
            "input.documents.0.file",
        ),
        (
            json!([{ "file": "#__graphql_file__:999999999999" }]),
            "input.documents.0.file",
        ),
        (
            json!([{ "name": "a", "content": "x", "file": "#__graphql_file__:0" }]),
            "input.documents.0.content",
        ),
        (json!([{ "name": "a" }]), "input.documents.0.content"),
        (json!([{ "content": "x" }]), "input.documents.0.name"),
    ] {
        let body = send(documents.clone()).await.json();
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{documents}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    for forged in ["#__graphql_file__:x", "<html>", "#__graphql_file__:"] {
        let body = send(json!([{ "file": forged }])).await.json();
        let code = error_code(&body);
        assert!(
            code == "BAD_USER_INPUT" || code == "GRAPHQL_VALIDATION_FAILED",
            "{forged}: {body}"
        );
    }
    let livez = app.request().get().path("/livez").send().await;
    assert_eq!(livez.status, 200, "the server is still up");
}
