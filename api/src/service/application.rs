//! Reading candidates' applications: only the posting's company (with `applications:read`)
//! may. Personal data never reaches logs, traces or error messages.

use entity::{application, posting};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::access::{self, Actor};
use super::keyset::{self, Direction, Ordering, Page, PageRequest, Position, SortValue};
use crate::auth::{Principal, Scope};
use crate::error::ServiceError;

/// The company an application belongs to.
pub(super) async fn company_of(
    txn: &impl ConnectionTrait,
    application: &application::Model,
) -> Result<Uuid, ServiceError> {
    posting::Entity::find_by_id(application.posting_id)
        .one(txn)
        .await?
        .map(|posting| posting.company_id)
        .ok_or(ServiceError::NotFound("posting"))
}

/// One application, for a token with `applications:read` on its company.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: Actor<'_>,
    id: Uuid,
) -> Result<Option<application::Model>, ServiceError> {
    let actor = actor.ok_or_else(|| {
        ServiceError::Unauthenticated(
            "reading applications needs a token with the scope applications:read".to_owned(),
        )
    })?;
    let Some(application) = application::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    access::require(
        Some(actor),
        Scope::ApplicationsRead,
        company_of(db, &application).await?,
    )?;
    Ok(Some(application))
}

/// Checks that `actor` may read the applications of a posting of `company_id`.
pub fn require_read(actor: Actor<'_>, company_id: Uuid) -> Result<&Principal, ServiceError> {
    access::require(actor, Scope::ApplicationsRead, company_id)
}

/// The name cursors of application lists carry.
pub const SORT_NAME: &str = "created_at";

/// A posting's applications, newest first.
pub async fn page_of_posting(
    db: &impl ConnectionTrait,
    actor: Actor<'_>,
    posting: &posting::Model,
    request: &PageRequest,
    page_size: u64,
) -> Result<Page<application::Model>, ServiceError> {
    require_read(actor, posting.company_id)?;
    Ok(keyset::fetch_page(
        db,
        application::Entity::find().filter(application::Column::PostingId.eq(posting.id)),
        Ordering {
            key: application::Column::CreatedAt,
            id: application::Column::Id,
            direction: Direction::Descending,
        },
        request,
        page_size,
        |row| Position {
            key: SortValue::Time(Some(row.created_at)),
            id: row.id,
        },
    )
    .await?)
}

/// Whether `position` can be a position in an application list.
pub fn accepts(position: &Position) -> bool {
    matches!(position.key, SortValue::Time(Some(_)))
}
