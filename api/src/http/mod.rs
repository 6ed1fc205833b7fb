//! The HTTP surface: routes, the GraphQL endpoint, health checks, request ids and spans.

pub mod graphql;
pub mod health;
pub mod media;
pub mod request_id;
pub mod request_span;

use actix_web::web;

/// Registers every route on an actix `App`.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/", web::get().to(graphql::graphiql))
        .service(
            web::resource("/graphql")
                .route(web::post().to(graphql::post))
                .route(web::get().to(graphql::get))
                .default_service(web::to(graphql::method_not_allowed)),
        )
        .route("/livez", web::get().to(health::livez))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics));
}
