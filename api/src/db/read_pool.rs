//! The connections queries read with.
//!
//! On PostgreSQL, reads go through connections this process keeps open itself rather than
//! through sqlx's pool: sqlx (0.9) pings every connection it takes back, so each statement
//! would cost a second round trip and wake its PostgreSQL backend twice (`PoolConnection`'s
//! drop spawns that ping before the connection returns to the idle queue; see
//! <https://github.com/transact-rs/sqlx/pull/4363>, and the older report of pings on every
//! acquire, <https://github.com/transact-rs/sqlx/issues/1743>). Switched by
//! `DatabaseSettings::read_pool` (`--db-read-pool on|off`, on by default); off, reads share
//! the SeaORM pool as on SQLite. A kept connection
//! goes straight back to the idle list once its statement has been answered. What the pool
//! still has to do is done here: a bounded number of connections with a timeout to get one,
//! a ping for a connection that sat idle long enough to have been dropped by a proxy, closing
//! connections that are old or long idle, and never reusing one whose statement failed at
//! the connection level or was abandoned half-way.
//!
//! SQLite reads go through the one SeaORM pool; writes and transactions always do.

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, AssertSqlSafe, Connection, Executor};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::{IDLE_BEFORE_PING, StatementCounter};
use crate::per_thread::this_thread;

/// A connection idle this long is closed (by the reaper, or when next taken) rather than kept.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// A connection this old is closed when it is given back, so that server-side memory and
/// settings are renewed now and then.
const MAX_LIFETIME: Duration = Duration::from_secs(1800);

/// What read-only queries run on. Cheap to clone.
#[derive(Clone)]
pub enum ReadPool {
    /// PostgreSQL: connections kept by this process.
    Kept(Arc<KeptConnections>),
    /// SQLite: the SeaORM pool.
    Shared(DatabaseConnection),
}

impl ReadPool {
    /// Reads for `db`: on PostgreSQL, at most `size` connections of their own to `url`.
    pub fn new(
        db: &DatabaseConnection,
        url: &str,
        size: u32,
        acquire_timeout: Duration,
        session: Vec<(&'static str, String)>,
        counter: StatementCounter,
    ) -> Result<Self, DbErr> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(ReadPool::Shared(db.clone()));
        }
        let options = PgConnectOptions::from_str(url)
            .map_err(connection_error)?
            .options(session);
        Ok(ReadPool::Kept(Arc::new(KeptConnections {
            options,
            idle: Mutex::new(Vec::new()),
            in_use: Semaphore::new(size.max(1) as usize),
            open: AtomicUsize::new(0),
            acquire_timeout,
            counter,
        })))
    }

    /// Closes the connections that have been idle for `idle_for` or longer.
    pub fn close_idle(&self, idle_for: Duration) {
        if let ReadPool::Kept(kept) = self {
            kept.close_idle(idle_for);
        }
    }

    /// Closes long-idle connections every minute, in the background, until the pool is
    /// dropped: otherwise a quiet period with no statement at all would keep them open.
    pub fn spawn_idle_reaper(&self) {
        let ReadPool::Kept(kept) = self else {
            return;
        };
        let kept = Arc::downgrade(kept);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let Some(kept) = kept.upgrade() else {
                    return;
                };
                kept.close_idle(IDLE_TIMEOUT);
            }
        });
    }

    /// Open connections of their own, and how many of them run a statement now (`None` when
    /// reads share the SeaORM pool).
    pub fn usage(&self) -> Option<(usize, usize)> {
        match self {
            ReadPool::Kept(kept) => {
                let open = kept.open.load(Ordering::Relaxed);
                let idle = kept.idle.lock().map(|idle| idle.len()).unwrap_or(0);
                Some((open, open.saturating_sub(idle)))
            }
            ReadPool::Shared(_) => None,
        }
    }
}

/// Connections to PostgreSQL kept open between statements.
pub struct KeptConnections {
    options: PgConnectOptions,
    /// Most recently used last.
    idle: Mutex<Vec<Idle>>,
    /// One permit per statement running. A connection is opened only when none is idle, that
    /// is when every open one holds a permit, so at most as many are open as there are permits.
    in_use: Semaphore,
    open: AtomicUsize,
    acquire_timeout: Duration,
    counter: StatementCounter,
}

struct Idle {
    connection: PgConnection,
    opened: Instant,
    since: Instant,
    /// The thread whose runtime watches the connection's socket: a statement on that thread
    /// is woken without a hop to another thread.
    home: ThreadId,
}

