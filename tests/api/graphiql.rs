//! GraphiQL over HTTP: the page at `/` and for browsers at `/graphql`, under a strict
//! Content-Security-Policy, its files served from the binary, and nothing when GraphiQL is
//! off. `browser.rs` checks what a browser makes of it.

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};

async fn page(app: &TestApp, path: &str) -> crate::helpers::Response {
    app.request()
        .get()
        .path(path)
        .header("Accept", "text/html,application/xhtml+xml")
        .send()
        .await
}

/// The `src` and `href` values of the page's scripts and stylesheets.
fn assets_named_in(html: &str) -> Vec<String> {
    html.split(['"'])
        .filter(|part| part.starts_with("graphiql/"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn browsers_get_graphiql_under_a_policy_that_allows_only_this_server() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in ["/", "/graphql"] {
        let response = page(&app, path).await;
        assert_eq!(response.status, 200, "{path}");
        assert!(response.header("content-type").starts_with("text/html"));
        let policy = response.header("content-security-policy");
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe"), "{policy}");
        assert!(!response.text.contains("<script>"), "no inline script");
        assert!(
            !response.text.contains("//"),
            "no URL of another host: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn every_file_the_page_names_is_served_and_versioned_ones_are_cached_for_good() {
    let app = spawn_app(Backend::Sqlite).await;
    let html = page(&app, "/").await.text;
    let assets = assets_named_in(&html);
    assert_eq!(assets.len(), 6, "{assets:?}");
    for asset in assets {
        let response = app.request().get().path(&format!("/{asset}")).send().await;
        assert_eq!(response.status, 200, "{asset}");
        let content_type = response.header("content-type");
        let expected = if asset.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(
            content_type.starts_with(expected),
            "{asset}: {content_type}"
        );
        assert_eq!(response.header("x-content-type-options"), "nosniff");
        let versioned = asset.chars().any(|c| c.is_ascii_digit());
        let cache_control = response.header("cache-control");
        if versioned {
            assert!(
                cache_control.contains("immutable"),
                "{asset}: {cache_control}"
            );
        } else {
            assert_eq!(cache_control, "no-cache", "{asset}");
        }
    }
    let unknown = app.request().get().path("/graphiql/other.js").send().await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn the_production_profile_serves_no_graphiql() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.graphql = api::config::GraphqlSettings::production();
    })
    .await;
    assert_eq!(page(&app, "/").await.status, 404);
    let asset = app.request().get().path("/graphiql/page.js").send().await;
    assert_eq!(asset.status, 404);
    // A browser asking `/graphql` for a page gets an answer it can show, not the IDE.
    let response = page(&app, "/graphql").await;
    assert_ne!(response.status, 200);
    assert!(!response.text.contains("graphiql"), "{}", response.text);
}
