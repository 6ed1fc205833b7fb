//! Reading companies.

use entity::company;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::error::ServiceError;

use super::keyset::{self, Direction, Ordering, Page, PageRequest, Position, SortValue};

/// The name cursors of the company list carry.
pub const SORT_NAME: &str = "name";

/// One page of companies, by name.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn page(
    db: &impl ConnectionTrait,
    request: &PageRequest,
    page_size: u64,
) -> Result<Page<company::Model>, ServiceError> {
    keyset::fetch_page(
        db,
        company::Entity::find(),
        Ordering {
            key: company::Column::Name,
            id: company::Column::Id,
            direction: Direction::Ascending,
        },
        request,
        page_size,
        |company| Position {
            key: SortValue::Text(company.name.clone()),
            id: company.id,
        },
    )
    .await
    .map_err(ServiceError::from)
}

/// How many companies the catalog holds.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, ServiceError> {
    company::Entity::find()
        .count(db)
        .await
        .map_err(ServiceError::from)
}

/// The companies among `ids`, in no particular order.
#[tracing::instrument(level = "debug", skip_all, fields(ids = ids.len()))]
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<company::Model>, ServiceError> {
    company::Entity::find()
        .filter(company::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
        .map_err(ServiceError::from)
}

/// The company with `slug`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<company::Model>, ServiceError> {
    // No stored slug holds NUL, and PostgreSQL would refuse the parameter.
    if slug.contains('\0') {
        return Ok(None);
    }
    company::Entity::find()
        .filter(company::Column::Slug.eq(slug))
        .one(db)
        .await
        .map_err(ServiceError::from)
}

/// Whether `position` can be a position in the company list.
pub fn accepts(position: &Position) -> bool {
    matches!(position.key, SortValue::Text(_))
}
