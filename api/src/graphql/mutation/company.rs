use async_graphql::{Context, Object, ResultExt, SimpleObject};

use crate::graphql::context::scope;
use crate::graphql::types::company::Company;
use crate::graphql::types::inputs::{CreateCompanyInput, UpdateCompanyInput};
use crate::service;

/// The company a mutation created or changed.
#[derive(SimpleObject)]
pub struct CompanyPayload {
    /// The company as it is after the change.
    pub company: Company,
}

#[derive(Default)]
pub struct CompanyMutation;

#[Object]
impl CompanyMutation {
    /// Adds a company to the catalog. Needs `admin`.
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company to add.")] input: CreateCompanyInput,
    ) -> async_graphql::Result<CompanyPayload> {
        let (catalog, scope) = scope(ctx)?;
        let company = service::company_write::create(&catalog.db, scope.actor(), input.into())
            .await
            .extend()?;
        Ok(CompanyPayload {
            company: Company(company),
        })
    }

    /// Changes a company's details. Needs `companies:write` for it.
    async fn update_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company and the details to change.")] input: UpdateCompanyInput,
    ) -> async_graphql::Result<CompanyPayload> {
        let (catalog, scope) = scope(ctx)?;
        let (id, changes) = input.into_changes().extend()?;
        let company = service::company_write::update(&catalog.db, scope.actor(), id, changes)
            .await
            .extend()?;
        Ok(CompanyPayload {
            company: Company(company),
        })
    }
}
