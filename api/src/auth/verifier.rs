//! Verifies bearer tokens: HS256 with a shared secret, or RS256 / ES256 / EdDSA public keys
//! from a PEM file or a JWKS file (chosen by `kid`, reloaded when the file changes, so keys
//! rotate without downtime). Only the algorithms of the configured keys are accepted.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::{Duration, Instant, SystemTime};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use uuid::Uuid;

use super::principal::{Principal, Scope};
use crate::config::AuthSettings;

/// Why a token was refused. Clients see [`AuthError::client_message`]; the token itself is
/// never logged.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is signed with an algorithm or key this server does not accept")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token is for another audience")]
    WrongAudience,
    #[error("the token is from another issuer")]
    WrongIssuer,
    #[error("the token lacks the claim {0}")]
    MissingClaim(String),
    #[error("this server accepts no tokens: no key is configured")]
    NotConfigured,
    #[error("cannot read the key file {path}: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the JWKS file {path} is not a JSON Web Key Set: {source}")]
    Jwks {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("JOBGRAPH_JWT_PUBLIC_KEY holds a private key; give the public key")]
    PrivateKeyGiven,
    #[error("the public key is not an RSA, P-256 or Ed25519 public key in PEM")]
    UnsupportedPublicKey,
}

/// The claims jobgraph reads.
#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    companies: Vec<String>,
}

/// A `companies` entry: a bare UUID, or the API's own `Company.id` (a Relay global id,
/// `base64url("Company:<uuid>")`, as `graphql::global_id` writes it), so tools can put in the
/// token the ids they read from the API. Any other global id (a posting's) is not a company.
fn company_id(entry: &str) -> Option<Uuid> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    if let Ok(uuid) = Uuid::parse_str(entry) {
        return Some(uuid);
    }
    let decoded = URL_SAFE_NO_PAD.decode(entry).ok()?;
    let uuid = std::str::from_utf8(&decoded)
        .ok()?
        .strip_prefix("Company:")?;
    Uuid::parse_str(uuid).ok()
}

/// One key with the one algorithm it verifies.
#[derive(Clone)]
struct VerifyingKey {
    algorithm: Algorithm,
    key: DecodingKey,
}

struct JwksState {
    by_kid: HashMap<String, VerifyingKey>,
    modified: Option<SystemTime>,
    checked: Instant,
}

/// A JWKS file, reloaded when it changes.
struct JwksSource {
    path: PathBuf,
    reload_interval: Duration,
    state: RwLock<JwksState>,
}

/// Verifies tokens against the configured keys.
pub struct TokenVerifier {
    /// Keys without a `kid`: the HS256 secret and the PEM public key.
    fixed: Vec<VerifyingKey>,
    jwks: Option<JwksSource>,
    issuer: Option<String>,
    audience: Option<String>,
    leeway: Duration,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("fixed_keys", &self.fixed.len())
            .field(
                "jwks",
                &self
                    .jwks
                    .as_ref()
                    .map(|jwks| jwks.path.display().to_string()),
            )
            .finish_non_exhaustive()
    }
}

fn read(path: &PathBuf) -> Result<Vec<u8>, AuthError> {
    std::fs::read(path).map_err(|source| AuthError::KeyFile {
        path: path.clone(),
        source,
    })
}

type KeyParser = fn(&[u8]) -> jsonwebtoken::errors::Result<DecodingKey>;

/// Reads a PEM public key of any supported kind, with the algorithm its kind implies.
fn pem_key(pem: &[u8]) -> Result<VerifyingKey, AuthError> {
    if String::from_utf8_lossy(pem).contains("PRIVATE KEY") {
        return Err(AuthError::PrivateKeyGiven);
    }
    let attempts: [(Algorithm, KeyParser); 3] = [
        (Algorithm::RS256, DecodingKey::from_rsa_pem),
        (Algorithm::ES256, DecodingKey::from_ec_pem),
        (Algorithm::EdDSA, DecodingKey::from_ed_pem),
    ];
    // An RSA key parses only as RSA, and so on; the first that parses decides.
    for (algorithm, parse) in attempts {
        if let Ok(key) = parse(pem) {
            return Ok(VerifyingKey { algorithm, key });
        }
    }
    Err(AuthError::UnsupportedPublicKey)
}

fn load_jwks(path: &PathBuf) -> Result<HashMap<String, VerifyingKey>, AuthError> {
    let set: JwkSet = serde_json::from_slice(&read(path)?).map_err(|source| AuthError::Jwks {
        path: path.clone(),
        source,
    })?;
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let Some(kid) = jwk.common.key_id.clone() else {
            continue;
        };
        let algorithm = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => Algorithm::RS256,
            AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                Algorithm::ES256
            }
            AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
                Algorithm::EdDSA
            }
            _ => continue,
        };
        if let Ok(key) = DecodingKey::from_jwk(jwk) {
            keys.insert(kid, VerifyingKey { algorithm, key });
        }
    }
    Ok(keys)
}

