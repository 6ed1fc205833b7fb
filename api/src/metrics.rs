//! Prometheus metrics: one recorder per process, rendered at `GET /metrics`.

use std::sync::{LazyLock, OnceLock};

use ::metrics::{Counter, Histogram};
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

/// What a cache lookup came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheEvent {
    Hit,
    Miss,
    Error,
    Bypass,
}

impl CacheEvent {
    const ALL: [CacheEvent; 4] = [
        CacheEvent::Hit,
        CacheEvent::Miss,
        CacheEvent::Error,
        CacheEvent::Bypass,
    ];

    fn label(self) -> &'static str {
        match self {
            CacheEvent::Hit => "hit",
            CacheEvent::Miss => "miss",
            CacheEvent::Error => "error",
            CacheEvent::Bypass => "bypass",
        }
    }
}

/// What a GraphQL request turned out to be: its operation type, or `None` when it never
/// reached one (a body that is not a request, a document that does not parse).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Query,
    Mutation,
    Subscription,
    None,
}

impl Operation {
    const ALL: [Operation; 4] = [
        Operation::Query,
        Operation::Mutation,
        Operation::Subscription,
        Operation::None,
    ];

    fn label(self) -> &'static str {
        match self {
            Operation::Query => "query",
            Operation::Mutation => "mutation",
            Operation::Subscription => "subscription",
            Operation::None => "none",
        }
    }
}

/// What a rate-limit check came to: let through, refused, or decided in process because
/// Redis failed or was slow (counted besides its outcome).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLimitEvent {
    Allowed,
    Limited,
    FailedOpen,
}

impl RateLimitEvent {
    const ALL: [RateLimitEvent; 3] = [
        RateLimitEvent::Allowed,
        RateLimitEvent::Limited,
        RateLimitEvent::FailedOpen,
    ];

    fn label(self) -> &'static str {
        match self {
            RateLimitEvent::Allowed => "allowed",
            RateLimitEvent::Limited => "limited",
            RateLimitEvent::FailedOpen => "failed_open",
        }
    }
}

const STATUS_CLASSES: [&str; 4] = ["2xx", "3xx", "4xx", "5xx"];

/// The handles of the metrics every request records, registered once: looking a metric up
/// by name and labels costs a hash and a lock on each call.
struct RequestMetrics {
    /// By operation, then status class.
    requests: [[Counter; 4]; 4],
    /// By operation.
    durations: [Histogram; 4],
    /// By [`CacheEvent`].
    cache_events: [Counter; 4],
    /// Answered, fallback.
    pushdown: [Counter; 2],
    /// By [`RateLimitEvent`].
    rate_limit_events: [Counter; 3],
}

static REQUEST_METRICS: LazyLock<RequestMetrics> = LazyLock::new(|| {
    // Handles taken before the recorder is installed would record nowhere.
    handle();
    RequestMetrics {
        requests: Operation::ALL.map(|operation| {
            STATUS_CLASSES.map(|class| {
                ::metrics::counter!("jobgraph_graphql_requests_total", "operation" => operation.label(), "status" => class)
            })
        }),
        durations: Operation::ALL.map(|operation| {
            ::metrics::histogram!("jobgraph_graphql_request_duration_seconds", "operation" => operation.label())
        }),
        cache_events: CacheEvent::ALL.map(|event| {
            ::metrics::counter!("jobgraph_cache_events_total", "event" => event.label())
        }),
        pushdown: ["answered", "fallback"]
            .map(|outcome| ::metrics::counter!("jobgraph_pushdown_total", "outcome" => outcome)),
        rate_limit_events: RateLimitEvent::ALL.map(|event| {
            ::metrics::counter!("jobgraph_rate_limit_events_total", "event" => event.label())
        }),
    }
});

/// Counts a cache event.
pub fn cache_event(event: CacheEvent) {
    REQUEST_METRICS.cache_events[event as usize].increment(1);
}

/// Counts a query a pushdown plan was tried on: `answered` by the database, or handed back to
/// async-graphql (`fallback`).
pub fn pushdown(answered: bool) {
    REQUEST_METRICS.pushdown[usize::from(!answered)].increment(1);
}

/// Counts a rate-limit event.
pub fn rate_limit_event(event: RateLimitEvent) {
    REQUEST_METRICS.rate_limit_events[event as usize].increment(1);
}

/// Records one GraphQL request by operation type and status class.
pub fn graphql_request(operation: Operation, status: u16, seconds: f64) {
    let class = match status {
        200..=299 => 0,
        300..=399 => 1,
        400..=499 => 2,
        _ => 3,
    };
    let metrics = &*REQUEST_METRICS;
    metrics.requests[operation as usize][class].increment(1);
    metrics.durations[operation as usize].record(seconds);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_tables_are_indexed_in_the_order_of_the_variants() {
        for (index, event) in CacheEvent::ALL.into_iter().enumerate() {
            assert_eq!(event as usize, index, "{event:?}");
        }
        for (index, operation) in Operation::ALL.into_iter().enumerate() {
            assert_eq!(operation as usize, index, "{operation:?}");
        }
        for (index, event) in RateLimitEvent::ALL.into_iter().enumerate() {
            assert_eq!(event as usize, index, "{event:?}");
        }
    }

    #[test]
    fn each_event_lands_in_the_series_of_its_labels() {
        let Some(handle) = handle() else {
            panic!("the recorder is installed");
        };
        graphql_request(Operation::Subscription, 404, 0.001);
        cache_event(CacheEvent::Bypass);
        pushdown(false);
        let text = handle.render();
        let value = |series: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
                .and_then(|value| value.trim().parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        assert!(
            value("jobgraph_graphql_requests_total{operation=\"subscription\",status=\"4xx\"}")
                >= 1.0,
            "{text}"
        );
        assert!(
            value("jobgraph_graphql_request_duration_seconds_count{operation=\"subscription\"}")
                >= 1.0,
            "{text}"
        );
        assert!(
            value("jobgraph_cache_events_total{event=\"bypass\"}") >= 1.0,
            "{text}"
        );
        assert!(
            value("jobgraph_pushdown_total{outcome=\"fallback\"}") >= 1.0,
            "{text}"
        );
        assert_eq!(
            value("jobgraph_graphql_requests_total{operation=\"subscription\",status=\"2xx\"}"),
            0.0,
            "{text}"
        );
    }
}
