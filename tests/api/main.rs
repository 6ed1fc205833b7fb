//! Integration tests: each starts the real server on port 0 with a fresh database and talks
//! HTTP to it. Tests marked by `on_both_databases!` run on SQLite and on PostgreSQL (when
//! `JOBGRAPH_TEST_POSTGRES_URL` is set, as `.ci/run` does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod keys;

mod argument_coercion;
mod authorization;
mod backpressure;
mod browser;
mod caching;
mod cli;
mod cors;
mod document_limits;
mod errors;
mod executor;
mod facets;
mod fast_paths;
mod faults;
mod fixtures;
mod graphiql;
mod http_protocol;
mod import;
mod import_upload;
mod introspection;
mod lookups;
mod migrations;
mod module_imports;
mod mutations;
mod pagination;
mod postings;
mod properties;
mod pushdown;
mod rate_limits;
mod read_pool;
mod readme;
mod salary;
mod schema_descriptions;
mod schema_file;
mod search;
mod statements;
mod suggest;
mod tokens;
mod webdriver;
