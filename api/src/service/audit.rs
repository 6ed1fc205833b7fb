//! The audit trail: who changed what, and when, written in the transaction of the change.

use chrono::Utc;
use entity::audit_event;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::access::{self, Actor};
use super::insert_rows::insert_rows;
use super::keyset::{self, Direction, Ordering, Page, PageRequest, Position, SortValue};
use super::permissions::AUDIT_EVENTS;
use crate::error::ServiceError;

/// What kind of object a change touched.
#[derive(Clone, Copy, Debug)]
pub enum EntityType {
    Company,
    Posting,
    Requirement,
    Application,
}

impl EntityType {
    fn as_str(self) -> &'static str {
        match self {
            EntityType::Company => "company",
            EntityType::Posting => "posting",
            EntityType::Requirement => "requirement",
            EntityType::Application => "application",
        }
    }
}

/// Records one change. Call it inside the change's transaction.
pub async fn record(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    operation: &str,
    entity_type: EntityType,
    entity_id: Uuid,
    company_id: Uuid,
) -> Result<(), ServiceError> {
    record_each(
        txn,
        actor,
        operation,
        entity_type,
        [(entity_id, company_id)],
    )
    .await
}

/// Records one change of each `(entity, company)` alike, with one statement: what a batch
/// does. Call it inside the changes' transaction.
pub async fn record_each(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    operation: &str,
    entity_type: EntityType,
    entities: impl IntoIterator<Item = (Uuid, Uuid)>,
) -> Result<(), ServiceError> {
    let occurred_at = Utc::now();
    let rows = entities
        .into_iter()
        .map(|(entity_id, company_id)| audit_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(Some(company_id)),
            actor: Set(access::actor_name(actor).to_owned()),
            operation: Set(operation.to_owned()),
            entity_type: Set(entity_type.as_str().to_owned()),
            entity_id: Set(entity_id),
            occurred_at: Set(occurred_at),
        })
        .collect();
    insert_rows(txn, rows).await?;
    Ok(())
}

/// The name cursors of the audit list carry.
pub const SORT_NAME: &str = "occurred_at";

/// A company's trail, newest first; for `admin` or that company's `companies:write` tokens.
pub async fn page(
    db: &impl ConnectionTrait,
    actor: Actor<'_>,
    company_id: Uuid,
    request: &PageRequest,
    page_size: u64,
) -> Result<Page<audit_event::Model>, ServiceError> {
    access::require(actor, &AUDIT_EVENTS, company_id)?;
    Ok(keyset::fetch_page(
        db,
        audit_event::Entity::find().filter(audit_event::Column::CompanyId.eq(company_id)),
        Ordering {
            key: audit_event::Column::OccurredAt,
            id: audit_event::Column::Id,
            direction: Direction::Descending,
        },
        request,
        page_size,
        |event| Position {
            key: SortValue::Time(Some(event.occurred_at)),
            id: event.id,
        },
    )
    .await?)
}

/// Whether `position` can be a position in an audit list.
pub fn accepts(position: &Position) -> bool {
    matches!(position.key, SortValue::Time(Some(_)))
}
