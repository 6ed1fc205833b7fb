//! Which browser pages may call `/graphql`: anonymous requests from any origin (partner
//! sites' job widgets), requests carrying a token only from the origins configured for it
//! (`JOBGRAPH_CORS_ORIGINS`). Credentials (cookies) are never allowed: tokens travel in
//! `Authorization`, which a browser sends cross-origin only after a preflight this policy
//! answered for that origin.

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::RequestHead;
use actix_web::http::header::{self, HeaderValue};

/// How long a browser may keep a preflight's answer (Chromium caps it at two hours).
pub const PREFLIGHT_MAX_AGE_SECS: usize = 7200;

/// What a page may read from a response besides the CORS-safelisted headers.
pub const EXPOSED_HEADERS: [&str; 6] = [
    "etag",
    "ratelimit",
    "ratelimit-policy",
    "retry-after",
    "www-authenticate",
    "x-request-id",
];

/// The policy for `/graphql`; `token_origins` are the origins (`https://tools.example.com`)
/// allowed to send a token.
pub fn policy(token_origins: &[String]) -> Cors {
    let token_origins: Arc<[String]> = token_origins.into();
    Cors::default()
        .allowed_origin_fn(move |origin, request| {
            !carries_token(request)
                || token_origins
                    .iter()
                    .any(|allowed| origin.as_bytes() == allowed.as_bytes())
        })
        .allowed_methods(["GET", "POST"])
        .allowed_headers([
            header::ACCEPT,
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers(EXPOSED_HEADERS)
        .max_age(PREFLIGHT_MAX_AGE_SECS)
        // A browser that cached an anonymous request's preflight sends a token without
        // asking again: such a request from an origin not configured for tokens is refused
        // (400) before it runs, not run with its answer hidden from the page.
        .block_on_origin_mismatch(true)
}

/// An origin as browsers send it in `Origin`: `scheme://host[:port]`, lower case, with no
/// path; a trailing `/` is dropped. For `--cors-origins`.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let origin = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let Some((scheme, authority)) = origin.split_once("://") else {
        return Err(format!(
            "{text:?} is not an origin such as https://tools.example.com"
        ));
    };
    let authority_ok = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    if !matches!(scheme, "http" | "https") || !authority_ok {
        return Err(format!(
            "{text:?} is not an origin such as https://tools.example.com (a scheme, a host \
             and an optional port; no path)"
        ));
    }
    Ok(origin)
}

/// Whether `request` carries a token, or (a preflight) asks to send one.
fn carries_token(request: &RequestHead) -> bool {
    let headers = request.headers();
    headers.contains_key(header::AUTHORIZATION)
        || headers
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .is_some_and(names_authorization)
}

fn names_authorization(requested: &HeaderValue) -> bool {
    requested.to_str().map_or(true, |names| {
        names
            .split(',')
            .any(|name| name.trim().eq_ignore_ascii_case("authorization"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preflight_naming_authorization_asks_to_send_a_token() {
        for requested in [
            "authorization",
            "content-type, Authorization",
            " AUTHORIZATION ",
        ] {
            assert!(
                names_authorization(&HeaderValue::from_static(requested)),
                "{requested}"
            );
        }
        for requested in ["content-type", "x-authorization-hint", ""] {
            assert!(
                !names_authorization(&HeaderValue::from_static(requested)),
                "{requested}"
            );
        }
    }

    #[test]
    fn origins_are_read_as_browsers_send_them() {
        assert_eq!(
            parse_origin(" HTTPS://Tools.Example.com/ "),
            Ok("https://tools.example.com".to_owned())
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8081"),
            Ok("http://127.0.0.1:8081".to_owned())
        );
        for bad in [
            "tools.example.com",
            "https://",
            "https://x.com/app",
            "ftp://x.com",
            "*",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_unreadable_header_list_is_treated_as_asking_for_a_token() {
        let opaque = HeaderValue::from_bytes(b"content-type, \xff").unwrap();
        assert!(names_authorization(&opaque));
    }
}