/// A connection lent to one statement.
struct Lent<'a> {
    pool: &'a KeptConnections,
    connection: Option<Idle>,
    /// Opened for this statement rather than kept from an earlier one.
    fresh: bool,
    /// Set once the statement has been answered and the connection may serve another.
    reusable: bool,
    /// Released after the connection is back in the idle list (fields drop after `drop`).
    _permit: SemaphorePermit<'a>,
}

impl KeptConnections {
    async fn lend(&self) -> Result<Lent<'_>, DbErr> {
        let started = Instant::now();
        let permit = tokio::time::timeout(self.acquire_timeout, self.in_use.acquire())
            .await
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))?;
        loop {
            let Some(mut idle) = self.take_idle() else {
                let remaining = self.acquire_timeout.saturating_sub(started.elapsed());
                let connection = tokio::time::timeout(remaining, self.connect())
                    .await
                    .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))??;
                return Ok(self.lent(connection, permit, true));
            };
            if idle.since.elapsed() >= IDLE_TIMEOUT {
                self.close(idle);
                continue;
            }
            if idle.since.elapsed() >= IDLE_BEFORE_PING {
                let remaining = self.acquire_timeout.saturating_sub(started.elapsed());
                let pinged = tokio::time::timeout(remaining, idle.connection.ping()).await;
                if !matches!(pinged, Ok(Ok(()))) {
                    self.discard(idle);
                    continue;
                }
            }
            return Ok(self.lent(idle, permit, false));
        }
    }

    fn lent<'a>(&'a self, connection: Idle, permit: SemaphorePermit<'a>, fresh: bool) -> Lent<'a> {
        Lent {
            pool: self,
            connection: Some(connection),
            fresh,
            reusable: false,
            _permit: permit,
        }
    }

    /// The most recently used idle connection whose socket this thread watches, else the
    /// most recently used one.
    fn take_idle(&self) -> Option<Idle> {
        let mut idle = self.idle.lock().ok()?;
        let here = this_thread();
        let position = idle
            .iter()
            .rposition(|connection| connection.home == here)
            .or_else(|| idle.len().checked_sub(1))?;
        Some(idle.remove(position))
    }

    async fn connect(&self) -> Result<Idle, DbErr> {
        let connection = PgConnection::connect_with(&self.options)
            .await
            .map_err(connection_error)?;
        super::tcp_nodelay::on_every_socket();
        self.open.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        Ok(Idle {
            connection,
            opened: now,
            since: now,
            home: this_thread(),
        })
    }

    fn give_back(&self, mut connection: Idle) {
        if connection.opened.elapsed() >= MAX_LIFETIME {
            self.close(connection);
            return;
        }
        connection.since = Instant::now();
        let Ok(mut idle) = self.idle.lock() else {
            self.discard(connection);
            return;
        };
        idle.push(connection);
    }

    fn close_idle(&self, idle_for: Duration) {
        let stale: Vec<Idle> = match self.idle.lock() {
            Ok(mut idle) => {
                // Least recently used first: the stale ones are a prefix.
                let count = idle
                    .iter()
                    .take_while(|connection| connection.since.elapsed() >= idle_for)
                    .count();
                idle.drain(..count).collect()
            }
            Err(_) => Vec::new(),
        };
        for connection in stale {
            self.close(connection);
        }
    }

    /// Closes a healthy connection politely, in the background.
    fn close(&self, connection: Idle) {
        self.open.fetch_sub(1, Ordering::Relaxed);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = connection.connection.close().await;
            });
        }
    }

    /// Drops a connection whose state is unknown: its socket is closed.
    fn discard(&self, connection: Idle) {
        self.open.fetch_sub(1, Ordering::Relaxed);
        drop(connection);
    }
}

impl Lent<'_> {
    /// The connection; present until the lender is dropped.
    fn connection(&mut self) -> Result<&mut PgConnection, DbErr> {
        self.connection
            .as_mut()
            .map(|idle| &mut idle.connection)
            .ok_or(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))
    }

    /// Records a statement's outcome: counted, and the connection reusable unless the failure
    /// was the connection's own rather than the statement's.
    fn answered<T>(&mut self, outcome: &Result<T, sqlx::Error>) {
        self.pool.counter.increment();
        self.reusable = match outcome {
            Ok(_) => true,
            Err(sqlx::Error::Database(error)) => !ends_the_session(error.code().as_deref()),
            Err(error) => matches!(
                error,
                sqlx::Error::RowNotFound
                    | sqlx::Error::ColumnDecode { .. }
                    | sqlx::Error::ColumnNotFound(_)
                    | sqlx::Error::Decode(_)
            ),
        };
        if let Err(error) = outcome {
            tracing::debug!(%error, "statement failed");
        }
    }

    /// A kept connection failed rather than the statement: PostgreSQL restarted, or a proxy
    /// dropped it while idle. Another connection may well answer.
    fn worth_another_try(&self) -> bool {
        !self.reusable && !self.fresh
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            if self.reusable {
                self.pool.give_back(connection);
            } else {
                self.pool.discard(connection);
            }
        }
    }
}

