//! Keys other than the HS256 secret: PEM public keys for RS256 and EdDSA, and a JWKS file whose
//! keys rotate without a restart. Only the configured algorithms are accepted.

use std::path::PathBuf;
use std::time::Duration;

use jsonwebtoken::Algorithm;

use crate::fixtures;
use crate::helpers::{Backend, TestApp, error_code, spawn_app_with};
use crate::tokens::{self, claims, hs256, signed_with_key};

const ME: &str = "{ postings { totalCount } }";

fn key_path(file: &str) -> PathBuf {
    PathBuf::from(format!("{}/tests/keys/{file}", env!("CARGO_MANIFEST_DIR")))
}

async fn accepted(app: &TestApp, token: &str) -> bool {
    let body = app.request().token(token).query(ME).send().await.json();
    match body.get("errors") {
        None => true,
        Some(_) => {
            assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
            false
        }
    }
}

#[tokio::test]
async fn rs256_and_eddsa_public_keys_verify_their_tokens_and_nothing_else() {
    for (public, private, algorithm) in [
        ("rsa-public.pem", "rsa-private.pem", Algorithm::RS256),
        (
            "ed25519-public.pem",
            "ed25519-private.pem",
            Algorithm::EdDSA,
        ),
    ] {
        let app = spawn_app_with(Backend::Sqlite, |settings| {
            settings.auth.hs256_secret = None;
            settings.auth.public_key_file = Some(key_path(public));
        })
        .await;
        let company = fixtures::company(&app.db, "acme", "Acme").await;
        let right = claims("postings:read", &[company.id]);
        assert!(
            accepted(&app, &signed_with_key(algorithm, private, None, &right)).await,
            "{algorithm:?}"
        );
        // HS256 is not configured: a token signed with the public key as an HMAC secret (the
        // classic algorithm confusion) or with any secret is refused.
        let public_pem = std::fs::read_to_string(key_path(public)).unwrap();
        assert!(!accepted(&app, &hs256(&public_pem, &right)).await);
        assert!(!accepted(&app, &hs256(tokens::SECRET, &right)).await);
        assert!(!accepted(&app, &tokens::alg_none(&right)).await);
    }
}

#[tokio::test]
async fn keys_in_a_jwks_file_rotate_without_a_restart() {
    let directory = std::env::temp_dir().join(format!("jobgraph-jwks-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&directory).unwrap();
    let jwks = directory.join("jwks.json");
    std::fs::copy(key_path("jwks-both.json"), &jwks).unwrap();
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.auth.hs256_secret = None;
        settings.auth.jwks_file = Some(jwks.clone());
        settings.auth.jwks_reload_interval = Duration::ZERO;
    })
    .await;
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let right = claims("postings:read", &[company.id]);
    let by_a = signed_with_key(Algorithm::ES256, "ec-a-private.pem", Some("key-a"), &right);
    let by_b = signed_with_key(Algorithm::ES256, "ec-b-private.pem", Some("key-b"), &right);
    assert!(accepted(&app, &by_a).await);
    assert!(accepted(&app, &by_b).await);
    // A token that claims one key but is signed by the other is refused.
    let forged = signed_with_key(Algorithm::ES256, "ec-b-private.pem", Some("key-a"), &right);
    assert!(!accepted(&app, &forged).await);
    // Key b is retired: its tokens stop verifying, key a's go on.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::copy(key_path("jwks-a-only.json"), &jwks).unwrap();
    let touched = std::fs::File::options().append(true).open(&jwks).unwrap();
    touched
        .set_modified(std::time::SystemTime::now() + Duration::from_secs(1))
        .unwrap();
    assert!(!accepted(&app, &by_b).await);
    assert!(accepted(&app, &by_a).await);
    let _ = std::fs::remove_dir_all(directory);
}

#[tokio::test]
async fn a_present_but_invalid_token_is_refused_even_where_none_is_needed() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    for header in [
        "Bearer",
        "Bearer not.a.token",
        "Basic dXNlcjpwYXNz",
        "bearer    ",
    ] {
        let response = app
            .request()
            .header("Authorization", header)
            .query(ME)
            .send()
            .await;
        assert_eq!(response.status, 401, "{header}");
        assert!(response.header("www-authenticate").starts_with("Bearer"));
        let body = response.json();
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
}
