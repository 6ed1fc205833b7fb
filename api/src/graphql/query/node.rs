use async_graphql::{Context, ID, Object, ResultExt};

use crate::error::ServiceError;
use crate::graphql::context::{null_on_error, scope};
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::types::application::Application;
use crate::graphql::types::company::Company;
use crate::graphql::types::node::Node;
use crate::graphql::types::posting::Posting;
use crate::graphql::types::requirement::Requirement;
use crate::service;

/// Most ids `nodes` takes at once.
const MAX_NODES: usize = 100;

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id, or null when there is none the reader may see.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id, as any type's `id` field gives it.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        let result = async {
            let (kind, uuid) = global_id::decode(&id, "id").extend()?;
            load(ctx, kind, uuid).await
        }
        .await;
        Ok(null_on_error(ctx, result))
    }

    /// The objects with these global ids, in the same order; null where there is none the
    /// reader may see. At most 100 ids.
    #[graphql(complexity = "ids.len().saturating_mul(child_complexity)")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids, as `id` fields give them; at most 100.")] ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ServiceError::invalid(
                "ids",
                format!("may hold at most {MAX_NODES} ids"),
            ))
            .extend();
        }
        // Each id stands alone: a bad or hidden one is null (with an error), the rest load.
        // The loaders batch the lookups into one statement per kind.
        let found = futures_util::future::join_all(ids.iter().map(|id| async move {
            let result = match global_id::decode(id, "ids").extend() {
                Ok((kind, uuid)) => load(ctx, kind, uuid).await,
                Err(error) => Err(error),
            };
            null_on_error(ctx, result)
        }))
        .await;
        Ok(found)
    }
}

async fn load(
    ctx: &Context<'_>,
    kind: NodeKind,
    id: uuid::Uuid,
) -> async_graphql::Result<Option<Node>> {
    let (catalog, scope) = scope(ctx)?;
    let loaders = &scope.loaders;
    Ok(match kind {
        NodeKind::Company => loaders
            .companies
            .load_one(id)
            .await?
            .map(|m| Node::Company(Company(m))),
        NodeKind::Posting => loaders
            .postings
            .load_one(id)
            .await?
            .map(|m| Node::Posting(Posting(m))),
        NodeKind::Application => service::application::get(&catalog.reads, scope.actor(), id)
            .await
            .extend()?
            .map(|m| Node::Application(Application(m))),
        NodeKind::Requirement => loaders
            .requirements
            .load_one(id)
            .await?
            .map(|m| Node::Requirement(Requirement(m))),
    })
}
