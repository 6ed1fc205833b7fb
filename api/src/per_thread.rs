//! One value per worker thread.
//!
//! actix-web runs one single-threaded runtime per HTTP worker. A connection or a shared
//! future driven from another worker's thread costs every use a cross-thread wake-up (often
//! more than the work itself), so the Redis backend keeps one connection manager per thread,
//! the generation reads are shared per thread, and the read pool prefers connections opened
//! on the calling thread ([`this_thread`]).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::thread::{self, ThreadId};

/// The calling thread, as [`PerThread`] keys it.
pub fn this_thread() -> ThreadId {
    thread::current().id()
}

/// A value for each thread that asks, made on its first request from that thread.
pub struct PerThread<T> {
    values: Mutex<HashMap<ThreadId, T>>,
}

impl<T> Default for PerThread<T> {
    fn default() -> Self {
        PerThread {
            values: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> PerThread<T> {
    /// The calling thread's value, made by `make` if it has none yet (a failure is returned
    /// and nothing is kept).
    pub fn get_or_try_make<E>(&self, make: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        let thread = this_thread();
        if let Some(value) = values.get(&thread) {
            return Ok(value.clone());
        }
        let value = make()?;
        values.insert(thread, value.clone());
        Ok(value)
    }

    /// The calling thread's value, made by `make` if it has none yet.
    pub fn get_or_make(&self, make: impl FnOnce() -> T) -> T {
        match self.get_or_try_make(|| Ok::<T, std::convert::Infallible>(make())) {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn each_thread_gets_its_own_value_made_once() {
        let made = Arc::new(AtomicUsize::new(0));
        let values = Arc::new(PerThread::<usize>::default());
        let make = {
            let made = made.clone();
            move || made.fetch_add(1, Ordering::Relaxed)
        };
        let here = values.get_or_make(make.clone());
        assert_eq!(values.get_or_make(make.clone()), here);
        let there = {
            let values = values.clone();
            let make = make.clone();
            thread::spawn(move || values.get_or_make(make))
                .join()
                .expect("the thread ends")
        };
        assert_ne!(there, here);
        assert_eq!(made.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_failed_make_keeps_nothing() {
        let values = PerThread::<u8>::default();
        assert_eq!(values.get_or_try_make(|| Err::<u8, _>("no")), Err("no"));
        assert_eq!(values.get_or_try_make(|| Ok::<_, &str>(7)), Ok(7));
    }
}
