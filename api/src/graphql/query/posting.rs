use async_graphql::{Context, ID, Object, ResultExt};

use crate::error::ServiceError;
use crate::graphql::context::{null_on_error, scope};
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::types::filter::{PostingFilterInput, PostingOrderInput};
use crate::graphql::types::page::{self, PageArgs};
use crate::graphql::types::posting::{PostingConnection, posting_page};
use crate::graphql::types::posting_list::PostingListArgs;
use crate::graphql::types::posting_node::PostingNode;
use crate::service;

#[derive(Default)]
pub struct PostingQuery;

#[Object]
impl PostingQuery {
    /// The postings the reader may see (anonymous readers: published ones), newest first
    /// unless `orderBy` says otherwise. Pages are stable: rows added between requests are
    /// neither repeated nor skipped.
    #[graphql(complexity = "page::complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn postings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list; all postings the reader may see when omitted.")]
        filter: Option<PostingFilterInput>,
        #[graphql(
            desc = "The order of the list; the newest first (`POSTED_AT`, `DESC`) when omitted."
        )]
        order_by: Option<PostingOrderInput>,
        #[graphql(desc = "Return the first n postings (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Return postings after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n postings (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Return postings before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<PostingConnection> {
        let args = PostingListArgs {
            filter,
            order_by,
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
        };
        posting_page(ctx, args, None).await
    }

    /// One posting, by its global `id` or by `companySlug` and `slug` together. Null when there
    /// is no such posting or the reader may not see it.
    async fn posting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The posting's global id (`Posting.id`); give it alone.")] id: Option<ID>,
        #[graphql(desc = "The company's URL name (`Company.slug`); give it with `slug`.")]
        company_slug: Option<String>,
        #[graphql(
            desc = "The posting's URL name within that company (`Posting.slug`); give it with `companySlug`."
        )]
        slug: Option<String>,
    ) -> async_graphql::Result<Option<PostingNode>> {
        let result = async {
            let (catalog, scope) = scope(ctx)?;
            match (id, company_slug, slug) {
                (Some(id), None, None) => {
                    let id = global_id::decode_as(NodeKind::Posting, &id, "id").extend()?;
                    Ok(scope
                        .loaders
                        .postings
                        .load_one(id)
                        .await?
                        .map(PostingNode::from))
                }
                (None, Some(company_slug), Some(slug)) => Ok(service::posting::by_slug(
                    &catalog.reads,
                    &scope.visibility,
                    &company_slug,
                    &slug,
                )
                .await
                .extend()?
                .map(PostingNode::from)),
                _ => Err(ServiceError::invalid(
                    "id",
                    "give either id, or companySlug and slug",
                ))
                .extend(),
            }
        }
        .await;
        Ok(null_on_error(ctx, result))
    }
}
