//! Prometheus metrics: one recorder per process, rendered at `GET /metrics`.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder (once per process) and returns its handle.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_seconds".to_owned()),
                    &[
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                        10.0,
                    ],
                )
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            ::metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// Counts a cache event: `hit`, `miss`, `error` or `bypass`.
pub fn cache_event(event: &'static str) {
    ::metrics::counter!("jobgraph_cache_events_total", "event" => event).increment(1);
}

/// Counts a query a pushdown plan was tried on: `answered` by the database, or handed back to
/// async-graphql (`fallback`).
pub fn pushdown(answered: bool) {
    let outcome = if answered { "answered" } else { "fallback" };
    ::metrics::counter!("jobgraph_pushdown_total", "outcome" => outcome).increment(1);
}

/// Records one GraphQL request by operation type (`query`, `mutation`, `none`) and status.
pub fn graphql_request(operation: &'static str, status: u16, seconds: f64) {
    let class = match status {
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    ::metrics::counter!("jobgraph_graphql_requests_total", "operation" => operation, "status" => class).increment(1);
    ::metrics::histogram!("jobgraph_graphql_request_duration_seconds", "operation" => operation)
        .record(seconds);
}

/// Records the database pool's size and idle connections.
pub fn database_pool(size: u32, idle: usize) {
    ::metrics::gauge!("jobgraph_db_pool_connections").set(f64::from(size));
    ::metrics::gauge!("jobgraph_db_pool_idle_connections").set(idle as f64);
}

/// Records the connections kept for reads on PostgreSQL: open, and running a statement.
pub fn read_connections(open: usize, in_use: usize) {
    ::metrics::gauge!("jobgraph_db_read_connections").set(open as f64);
    ::metrics::gauge!("jobgraph_db_read_connections_in_use").set(in_use as f64);
}
