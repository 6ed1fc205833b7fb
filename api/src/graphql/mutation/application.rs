use async_graphql::{Context, Object, ResultExt, SimpleObject};

use crate::graphql::context::scope;
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::types::application::Application;
use crate::graphql::types::inputs::{
    ApplyToPostingInput, EraseApplicationInput, UpdateApplicationStatusInput,
};
use crate::service;
use crate::service::application_write::ApplicationChange;

/// The application a mutation created or changed.
#[derive(SimpleObject)]
pub struct ApplicationPayload {
    /// The application as it is after the change.
    pub application: Application,
}

#[derive(Default)]
pub struct ApplicationMutation;

#[Object]
impl ApplicationMutation {
    /// Applies to a published, open posting. Needs no token. Send the same `idempotencyKey`
    /// when retrying: the first attempt's application comes back, and no second one is made.
    async fn apply_to_posting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The posting, the candidate's details and the retry key.")]
        input: ApplyToPostingInput,
    ) -> async_graphql::Result<ApplicationPayload> {
        let (catalog, scope) = scope(ctx)?;
        let input = input.into_new().extend()?;
        let application = service::application_write::apply(&catalog.db, scope.actor(), input)
            .await
            .extend()?;
        Ok(ApplicationPayload {
            application: Application(application),
        })
    }

    /// Moves an application along the hiring process. Needs `applications:write` for its
    /// company.
    async fn update_application_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application and its new status.")]
        input: UpdateApplicationStatusInput,
    ) -> async_graphql::Result<ApplicationPayload> {
        let (catalog, scope) = scope(ctx)?;
        let id = global_id::decode_as(NodeKind::Application, &input.id, "input.id").extend()?;
        let application = service::application_write::change(
            &catalog.db,
            scope.actor(),
            id,
            ApplicationChange::Status(input.status.into()),
        )
        .await
        .extend()?;
        Ok(ApplicationPayload {
            application: Application(application),
        })
    }

    /// Erases an application's personal data for a data-protection request, keeping an
    /// anonymous record of it. Needs `applications:write` for its company.
    async fn erase_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application whose personal data to erase.")]
        input: EraseApplicationInput,
    ) -> async_graphql::Result<ApplicationPayload> {
        let (catalog, scope) = scope(ctx)?;
        let id = global_id::decode_as(NodeKind::Application, &input.id, "input.id").extend()?;
        let application = service::application_write::change(
            &catalog.db,
            scope.actor(),
            id,
            ApplicationChange::Erase,
        )
        .await
        .extend()?;
        Ok(ApplicationPayload {
            application: Application(application),
        })
    }
}
