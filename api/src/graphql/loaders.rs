//! The loaders, one set per request: every relation is fetched in one batched statement per
//! request, and nothing cached crosses from one request (or reader) to another.

use std::collections::HashMap;

use entity::{company, posting, posting_location, requirement};
use uuid::Uuid;

use async_graphql::ErrorExtensions;

use super::batch::{BatchLoad, Batcher};
use crate::db::ReadPool;
use crate::error::ServiceError;
use crate::service;
use crate::service::visibility::Visibility;

/// The loaders of one request.
pub struct Loaders {
    pub companies: Batcher<CompanyLoader>,
    pub postings: Batcher<PostingLoader>,
    pub requirements: Batcher<RequirementLoader>,
    pub locations_of_posting: Batcher<LocationsOfPostingLoader>,
    pub requirements_of_posting: Batcher<RequirementsOfPostingLoader>,
}

impl Loaders {
    pub fn new(db: &ReadPool, visibility: &Visibility) -> Self {
        let scoped = || Scoped {
            db: db.clone(),
            visibility: visibility.clone(),
        };
        Loaders {
            companies: Batcher::new(CompanyLoader(scoped())),
            postings: Batcher::new(PostingLoader(scoped())),
            requirements: Batcher::new(RequirementLoader(scoped())),
            locations_of_posting: Batcher::new(LocationsOfPostingLoader(scoped())),
            requirements_of_posting: Batcher::new(RequirementsOfPostingLoader(scoped())),
        }
    }
}

/// What every loader reads with: the database, and what this reader may see.
pub struct Scoped {
    db: ReadPool,
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

impl BatchLoad for CompanyLoader {
    type Value = company::Model;

    async fn load(&self, keys: Vec<Uuid>) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let rows = service::company::by_ids(&self.0.db, &keys)
            .await
            .map_err(load_error)?;
        Ok(by_id(rows, |row| row.id))
    }
}

/// Postings by id, only those the reader may see.
pub struct PostingLoader(Scoped);

impl BatchLoad for PostingLoader {
    type Value = posting::Model;

    async fn load(&self, keys: Vec<Uuid>) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let rows = service::posting::by_ids(&self.0.db, &self.0.visibility, &keys)
            .await
            .map_err(load_error)?;
        Ok(by_id(rows, |row| row.id))
    }
}

/// Requirements by id, only those of postings the reader may see.
pub struct RequirementLoader(Scoped);

impl BatchLoad for RequirementLoader {
    type Value = requirement::Model;

    async fn load(&self, keys: Vec<Uuid>) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        let rows = service::posting::requirements_by_ids(&self.0.db, &self.0.visibility, &keys)
            .await
            .map_err(load_error)?;
        Ok(by_id(rows, |row| row.id))
    }
}

/// A posting's locations, keyed by posting id. Only reached through a visible posting.
pub struct LocationsOfPostingLoader(Scoped);

impl BatchLoad for LocationsOfPostingLoader {
    type Value = Vec<posting_location::Model>;

    async fn load(&self, keys: Vec<Uuid>) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        service::posting::locations_of(&self.0.db, &keys)
            .await
            .map_err(|error| load_error(error.into()))
    }
}

/// A posting's requirements, keyed by posting id. Only reached through a visible posting.
pub struct RequirementsOfPostingLoader(Scoped);

impl BatchLoad for RequirementsOfPostingLoader {
    type Value = Vec<requirement::Model>;

    async fn load(&self, keys: Vec<Uuid>) -> Result<HashMap<Uuid, Self::Value>, LoadError> {
        service::posting::requirements_of(&self.0.db, &keys)
            .await
            .map_err(|error| load_error(error.into()))
    }
}
