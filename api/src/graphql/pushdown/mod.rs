//! Anonymous queries PostgreSQL answers whole ("pushdown").
//!
//! A page of 50 postings with their company, locations and requirements is a few thousand
//! values. Read as rows, decoded, turned into GraphQL values and serialized again, they cost
//! this process more CPU than PostgreSQL spends finding them. For the shapes partner sites
//! and apps send over and over (`posting(id:)` and `postings(...)` whose postings select only
//! plain fields and plain relations, as [`OnePassSelection`] decides), one statement renders
//! each posting's JSON inside PostgreSQL, and the response is those texts put together.
//!
//! Safety of the shortcut:
//! - A document is planned only after async-graphql has run it for an anonymous reader
//!   without errors, so it has been validated. Validation depends on the document, and on
//!   variables only through argument values and page sizes: a plan parses every argument as
//!   async-graphql would, takes only variables of built-in scalar types (whose parsing checks
//!   them as validation does) and no variable page sizes.
//! - Anything the plan cannot answer exactly (an argument async-graphql would refuse, a
//!   cursor of another list, a database error) returns `None`, and async-graphql answers, with
//!   its own errors.
//! - A test holds the two answers byte for byte equal over every field a plan renders.
//!
//! Only PostgreSQL renders; on SQLite every query goes through async-graphql. Plans are
//! derived from documents any client could send again, so each process keeps its own.
//!
//! [`OnePassSelection`]: crate::graphql::types::posting_node::OnePassSelection

mod plan;
mod render;

use std::sync::Arc;

use async_graphql::Variables;
use async_graphql::parser::types::ExecutableDocument;
use moka::future::Cache;
use sea_orm::ConnectionTrait;

use crate::config::Limits;
use crate::graphql::cursor::CursorCodec;
use plan::{Plan, Reader};

/// How many bytes of document text the plans are kept for at most.
const CAPACITY_BYTES: u64 = 8 * 1024 * 1024;

/// What was learned of one document: the operation it was run with, and its plan, if any.
struct Learned {
    operation: Option<String>,
    plan: Option<Plan>,
}

pub struct Pushdown {
    enabled: bool,
    learned: Cache<Arc<str>, Arc<Learned>>,
    cursors: CursorCodec,
    limits: Limits,
}

impl Pushdown {
    /// `enabled` only on PostgreSQL.
    pub fn new(enabled: bool, cursors: CursorCodec, limits: Limits) -> Self {
        let learned = Cache::builder()
            .max_capacity(CAPACITY_BYTES)
            .weigher(|text: &Arc<str>, _: &Arc<Learned>| {
                // A plan holds the parsed document and its SQL: several times the text.
                u32::try_from(text.len().saturating_mul(12)).unwrap_or(u32::MAX)
            })
            .build();
        Pushdown {
            enabled,
            learned,
            cursors,
            limits,
        }
    }

    /// The body of an anonymous query's answer rendered by the database, or `None` when
    /// async-graphql must answer it.
    pub async fn answer(
        &self,
        query: &str,
        operation_name: Option<&str>,
        variables: &Variables,
        db: &impl ConnectionTrait,
    ) -> Option<Vec<u8>> {
        if !self.enabled {
            return None;
        }
        let learned = self.learned.get(query).await?;
        if learned.operation.as_deref() != operation_name {
            return None;
        }
        let plan = learned.plan.as_ref()?;
        let body = plan
            .answer(
                operation_name,
                variables,
                Reader {
                    db,
                    cursors: &self.cursors,
                    limits: &self.limits,
                },
            )
            .await;
        crate::metrics::pushdown(body.is_some());
        body
    }

    /// Records that async-graphql answered `query` for an anonymous reader without errors:
    /// later requests may be answered by its plan.
    pub async fn learn(
        &self,
        query: &str,
        operation_name: Option<&str>,
        document: &Arc<ExecutableDocument>,
    ) {
        if !self.enabled {
            return;
        }
        if let Some(learned) = self.learned.get(query).await
            && learned.operation.as_deref() == operation_name
        {
            return;
        }
        let learned = Learned {
            operation: operation_name.map(str::to_owned),
            plan: Plan::of(document.clone(), operation_name),
        };
        self.learned
            .insert(Arc::from(query), Arc::new(learned))
            .await;
    }
}