type PgQuery = sqlx::query::Query<'static, sqlx::Postgres, SqlxValues>;

impl KeptConnections {
    /// Runs a read-only statement. One whose kept connection turns out broken is run again on
    /// another, at most until a freshly opened connection has been tried.
    async fn read<T: Send>(
        &self,
        statement: &Statement,
        fetch: impl for<'c> Fn(&'c mut PgConnection, PgQuery) -> BoxFuture<'c, Result<T, sqlx::Error>>
        + Send
        + Sync,
    ) -> Result<T, DbErr> {
        loop {
            let mut lent = self.lend().await?;
            let outcome = fetch(lent.connection()?, query(statement)).await;
            lent.answered(&outcome);
            if outcome.is_ok() || !lent.worth_another_try() {
                return outcome.map_err(query_error);
            }
        }
    }

    /// Runs a statement once: it may change data, so it is never repeated.
    async fn execute(&self, statement: &Statement) -> Result<ExecResult, DbErr> {
        let mut lent = self.lend().await?;
        let outcome = query(statement).execute(lent.connection()?).await;
        lent.answered(&outcome);
        outcome.map(ExecResult::from).map_err(exec_error)
    }

    /// Runs SQL text with the simple protocol, once.
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let mut lent = self.lend().await?;
        let outcome = lent
            .connection()?
            .execute(AssertSqlSafe(sql.to_owned()))
            .await;
        lent.answered(&outcome);
        outcome.map(ExecResult::from).map_err(exec_error)
    }
}

/// Whether PostgreSQL ends the session with an error of this SQLSTATE: a connection exception
/// (class 08) or an operator's intervention (57P01 terminated, 57P02 crashed, 57P03 starting).
fn ends_the_session(code: Option<&str>) -> bool {
    code.is_some_and(|code| code.starts_with("08") || code.starts_with("57P"))
}

fn connection_error(error: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(error)))
}

fn query_error(error: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(error)))
}

fn exec_error(error: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(error)))
}

fn query(statement: &Statement) -> PgQuery {
    let values = statement
        .values
        .clone()
        .unwrap_or_else(|| sea_orm::sea_query::Values(Vec::new()));
    sqlx::query_with(AssertSqlSafe(statement.sql.clone()), SqlxValues(values))
}

#[async_trait::async_trait]
impl ConnectionTrait for ReadPool {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            ReadPool::Kept(_) => DbBackend::Postgres,
            ReadPool::Shared(db) => db.get_database_backend(),
        }
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        match self {
            ReadPool::Kept(kept) => kept.execute(&statement).await,
            ReadPool::Shared(db) => db.execute_raw(statement).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            ReadPool::Kept(kept) => kept.execute_unprepared(sql).await,
            ReadPool::Shared(db) => db.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            ReadPool::Kept(kept) => {
                let row = kept
                    .read(&statement, |connection, query| {
                        query.fetch_optional(connection).boxed()
                    })
                    .await?;
                Ok(row.map(QueryResult::from))
            }
            ReadPool::Shared(db) => db.query_one_raw(statement).await,
        }
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            ReadPool::Kept(kept) => {
                let rows = kept
                    .read(&statement, |connection, query| {
                        query.fetch_all(connection).boxed()
                    })
                    .await?;
                Ok(rows.into_iter().map(QueryResult::from).collect())
            }
            ReadPool::Shared(db) => db.query_all_raw(statement).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ends_the_session;

    #[test]
    fn errors_that_end_the_session_are_told_from_those_of_a_statement() {
        for code in ["57P01", "57P02", "57P03", "08006", "08003"] {
            assert!(ends_the_session(Some(code)), "{code}");
        }
        // A cancelled statement, a unique violation, a bad cast: the session carries on.
        for code in ["57014", "23505", "22P02"] {
            assert!(!ends_the_session(Some(code)), "{code}");
        }
        assert!(!ends_the_session(None));
    }
}
