//! Reads of the generation counter, shared by the lookups that arrive together.
//!
//! A hit may be served only if the generation still has the value its entry was computed
//! under, as read *after* the request arrived: a mutation answered before then has already
//! moved it. A read sent after a request arrived serves that request as well as a read of its
//! own would, so lookups arriving while a read is in flight wait for the next read (sent as
//! soon as the one in flight ends) and share it. Under load one round trip to Redis then
//! answers many hits; alone, a lookup reads at once. Reads are shared within a thread only:
//! the HTTP workers run one runtime per thread, and waking a waiter on another thread costs
//! about as much as the read.

use std::sync::{Arc, Mutex, PoisonError};

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
}

pub struct GenerationReads {
    backend: Arc<dyn CacheBackend>,
    key: Arc<str>,
    by_thread: PerThread<Arc<Mutex<Reads>>>,
}

impl GenerationReads {
    pub fn new(backend: Arc<dyn CacheBackend>, key: &str) -> Self {
        GenerationReads {
            backend,
            key: Arc::from(key),
            by_thread: PerThread::default(),
        }
    }

    /// The reads of the calling thread.
    fn reads(&self) -> Arc<Mutex<Reads>> {
        self.by_thread.get_or_make(Default::default)
    }

    /// The generation, read after this call began.
    pub async fn read(&self) -> Result<u64, Arc<CacheError>> {
        let shared = self.reads();
        let read = {
            let mut reads = shared.lock().unwrap_or_else(PoisonError::into_inner);
            reads.numbered += 1;
            let number = reads.numbered;
            if let Some((_, next)) = &reads.next {
                next.clone()
            } else if let Some((_, sent)) = &reads.sent {
                let next = self.send(&shared, number, Some(sent.clone()));
                reads.next = Some((number, next.clone()));
                next
            } else {
                let read = self.send(&shared, number, None);
                reads.sent = Some((number, read.clone()));
                read
            }
        };
        read.await
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
            let generation = backend.generation(&key).await.map_err(Arc::new);
            let mut reads = reads.lock().unwrap_or_else(PoisonError::into_inner);
            if reads.sent.as_ref().is_some_and(|(sent, _)| *sent == number) {
                reads.sent = None;
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
        let reads = GenerationReads::new(backend.clone(), "g");
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
}
