//! The in-process backend for the embedded default: bounded (by bytes), with a TTL, and the
//! same generation semantics as Redis. It keeps one generation whatever the key; with a
//! [`DatabaseGeneration`] it moves that generation on whenever the database says another
//! process committed, so it is right beside other processes on the same database too.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use moka::future::Cache;

use super::backend::{CacheBackend, CacheError};
use super::database_generation::{DatabaseGeneration, Seen};

pub struct MemoryBackend {
    generation: AtomicU64,
    entries: Cache<String, Vec<u8>>,
    database: Option<Watched>,
}

/// The database's record of commits, and what this process last saw of it.
struct Watched {
    source: DatabaseGeneration,
    last_seen: Mutex<Option<Seen>>,
    timeout: Duration,
}

impl MemoryBackend {
    /// A cache of at most `max_bytes` of entries, each kept at most `ttl`, for a database no
    /// other process writes to (or none at all).
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        MemoryBackend {
            generation: AtomicU64::new(0),
            entries: Cache::builder()
                .weigher(|key: &String, value: &Vec<u8>| {
                    u32::try_from(key.len() + value.len()).unwrap_or(u32::MAX)
                })
                .max_capacity(max_bytes)
                .time_to_live(ttl)
                .build(),
            database: None,
        }
    }

    /// The same cache, checking `source` (within `timeout`) on every generation read and
    /// moving it on with every bump.
    pub fn watching(self, source: DatabaseGeneration, timeout: Duration) -> Self {
        MemoryBackend {
            database: Some(Watched {
                source,
                last_seen: Mutex::new(None),
                timeout,
            }),
            ..self
        }
    }

    /// The generation, moved on first if the database changed since it was last looked at.
    /// Two checks finishing out of order only move it once more than needed: an entry is
    /// never served across a change.
    async fn current(&self) -> Result<u64, CacheError> {
        if let Some(watched) = &self.database {
            let seen = tokio::time::timeout(watched.timeout, watched.source.read())
                .await
                .map_err(|_| CacheError::Timeout)??;
            let mut last = watched
                .last_seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if *last != Some(seen) {
                *last = Some(seen);
                self.generation.fetch_add(1, Ordering::SeqCst);
            }
        }
        Ok(self.generation.load(Ordering::SeqCst))
    }
}

#[async_trait::async_trait]
impl CacheBackend for MemoryBackend {
    async fn lookup(
        &self,
        _generation_key: &str,
        key: &str,
    ) -> Result<(u64, Option<Vec<u8>>), CacheError> {
        let generation = self.current().await?;
        Ok((generation, self.entries.get(key).await))
    }

    async fn generation(&self, _generation_key: &str) -> Result<u64, CacheError> {
        self.current().await
    }

    async fn store(&self, key: &str, value: Vec<u8>, _ttl: Duration) -> Result<(), CacheError> {
        self.entries.insert(key.to_owned(), value).await;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.entries.get(key).await)
    }

    async fn bump_generation(&self, _generation_key: &str) -> Result<u64, CacheError> {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(watched) = &self.database {
            tokio::time::timeout(watched.timeout, watched.source.bump())
                .await
                .map_err(|_| CacheError::Timeout)??;
        }
        Ok(generation)
    }

    fn name(&self) -> &'static str {
        if self.database.is_some() {
            "memory, checking the database's generation"
        } else {
            "memory"
        }
    }
}
