//! Changing a posting's ordered requirements. Every change bumps the posting's version, so a
//! client holding an older version sees the conflict.

use entity::enums::RequirementKind;
use entity::{posting, requirement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::access::{self, Actor};
use super::audit::{self, EntityType};
use super::insert_rows::insert_rows;
use super::permissions::{
    ADD_REQUIREMENT, Guard, REMOVE_REQUIREMENT, SET_REQUIREMENTS, UPDATE_REQUIREMENT,
};
use super::posting_version::{check_version, load_for_change, save_versioned};
use super::transaction::{self, Work};
use super::validate;
use crate::error::ServiceError;

/// Most requirements one posting may have.
const MAX_REQUIREMENTS: usize = 100;

/// A requirement as clients give it.
#[derive(Clone, Debug)]
pub struct NewRequirement {
    pub kind: RequirementKind,
    pub text: String,
    pub required: bool,
    pub years_min: Option<i32>,
    pub years_max: Option<i32>,
}

/// Checks one requirement; `field` is its path in the input.
pub fn validate_one(
    requirement: NewRequirement,
    field: &str,
) -> Result<NewRequirement, ServiceError> {
    validate::years(field, requirement.years_min, requirement.years_max)?;
    Ok(NewRequirement {
        text: validate::text(&format!("{field}.text"), &requirement.text, 1, 2_000)?,
        ..requirement
    })
}

/// Checks a list of requirements; `field` is its path in the input.
pub fn validated(
    requirements: Vec<NewRequirement>,
    field: &str,
) -> Result<Vec<NewRequirement>, ServiceError> {
    validate::each(
        field,
        requirements,
        MAX_REQUIREMENTS,
        "requirements",
        validate_one,
    )
}

/// The rows of a new posting's requirements, numbered in order.
pub fn rows_of(posting_id: Uuid, requirements: Vec<NewRequirement>) -> Vec<requirement::Model> {
    requirements
        .into_iter()
        .enumerate()
        .map(|(position, new)| requirement::Model {
            id: Uuid::now_v7(),
            posting_id,
            position: position as i32,
            kind: new.kind,
            text: new.text,
            required: new.required,
            years_min: new.years_min,
            years_max: new.years_max,
        })
        .collect()
}

/// Replaces a posting's requirements with `requirements`, in order.
pub async fn replace(
    txn: &impl ConnectionTrait,
    posting_id: Uuid,
    requirements: Vec<NewRequirement>,
) -> Result<Vec<requirement::Model>, ServiceError> {
    write_list(txn, posting_id, rows_of(posting_id, requirements)).await
}

/// Stores `rows` as the posting's whole list, keeping their ids, numbering their positions.
async fn write_list(
    txn: &impl ConnectionTrait,
    posting_id: Uuid,
    rows: Vec<requirement::Model>,
) -> Result<Vec<requirement::Model>, ServiceError> {
    requirement::Entity::delete_many()
        .filter(requirement::Column::PostingId.eq(posting_id))
        .exec(txn)
        .await?;
    let written: Vec<requirement::Model> = rows
        .into_iter()
        .enumerate()
        .map(|(position, row)| requirement::Model {
            position: position as i32,
            ..row
        })
        .collect();
    insert_rows(
        txn,
        written
            .iter()
            .cloned()
            .map(requirement::ActiveModel::from)
            .collect(),
    )
    .await?;
    Ok(written)
}

async fn list(
    txn: &impl ConnectionTrait,
    posting_id: Uuid,
) -> Result<Vec<requirement::Model>, ServiceError> {
    Ok(requirement::Entity::find()
        .filter(requirement::Column::PostingId.eq(posting_id))
        .order_by_asc(requirement::Column::Position)
        .all(txn)
        .await?)
}

/// The posting after a requirement change, and the requirement changed (if one was).
pub struct RequirementChange {
    pub posting: posting::Model,
    pub requirement: Option<requirement::Model>,
}

/// One change to a posting's list.
#[derive(Clone, Debug)]
pub enum ListChange {
    /// Replace the whole list.
    Set {
        posting_id: Uuid,
        requirements: Vec<NewRequirement>,
    },
    /// Insert at `position` (the end when `None`).
    Add {
        posting_id: Uuid,
        requirement: NewRequirement,
        position: Option<usize>,
    },
    /// Change one requirement, keeping its place.
    Update {
        id: Uuid,
        requirement: NewRequirement,
    },
    /// Remove one requirement.
    Remove { id: Uuid },
}

impl ListChange {
    fn operation(&self) -> &'static str {
        match self {
            ListChange::Set { .. } => "setRequirements",
            ListChange::Add { .. } => "addRequirement",
            ListChange::Update { .. } => "updateRequirement",
            ListChange::Remove { .. } => "removeRequirement",
        }
    }

    fn guard(&self) -> &'static Guard {
        match self {
            ListChange::Set { .. } => &SET_REQUIREMENTS,
            ListChange::Add { .. } => &ADD_REQUIREMENT,
            ListChange::Update { .. } => &UPDATE_REQUIREMENT,
            ListChange::Remove { .. } => &REMOVE_REQUIREMENT,
        }
    }
}

