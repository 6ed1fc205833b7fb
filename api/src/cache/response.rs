//! The response cache the executor (`graphql::executor`) uses: lookups that never fail a request, stores after a
//! miss, one computation per key at a time in this process, invalidation after mutations, and
//! persisted queries.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use moka::future::Cache;
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::backend::{CacheBackend, CacheError};
use super::generation::GenerationReads;
use crate::metrics::{self, CacheEvent};

/// A cached response body with its strong ETag, shared without copying.
pub struct CachedResponse {
    pub body: Bytes,
    pub etag: String,
}

impl CachedResponse {
    pub fn new(body: Bytes) -> Self {
        // BLAKE3 rather than SHA-256: an uncached GET hashes its whole body (40 KB for a
        // page of postings), and BLAKE3 does that several times faster.
        let etag = format!("\"{}\"", &blake3::hash(&body).to_hex()[..32]);
        CachedResponse { body, etag }
    }
}

/// What a lookup found.
pub enum Lookup {
    /// A response computed under the current generation.
    Hit(Arc<CachedResponse>),
    /// Nothing usable: compute, then store under `generation`.
    Miss { generation: u64 },
    /// The cache cannot be trusted or reached right now: compute and do not store.
    Bypass,
}

pub struct ResponseCache {
    backend: Arc<dyn CacheBackend>,
    /// `jobgraph:<namespace>:`: replicas of one deployment share it; deployments on other
    /// databases never see each other's entries in a shared Redis.
    prefix: String,
    /// The key of this deployment's generation counter (made once: it is read on every hit).
    generation_key: String,
    /// Reads of that counter for hits on entries held here, shared by concurrent lookups.
    generation_reads: GenerationReads,
    /// When false, every lookup is a bypass: responses are computed every time.
    responses_enabled: bool,
    ttl: Duration,
    persisted_query_ttl: Duration,
    /// Entries this process already holds, with their generation: a hit then costs one small
    /// read of the current generation instead of the whole body.
    local: Cache<String, (u64, Arc<CachedResponse>)>,
    /// One lock per key being computed, so concurrent misses compute once.
    computing: Cache<String, Arc<Mutex<()>>>,
    /// A mutation committed but its invalidation did not reach the cache: until it does, this
    /// process neither reads nor writes cached responses.
    invalidation_pending: AtomicBool,
    last_warning: AtomicU64,
    started: Instant,
}

/// The cache key of an anonymous request: its document, operation name and variables. The
/// document's text is hashed exactly as sent: whitespace and comments inside string literals
/// are data, so two documents share an entry only when their texts are the same. Each part is
/// length-prefixed, so no two different requests frame into the same bytes.
pub fn request_key(
    query: &str,
    operation_name: Option<&str>,
    variables: &serde_json::Value,
) -> String {
    fn part(hash: &mut Sha256, bytes: &[u8]) {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    }
    let mut hash = Sha256::new();
    part(&mut hash, query.as_bytes());
    match operation_name {
        None => hash.update([0]),
        Some(name) => {
            hash.update([1]);
            part(&mut hash, name.as_bytes());
        }
    }
    // Writing JSON into a buffer cannot fail.
    part(
        &mut hash,
        &serde_json::to_vec(variables).unwrap_or_default(),
    );
    hex(&hash.finalize())
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    text
}

