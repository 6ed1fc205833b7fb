//! The Redis backend: lazily connected `ConnectionManager`s (they reconnect by themselves),
//! short timeouts on every call, so a slow or absent Redis costs a request milliseconds, not
//! errors.
//!
//! Each thread gets its own manager, connected from that thread: the HTTP workers run one
//! runtime per thread, and a manager driven from another thread cost every call two
//! cross-thread wake-ups, more than the round trip to Redis itself.

use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::backend::{CacheBackend, CacheError};
use crate::per_thread::PerThread;

pub struct RedisBackend {
    client: redis::Client,
    config: ConnectionManagerConfig,
    connections: PerThread<ConnectionManager>,
    timeout: Duration,
}

impl RedisBackend {
    /// Prepares a connection to `url` without connecting: the server starts even when Redis is
    /// down, and the manager connects (and reconnects) on use.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, CacheError> {
        let client = redis::Client::open(url).map_err(CacheError::from)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let backend = RedisBackend {
            client,
            config,
            connections: PerThread::default(),
            timeout,
        };
        // A URL the manager cannot use fails here, at start, rather than on every call.
        backend.connection()?;
        Ok(backend)
    }

    /// This thread's manager, made (without connecting) on its first use.
    fn connection(&self) -> Result<ConnectionManager, CacheError> {
        self.connections.get_or_try_make(|| {
            ConnectionManager::new_lazy_with_config(self.client.clone(), self.config.clone())
                .map_err(CacheError::from)
        })
    }

    async fn run<T>(
        &self,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, CacheError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) if error.is_timeout() => Err(CacheError::Timeout),
            Ok(Err(error)) => Err(CacheError::from(error)),
            Err(_) => Err(CacheError::Timeout),
        }
    }
}

#[async_trait::async_trait]
impl CacheBackend for RedisBackend {
    async fn lookup(
        &self,
        generation_key: &str,
        key: &str,
    ) -> Result<(u64, Option<Vec<u8>>), CacheError> {
        let mut connection = self.connection()?;
        let (generation, entry): (Option<u64>, Option<Vec<u8>>) = self
            .run(async move {
                redis::cmd("MGET")
                    .arg(generation_key)
                    .arg(key)
                    .query_async(&mut connection)
                    .await
            })
            .await?;
        Ok((generation.unwrap_or(0), entry))
    }

    async fn generation(&self, generation_key: &str) -> Result<u64, CacheError> {
        let mut connection = self.connection()?;
        let generation: Option<u64> = self
            .run(async move { connection.get(generation_key).await })
            .await?;
        Ok(generation.unwrap_or(0))
    }

    async fn store(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), CacheError> {
        let mut connection = self.connection()?;
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        self.run(async move { connection.pset_ex::<_, _, ()>(key, value, millis).await })
            .await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let mut connection = self.connection()?;
        self.run(async move { connection.get(key).await }).await
    }

    async fn bump_generation(&self, generation_key: &str) -> Result<u64, CacheError> {
        let mut connection = self.connection()?;
        self.run(async move { connection.incr(generation_key, 1u64).await })
            .await
    }

    fn name(&self) -> &'static str {
        "redis"
    }
}