impl TokenVerifier {
    /// Loads the configured keys. Fails when a configured key file cannot be read.
    pub fn new(settings: &AuthSettings) -> Result<Self, AuthError> {
        use secrecy::ExposeSecret;
        let mut fixed = Vec::new();
        if let Some(secret) = &settings.hs256_secret {
            fixed.push(VerifyingKey {
                algorithm: Algorithm::HS256,
                key: DecodingKey::from_secret(secret.expose_secret().as_bytes()),
            });
        }
        if let Some(path) = &settings.public_key_file {
            fixed.push(pem_key(&read(path)?)?);
        }
        let jwks = match &settings.jwks_file {
            Some(path) => {
                let by_kid = load_jwks(path)?;
                Some(JwksSource {
                    path: path.clone(),
                    reload_interval: settings.jwks_reload_interval,
                    state: RwLock::new(JwksState {
                        by_kid,
                        modified: std::fs::metadata(path).and_then(|m| m.modified()).ok(),
                        checked: Instant::now(),
                    }),
                })
            }
            None => None,
        };
        Ok(TokenVerifier {
            fixed,
            jwks,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            leeway: settings.leeway,
        })
    }

    /// Whether any key is configured.
    pub fn accepts_tokens(&self) -> bool {
        !self.fixed.is_empty() || self.jwks.is_some()
    }

    fn jwks_key(&self, kid: &str) -> Option<VerifyingKey> {
        let jwks = self.jwks.as_ref()?;
        let stale = jwks
            .state
            .read()
            .map(|state| state.checked.elapsed() >= jwks.reload_interval)
            .unwrap_or(true);
        if stale {
            let modified = std::fs::metadata(&jwks.path)
                .and_then(|m| m.modified())
                .ok();
            if let Ok(mut state) = jwks.state.write() {
                if modified != state.modified {
                    match load_jwks(&jwks.path) {
                        Ok(by_kid) => {
                            tracing::info!(keys = by_kid.len(), "reloaded the JWKS file");
                            state.by_kid = by_kid;
                            state.modified = modified;
                        }
                        Err(error) => tracing::warn!(%error, "keeping the previous JWKS keys"),
                    }
                }
                state.checked = Instant::now();
            }
        }
        jwks.state.read().ok()?.by_kid.get(kid).cloned()
    }

    /// Verifies `token` and returns who holds it.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        if !self.accepts_tokens() {
            return Err(AuthError::NotConfigured);
        }
        // Unknown algorithms, `none` included, fail to parse here.
        let header = decode_header(token).map_err(|_| AuthError::Malformed)?;
        let key = match &header.kid {
            Some(kid) => self.jwks_key(kid),
            None => None,
        }
        .or_else(|| {
            self.fixed
                .iter()
                .find(|key| key.algorithm == header.alg)
                .cloned()
        })
        .ok_or(AuthError::UnknownKey)?;
        // The key decides the algorithm: a token cannot pick HS256 for an RSA key.
        if key.algorithm != header.alg {
            return Err(AuthError::UnknownKey);
        }
        let mut validation = Validation::new(key.algorithm);
        validation.algorithms = vec![key.algorithm];
        validation.leeway = self.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        let mut required = vec!["exp", "sub"];
        match &self.issuer {
            Some(issuer) => {
                validation.set_issuer(&[issuer]);
                required.push("iss");
            }
            None => validation.iss = None,
        }
        match &self.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        let claims = decode::<Claims>(token, &key.key, &validation)
            .map_err(|error| {
                use jsonwebtoken::errors::ErrorKind;
                match error.kind() {
                    ErrorKind::InvalidSignature => AuthError::BadSignature,
                    ErrorKind::ExpiredSignature => AuthError::Expired,
                    ErrorKind::ImmatureSignature => AuthError::NotYetValid,
                    ErrorKind::InvalidAudience => AuthError::WrongAudience,
                    ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
                    ErrorKind::MissingRequiredClaim(claim) => {
                        AuthError::MissingClaim(claim.clone())
                    }
                    ErrorKind::InvalidAlgorithm => AuthError::UnknownKey,
                    _ => AuthError::Malformed,
                }
            })?
            .claims;
        let companies = claims
            .companies
            .iter()
            .map(|company| company_id(company).ok_or(AuthError::Malformed))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Principal::new(
            claims.sub,
            claims.scope.split_whitespace().filter_map(Scope::parse),
            companies,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn companies_are_bare_uuids_or_company_global_ids() {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let uuid = Uuid::now_v7();
        assert_eq!(company_id(&uuid.to_string()), Some(uuid));
        let global = URL_SAFE_NO_PAD.encode(format!("Company:{uuid}"));
        assert_eq!(company_id(&global), Some(uuid));
        let posting = URL_SAFE_NO_PAD.encode(format!("Posting:{uuid}"));
        for wrong in [posting.as_str(), "", "Company:", "not-a-company", "\u{0}"] {
            assert_eq!(company_id(wrong), None, "{wrong:?}");
        }
    }
}
