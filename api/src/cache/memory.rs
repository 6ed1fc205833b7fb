//! The in-process backend for the embedded default: bounded (by bytes), with a TTL, and the
//! same generation semantics as Redis. Only right for a single process, so it keeps one
//! generation whatever the key.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::future::Cache;

use super::backend::{CacheBackend, CacheError};

pub struct MemoryBackend {
    generation: AtomicU64,
    entries: Cache<String, Vec<u8>>,
}

impl MemoryBackend {
    /// A cache of at most `max_bytes` of entries, each kept at most `ttl`.
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
        }
    }
}

#[async_trait::async_trait]
impl CacheBackend for MemoryBackend {
    async fn lookup(
        &self,
        _generation_key: &str,
        key: &str,
    ) -> Result<(u64, Option<Vec<u8>>), CacheError> {
        Ok((
            self.generation.load(Ordering::SeqCst),
            self.entries.get(key).await,
        ))
    }

    async fn generation(&self, _generation_key: &str) -> Result<u64, CacheError> {
        Ok(self.generation.load(Ordering::SeqCst))
    }

    async fn store(&self, key: &str, value: Vec<u8>, _ttl: Duration) -> Result<(), CacheError> {
        self.entries.insert(key.to_owned(), value).await;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.entries.get(key).await)
    }

    async fn bump_generation(&self, _generation_key: &str) -> Result<u64, CacheError> {
        Ok(self.generation.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn name(&self) -> &'static str {
        "memory"
    }
}
