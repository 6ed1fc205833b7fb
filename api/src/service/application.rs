//! Reading candidates' applications: only the posting's company (with `applications:read`)
//! may. Personal data never reaches logs, traces or error messages.

use entity::{application, posting};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::access::{self, Actor};
use super::keyset::{self, Direction, Ordering, Page, PageRequest, Position, SortValue};
use super::permissions::{POSTING_APPLICATIONS, READ_APPLICATION};
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

/// One application, for a token with `applications:read` on its company. Another company's
/// application is `None`, as an id that does not exist is: no refusal confirms it exists. A
/// caller without a token, or whose token lacks the scope, is refused whatever the id.
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
    access::require_held(actor, &READ_APPLICATION)?;
    let Some(application) = application::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let company = company_of(db, &application).await?;
    Ok(access::allows(Some(actor), &READ_APPLICATION, company).then_some(application))
}

/// The name cursors of application lists carry.
pub const SORT_NAME: &str = "created_at";

/// A posting's applications, newest first. The actor is checked before `request` is made, so
/// a caller who may not read the list is refused whatever its page arguments.
pub async fn page_of_posting(
    db: &impl ConnectionTrait,
    actor: Actor<'_>,
    posting: &posting::Model,
    request: impl FnOnce() -> Result<PageRequest, ServiceError>,
    page_size: u64,
) -> Result<Page<application::Model>, ServiceError> {
    access::require(actor, &POSTING_APPLICATIONS, posting.company_id)?;
    let request = request()?;
    Ok(keyset::fetch_page(
        db,
        application::Entity::find().filter(application::Column::PostingId.eq(posting.id)),
        Ordering {
            key: application::Column::CreatedAt,
            id: application::Column::Id,
            direction: Direction::Descending,
        },
        &request,
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
