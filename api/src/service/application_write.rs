//! Candidates' applications, changed. Anyone may apply to a published, open posting; only the
//! posting's company (with `applications:write`) may change an application. Personal data
//! never reaches logs, traces or error messages.

use entity::enums::{ApplicationStatus, PostingStatus};
use entity::{application, posting};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::access::{self, Actor};
use super::application::company_of;
use super::audit::{self, EntityType};
use super::clock::now;
use super::permissions::{APPLY_TO_POSTING, ERASE_APPLICATION, Guard, UPDATE_APPLICATION_STATUS};
use super::transaction::{self, Work};
use super::validate;
use crate::error::ServiceError;

/// An application as a candidate submits it.
#[derive(Clone)]
pub struct NewApplication {
    pub posting_id: Uuid,
    pub idempotency_key: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub resume_url: Option<String>,
    pub cover_letter: Option<String>,
}

impl std::fmt::Debug for NewApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApplication")
            .field("posting_id", &self.posting_id)
            .finish_non_exhaustive()
    }
}

fn validated(input: NewApplication) -> Result<NewApplication, ServiceError> {
    let key = validate::storable("input.idempotencyKey", input.idempotency_key.trim(), false)?;
    if key.is_empty() || key.len() > 200 {
        return Err(ServiceError::invalid(
            "input.idempotencyKey",
            "must be 1 to 200 characters",
        ));
    }
    let phone = validate::optional_text("input.phone", input.phone.as_deref(), 50)?;
    if phone.as_deref().is_some_and(|phone| {
        !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    }) {
        return Err(ServiceError::invalid(
            "input.phone",
            "must be a phone number",
        ));
    }
    Ok(NewApplication {
        posting_id: input.posting_id,
        idempotency_key: key,
        name: validate::text("input.name", &input.name, 1, 200)?,
        email: validate::email("input.email", &input.email)?,
        phone,
        resume_url: validate::url("input.resumeUrl", input.resume_url.as_deref())?,
        cover_letter: validate::optional_multiline_text(
            "input.coverLetter",
            input.cover_letter.as_deref(),
            20_000,
        )?,
    })
}

/// Submits an application, once: a retry with the same idempotency key (even a concurrent
/// one) returns the application the first attempt created.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn apply(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    input: NewApplication,
) -> Result<application::Model, ServiceError> {
    let input = validated(input)?;
    transaction::write(db, actor, input, move |txn, actor, input| {
        Box::pin(async move {
            let posting = posting::Entity::find_by_id(input.posting_id)
                .filter(posting::Column::Status.eq(PostingStatus::Published))
                .one(txn)
                .await?
                .ok_or(ServiceError::NotFound("posting"))?;
            access::require(actor.as_ref(), &APPLY_TO_POSTING, posting.company_id)?;
            if posting.valid_through.is_some_and(|until| until < now()) {
                return Err(ServiceError::Conflict(
                    "the posting no longer takes applications".to_owned(),
                ));
            }
            let now = now();
            let inserted = application::Entity::insert(application::ActiveModel {
                id: Set(Uuid::now_v7()),
                posting_id: Set(input.posting_id),
                candidate_name: Set(input.name),
                email: Set(input.email),
                phone: Set(input.phone),
                resume_url: Set(input.resume_url),
                cover_letter: Set(input.cover_letter),
                status: Set(ApplicationStatus::Submitted),
                idempotency_key: Set(input.idempotency_key.clone()),
                erased_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::columns([
                    application::Column::PostingId,
                    application::Column::IdempotencyKey,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
            let application = application::Entity::find()
                .filter(application::Column::PostingId.eq(input.posting_id))
                .filter(application::Column::IdempotencyKey.eq(&input.idempotency_key))
                .one(txn)
                .await?
                .ok_or(ServiceError::NotFound("application"))?;
            if inserted > 0 {
                audit::record(
                    txn,
                    actor.as_ref(),
                    "applyToPosting",
                    EntityType::Application,
                    application.id,
                    posting.company_id,
                )
                .await?;
            }
            Ok(application)
        }) as Work<'_, _>
    })
    .await
}

/// A change to an application.
#[derive(Clone, Copy, Debug)]
pub enum ApplicationChange {
    Status(ApplicationStatus),
    /// Removes the personal data, keeping an anonymous record (a data-protection request).
    Erase,
}

impl ApplicationChange {
    fn guard(self) -> &'static Guard {
        match self {
            ApplicationChange::Status(_) => &UPDATE_APPLICATION_STATUS,
            ApplicationChange::Erase => &ERASE_APPLICATION,
        }
    }
}

/// Changes an application, for a token with `applications:write` on its company.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn change(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    id: Uuid,
    change: ApplicationChange,
) -> Result<application::Model, ServiceError> {
    transaction::write(db, actor, change, move |txn, actor, change| {
        Box::pin(async move {
            let principal = access::authenticated(actor.as_ref(), change.guard())?;
            let application = application::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or(ServiceError::NotFound("application"))?;
            let company_id = company_of(txn, &application).await?;
            access::require(Some(principal), change.guard(), company_id)?;
            let now = now();
            let (active, operation) = match change {
                ApplicationChange::Status(status) => (
                    application::ActiveModel {
                        id: Set(id),
                        status: Set(status),
                        updated_at: Set(now),
                        ..Default::default()
                    },
                    "updateApplicationStatus",
                ),
                ApplicationChange::Erase => (
                    application::ActiveModel {
                        id: Set(id),
                        candidate_name: Set(String::new()),
                        email: Set(String::new()),
                        phone: Set(None),
                        resume_url: Set(None),
                        cover_letter: Set(None),
                        erased_at: Set(Some(application.erased_at.unwrap_or(now))),
                        updated_at: Set(now),
                        ..Default::default()
                    },
                    "eraseApplication",
                ),
            };
            let updated = application::Entity::update(active).exec(txn).await?;
            audit::record(
                txn,
                actor.as_ref(),
                operation,
                EntityType::Application,
                id,
                company_id,
            )
            .await?;
            Ok(updated)
        }) as Work<'_, _>
    })
    .await
}
