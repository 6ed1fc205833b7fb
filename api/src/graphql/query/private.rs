use async_graphql::{Context, ID, Object, ResultExt};

use crate::graphql::context::{null_on_error, scope};
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::types::application::Application;
use crate::graphql::types::audit::{AuditEvent, AuditEventConnection};
use crate::graphql::types::page::{self, PageArgs};
use crate::service;

/// Queries that need a token.
#[derive(Default)]
pub struct PrivateQuery;

#[Object]
impl PrivateQuery {
    /// One application, for a token with `applications:read` for its company; null when there
    /// is no such application.
    async fn application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's global id (`Application.id`).")] id: ID,
    ) -> async_graphql::Result<Option<Application>> {
        let result = async {
            let (catalog, scope) = scope(ctx)?;
            let id = global_id::decode_as(NodeKind::Application, &id, "id").extend()?;
            Ok(service::application::get(&catalog.reads, scope.actor(), id)
                .await
                .extend()?
                .map(Application))
        }
        .await;
        Ok(null_on_error(ctx, result))
    }

    /// A company's audit trail, newest first: who changed what, and when. For `admin` tokens
    /// and the company's `companies:write` tokens.
    #[graphql(complexity = "page::complexity(first, None, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company's global id (`Company.id`).")] company_id: ID,
        #[graphql(desc = "Return the first n events (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Return events after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<AuditEventConnection> {
        let (catalog, scope) = scope(ctx)?;
        let company_id =
            global_id::decode_as(NodeKind::Company, &company_id, "companyId").extend()?;
        let request = PageArgs {
            first,
            after,
            last: None,
            before: None,
        }
        .into_request(
            &catalog.cursors,
            service::audit::SORT_NAME,
            service::audit::accepts,
            &catalog.limits,
        )
        .extend()?;
        let page = service::audit::page(
            &catalog.reads,
            scope.actor(),
            company_id,
            &request,
            catalog.limits.default_page_size,
        )
        .await
        .extend()?;
        Ok(page::connection(
            page,
            &catalog.cursors,
            service::audit::SORT_NAME,
            AuditEvent,
            async_graphql::connection::EmptyFields,
        ))
    }
}
