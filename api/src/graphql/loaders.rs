//! DataLoaders, one set per request: every relation is fetched in one batched statement per
//! request, and nothing cached crosses from one request (or reader) to another.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{company, posting, posting_location, requirement};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use async_graphql::ErrorExtensions;

use crate::error::ServiceError;
use crate::service;
use crate::service::visibility::Visibility;

/// The loaders of one request.
pub struct Loaders {
    pub companies: DataLoader<CompanyLoader>,
    pub postings: DataLoader<PostingLoader>,
    pub requirements: DataLoader<RequirementLoader>,
    pub locations_of_posting: DataLoader<LocationsOfPostingLoader>,
    pub requirements_of_posting: DataLoader<RequirementsOfPostingLoader>,
}

impl Loaders {
    pub fn new(db: &DatabaseConnection, visibility: &Visibility) -> Self {
        // No waiting to batch: every load of one execution pass is queued before the batch
        // task runs (the statement-count test holds this).
        let delay = std::time::Duration::ZERO;
        let scoped = || Scoped {
            db: db.clone(),
            visibility: visibility.clone(),
        };
        Loaders {
            companies: DataLoader::new(CompanyLoader(scoped()), tokio::spawn).delay(delay),
            postings: DataLoader::new(PostingLoader(scoped()), tokio::spawn).delay(delay),
            requirements: DataLoader::new(RequirementLoader(scoped()), tokio::spawn).delay(delay),
            locations_of_posting: DataLoader::new(LocationsOfPostingLoader(scoped()), tokio::spawn)
                .delay(delay),
            requirements_of_posting: DataLoader::new(
                RequirementsOfPostingLoader(scoped()),
                tokio::spawn,
            )
            .delay(delay),
        }
    }
}

/// What every loader reads with: the database, and what this reader may see.
pub struct Scoped {
    db: DatabaseConnection,
    visibility: Visibility,
}

type LoadError = async_graphql::Error;

fn load_error(error: ServiceError) -> LoadError {
    error.extend()
}

fn by_id<M>(rows: Vec<M>, id: impl Fn(&M) -> Uuid) -> HashMap<Uuid, M> {
    rows.into_iter().map(|row| (id(&row), row)).collect()
}

pub struct CompanyLoader(Scoped);

impl Loader<Uuid> for CompanyLoader {
    type Value = company::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = service::company::by_ids(&self.0.db, keys)
            .await
            .map_err(load_error)?;
        Ok(by_id(rows, |row| row.id))
    }
}

/// Postings by id, only those the reader may see.
pub struct PostingLoader(Scoped);

impl Loader<Uuid> for PostingLoader {
    type Value = posting::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = service::posting::by_ids(&self.0.db, &self.0.visibility, keys)
            .await
            .map_err(load_error)?;
        Ok(by_id(rows, |row| row.id))
    }
}

/// Requirements by id, only those of postings the reader may see.
pub struct RequirementLoader(Scoped);

impl Loader<Uuid> for RequirementLoader {
    type Value = requirement::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = service::posting::requirements_by_ids(&self.0.db, &self.0.visibility, keys)
            .await
            .map_err(load_error)?;
        Ok(by_id(rows, |row| row.id))
    }
}

/// A posting's locations, keyed by posting id. Only reached through a visible posting.
pub struct LocationsOfPostingLoader(Scoped);

impl Loader<Uuid> for LocationsOfPostingLoader {
    type Value = Vec<posting_location::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        service::posting::locations_of(&self.0.db, keys)
            .await
            .map_err(load_error)
    }
}

/// A posting's requirements, keyed by posting id. Only reached through a visible posting.
pub struct RequirementsOfPostingLoader(Scoped);

impl Loader<Uuid> for RequirementsOfPostingLoader {
    type Value = Vec<requirement::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        service::posting::requirements_of(&self.0.db, keys)
            .await
            .map_err(load_error)
    }
}
