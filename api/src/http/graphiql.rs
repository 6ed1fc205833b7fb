//! GraphiQL, the in-browser IDE, served from the binary: pinned production builds of
//! GraphiQL, React and ReactDOM (`api/assets/graphiql/`, checked against `SHA256SUMS`), a
//! page script of our own, and a Content-Security-Policy under which the page loads nothing
//! but this server's files and talks to nothing but this server. Works offline.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

use crate::state::AppState;

/// What the page may load and where it may connect: this origin only, no inline script or
/// style, no framing. GraphiQL's fonts and icons are `data:` URLs inside its stylesheet.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One file under `/graphiql/`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
    /// Versioned names never change content: browsers keep them for a year.
    immutable: bool,
}

macro_rules! asset {
    ($name:literal, $content_type:expr, $immutable:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("../../assets/graphiql/", $name)),
            immutable: $immutable,
        }
    };
}

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: &[Asset] = &[
    asset!("graphiql-4.1.2.min.js", JAVASCRIPT, true),
    asset!("graphiql-4.1.2.min.css", CSS, true),
    asset!("react-18.3.1.production.min.js", JAVASCRIPT, true),
    asset!("react-dom-18.3.1.production.min.js", JAVASCRIPT, true),
    asset!("page.js", JAVASCRIPT, false),
    asset!("page.css", CSS, false),
    asset!("LICENSE-graphiql", TEXT, false),
    asset!("LICENSE-react", TEXT, false),
];

/// The page. Every URL in it is relative, so it works at `/` and at `/graphql`, and behind
/// a proxy that serves jobgraph under a path prefix.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jobgraph · GraphiQL</title>
<link rel="stylesheet" href="graphiql/graphiql-4.1.2.min.css">
<link rel="stylesheet" href="graphiql/page.css">
<script defer src="graphiql/react-18.3.1.production.min.js"></script>
<script defer src="graphiql/react-dom-18.3.1.production.min.js"></script>
<script defer src="graphiql/graphiql-4.1.2.min.js"></script>
<script defer src="graphiql/page.js"></script>
</head>
<body>
<div id="graphiql" data-endpoint="graphql">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript. Without it, send queries to /graphql with curl: see the README.</noscript>
</body>
</html>
"#;

/// The GraphiQL page, with its policy. Never cached: it names the assets to load.
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE)
}

/// `GET /`: the page; 404 when GraphiQL is off (the production profile).
pub async fn index(state: web::Data<AppState>) -> HttpResponse {
    if !state.graphiql {
        return HttpResponse::NotFound().finish();
    }
    page()
}

/// `GET /graphiql/{name}`: one of the page's files; 404 for any other name, or when
/// GraphiQL is off.
pub async fn asset(state: web::Data<AppState>, name: web::Path<String>) -> HttpResponse {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == name.as_str()) else {
        return HttpResponse::NotFound().finish();
    };
    if !state.graphiql {
        return HttpResponse::NotFound().finish();
    }
    let cache_control = if asset.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        ))
        .body(asset.body)
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::ASSETS;
    use crate::cache::response::hex;

    /// The vendored files are byte for byte the ones npm publishes (`SHA256SUMS` was taken
    /// from the unpacked `graphiql@4.1.2`, `react@18.3.1` and `react-dom@18.3.1` packages).
    #[test]
    fn the_vendored_files_are_the_published_ones() {
        let sums = include_str!("../../assets/graphiql/SHA256SUMS");
        for line in sums.lines() {
            let (sum, name) = line.split_once("  ").expect("`sum  name` lines");
            let asset = ASSETS
                .iter()
                .find(|asset| asset.name == name)
                .unwrap_or_else(|| panic!("{name} is served"));
            assert_eq!(hex(&Sha256::digest(asset.body)), sum, "{name}");
        }
        let vendored = ASSETS
            .iter()
            .filter(|asset| asset.immutable || asset.name.starts_with("LICENSE"))
            .count();
        assert_eq!(
            sums.lines().count(),
            vendored,
            "every vendored file has its sum"
        );
    }
}
