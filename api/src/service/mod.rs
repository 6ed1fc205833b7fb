//! The service layer: plain async functions over a database connection, returning typed errors.
//! Resolvers only read their context and call these.

pub mod company;
pub mod keyset;
pub mod posting;
pub mod visibility;
