//! Signs HS256 tokens with the configured secret: `jobgraph token` for people starting out.

use std::time::Duration;

use jsonwebtoken::{EncodingKey, Header, encode};
use serde::Serialize;
use uuid::Uuid;

use super::principal::Scope;

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    scope: String,
    companies: Vec<String>,
    iat: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

/// What a new token says.
pub struct TokenRequest<'a> {
    pub subject: &'a str,
    pub scopes: &'a [Scope],
    pub companies: &'a [Uuid],
    pub ttl: Duration,
    pub issuer: Option<&'a str>,
    pub audience: Option<&'a str>,
}

/// Signs a token for `request` with the HS256 `secret`.
pub fn sign_hs256(
    secret: &[u8],
    request: &TokenRequest<'_>,
) -> Result<String, jsonwebtoken::errors::Error> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: request.subject,
        scope: request
            .scopes
            .iter()
            .map(|scope| scope.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        companies: request.companies.iter().map(Uuid::to_string).collect(),
        iat: now,
        exp: now + request.ttl.as_secs(),
        iss: request.issuer,
        aud: request.audience,
    };
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret),
    )
}

/// Reads a duration such as `90s`, `15m`, `1h` or `7d`.
pub fn parse_ttl(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => number,
        "m" => number.checked_mul(60)?,
        "h" => number.checked_mul(3600)?,
        "d" => number.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_read_as_people_write_them() {
        assert_eq!(parse_ttl("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_ttl("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_ttl("2d"), Some(Duration::from_secs(172_800)));
        assert_eq!(parse_ttl("0s"), None);
        assert_eq!(parse_ttl("1 hour"), None);
        assert_eq!(parse_ttl("h"), None);
    }
}