/// The posting whose list `change` is to: the one it names, or the one holding the
/// requirement it names. An anonymous caller naming a missing requirement is told it needs a
/// token, and learns nothing about which ids exist.
async fn posting_of(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    change: &ListChange,
) -> Result<Uuid, ServiceError> {
    let requirement_id = match change {
        ListChange::Set { posting_id, .. } | ListChange::Add { posting_id, .. } => {
            return Ok(*posting_id);
        }
        ListChange::Update { id, .. } | ListChange::Remove { id } => *id,
    };
    match requirement::Entity::find_by_id(requirement_id)
        .one(txn)
        .await?
    {
        Some(requirement) => Ok(requirement.posting_id),
        None => {
            access::authenticated(actor, change.guard())?;
            Err(ServiceError::NotFound("requirement"))
        }
    }
}

/// Applies `change` to a posting's requirements in one transaction.
#[tracing::instrument(level = "debug", skip_all, fields(operation = change.operation()))]
pub async fn change(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    expected_version: Option<i32>,
    change: ListChange,
) -> Result<RequirementChange, ServiceError> {
    let change = match change {
        ListChange::Set {
            posting_id,
            requirements,
        } => ListChange::Set {
            posting_id,
            requirements: validated(requirements, "input.requirements")?,
        },
        ListChange::Add {
            posting_id,
            requirement,
            position,
        } => ListChange::Add {
            posting_id,
            requirement: validate_one(requirement, "input.requirement")?,
            position,
        },
        ListChange::Update { id, requirement } => ListChange::Update {
            id,
            requirement: validate_one(requirement, "input")?,
        },
        remove => remove,
    };
    transaction::write(db, actor, change, move |txn, actor, change| {
        Box::pin(async move {
            let posting_id = posting_of(txn, actor.as_ref(), &change).await?;
            let posting = load_for_change(txn, actor.as_ref(), change.guard(), posting_id).await?;
            check_version(&posting, expected_version)?;
            let operation = change.operation();
            let mut rows = list(txn, posting_id).await?;
            let not_found = || ServiceError::NotFound("requirement");
            let (changed, entity_id) = match change {
                ListChange::Set { requirements, .. } => {
                    replace(txn, posting_id, requirements).await?;
                    (None, posting_id)
                }
                ListChange::Add {
                    requirement,
                    position,
                    ..
                } => {
                    if rows.len() >= MAX_REQUIREMENTS {
                        return Err(ServiceError::invalid(
                            "input.requirement",
                            format!("a posting may have at most {MAX_REQUIREMENTS} requirements"),
                        ));
                    }
                    let row = requirement::Model {
                        id: Uuid::now_v7(),
                        posting_id,
                        position: 0,
                        kind: requirement.kind,
                        text: requirement.text,
                        required: requirement.required,
                        years_min: requirement.years_min,
                        years_max: requirement.years_max,
                    };
                    let at = position.unwrap_or(rows.len()).min(rows.len());
                    let id = row.id;
                    rows.insert(at, row);
                    let written = write_list(txn, posting_id, rows).await?;
                    (written.into_iter().find(|row| row.id == id), id)
                }
                ListChange::Update { id, requirement } => {
                    let row = rows
                        .iter()
                        .find(|row| row.id == id)
                        .cloned()
                        .ok_or_else(not_found)?;
                    let updated = requirement::Model {
                        kind: requirement.kind,
                        text: requirement.text,
                        required: requirement.required,
                        years_min: requirement.years_min,
                        years_max: requirement.years_max,
                        ..row
                    };
                    requirement::Entity::update(requirement::ActiveModel {
                        id: Set(updated.id),
                        kind: Set(updated.kind),
                        text: Set(updated.text.clone()),
                        required: Set(updated.required),
                        years_min: Set(updated.years_min),
                        years_max: Set(updated.years_max),
                        ..Default::default()
                    })
                    .exec(txn)
                    .await?;
                    (Some(updated), id)
                }
                ListChange::Remove { id } => {
                    let before = rows.len();
                    rows.retain(|row| row.id != id);
                    if rows.len() == before {
                        return Err(not_found());
                    }
                    write_list(txn, posting_id, rows).await?;
                    (None, id)
                }
            };
            let posting = save_versioned(txn, &posting, posting::ActiveModel::default()).await?;
            super::search::index::reindex(txn, &[posting_id]).await?;
            let entity = if entity_id == posting_id {
                EntityType::Posting
            } else {
                EntityType::Requirement
            };
            audit::record(
                txn,
                actor.as_ref(),
                operation,
                entity,
                entity_id,
                posting.company_id,
            )
            .await?;
            Ok(RequirementChange {
                posting,
                requirement: changed,
            })
        }) as Work<'_, _>
    })
    .await
}
