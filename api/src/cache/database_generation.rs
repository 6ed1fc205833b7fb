//! What the in-process cache checks on every hit, so that a write committed by any process
//! on the same database — a second server, the CLI, a later import — is seen by the next read.
//!
//! Every jobgraph process moves the `data_generation` row on after its writes commit (never
//! inside a write transaction: it is no hot row that writers queue on). On SQLite the check
//! also reads `PRAGMA data_version`, which SQLite itself moves whenever another connection
//! commits, so even a write made with the `sqlite3` shell is seen. The reads go through a
//! connection of their own, kept open (a check must fit in the cache's timeout, which a new
//! PostgreSQL connection does not), apart from the pools requests use; concurrent hits
//! share one read (`generation::GenerationReads`).

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

use crate::config::DatabaseSettings;
use crate::db::{self, StatementCounter};

/// The database's own record of committed writes.
pub struct DatabaseGeneration {
    db: DatabaseConnection,
    read: &'static str,
}

/// What one check read: the row's value and, on SQLite, `data_version` (0 elsewhere).
pub type Seen = (i64, i64);

const READ_POSTGRES: &str = "SELECT value, 0::int8 FROM data_generation WHERE id = 1";
const READ_SQLITE: &str =
    "SELECT g.value, v.data_version FROM data_generation g, pragma_data_version v WHERE g.id = 1";
const BUMP: &str = "UPDATE data_generation SET value = value + 1 WHERE id = 1";

impl DatabaseGeneration {
    /// Opens the check's own pool on the database `settings` name; `shared` is the server's
    /// pool, used instead for an in-memory SQLite database (another connection would open a
    /// database of its own).
    pub async fn open(
        settings: &DatabaseSettings,
        shared: &DatabaseConnection,
    ) -> Result<Self, DbErr> {
        let backend = shared.get_database_backend();
        let read = match backend {
            DbBackend::Postgres => READ_POSTGRES,
            _ => READ_SQLITE,
        };
        let db = if settings.is_in_memory() {
            shared.clone()
        } else {
            // Its statements are not the requests': counted apart.
            db::connect_kept_open(settings, 1, StatementCounter::default()).await?
        };
        let generation = DatabaseGeneration { db, read };
        // Connects now: a check is bounded by the cache's timeout, which a first connection
        // to PostgreSQL may not fit in. A failure here (the table is gone after `migrate
        // down`) is no reason not to start: each check reports its own.
        if let Err(error) = generation.read().await {
            tracing::warn!(%error, "the database's generation cannot be read yet");
        }
        Ok(generation)
    }

    /// The current value.
    pub async fn read(&self) -> Result<Seen, DbErr> {
        let statement = Statement::from_string(self.db.get_database_backend(), self.read);
        let row = self
            .db
            .query_one_raw(statement)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("the data_generation row".to_owned()))?;
        Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?))
    }

    /// Moves it on: call after a write has committed.
    pub async fn bump(&self) -> Result<(), DbErr> {
        self.db
            .execute_raw(Statement::from_string(self.db.get_database_backend(), BUMP))
            .await
            .map(drop)
    }
}
