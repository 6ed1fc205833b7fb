//! Changing companies: create one (admin), change its details. Each checks the actor, writes,
//! and records the change in the audit trail, in one transaction.

use entity::company;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::access::{self, Actor};
use super::audit::{self, EntityType};
use super::clock::now;
use super::permissions::{CREATE_COMPANY, UPDATE_COMPANY};
use super::transaction::{self, Work};
use super::validate;
use crate::error::ServiceError;

/// A new company.
#[derive(Clone, Debug)]
pub struct NewCompany {
    pub slug: String,
    pub name: String,
    pub website: Option<String>,
    pub description: Option<String>,
    pub headquarters: Option<String>,
}

impl NewCompany {
    /// Checks and normalizes every field.
    pub fn validated(self) -> Result<NewCompany, ServiceError> {
        let input = self;
        Ok(NewCompany {
            slug: validate::slug("input.slug", &input.slug)?,
            name: validate::text("input.name", &input.name, 1, 200)?,
            website: validate::url("input.website", input.website.as_deref())?,
            description: validate::optional_multiline_text(
                "input.description",
                input.description.as_deref(),
                10_000,
            )?,
            headquarters: validate::optional_text(
                "input.headquarters",
                input.headquarters.as_deref(),
                200,
            )?,
        })
    }
}

/// Changes to a company; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct CompanyChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub website: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub headquarters: Option<Option<String>>,
}

fn slug_is_taken(slug: &str) -> ServiceError {
    ServiceError::taken("input.slug", format!("the slug {slug} is taken"))
}

async fn slug_taken(
    txn: &impl ConnectionTrait,
    slug: &str,
    except: Option<Uuid>,
) -> Result<bool, ServiceError> {
    let mut query = company::Entity::find().filter(company::Column::Slug.eq(slug));
    if let Some(id) = except {
        query = query.filter(company::Column::Id.ne(id));
    }
    Ok(query.count(txn).await.map_err(ServiceError::from)? > 0)
}

/// Creates a company; needs `admin`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    input: NewCompany,
) -> Result<company::Model, ServiceError> {
    let input = input.validated()?;
    transaction::write(db, actor, input, move |txn, actor, input| {
        Box::pin(async move { insert(txn, actor.as_ref(), input).await }) as Work<'_, _>
    })
    .await
}

/// Inserts a validated company and its audit event inside the caller's transaction.
pub async fn insert(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    input: NewCompany,
) -> Result<company::Model, ServiceError> {
    let id = Uuid::now_v7();
    access::require(actor, &CREATE_COMPANY, id)?;
    if slug_taken(txn, &input.slug, None).await? {
        return Err(slug_is_taken(&input.slug));
    }
    let now = now();
    let model = company::Model {
        id,
        slug: input.slug,
        name: input.name,
        website: input.website,
        description: input.description,
        headquarters: input.headquarters,
        created_at: now,
        updated_at: now,
    };
    // A concurrent write may take the slug after the check: the index refuses it.
    company::Entity::insert(company::ActiveModel::from(model.clone()))
        .exec_without_returning(txn)
        .await
        .map_err(ServiceError::unique("input.slug", || {
            slug_is_taken(&model.slug).to_string()
        }))?;
    audit::record(
        txn,
        actor,
        "createCompany",
        EntityType::Company,
        model.id,
        model.id,
    )
    .await?;
    Ok(model)
}

/// Changes a company's details; needs `companies:write` for it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    id: Uuid,
    changes: CompanyChanges,
) -> Result<company::Model, ServiceError> {
    let changes = CompanyChanges {
        slug: changes
            .slug
            .as_deref()
            .map(|slug| validate::slug("input.slug", slug))
            .transpose()?,
        name: changes
            .name
            .as_deref()
            .map(|name| validate::text("input.name", name, 1, 200))
            .transpose()?,
        website: changes
            .website
            .map(|url| validate::url("input.website", url.as_deref()))
            .transpose()?,
        description: changes
            .description
            .map(|text| {
                validate::optional_multiline_text("input.description", text.as_deref(), 10_000)
            })
            .transpose()?,
        headquarters: changes
            .headquarters
            .map(|text| validate::optional_text("input.headquarters", text.as_deref(), 200))
            .transpose()?,
    };
    transaction::write(db, actor, changes, move |txn, actor, changes| {
        Box::pin(async move {
            access::require(actor.as_ref(), &UPDATE_COMPANY, id)?;
            let company = company::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or(ServiceError::NotFound("company"))?;
            let new_slug = changes.slug.clone();
            if let Some(slug) = &new_slug
                && slug_taken(txn, slug, Some(id)).await?
            {
                return Err(slug_is_taken(slug));
            }
            let mut active = company::ActiveModel::from(company);
            if let Some(slug) = changes.slug {
                active.slug = Set(slug);
            }
            let renamed = changes.name.is_some();
            if let Some(name) = changes.name {
                active.name = Set(name);
            }
            if let Some(website) = changes.website {
                active.website = Set(website);
            }
            if let Some(description) = changes.description {
                active.description = Set(description);
            }
            if let Some(headquarters) = changes.headquarters {
                active.headquarters = Set(headquarters);
            }
            active.updated_at = Set(now());
            let updated =
                company::Entity::update(active)
                    .exec(txn)
                    .await
                    .map_err(ServiceError::unique("input.slug", || {
                        slug_is_taken(new_slug.as_deref().unwrap_or_default()).to_string()
                    }))?;
            // Its name is in every one of its postings' search text.
            if renamed {
                super::search::index::reindex_company(txn, id).await?;
            }
            audit::record(
                txn,
                actor.as_ref(),
                "updateCompany",
                EntityType::Company,
                id,
                id,
            )
            .await?;
            Ok(updated)
        }) as Work<'_, _>
    })
    .await
}
