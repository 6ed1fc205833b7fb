//! The GraphQL schema: types, resolvers, loaders, and the schema's limits.

pub mod batch;
pub mod charges;
pub mod context;
pub mod cursor;
pub mod document_limits;
pub mod documents;
pub mod error_codes;
pub mod executor;
pub mod global_id;
pub mod json_sql;
pub mod loaders;
pub mod mutation;
pub mod operation;
pub mod persisted_query;
pub mod plain;
pub mod pushdown;
pub mod query;
pub mod token_required;
pub mod types;

use async_graphql::{EmptySubscription, Schema};

use crate::config::Limits;
use context::Catalog;
use mutation::MutationRoot;
use query::QueryRoot;

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema. Does no I/O: `catalog` arrives connected. Without `introspection`,
/// `__schema` and `__type` are refused and errors suggest no field names.
pub fn build_schema(catalog: Catalog, limits: Limits, introspection: bool) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    );
    if !introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder
        .data(catalog)
        // Depth is checked before parsing (`document_limits`), with introspection's own limit:
        // async-graphql's depth limit would refuse the standard introspection query.
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(32)
        .limit_directives(8)
        .finish()
}

/// The schema's SDL, as `jobgraph schema` prints it and `schema.graphql` holds it.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}

#[cfg(test)]
mod tests {
    use async_graphql::{Object, Schema};

    struct Query;

    #[Object]
    impl Query {
        async fn parent(&self) -> Option<Parent> {
            Some(Parent)
        }
    }

    struct Parent;

    #[Object]
    impl Parent {
        async fn fails(&self) -> async_graphql::Result<i32> {
            Err("boom".into())
        }
    }

    /// async-graphql 7.1–7.2 broke this (async-graphql#1746); we stay on 7.0.x because of it.
    #[tokio::test]
    async fn a_failing_non_null_field_nulls_its_nullable_parent() {
        let schema = Schema::new(
            Query,
            async_graphql::EmptyMutation,
            async_graphql::EmptySubscription,
        );
        let response = schema.execute("{ parent { fails } }").await;
        assert_eq!(response.errors.len(), 1);
        assert_eq!(
            response.data.into_json().ok(),
            Some(serde_json::json!({ "parent": null }))
        );
    }
}
