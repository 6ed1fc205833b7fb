use async_graphql::{Context, ID, Object, ResultExt};

use crate::error::ServiceError;
use crate::graphql::context::{null_on_error, scope};
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::types::company::{Company, CompanyConnection, company_page};
use crate::graphql::types::page::{self, PageArgs};
use crate::service;

#[derive(Default)]
pub struct CompanyQuery;

#[Object]
impl CompanyQuery {
    /// Every company in the catalog, by name.
    #[graphql(complexity = "page::complexity(first, last, child_complexity)")]
    async fn companies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first n companies (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Return companies after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n companies (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Return companies before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<CompanyConnection> {
        company_page(
            ctx,
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }

    /// One company, by its global `id` or by its `slug` (give exactly one). Null when there is
    /// no such company.
    async fn company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company's global id (`Company.id`).")] id: Option<ID>,
        #[graphql(desc = "The company's URL name (`Company.slug`).")] slug: Option<String>,
    ) -> async_graphql::Result<Option<Company>> {
        let result = async {
            let (catalog, scope) = scope(ctx)?;
            match (id, slug) {
                (Some(id), None) => {
                    let id = global_id::decode_as(NodeKind::Company, &id, "id").extend()?;
                    Ok(scope.loaders.companies.load_one(id).await?.map(Company))
                }
                (None, Some(slug)) => Ok(service::company::by_slug(&catalog.reads, &slug)
                    .await
                    .extend()?
                    .map(Company)),
                _ => Err(ServiceError::invalid(
                    "id",
                    "give exactly one of id and slug",
                ))
                .extend(),
            }
        }
        .await;
        Ok(null_on_error(ctx, result))
    }
}
