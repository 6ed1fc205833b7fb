//! Caching of anonymous query responses and of persisted queries: Redis in production, an
//! in-process cache on the embedded default, both behind [`CacheBackend`] with the same
//! behaviour.
//!
//! Invalidation is by generation: one counter, bumped after every mutation has committed and
//! before its response is sent. An entry records the generation it was computed under and is
//! served only while the counter still has that value, so no reader gets a response computed
//! before a committed write. The TTL is only a safety net. Without Redis, the in-process
//! counter also follows the database's own record of commits (`database_generation`), so
//! writes by other processes on the same database invalidate it as well.

pub mod backend;
pub mod database_generation;
pub mod generation;
pub mod memory;
pub mod redis_backend;
pub mod response;

pub use backend::{CacheBackend, CacheError};
pub use response::{Lookup, ResponseCache};
