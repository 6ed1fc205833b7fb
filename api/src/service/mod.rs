//! The service layer: plain async functions over a database connection, returning typed errors.
//! Resolvers only read their context and call these.

pub mod access;
pub mod application;
pub mod application_write;
pub mod audit;
pub mod clock;
pub mod company;
pub mod company_write;
pub mod description;
pub mod facets;
pub mod import_write;
pub mod insert_rows;
pub mod keyset;
pub mod permissions;
pub mod posting;
pub mod posting_version;
pub mod posting_write;
pub mod requirement_write;
pub mod rows;
pub mod search;
pub mod suggest;
pub mod transaction;
pub mod validate;
pub mod visibility;
