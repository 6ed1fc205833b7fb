//! Connecting to the database, migrating it, and counting the statements it runs.

pub mod read_pool;
pub mod tcp_nodelay;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use secrecy::ExposeSecret;

use crate::config::DatabaseSettings;
pub use read_pool::ReadPool;

/// Counts every SQL statement executed through one connection pool. Tests read it to prove
/// that a query shape runs a constant number of statements.
#[derive(Clone, Debug, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn increment(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// How long a connection (pooled or kept for reads) may sit idle before it is pinged on its
/// way out.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(30);

/// What the server reads and writes with.
pub struct Pools {
    /// Writes, transactions, migrations and health checks; on SQLite, reads too.
    pub db: DatabaseConnection,
    pub reads: ReadPool,
}

/// Opens the server's pools, counting statements into `counter`. On PostgreSQL with the read
/// pool on, `max_connections` is shared: a quarter (at least one) for writes, the rest (at
/// least one) kept for reads.
pub async fn connect_pools(
    settings: &DatabaseSettings,
    counter: StatementCounter,
) -> Result<Pools, DbErr> {
    let url = settings.url.expose_secret();
    let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    if !(postgres && settings.read_pool) {
        let db = connect(settings, counter).await?;
        let reads = ReadPool::Shared(db.clone());
        return Ok(Pools { db, reads });
    }
    let writes = (settings.max_connections / 4).max(1);
    let reads = settings.max_connections.saturating_sub(writes).max(1);
    let db = connect_sized(settings, writes, counter.clone()).await?;
    let reads = ReadPool::new(
        &db,
        url,
        reads,
        settings.acquire_timeout,
        session_settings(settings),
        counter,
    )?;
    Ok(Pools { db, reads })
}

/// Opens the connection pool described by `settings`, counting statements into `counter`.
pub async fn connect(
    settings: &DatabaseSettings,
    counter: StatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    // Every connection to `sqlite::memory:` would open its own empty database.
    let max_connections = if settings.is_in_memory() {
        1
    } else {
        settings.max_connections
    };
    connect_sized(settings, max_connections, counter).await
}

/// Opens a pool of at most `max_connections` on the database `settings` name, connecting
/// as statements need them.
pub(crate) async fn connect_sized(
    settings: &DatabaseSettings,
    max_connections: u32,
    counter: StatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    connect_pool(settings, max_connections, 0, counter).await
}

/// Opens a pool that keeps `connections` open, reconnecting in the background: for checks
/// bounded by a deadline shorter than a new connection takes.
pub(crate) async fn connect_kept_open(
    settings: &DatabaseSettings,
    connections: u32,
    counter: StatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    connect_pool(settings, connections, connections, counter).await
}

async fn connect_pool(
    settings: &DatabaseSettings,
    max_connections: u32,
    min_connections: u32,
    counter: StatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.url.expose_secret().to_owned());
    options
        .max_connections(max_connections)
        .min_connections(min_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_timeout(settings.acquire_timeout)
        // The pool's default pings every connection it hands out: one more round trip per
        // statement. Only a connection that sat idle long enough for a proxy or the server to
        // have dropped it is pinged; a broken busy one fails its statement, which the caller
        // sees as a database error.
        .test_before_acquire_if_idle_for(IDLE_BEFORE_PING)
        .sqlx_logging(false);
    let session = session_settings(settings);
    options.map_sqlx_postgres_opts(move |postgres| postgres.options(session.clone()));
    options.map_sqlx_postgres_pool_opts(|pool| {
        pool.after_connect(|_, _| {
            Box::pin(async {
                tcp_nodelay::on_every_socket();
                Ok(())
            })
        })
    });
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(move |info| {
        counter.increment();
        if info.failed {
            tracing::debug!(
                elapsed_ms = info.elapsed.as_millis() as u64,
                "statement failed"
            );
        }
    });
    Ok(db)
}

/// PostgreSQL settings every connection starts with: no statement runs longer than the
/// request that sent it may, no transaction idles with its locks held, and a statement whose
/// connection was closed (its request given up: the client left, or the request timed out)
/// stops within [`CLIENT_CHECK_INTERVAL`] instead of running to its end or its timeout
/// (PostgreSQL 14 and later); a statement uses as many parallel workers as configured (none
/// by default: [`DatabaseSettings::parallel_workers`]).
pub fn session_settings(settings: &DatabaseSettings) -> Vec<(&'static str, String)> {
    vec![
        (
            "statement_timeout",
            format!("{}ms", settings.statement_timeout.as_millis()),
        ),
        (
            "idle_in_transaction_session_timeout",
            format!("{}ms", settings.idle_in_transaction_timeout.as_millis()),
        ),
        (
            "client_connection_check_interval",
            format!("{}ms", CLIENT_CHECK_INTERVAL.as_millis()),
        ),
        (
            "max_parallel_workers_per_gather",
            settings.parallel_workers.to_string(),
        ),
    ]
}

/// How often PostgreSQL checks, while it runs a statement, that the connection is still open.
pub const CLIENT_CHECK_INTERVAL: Duration = Duration::from_millis(250);

/// Applies every pending migration to `db` (opened with `settings`). On PostgreSQL they run
/// on a connection of their own, without the statement timeout: building an index on a large
/// table may take longer than a request may.
pub async fn migrate(db: &DatabaseConnection, settings: &DatabaseSettings) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    let mut unbounded = settings.clone();
    unbounded.statement_timeout = Duration::ZERO;
    unbounded.idle_in_transaction_timeout = Duration::ZERO;
    let migrations = connect_sized(&unbounded, 1, StatementCounter::default()).await?;
    let migrated = Migrator::up(&migrations, None).await;
    let _ = migrations.close().await;
    migrated
}

/// Whether the database answers; `/readyz` asks this.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}
