//! Minting real JWTs for tests: right ones and every kind of wrong one.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use uuid::Uuid;

pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256";
pub const ISSUER: &str = "jobgraph-tests";
pub const AUDIENCE: &str = "jobgraph";

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Valid claims for `scope` on `companies`; adjust them to make a wrong token.
pub fn claims(scope: &str, companies: &[Uuid]) -> Value {
    json!({
        "sub": "test-tool",
        "scope": scope,
        "companies": companies.iter().map(Uuid::to_string).collect::<Vec<_>>(),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now(),
        "exp": now() + 600,
    })
}

pub fn hs256(secret: &str, claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// A right token: HS256 with the test server's secret.
pub fn token(scope: &str, companies: &[Uuid]) -> String {
    hs256(SECRET, &claims(scope, companies))
}

/// Signs with a PEM private key from tests/keys, with `kid` when given.
pub fn signed_with_key(
    algorithm: Algorithm,
    key_file: &str,
    kid: Option<&str>,
    claims: &Value,
) -> String {
    let pem = std::fs::read(format!(
        "{}/tests/keys/{key_file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let key = match algorithm {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem),
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(&pem),
        other => panic!("no test key for {other:?}"),
    }
    .unwrap();
    let mut header = Header::new(algorithm);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, &key).unwrap()
}

/// An unsigned token (`alg: none`) with the given claims.
pub fn alg_none(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

/// Every way a token can be wrong for `scope` on `company`, by name; `other` is a company the
/// token must not reach and `missing_scope` the scopes of a token lacking the one needed. For
/// `admin`, which is catalog-wide, the other company's token holds `companies:write` instead.
pub fn wrong_tokens(
    scope: &str,
    company: Uuid,
    other: Uuid,
    missing_scope: &str,
) -> Vec<(&'static str, Option<String>)> {
    let other_scope = if scope == "admin" {
        "companies:write"
    } else {
        scope
    };
    let right = claims(scope, &[company]);
    let with = |key: &str, value: Value| {
        let mut claims = right.clone();
        claims[key] = value;
        hs256(SECRET, &claims)
    };
    vec![
        ("no token", None),
        ("malformed token", Some("not.a.token".to_owned())),
        (
            "bad signature",
            Some(hs256("another-secret-another-secret-another", &right)),
        ),
        ("expired token", Some(with("exp", json!(now() - 3600)))),
        (
            "token not yet valid",
            Some(with("nbf", json!(now() + 3600))),
        ),
        ("wrong audience", Some(with("aud", json!("someone-else")))),
        ("wrong issuer", Some(with("iss", json!("someone-else")))),
        ("alg none", Some(alg_none(&right))),
        (
            "token for another company",
            Some(token(other_scope, &[other])),
        ),
        (
            "token missing the scope",
            Some(token(missing_scope, &[company])),
        ),
    ]
}