impl ResponseCache {
    /// A cache over `backend`; `namespace` separates deployments sharing one Redis; a read of
    /// the generation is held for `generation_lease` ([`super::generation`]).
    pub fn new(
        backend: Arc<dyn CacheBackend>,
        namespace: &str,
        ttl: Duration,
        generation_lease: Duration,
    ) -> Self {
        let generation_key = format!("jobgraph:{namespace}:generation");
        ResponseCache {
            generation_reads: GenerationReads::new(
                backend.clone(),
                &generation_key,
                generation_lease,
            ),
            backend,
            prefix: format!("jobgraph:{namespace}:"),
            generation_key,
            responses_enabled: true,
            local: Cache::builder()
                .weigher(|key: &String, (_, entry): &(u64, Arc<CachedResponse>)| {
                    u32::try_from(key.len() + entry.body.len()).unwrap_or(u32::MAX)
                })
                .max_capacity(32 * 1024 * 1024)
                .time_to_live(ttl)
                .build(),
            ttl,
            persisted_query_ttl: Duration::from_secs(7 * 24 * 3600),
            computing: Cache::builder()
                .max_capacity(10_000)
                .time_to_idle(Duration::from_secs(60))
                .build(),
            invalidation_pending: AtomicBool::new(false),
            last_warning: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    /// Logs a cache fault at most once every ten seconds; counts every one.
    fn fault(&self, operation: &str, error: &CacheError) {
        metrics::cache_event(CacheEvent::Error);
        let now = self.started.elapsed().as_secs();
        let last = self.last_warning.load(Ordering::Relaxed);
        if (last == 0 || now >= last + 10)
            && self
                .last_warning
                .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(%error, operation, backend = self.backend.name(), "cache unavailable; answering from the database");
        }
    }

    /// Retries an invalidation that did not get through; true when none is pending.
    async fn settle_invalidation(&self) -> bool {
        if !self.invalidation_pending.load(Ordering::SeqCst) {
            return true;
        }
        match self.backend.bump_generation(&self.generation_key).await {
            Ok(_) => {
                self.invalidation_pending.store(false, Ordering::SeqCst);
                true
            }
            Err(error) => {
                self.fault("invalidate", &error);
                false
            }
        }
    }

    /// The same cache with response caching off (persisted queries still work).
    pub fn without_responses(self) -> Self {
        ResponseCache {
            responses_enabled: false,
            ..self
        }
    }

    /// Whether responses are cached at all (the cache also keeps persisted queries).
    pub fn caches_responses(&self) -> bool {
        self.responses_enabled
    }

    /// Looks `key` up.
    pub async fn lookup(&self, key: &str) -> Lookup {
        if !self.responses_enabled {
            return Lookup::Bypass;
        }
        if !self.settle_invalidation().await {
            metrics::cache_event(CacheEvent::Bypass);
            return Lookup::Bypass;
        }
        let generation_key = &self.generation_key;
        if let Some((stamp, entry)) = self.local.get(key).await {
            match self.generation_reads.read().await {
                Ok(generation) if generation == stamp => {
                    metrics::cache_event(CacheEvent::Hit);
                    return Lookup::Hit(entry);
                }
                Ok(_) => self.local.invalidate(key).await,
                Err(error) => {
                    self.fault("lookup", &error);
                    metrics::cache_event(CacheEvent::Bypass);
                    return Lookup::Bypass;
                }
            }
        }
        match self
            .backend
            .lookup(generation_key, &format!("{}response:{key}", self.prefix))
            .await
        {
            Ok((generation, Some(entry))) if entry.len() >= 8 => {
                let (stamp, body) = entry.split_at(8);
                let stamp = u64::from_be_bytes(stamp.try_into().unwrap_or_default());
                if stamp == generation {
                    metrics::cache_event(CacheEvent::Hit);
                    let entry = Arc::new(CachedResponse::new(Bytes::copy_from_slice(body)));
                    self.local
                        .insert(key.to_owned(), (generation, entry.clone()))
                        .await;
                    Lookup::Hit(entry)
                } else {
                    metrics::cache_event(CacheEvent::Miss);
                    Lookup::Miss { generation }
                }
            }
            Ok((generation, _)) => {
                metrics::cache_event(CacheEvent::Miss);
                Lookup::Miss { generation }
            }
            Err(error) => {
                self.fault("lookup", &error);
                metrics::cache_event(CacheEvent::Bypass);
                Lookup::Bypass
            }
        }
    }

    /// Waits until no other request of this process computes `key`; hold the guard while
    /// computing, then look up again: the other request may have stored it.
    pub async fn computing(&self, key: &str) -> OwnedMutexGuard<()> {
        let lock = self
            .computing
            .get_with(key.to_owned(), async { Arc::new(Mutex::new(())) })
            .await;
        lock.lock_owned().await
    }

    /// Stores `response`, computed under `generation`.
    pub async fn store(&self, key: &str, generation: u64, response: &Arc<CachedResponse>) {
        if self.invalidation_pending.load(Ordering::SeqCst) {
            return;
        }
        let body = &response.body;
        self.local
            .insert(key.to_owned(), (generation, response.clone()))
            .await;
        let mut entry = Vec::with_capacity(8 + body.len());
        entry.extend_from_slice(&generation.to_be_bytes());
        entry.extend_from_slice(body);
        if let Err(error) = self
            .backend
            .store(&format!("{}response:{key}", self.prefix), entry, self.ttl)
            .await
        {
            self.fault("store", &error);
        }
    }

    /// Makes every cached response stale. Call it after a mutation committed, before
    /// answering it: it returns once every replica's lease on an older generation has ended.
    pub async fn invalidate(&self) {
        match self.backend.bump_generation(&self.generation_key).await {
            Ok(_) => tokio::time::sleep(self.generation_reads.lease()).await,
            Err(error) => {
                self.invalidation_pending.store(true, Ordering::SeqCst);
                self.fault("invalidate", &error);
            }
        }
    }

    /// The persisted query with this SHA-256 (hex), if any replica stored it.
    pub async fn persisted_query(&self, hash: &str) -> Option<String> {
        match self
            .backend
            .get(&format!("{}apq:{hash}", self.prefix))
            .await
        {
            Ok(query) => query.and_then(|bytes| String::from_utf8(bytes).ok()),
            Err(error) => {
                self.fault("persisted query lookup", &error);
                None
            }
        }
    }

    /// Remembers a query by its SHA-256 (hex), for every replica.
    pub async fn persist_query(&self, hash: &str, query: &str) {
        if let Err(error) = self
            .backend
            .store(
                &format!("{}apq:{hash}", self.prefix),
                query.as_bytes().to_vec(),
                self.persisted_query_ttl,
            )
            .await
        {
            self.fault("persist query", &error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::memory::MemoryBackend;

    fn cache() -> ResponseCache {
        ResponseCache::new(
            Arc::new(MemoryBackend::new(1 << 20, Duration::from_secs(60))),
            "test",
            Duration::from_secs(60),
            Duration::ZERO,
        )
    }

    #[tokio::test]
    async fn an_entry_is_served_until_the_generation_moves() {
        let cache = cache();
        let Lookup::Miss { generation } = cache.lookup("k").await else {
            panic!("a miss")
        };
        cache
            .store(
                "k",
                generation,
                &Arc::new(CachedResponse::new(Bytes::from_static(b"body"))),
            )
            .await;
        assert!(matches!(cache.lookup("k").await, Lookup::Hit(entry) if entry.body == b"body"[..]));
        cache.invalidate().await;
        assert!(matches!(cache.lookup("k").await, Lookup::Miss { .. }));
    }

    #[tokio::test]
    async fn a_response_computed_across_an_invalidation_is_never_served() {
        let cache = cache();
        let Lookup::Miss { generation } = cache.lookup("k").await else {
            panic!("a miss")
        };
        cache.invalidate().await; // a mutation commits while the response is computed
        cache
            .store(
                "k",
                generation,
                &Arc::new(CachedResponse::new(Bytes::from_static(b"old"))),
            )
            .await;
        assert!(matches!(cache.lookup("k").await, Lookup::Miss { .. }));
    }

    #[test]
    fn hex_is_lowercase_and_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn whitespace_inside_string_literals_makes_another_key() {
        let key = |query: &str| request_key(query, None, &serde_json::json!({}));
        let one = "{ postings(filter: { departments: [\"Customer Success\"] }) { totalCount } }";
        let two = "{ postings(filter: { departments: [\"Customer  Success\"] }) { totalCount } }";
        assert_ne!(key(one), key(two));
        assert_ne!(
            key("{ a(s: \"\"\"x\n y\"\"\") }"),
            key("{ a(s: \"\"\"x\n  y\"\"\") }")
        );
        assert_ne!(key("{ a(s: \"# b\") }"), key("{ a(s: \"#  b\") }"));
    }

    #[test]
    fn operation_names_and_variables_are_part_of_the_key() {
        let empty = serde_json::json!({});
        let query = "query A { a } query B { b }";
        assert_ne!(
            request_key(query, Some("A"), &empty),
            request_key(query, Some("B"), &empty)
        );
        assert_ne!(
            request_key(query, None, &empty),
            request_key(query, Some(""), &empty)
        );
        assert_ne!(
            request_key("{ a }", None, &empty),
            request_key("{ a }", None, &serde_json::json!({ "x": 1 }))
        );
        assert_eq!(
            request_key("{ a }", None, &empty),
            request_key("{ a }", None, &empty)
        );
    }
}
