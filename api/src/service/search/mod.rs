//! Full-text search over postings, the same on SQLite and PostgreSQL: text analyzed once in
//! Rust (`analyzer`), stored per posting (`index`), queries read with web-search syntax
//! (`query`) and turned into SQL both databases evaluate alike (`sql`), and the words that
//! matched located for highlights (`highlight`).

pub mod analyzer;
pub mod highlight;
pub mod index;
pub mod query;
pub mod sql;

pub use query::SearchQuery;
