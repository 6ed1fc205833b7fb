//! A posting's version, shared by every write that changes a posting or what belongs to it
//! (its requirements): load it for a change, compare the client's version, and save with the
//! version bumped in the same statement that checks it.

use entity::posting;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::access::{self, Actor};
use super::clock::now;
use super::permissions::Guard;
use crate::error::ServiceError;

/// Loads a posting for a change by `actor`, checking what `guard` needs on its company.
/// Another company's posting and a missing one are told apart only for tokens that may see it.
pub async fn load_for_change(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    guard: &Guard,
    id: Uuid,
) -> Result<posting::Model, ServiceError> {
    let Some(posting) = posting::Entity::find_by_id(id).one(txn).await? else {
        // Authenticate first, so an anonymous caller learns nothing about ids.
        access::authenticated(actor, guard)?;
        return Err(ServiceError::NotFound("posting"));
    };
    access::require(actor, guard, posting.company_id)?;
    Ok(posting)
}

/// Fails with `CONFLICT` when the client changed an older version than the stored one.
pub fn check_version(posting: &posting::Model, expected: Option<i32>) -> Result<(), ServiceError> {
    match expected {
        Some(expected) if expected != posting.version => Err(ServiceError::Conflict(format!(
            "the posting is at version {}, not {expected}; reload it and try again",
            posting.version
        ))),
        _ => Ok(()),
    }
}

/// Writes `changes` to the posting and bumps its version, but only if nobody else did in the
/// meantime: the version check and the write are one statement.
pub async fn save_versioned(
    txn: &impl ConnectionTrait,
    posting: &posting::Model,
    mut changes: posting::ActiveModel,
) -> Result<posting::Model, ServiceError> {
    changes.updated_at = Set(now());
    let result = posting::Entity::update_many()
        .set(changes)
        .col_expr(
            posting::Column::Version,
            Expr::col(posting::Column::Version).add(1),
        )
        .filter(posting::Column::Id.eq(posting.id))
        .filter(posting::Column::Version.eq(posting.version))
        .exec(txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(ServiceError::Conflict(
            "the posting changed while this request ran; reload it and try again".to_owned(),
        ));
    }
    posting::Entity::find_by_id(posting.id)
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound("posting"))
}
