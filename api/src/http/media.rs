//! Content negotiation of the GraphQL-over-HTTP spec.

use actix_web::HttpRequest;
use actix_web::http::header;

/// The media type a GraphQL response is sent as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMedia {
    /// `application/graphql-response+json`: request errors get 4xx statuses.
    GraphqlResponseJson,
    /// `application/json`: every well-formed request gets 200, as legacy clients expect.
    Json,
}

impl ResponseMedia {
    pub fn content_type(self) -> &'static str {
        match self {
            ResponseMedia::GraphqlResponseJson => {
                "application/graphql-response+json; charset=utf-8"
            }
            ResponseMedia::Json => "application/json; charset=utf-8",
        }
    }
}

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// Picks the response media type from `Accept`: the client's most preferred of the two we
/// send. No `Accept` (or `*/*`) means `application/json`. `None` when the client accepts
/// neither (406).
pub fn negotiate(request: &HttpRequest) -> Option<ResponseMedia> {
    let Some(accept) = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
    else {
        return Some(ResponseMedia::Json);
    };
    if accept.trim().is_empty() {
        return Some(ResponseMedia::Json);
    }
    let mut best: Option<(f32, u8, ResponseMedia)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|parameter| parameter.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality <= 0.0 {
            continue;
        }
        // Among equal qualities the more specific range wins; the spec's own type first.
        let (specificity, candidate) = match media.as_str() {
            GRAPHQL_RESPONSE_JSON => (3, ResponseMedia::GraphqlResponseJson),
            "application/json" => (2, ResponseMedia::Json),
            "application/*" | "*/*" => (1, ResponseMedia::Json),
            _ => continue,
        };
        if best.is_none_or(|(q, s, _)| quality > q || (quality == q && specificity > s)) {
            best = Some((quality, specificity, candidate));
        }
    }
    best.map(|(_, _, media)| media)
}

/// Whether the client is a browser asking for a page (GraphiQL) rather than data.
pub fn wants_html(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Whether the body is declared as JSON (`application/json`, any parameters).
pub fn is_json_body(request: &HttpRequest) -> bool {
    body_media_is(request, "application/json")
}

/// Whether the request body is `multipart/form-data`: a GraphQL multipart request, files and
/// all.
pub fn is_multipart_body(request: &HttpRequest) -> bool {
    body_media_is(request, "multipart/form-data")
}

fn body_media_is(request: &HttpRequest, media: &str) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|sent| sent.trim().eq_ignore_ascii_case(media))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn with_accept(accept: &str) -> Option<ResponseMedia> {
        negotiate(
            &TestRequest::default()
                .insert_header((header::ACCEPT, accept))
                .to_http_request(),
        )
    }

    #[test]
    fn no_accept_header_means_legacy_json() {
        assert_eq!(
            negotiate(&TestRequest::default().to_http_request()),
            Some(ResponseMedia::Json)
        );
    }

    #[test]
    fn the_spec_media_type_is_preferred_when_both_are_accepted() {
        assert_eq!(
            with_accept("application/graphql-response+json, application/json;q=0.9"),
            Some(ResponseMedia::GraphqlResponseJson)
        );
        assert_eq!(
            with_accept("application/json, application/graphql-response+json"),
            Some(ResponseMedia::GraphqlResponseJson)
        );
        assert_eq!(
            with_accept("application/graphql-response+json;q=0.5, application/json"),
            Some(ResponseMedia::Json)
        );
    }

    #[test]
    fn wildcards_get_json_and_unacceptable_types_get_nothing() {
        assert_eq!(with_accept("*/*"), Some(ResponseMedia::Json));
        assert_eq!(with_accept("text/plain"), None);
        assert_eq!(with_accept("application/json;q=0"), None);
    }
}
