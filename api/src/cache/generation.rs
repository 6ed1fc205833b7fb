//! Reads of the generation counter, shared by the lookups that arrive together, and held
//! for a short lease.
//!
//! A hit may be served only if the generation still has the value its entry was computed
//! under, as seen by a read that no write answered before the request arrived can precede.
//! Two rules give that without a round trip per hit:
//!
//! - **Leases.** A generation read is held for `lease` from the moment the read was *sent*
//!   (so the value was current at some instant after that), and every write, after moving
//!   the generation, waits `lease` before it is answered ([`super::response::ResponseCache::invalidate`]).
//!   A request that arrives after a write was answered therefore arrives more than `lease`
//!   after the move, when every read sent before the move has expired, on every replica:
//!   only durations are compared, each on its own process's monotonic clock. Past half its
//!   lease a held read is renewed in the background, so under load no hit waits.
//! - **Shared reads.** Without a valid lease (or with a zero one: the in-process store, which
//!   must see at its next read what other processes wrote without waiting out any lease) a
//!   read sent after a request arrived serves that request as
//!   well as a read of its own would, so lookups arriving while a read is in flight wait for
//!   the next read (sent as soon as the one in flight ends) and share it.
//!
//! Reads are shared within a thread only: the HTTP workers run one runtime per thread, and
//! waking a waiter on another thread costs about as much as the read.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

use super::backend::{CacheBackend, CacheError};
use crate::per_thread::PerThread;

type Read = Shared<BoxFuture<'static, Result<u64, Arc<CacheError>>>>;

#[derive(Default)]
struct Reads {
    /// The read that has been sent and not answered yet, with its number.
    sent: Option<(u64, Read)>,
    /// The read that will be sent when `sent` is answered; later arrivals join it.
    next: Option<(u64, Read)>,
    numbered: u64,
    /// The latest answered read: its generation and when it was sent.
    held: Option<(u64, Instant)>,
}

pub struct GenerationReads {
    backend: Arc<dyn CacheBackend>,
    key: Arc<str>,
    lease: Duration,
    by_thread: PerThread<Arc<Mutex<Reads>>>,
}

impl GenerationReads {
    /// Reads of `key` from `backend`, each held for `lease` (zero: none is held).
    pub fn new(backend: Arc<dyn CacheBackend>, key: &str, lease: Duration) -> Self {
        GenerationReads {
            backend,
            key: Arc::from(key),
            lease,
            by_thread: PerThread::default(),
        }
    }

    /// How long a read is held; a write must wait this long after moving the generation.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// The reads of the calling thread.
    fn reads(&self) -> Arc<Mutex<Reads>> {
        self.by_thread.get_or_make(Default::default)
    }

    /// The generation as of a read no write answered before this call began can precede:
    /// a held read within its lease, or else one sent after this call began.
    pub async fn read(&self) -> Result<u64, Arc<CacheError>> {
        let shared = self.reads();
        let now = Instant::now();
        let read = {
            let mut reads = shared.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((generation, sent_at)) = reads.held {
                let age = now.saturating_duration_since(sent_at);
                if age < self.lease {
                    if age >= self.lease / 2 && reads.sent.is_none() {
                        // Renewed before it expires, by a read nobody waits for.
                        tokio::spawn(self.send_now(&shared, &mut reads));
                    }
                    return Ok(generation);
                }
            }
            if let Some((_, next)) = &reads.next {
                next.clone()
            } else if let Some((_, sent)) = &reads.sent {
                let sent = sent.clone();
                reads.numbered += 1;
                let number = reads.numbered;
                let next = self.send(&shared, number, Some(sent));
                reads.next = Some((number, next.clone()));
                next
            } else {
                self.send_now(&shared, &mut reads)
            }
        };
        read.await
    }

    /// A read sent at once, as the one in flight (none may be).
    fn send_now(&self, shared: &Arc<Mutex<Reads>>, reads: &mut Reads) -> Read {
        reads.numbered += 1;
        let read = self.send(shared, reads.numbered, None);
        reads.sent = Some((reads.numbered, read.clone()));
        read
    }

    /// A read sent when first polled, or once `previous` is answered; in that case it moves
    /// itself from `next` to `sent` first, so lookups arriving after it is sent wait for the
    /// one after. It clears itself from `sent` when answered.
    fn send(&self, reads: &Arc<Mutex<Reads>>, number: u64, previous: Option<Read>) -> Read {
        let backend = self.backend.clone();
        let key = self.key.clone();
        let reads = reads.clone();
        async move {
            if let Some(previous) = previous {
                let _ = previous.await;
                let mut reads = reads.lock().unwrap_or_else(PoisonError::into_inner);
                if reads.next.as_ref().is_some_and(|(next, _)| *next == number) {
                    reads.sent = reads.next.take();
                }
            }
            let sent_at = Instant::now();
            let generation = backend.generation(&key).await.map_err(Arc::new);
            let mut reads = reads.lock().unwrap_or_else(PoisonError::into_inner);
            if reads.sent.as_ref().is_some_and(|(sent, _)| *sent == number) {
                reads.sent = None;
            }
            match &generation {
                Ok(value) if reads.held.is_none_or(|(_, held)| held < sent_at) => {
                    reads.held = Some((*value, sent_at));
                }
                Ok(_) => {}
                // A failed read ends the lease: the next lookup asks again.
                Err(_) => reads.held = None,
            }
            generation
        }
        .boxed()
        .shared()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::memory::MemoryBackend;
    use std::time::Duration;

    #[tokio::test(flavor = "current_thread")]
    async fn a_read_sees_every_bump_made_before_it_began() {
        let backend: Arc<dyn CacheBackend> =
            Arc::new(MemoryBackend::new(1 << 20, Duration::from_secs(60)));
        let reads = GenerationReads::new(backend.clone(), "g", Duration::ZERO);
        for expected in 1..=5 {
            backend.bump_generation("g").await.expect("bumped");
            let concurrent = futures_util::future::join_all((0..10).map(|_| reads.read())).await;
            for generation in concurrent {
                assert_eq!(generation.expect("read"), expected);
            }
        }
        let shared = reads.reads();
        let state = shared.lock().expect("unlocked");
        assert!(state.sent.is_none() && state.next.is_none());
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_read_is_held_for_its_lease_and_no_longer() {
        let backend: Arc<dyn CacheBackend> =
            Arc::new(MemoryBackend::new(1 << 20, Duration::from_secs(60)));
        let lease = Duration::from_millis(200);
        let reads = GenerationReads::new(backend.clone(), "g", lease);
        assert_eq!(reads.read().await.expect("read"), 0);
        backend.bump_generation("g").await.expect("bumped");
        // Within the lease the held read answers, without asking the backend.
        assert_eq!(reads.read().await.expect("read"), 0);
        tokio::time::sleep(lease).await;
        // Past it the generation is read again.
        assert_eq!(reads.read().await.expect("read"), 1);
    }
}
