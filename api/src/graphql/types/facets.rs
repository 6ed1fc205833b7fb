//! `PostingConnection.facets`: how many postings of the list have each value, for a search
//! page's filter sidebar, computed under the list's filter and query with each facet's own
//! selection left out (`service::facets`). Only the facets asked for are counted, together
//! with the list's `totalCount`, by one statement ([`ListSummary`]).

use std::sync::Arc;

use async_graphql::{Context, ID, Object, ResultExt, SimpleObject};
use tokio::sync::OnceCell;

use super::enums::{EmploymentType, RemotePolicy};
use crate::graphql::context::scope;
use crate::graphql::global_id::{self, NodeKind};
use crate::service::facets::{self, Counted, Facet, Summary, SummaryRequest};
use crate::service::posting::PostingFilter;
use crate::service::visibility::Visibility;

/// One value of a facet and how many postings of the list have it.
#[derive(SimpleObject, Clone, Debug)]
pub struct FacetValue {
    /// The value, as the filter takes it (`departments`, `occupations`, `locations.city`,
    /// `locations.country`, `languages`).
    pub value: String,
    /// How many postings of the list, with this facet's own selection left out, have it.
    pub count: u64,
}

/// One employment type and how many postings of the list offer it.
#[derive(SimpleObject, Clone, Debug)]
pub struct EmploymentTypeFacetValue {
    /// The employment type, as `filter.employmentTypes` takes it.
    pub value: EmploymentType,
    /// How many postings of the list, with `employmentTypes` left out, offer it.
    pub count: u64,
}

/// One remote policy and how many postings of the list have it.
#[derive(SimpleObject, Clone, Debug)]
pub struct RemotePolicyFacetValue {
    /// The remote policy, as `filter.remotePolicies` takes it.
    pub value: RemotePolicy,
    /// How many postings of the list, with `remotePolicies` left out, have it.
    pub count: u64,
}

/// One company and how many postings of the list it has.
#[derive(SimpleObject, Clone, Debug)]
pub struct CompanyFacetValue {
    /// The company's global id, as `filter.companyIds` takes it.
    pub id: ID,
    /// The company's name.
    pub name: String,
    /// How many postings of the list, with `companyIds` left out, it has.
    pub count: u64,
}

/// A list's total and facets, counted by one statement ([`facets::summary`]) the first time
/// any of them is read, then shared by every field that reads them.
#[derive(Clone)]
pub struct ListSummary {
    visibility: Visibility,
    filter: PostingFilter,
    request: SummaryRequest,
    counted: Arc<OnceCell<Summary>>,
}

impl ListSummary {
    pub fn new(visibility: Visibility, filter: PostingFilter, request: SummaryRequest) -> Self {
        ListSummary {
            visibility,
            filter,
            request,
            counted: Arc::new(OnceCell::new()),
        }
    }

    pub fn request(&self) -> &SummaryRequest {
        &self.request
    }

    /// The same list, counting `request` instead.
    pub fn with_request(&self, request: SummaryRequest) -> Self {
        ListSummary::new(self.visibility.clone(), self.filter.clone(), request)
    }

    /// What was counted, counting it now if nothing has read it yet.
    pub async fn counted(&self, ctx: &Context<'_>) -> async_graphql::Result<&Summary> {
        let (catalog, _) = scope(ctx)?;
        self.counted
            .get_or_try_init(|| {
                facets::summary(
                    &catalog.reads,
                    &self.visibility,
                    &self.filter,
                    &self.request,
                )
            })
            .await
            .extend()
    }

    /// `read` of what was counted for `facet`: this list's request if it asks for it, else
    /// `facet` alone (a selection the plan did not foresee).
    async fn facet<T>(
        &self,
        ctx: &Context<'_>,
        facet: Facet,
        read: impl FnOnce(&Summary) -> T,
    ) -> async_graphql::Result<T> {
        if self.request.facets.contains(&facet) {
            return Ok(read(self.counted(ctx).await?));
        }
        let alone = self.with_request(SummaryRequest {
            count: false,
            facets: vec![facet],
            first: self.request.first,
        });
        Ok(read(alone.counted(ctx).await?))
    }
}

/// The facets of a posting list: each the largest counts first (ties by value), at most
/// `first` values.
pub struct PostingFacets {
    pub summary: ListSummary,
}

impl PostingFacets {
    async fn texts(
        &self,
        ctx: &Context<'_>,
        facet: Facet,
    ) -> async_graphql::Result<Vec<FacetValue>> {
        let counted = self
            .summary
            .facet(ctx, facet, |summary| summary.texts(facet))
            .await?;
        Ok(counted
            .into_iter()
            .map(|Counted { value, count }| FacetValue { value, count })
            .collect())
    }
}

/// The facets of a posting list, for a filter sidebar: for each, how many postings of the list
/// have each value, computed under the list's filter and query with that facet's own selection
/// left out (the cities facet leaves out the city part of `filter.locations`, the countries
/// facet its country part). Exact counts, largest first, ties by value; only the facets asked
/// for are counted.
#[Object]
impl PostingFacets {
    /// Departments, matched exactly by `filter.departments`.
    async fn departments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FacetValue>> {
        self.texts(ctx, Facet::Departments).await
    }

    /// Occupations, matched exactly by `filter.occupations`.
    async fn occupations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FacetValue>> {
        self.texts(ctx, Facet::Occupations).await
    }

    /// Cities (one value per city, whatever its case), with the city part of
    /// `filter.locations` left out.
    async fn cities(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FacetValue>> {
        self.texts(ctx, Facet::Cities).await
    }

    /// Countries (ISO 3166-1 alpha-2), with the country part of `filter.locations` left out.
    async fn countries(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FacetValue>> {
        self.texts(ctx, Facet::Countries).await
    }

    /// Languages the postings are written in (BCP 47 tags).
    async fn languages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FacetValue>> {
        self.texts(ctx, Facet::Languages).await
    }

    /// Kinds of employment.
    async fn employment_types(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<EmploymentTypeFacetValue>> {
        let counted = self
            .summary
            .facet(ctx, Facet::EmploymentTypes, Summary::employment_types)
            .await?;
        Ok(counted
            .extend()?
            .into_iter()
            .map(|Counted { value, count }| EmploymentTypeFacetValue {
                value: value.into(),
                count,
            })
            .collect())
    }

    /// Remote policies.
    async fn remote_policies(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<RemotePolicyFacetValue>> {
        let counted = self
            .summary
            .facet(ctx, Facet::RemotePolicies, Summary::remote_policies)
            .await?;
        Ok(counted
            .extend()?
            .into_iter()
            .map(|Counted { value, count }| RemotePolicyFacetValue {
                value: value.into(),
                count,
            })
            .collect())
    }

    /// Companies, ties by name.
    async fn companies(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CompanyFacetValue>> {
        self.summary
            .facet(ctx, Facet::Companies, |summary| {
                summary
                    .companies()
                    .iter()
                    .map(|Counted { value, count }| CompanyFacetValue {
                        id: global_id::encode(NodeKind::Company, value.id),
                        name: value.name.clone(),
                        count: *count,
                    })
                    .collect()
            })
            .await
    }
}
