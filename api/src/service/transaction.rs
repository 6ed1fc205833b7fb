//! Write transactions, retried when the database says "try again" (SQLite busy, PostgreSQL
//! serialization failures and deadlocks), so concurrent writers wait their turn instead of
//! failing.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};

use super::access::Actor;
use crate::auth::Principal;
use crate::error::{ServiceError, database_code};

const ATTEMPTS: u32 = 8;

/// A unit of work run inside one transaction.
pub type Work<'c, T> = Pin<Box<dyn Future<Output = Result<T, ServiceError>> + Send + 'c>>;

/// Runs `work` in a transaction, committing when it returns `Ok`, and runs it again when the
/// database reports a transient conflict. Validate `input` once, before: every attempt gets
/// its own copy of it and of the actor, so the work owns what it uses and nothing is cloned
/// field by field.
pub async fn write<V, T, F>(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    input: V,
    work: F,
) -> Result<T, ServiceError>
where
    V: Clone + Send + Sync,
    T: Send,
    F: for<'c> Fn(&'c DatabaseTransaction, Option<Principal>, V) -> Work<'c, T> + Send + Sync,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let error = match attempt_once(db, actor, &input, &work).await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        match &error {
            ServiceError::Database(cause) if is_transient(cause) && attempt < ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
            }
            _ => return Err(error),
        }
    }
}

/// Runs `work` in a transaction that is always rolled back: what a dry run does, so that it
/// answers exactly as the write would and writes nothing.
pub async fn rehearse<V, T, F>(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    input: V,
    work: F,
) -> Result<T, ServiceError>
where
    V: Clone + Send + Sync,
    T: Send,
    F: for<'c> Fn(&'c DatabaseTransaction, Option<Principal>, V) -> Work<'c, T> + Send + Sync,
{
    let txn = db.begin().await?;
    let result = work(&txn, actor.cloned(), input).await;
    if let Err(rollback) = txn.rollback().await {
        tracing::debug!(%rollback, "the rollback of a rehearsal failed");
    }
    result
}

/// One transaction: begun, worked in, committed or rolled back. The error reported is the
/// one that ended the work: SQLite rolls a transaction back by itself after some errors
/// (`SQLITE_FULL` among them), so the rollback that follows may fail, and saying so would
/// hide why the write failed.
async fn attempt_once<V, T, F>(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    input: &V,
    work: &F,
) -> Result<T, ServiceError>
where
    V: Clone + Send + Sync,
    T: Send,
    F: for<'c> Fn(&'c DatabaseTransaction, Option<Principal>, V) -> Work<'c, T> + Send + Sync,
{
    let txn = db.begin().await?;
    match work(&txn, actor.cloned(), input.clone()).await {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::debug!(%rollback, "the rollback after a failed write failed too");
            }
            Err(error)
        }
    }
}

/// Whether `error` is a transient conflict that [`write`] retries.
pub fn is_retryable(error: &ServiceError) -> bool {
    matches!(error, ServiceError::Database(cause) if is_transient(cause))
}

/// Whether the database asks us to retry: SQLite `BUSY`/`LOCKED`, PostgreSQL `40001`/`40P01`.
fn is_transient(error: &DbErr) -> bool {
    matches!(
        database_code(error).as_deref(),
        Some("5" | "6" | "261" | "262" | "517" | "40001" | "40P01")
    )
}
