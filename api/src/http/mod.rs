//! The HTTP surface: routes, the GraphQL endpoint, GraphiQL, health checks, CORS, request
//! ids, spans and the headers every response carries.

pub mod cors;
pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod media;
pub mod request_id;
pub mod request_span;
pub mod security_headers;

use actix_web::middleware::Compress;
use actix_web::web;

/// Registers every route on an actix `App`; `token_origins` are the browser origins allowed
/// to send a token to `/graphql`.
pub fn routes(config: &mut web::ServiceConfig, token_origins: &[String]) {
    config
        .route("/", web::get().to(graphiql::index))
        .service(
            // GraphiQL's script is a megabyte; gzip makes it a quarter of that.
            web::scope("/graphiql")
                .wrap(Compress::default())
                .route("/{name}", web::get().to(graphiql::asset)),
        )
        .service(
            web::resource("/graphql")
                .wrap(cors::policy(token_origins))
                .route(web::post().to(graphql::post))
                .route(web::get().to(graphql::get))
                .default_service(web::to(graphql::method_not_allowed)),
        )
        .route("/livez", web::get().to(health::livez))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics));
}
