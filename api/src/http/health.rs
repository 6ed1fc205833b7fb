//! Liveness and readiness for orchestrators.

use actix_web::{HttpResponse, web};
use sea_orm::DbBackend;
use serde_json::json;

use crate::db;
use crate::state::AppState;

/// The process is alive; no dependency is checked.
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Prometheus metrics: requests and latency per operation type, cache events, the pool.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // The backend is checked first: the pool getters panic on the other backend.
    match state.db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            crate::metrics::database_pool(pool.size(), pool.num_idle());
        }
        DbBackend::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            crate::metrics::database_pool(pool.size(), pool.num_idle());
        }
        _ => {}
    }
    if let Some((open, in_use)) = state.reads.usage() {
        crate::metrics::read_connections(open, in_use);
    }
    match crate::metrics::handle() {
        Some(handle) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(handle.render()),
        None => HttpResponse::ServiceUnavailable().finish(),
    }
}

/// The process can answer queries: the database is reachable. 503 otherwise.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if db::ping(&state.db).await {
        HttpResponse::Ok().json(json!({ "status": "ok", "database": "ok" }))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "database": "unreachable" }))
    }
}
