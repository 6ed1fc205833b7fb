//! Liveness and readiness for orchestrators.

use actix_web::{HttpResponse, web};
use serde_json::json;

use super::graphql::Endpoint;
use crate::db;

/// The process is alive; no dependency is checked.
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The process can answer queries: the database is reachable. 503 otherwise.
pub async fn readyz(endpoint: web::Data<Endpoint>) -> HttpResponse {
    if db::ping(&endpoint.db).await {
        HttpResponse::Ok().json(json!({ "status": "ok", "database": "ok" }))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "database": "unreachable" }))
    }
}
