//! The jobgraph server: settings, startup, HTTP, the GraphQL schema and the service layer.

pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod import;
pub mod metrics;
pub mod per_thread;
pub mod rate_limit;
pub mod seed;
pub mod service;
pub mod startup;
pub mod state;
pub mod telemetry;
