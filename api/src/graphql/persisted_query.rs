//! Automatic persisted queries (Apollo's protocol): a client sends a document's SHA-256 alone;
//! the text is looked up among those remembered for every replica. A hash sent with its text
//! is checked, and the text remembered once the request has run cleanly.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::cache::ResponseCache;
use crate::cache::response::hex;
use crate::error::{ErrorCode, RequestFailure};

/// The document a request runs.
pub struct ResolvedQuery {
    pub text: String,
    /// The hash to remember the text under once the request has run cleanly: set when the
    /// client sent both, so that it may later send the hash alone.
    pub to_persist: Option<String>,
}

/// The request's document: its `query`, or the text remembered for its
/// `extensions.persistedQuery`.
pub async fn resolve(
    cache: &ResponseCache,
    query: Option<String>,
    extensions: Option<&Value>,
) -> Result<ResolvedQuery, RequestFailure> {
    let Some(persisted) = extensions.and_then(|extensions| extensions.get("persistedQuery")) else {
        return query
            .map(|text| ResolvedQuery {
                text,
                to_persist: None,
            })
            .ok_or_else(|| RequestFailure::new(ErrorCode::BadRequest, "the request has no query"));
    };
    if persisted.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(RequestFailure::new(
            ErrorCode::BadRequest,
            "persistedQuery.version must be 1",
        ));
    }
    let hash = persisted
        .get("sha256Hash")
        .and_then(Value::as_str)
        .filter(|hash| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| {
            RequestFailure::new(
                ErrorCode::BadRequest,
                "persistedQuery.sha256Hash must be 64 hex digits",
            )
        })?;
    match query {
        Some(text) => {
            if hex(&Sha256::digest(text.as_bytes())) != hash {
                return Err(RequestFailure::new(
                    ErrorCode::BadRequest,
                    "provided sha does not match query",
                ));
            }
            Ok(ResolvedQuery {
                text,
                to_persist: Some(hash),
            })
        }
        None => match cache.persisted_query(&hash).await {
            Some(text) => Ok(ResolvedQuery {
                text,
                to_persist: None,
            }),
            None => Err(RequestFailure::new(
                ErrorCode::PersistedQueryNotFound,
                "PersistedQueryNotFound",
            )),
        },
    }
}
