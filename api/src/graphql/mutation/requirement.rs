use async_graphql::{Context, Object, ResultExt, SimpleObject};

use crate::graphql::context::scope;
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::types::inputs::{
    AddRequirementInput, RemoveRequirementInput, SetRequirementsInput, UpdateRequirementInput,
};
use crate::graphql::types::posting::Posting;
use crate::graphql::types::requirement::Requirement;
use crate::service;
use crate::service::requirement_write::ListChange;

/// The posting whose requirements changed (with its new version), and the requirement added or
/// updated, if one was.
#[derive(SimpleObject)]
pub struct RequirementsPayload {
    /// The posting after the change, with its new `version` and its requirements in order.
    pub posting: Posting,
    /// The requirement `addRequirement` or `updateRequirement` wrote; null after
    /// `setRequirements` and `removeRequirement`.
    pub requirement: Option<Requirement>,
}

#[derive(Default)]
pub struct RequirementMutation;

async fn apply(
    ctx: &Context<'_>,
    expected_version: Option<i32>,
    change: ListChange,
) -> async_graphql::Result<RequirementsPayload> {
    let (catalog, scope) = scope(ctx)?;
    let changed =
        service::requirement_write::change(&catalog.db, scope.actor(), expected_version, change)
            .await
            .extend()?;
    Ok(RequirementsPayload {
        posting: Posting(changed.posting),
        requirement: changed.requirement.map(Requirement),
    })
}

#[Object]
impl RequirementMutation {
    /// Replaces a posting's requirements with a new ordered list, atomically. Needs
    /// `postings:write`.
    async fn set_requirements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The posting and its whole new list of requirements.")]
        input: SetRequirementsInput,
    ) -> async_graphql::Result<RequirementsPayload> {
        let posting_id =
            global_id::decode_as(NodeKind::Posting, &input.posting_id, "input.postingId")
                .extend()?;
        let requirements = input.requirements.into_iter().map(Into::into).collect();
        apply(
            ctx,
            input.expected_version,
            ListChange::Set {
                posting_id,
                requirements,
            },
        )
        .await
    }

    /// Adds a requirement to a posting. Needs `postings:write`.
    async fn add_requirement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The posting, the requirement to add, and where.")]
        input: AddRequirementInput,
    ) -> async_graphql::Result<RequirementsPayload> {
        let posting_id =
            global_id::decode_as(NodeKind::Posting, &input.posting_id, "input.postingId")
                .extend()?;
        let change = ListChange::Add {
            posting_id,
            requirement: input.requirement.into(),
            position: input.position.map(|p| p as usize),
        };
        apply(ctx, input.expected_version, change).await
    }

    /// Changes a requirement, keeping its place. Needs `postings:write`.
    async fn update_requirement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The requirement and its new content.")] input: UpdateRequirementInput,
    ) -> async_graphql::Result<RequirementsPayload> {
        let id = global_id::decode_as(NodeKind::Requirement, &input.id, "input.id").extend()?;
        apply(
            ctx,
            input.expected_version,
            ListChange::Update {
                id,
                requirement: input.requirement.into(),
            },
        )
        .await
    }

    /// Removes a requirement. Needs `postings:write`.
    async fn remove_requirement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The requirement to remove.")] input: RemoveRequirementInput,
    ) -> async_graphql::Result<RequirementsPayload> {
        let id = global_id::decode_as(NodeKind::Requirement, &input.id, "input.id").extend()?;
        apply(ctx, input.expected_version, ListChange::Remove { id }).await
    }
}
