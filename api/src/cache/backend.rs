use std::time::Duration;

/// A cache failure. Never reaches clients: the request is answered from the database.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("the cache did not answer in time")]
    Timeout,
    #[error("cache error: {0}")]
    Backend(#[from] redis::RedisError),
    #[error("the database's generation could not be read or moved: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// What the response cache needs from a store. Every write carries a TTL.
#[async_trait::async_trait]
pub trait CacheBackend: Send + Sync {
    /// The generation under `generation_key` and the entry under `key`, read together (one
    /// round trip).
    async fn lookup(
        &self,
        generation_key: &str,
        key: &str,
    ) -> Result<(u64, Option<Vec<u8>>), CacheError>;

    /// The generation under `generation_key` alone (a few bytes, for entries held locally).
    async fn generation(&self, generation_key: &str) -> Result<u64, CacheError>;

    /// Stores `value` under `key` for `ttl`.
    async fn store(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), CacheError>;

    /// Reads the value under `key` (persisted queries).
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;

    /// Moves the generation on, making every entry stored before it invisible.
    async fn bump_generation(&self, generation_key: &str) -> Result<u64, CacheError>;

    /// `redis` or `memory`, for logs.
    fn name(&self) -> &'static str;
}
