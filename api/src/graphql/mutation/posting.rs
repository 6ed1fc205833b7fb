use async_graphql::{Context, ID, Object, ResultExt, SimpleObject};

use crate::graphql::context::scope;
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::types::inputs::{
    CreatePostingInput, PostingRefInput, PublishPostingInput, UpdatePostingInput,
};
use crate::graphql::types::posting::Posting;
use crate::service;
use crate::service::posting_write::Transition;

/// The posting a mutation created or changed.
#[derive(SimpleObject)]
pub struct PostingPayload {
    /// The posting as it is after the change, with its new `version`.
    pub posting: Posting,
}

/// What `deletePosting` removed.
#[derive(SimpleObject)]
pub struct DeletePostingPayload {
    /// The id of the deleted posting.
    pub deleted_id: ID,
}

#[derive(Default)]
pub struct PostingMutation;

async fn transition(
    ctx: &Context<'_>,
    id: &ID,
    expected_version: Option<i32>,
    transition: Transition,
    posted_at: Option<chrono::DateTime<chrono::Utc>>,
) -> async_graphql::Result<PostingPayload> {
    let (catalog, scope) = scope(ctx)?;
    let id = global_id::decode_as(NodeKind::Posting, id, "input.id").extend()?;
    let posting = service::posting_write::transition(
        &catalog.db,
        scope.actor(),
        id,
        expected_version,
        transition,
        posted_at,
    )
    .await
    .extend()?;
    Ok(PostingPayload {
        posting: Posting(posting),
    })
}

#[Object]
impl PostingMutation {
    /// Creates a draft posting. Needs `postings:write` for its company.
    async fn create_posting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The posting to create.")] input: CreatePostingInput,
    ) -> async_graphql::Result<PostingPayload> {
        let (catalog, scope) = scope(ctx)?;
        let input = input.into_new().extend()?;
        let posting = service::posting_write::create(&catalog.db, scope.actor(), input)
            .await
            .extend()?;
        Ok(PostingPayload {
            posting: Posting(posting),
        })
    }

    /// Changes a posting that is still at `expectedVersion`. Needs `postings:write`.
    async fn update_posting(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The posting, the version the change was made against, and the fields to change."
        )]
        input: UpdatePostingInput,
    ) -> async_graphql::Result<PostingPayload> {
        let (catalog, scope) = scope(ctx)?;
        let (id, expected_version, changes) = input.into_changes().extend()?;
        let posting = service::posting_write::update(
            &catalog.db,
            scope.actor(),
            id,
            expected_version,
            changes,
        )
        .await
        .extend()?;
        Ok(PostingPayload {
            posting: Posting(posting),
        })
    }

    /// Publishes a complete draft (title, description, a location unless remote), or reopens a
    /// closed posting. Needs `postings:write`.
    async fn publish_posting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The posting to publish or reopen.")] input: PublishPostingInput,
    ) -> async_graphql::Result<PostingPayload> {
        transition(
            ctx,
            &input.id,
            input.expected_version,
            Transition::Publish,
            input.posted_at,
        )
        .await
    }

    /// Stops a published posting from taking applications. Needs `postings:write`.
    async fn close_posting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The posting to close.")] input: PostingRefInput,
    ) -> async_graphql::Result<PostingPayload> {
        transition(
            ctx,
            &input.id,
            input.expected_version,
            Transition::Close,
            None,
        )
        .await
    }

    /// Archives a posting. Needs `postings:write`.
    async fn archive_posting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The posting to archive.")] input: PostingRefInput,
    ) -> async_graphql::Result<PostingPayload> {
        transition(
            ctx,
            &input.id,
            input.expected_version,
            Transition::Archive,
            None,
        )
        .await
    }

    /// Deletes a posting without applications (archive one that has some). Needs
    /// `postings:write`.
    async fn delete_posting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The posting to delete.")] input: PostingRefInput,
    ) -> async_graphql::Result<DeletePostingPayload> {
        let (catalog, scope) = scope(ctx)?;
        let id = global_id::decode_as(NodeKind::Posting, &input.id, "input.id").extend()?;
        let deleted =
            service::posting_write::delete(&catalog.db, scope.actor(), id, input.expected_version)
                .await
                .extend()?;
        Ok(DeletePostingPayload {
            deleted_id: global_id::encode(NodeKind::Posting, deleted),
        })
    }
}
