//! Batching of keyed loads within one request: every key asked for while the request's
//! resolvers make one pass is fetched by one statement.
//!
//! The first load of a batch spawns the task that will fetch it; the task runs once the
//! request's task yields, by which time every resolver of that pass has added its key. Unlike
//! async-graphql's `DataLoader` this needs no timer (its zero delay still went through a
//! timer thread and two cross-thread wake-ups per batch), no per-load maps and no
//! per-load channel: waiters share the one result.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::Error;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use uuid::Uuid;

use crate::error::ErrorCode;

/// Fetches the values of many keys at once. Keys without a value are left out of the map.
pub trait BatchLoad: Send + Sync + 'static {
    type Value: Clone + Send + Sync + 'static;

    fn load(
        &self,
        keys: Vec<Uuid>,
    ) -> impl Future<Output = Result<HashMap<Uuid, Self::Value>, Error>> + Send;
}

type BatchResult<V> = Result<Arc<HashMap<Uuid, V>>, Error>;

/// The batch being gathered: its keys so far, and the result every waiter will share.
struct Gathering<V> {
    keys: Vec<Uuid>,
    result: Shared<BoxFuture<'static, BatchResult<V>>>,
}

/// Loads values by key, batching the loads of one pass of one request.
pub struct Batcher<L: BatchLoad> {
    loader: Arc<L>,
    gathering: Arc<Mutex<Option<Gathering<L::Value>>>>,
    /// Values read by another statement of this request (a page that joined them).
    primed: Mutex<HashMap<Uuid, L::Value>>,
}

impl<L: BatchLoad> Batcher<L> {
    pub fn new(loader: L) -> Self {
        Batcher {
            loader: Arc::new(loader),
            gathering: Arc::new(Mutex::new(None)),
            primed: Mutex::new(HashMap::new()),
        }
    }

    /// Remembers values this request already read, so loading them fetches nothing. Only
    /// for values the loader itself would give this reader.
    pub fn prime(&self, values: impl IntoIterator<Item = (Uuid, L::Value)>) {
        self.primed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(values);
    }

    /// The value of `key`, fetched together with every other key asked for in this pass.
    pub async fn load_one(&self, key: Uuid) -> Result<Option<L::Value>, Error> {
        if let Some(value) = self
            .primed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(Some(value.clone()));
        }
        let result = {
            let mut gathering = self
                .gathering
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match gathering.as_mut() {
                Some(batch) => {
                    batch.keys.push(key);
                    batch.result.clone()
                }
                None => {
                    let result = self.spawn_batch();
                    *gathering = Some(Gathering {
                        keys: vec![key],
                        result: result.clone(),
                    });
                    result
                }
            }
        };
        Ok(result.await?.get(&key).cloned())
    }

    fn spawn_batch(&self) -> Shared<BoxFuture<'static, BatchResult<L::Value>>> {
        let loader = self.loader.clone();
        let gathering = self.gathering.clone();
        let task = tokio::spawn(async move {
            let mut keys = gathering
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .map(|batch| batch.keys)
                .unwrap_or_default();
            keys.sort_unstable();
            keys.dedup();
            loader.load(keys).await.map(Arc::new)
        });
        async move {
            task.await.unwrap_or_else(|error| {
                tracing::error!(%error, "a batched load did not finish");
                Err(crate::error::graphql_error(
                    ErrorCode::InternalServerError,
                    "internal error",
                ))
            })
        }
        .boxed()
        .shared()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Maps every key but `Uuid::nil()` to its own string, counting batches.
    struct Echo(Arc<AtomicUsize>);

    impl BatchLoad for Echo {
        type Value = String;

        async fn load(&self, keys: Vec<Uuid>) -> Result<HashMap<Uuid, String>, Error> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(keys
                .into_iter()
                .filter(|key| !key.is_nil())
                .map(|key| (key, key.to_string()))
                .collect())
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn loads_of_one_pass_share_one_batch() {
        let batches = Arc::new(AtomicUsize::new(0));
        let batcher = Batcher::new(Echo(batches.clone()));
        let keys: Vec<Uuid> = (0..20).map(|_| Uuid::now_v7()).collect();
        let loads = keys.iter().map(|key| batcher.load_one(*key));
        let values = futures_util::future::join_all(loads).await;
        assert_eq!(batches.load(Ordering::SeqCst), 1);
        for (key, value) in keys.iter().zip(values) {
            assert_eq!(value.expect("loaded"), Some(key.to_string()));
        }
        // A primed value is not fetched.
        let primed = Uuid::now_v7();
        batcher.prime([(primed, "primed".to_owned())]);
        assert_eq!(
            batcher.load_one(primed).await.expect("primed"),
            Some("primed".to_owned())
        );
        assert_eq!(batches.load(Ordering::SeqCst), 1);
        // A later pass starts a new batch; a key without a value is None.
        assert_eq!(batcher.load_one(Uuid::nil()).await.expect("loaded"), None);
        assert_eq!(batches.load(Ordering::SeqCst), 2);
    }
}
