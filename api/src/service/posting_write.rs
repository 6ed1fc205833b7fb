//! Changing postings: create, update, publish, close, archive, delete. Every function checks
//! the actor's scope on the posting's company, writes, and records the change in the audit
//! trail, all in one transaction.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use entity::enums::{EmploymentType, PostingStatus, RemotePolicy};
use entity::salary::SalaryRange;
use entity::sections::{Description, DescriptionSection, Responsibilities};
use entity::{application, company, posting, posting_location, requirement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::access::{self, Actor};
use super::audit::{self, EntityType};
use super::clock::now;
use super::description::sections_from_text;
use super::insert_rows::insert_rows;
use super::permissions::{
    ARCHIVE_POSTING, CLOSE_POSTING, CREATE_POSTING, DELETE_POSTING, Guard, PUBLISH_POSTING,
    UPDATE_POSTING,
};
use super::posting::city_key;
use super::posting_version::{check_version, load_for_change, save_versioned};
use super::requirement_write::{self, NewRequirement};
use super::search;
use super::transaction::{self, Work};
use super::validate;
use crate::error::ServiceError;

/// A location as clients give it.
#[derive(Clone, Debug)]
pub struct NewLocation {
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: String,
}

/// The description: Markdown or plain text, or explicit sections.
#[derive(Clone, Debug)]
pub enum DescriptionInput {
    Text(String),
    Sections(Vec<DescriptionSection>),
}

/// A change to an optional field: leave it, clear it, or set it.
#[derive(Clone, Debug, Default)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

/// A new posting; it starts as a draft.
#[derive(Clone, Debug)]
pub struct NewPosting {
    pub company_id: Uuid,
    pub slug: Option<String>,
    pub title: String,
    pub summary: Option<String>,
    pub description: DescriptionInput,
    pub department: Option<String>,
    pub occupation: Option<String>,
    pub employment_type: EmploymentType,
    pub remote_policy: RemotePolicy,
    pub travel: Option<String>,
    pub language: String,
    pub valid_through: Option<DateTime<Utc>>,
    pub apply_url: Option<String>,
    pub source_url: Option<String>,
    pub locations: Vec<NewLocation>,
    pub requirements: Vec<NewRequirement>,
    pub responsibilities: Vec<String>,
    pub salary: Option<SalaryRange>,
}

/// Changes to a posting; fields left at `Keep` (or `None`) stay as they are.
#[derive(Clone, Debug, Default)]
pub struct PostingChanges {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub summary: Change<String>,
    pub description: Option<DescriptionInput>,
    pub department: Change<String>,
    pub occupation: Change<String>,
    pub employment_type: Option<EmploymentType>,
    pub remote_policy: Option<RemotePolicy>,
    pub travel: Change<String>,
    pub language: Option<String>,
    pub valid_through: Change<DateTime<Utc>>,
    pub apply_url: Change<String>,
    pub source_url: Change<String>,
    pub locations: Option<Vec<NewLocation>>,
    pub responsibilities: Option<Vec<String>>,
    pub salary: Change<SalaryRange>,
}

fn description(input: DescriptionInput) -> Result<Description, ServiceError> {
    let sections = match input {
        DescriptionInput::Text(text) => {
            let text = validate::multiline_text("input.description", &text, 0, 50_000)?;
            sections_from_text(&text)
        }
        DescriptionInput::Sections(sections) => validate::each(
            "input.sections",
            sections,
            50,
            "sections",
            |section, field| {
                Ok(DescriptionSection {
                    heading: validate::optional_text(
                        &format!("{field}.heading"),
                        section.heading.as_deref(),
                        200,
                    )?,
                    paragraphs: section
                        .paragraphs
                        .iter()
                        .map(|p| {
                            validate::multiline_text(&format!("{field}.paragraphs"), p, 1, 10_000)
                        })
                        .collect::<Result<_, _>>()?,
                    items: section
                        .items
                        .iter()
                        .map(|i| validate::text(&format!("{field}.items"), i, 1, 2_000))
                        .collect::<Result<_, _>>()?,
                })
            },
        )?,
    };
    Ok(Description(sections))
}

/// Most duties one posting may list.
const MAX_RESPONSIBILITIES: usize = 100;

fn responsibilities(input: Vec<String>) -> Result<Vec<String>, ServiceError> {
    validate::each(
        "input.responsibilities",
        input,
        MAX_RESPONSIBILITIES,
        "responsibilities",
        |item, field| validate::text(field, &item, 1, 2_000),
    )
}

fn locations(input: Vec<NewLocation>) -> Result<Vec<NewLocation>, ServiceError> {
    validate::each(
        "input.locations",
        input,
        50,
        "locations",
        |location, field| {
            Ok(NewLocation {
                city: validate::optional_text(
                    &format!("{field}.city"),
                    location.city.as_deref(),
                    200,
                )?,
                region: validate::optional_text(
                    &format!("{field}.region"),
                    location.region.as_deref(),
                    200,
                )?,
                country: validate::country(&format!("{field}.country"), &location.country)?,
            })
        },
    )
}

fn change(field: &str, value: Change<String>, max: usize) -> Result<Change<String>, ServiceError> {
    Ok(match value {
        Change::Set(text) => match validate::optional_text(field, Some(&text), max)? {
            Some(text) => Change::Set(text),
            None => Change::Clear,
        },
        other => other,
    })
}

fn url_change(field: &str, value: Change<String>) -> Result<Change<String>, ServiceError> {
    Ok(match value {
        Change::Set(url) => match validate::url(field, Some(&url))? {
            Some(url) => Change::Set(url),
            None => Change::Clear,
        },
        other => other,
    })
}

fn apply<T: Into<sea_orm::Value>>(target: &mut sea_orm::ActiveValue<Option<T>>, change: Change<T>)
where
    Option<T>: Into<sea_orm::Value>,
{
    match change {
        Change::Keep => {}
        Change::Clear => *target = Set(None),
        Change::Set(value) => *target = Set(Some(value)),
    }
}

async fn replace_locations(
    txn: &impl ConnectionTrait,
    posting_id: Uuid,
    locations: Vec<NewLocation>,
) -> Result<(), ServiceError> {
    posting_location::Entity::delete_many()
        .filter(posting_location::Column::PostingId.eq(posting_id))
        .exec(txn)
        .await?;
    insert_rows(txn, location_rows(posting_id, locations)).await?;
    Ok(())
}

/// The rows of a posting's locations, numbered in order.
fn location_rows(
    posting_id: Uuid,
    locations: Vec<NewLocation>,
) -> Vec<posting_location::ActiveModel> {
    locations
        .into_iter()
        .enumerate()
        .map(|(position, location)| posting_location::ActiveModel {
            id: Set(Uuid::now_v7()),
            posting_id: Set(posting_id),
            position: Set(position as i32),
            city_key: Set(location.city.as_deref().map(city_key)),
            city: Set(location.city),
            region: Set(location.region),
            country: Set(location.country),
        })
        .collect()
}

/// Sets (or, with `None`, clears) the salary columns.
fn set_salary(active: &mut posting::ActiveModel, salary: Option<SalaryRange>) {
    active.salary_min = Set(salary.as_ref().and_then(|s| s.min));
    active.salary_max = Set(salary.as_ref().and_then(|s| s.max));
    active.salary_currency = Set(salary.as_ref().map(|s| s.currency.clone()));
    active.salary_unit = Set(salary.map(|s| s.unit));
}

/// The company already has a posting with `slug`.
fn slug_is_taken(slug: &str) -> ServiceError {
    ServiceError::taken(
        "input.slug",
        format!("the company already has a posting with the slug {slug}"),
    )
}

async fn slug_taken(
    txn: &impl ConnectionTrait,
    company_id: Uuid,
    slug: &str,
    except: Option<Uuid>,
) -> Result<bool, ServiceError> {
    let mut query = posting::Entity::find()
        .filter(posting::Column::CompanyId.eq(company_id))
        .filter(posting::Column::Slug.eq(slug));
    if let Some(id) = except {
        query = query.filter(posting::Column::Id.ne(id));
    }
    Ok(query.count(txn).await? > 0)
}

/// A new posting once validated (its slug too, if it has one), with its description in
/// sections: what every attempt of its transaction gets a copy of.
#[derive(Clone, Debug)]
pub struct ValidPosting {
    new: NewPosting,
    description: Description,
}

impl ValidPosting {
    /// Checks and normalizes every field of `input`.
    pub fn of(input: NewPosting) -> Result<ValidPosting, ServiceError> {
        let new = NewPosting {
            title: validate::text("input.title", &input.title, 1, 200)?,
            slug: input
                .slug
                .as_deref()
                .map(|slug| validate::slug("input.slug", slug))
                .transpose()?,
            summary: validate::optional_text("input.summary", input.summary.as_deref(), 1_000)?,
            department: validate::optional_text(
                "input.department",
                input.department.as_deref(),
                200,
            )?,
            occupation: validate::optional_text(
                "input.occupation",
                input.occupation.as_deref(),
                200,
            )?,
            travel: validate::optional_text("input.travel", input.travel.as_deref(), 200)?,
            language: validate::language("input.language", &input.language)?,
            apply_url: validate::url("input.applyUrl", input.apply_url.as_deref())?,
            source_url: validate::url("input.sourceUrl", input.source_url.as_deref())?,
            locations: locations(input.locations)?,
            requirements: requirement_write::validated(input.requirements, "input.requirements")?,
            responsibilities: responsibilities(input.responsibilities)?,
            salary: input
                .salary
                .map(|range| validate::salary("input.salary", range))
                .transpose()?,
            ..input
        };
        Ok(ValidPosting {
            description: description(new.description.clone())?,
            new,
        })
    }

    /// The same posting, for `company`.
    pub fn for_company(mut self, company: Uuid) -> ValidPosting {
        self.new.company_id = company;
        self
    }
}

/// Where an imported posting came from, kept beside it so that importing it again finds it.
#[derive(Clone, Debug)]
pub struct Origin {
    pub source_key: String,
    pub content_hash: String,
    /// The date the page says the job was listed.
    pub posted_at: Option<DateTime<Utc>>,
}

/// Creates a draft posting with its locations and requirements.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    input: NewPosting,
) -> Result<posting::Model, ServiceError> {
    let valid = ValidPosting::of(input)?;
    transaction::write(db, actor, valid, |txn, actor, valid| {
        Box::pin(async move { insert(txn, actor.as_ref(), valid, None, "createPosting").await })
            as Work<'_, _>
    })
    .await
}

/// Inserts a draft posting, with its locations, requirements, search terms and audit event,
/// inside the caller's transaction; `operation` is what the audit trail records.
pub async fn insert(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    valid: ValidPosting,
    origin: Option<Origin>,
    operation: &str,
) -> Result<posting::Model, ServiceError> {
    let mut inserted = insert_each(txn, actor, vec![(valid, origin)], operation).await?;
    inserted
        .pop()
        .ok_or_else(|| ServiceError::Conflict("the posting was not inserted".to_owned()))
}

/// Inserts draft postings as [`insert`] does one, with one statement per table for all of
/// them (a batch of an import), in order; all of them or, with an error, none.
pub async fn insert_each(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    postings: Vec<(ValidPosting, Option<Origin>)>,
    operation: &str,
) -> Result<Vec<posting::Model>, ServiceError> {
    let companies: BTreeSet<Uuid> = postings
        .iter()
        .map(|(valid, _)| valid.new.company_id)
        .collect();
    for company in &companies {
        access::require(actor, &CREATE_POSTING, *company)?;
    }
    let found: Vec<Uuid> = company::Entity::find()
        .select_only()
        .column(company::Column::Id)
        .filter(company::Column::Id.is_in(companies.iter().copied()))
        .into_tuple()
        .all(txn)
        .await?;
    if found.len() < companies.len() {
        return Err(ServiceError::invalid("input.companyId", "no such company"));
    }
    let wanted: Vec<String> = postings
        .iter()
        .map(|(valid, _)| {
            valid
                .new
                .slug
                .clone()
                .unwrap_or_else(|| validate::slugify(&valid.new.title))
        })
        .collect();
    let mut taken: HashSet<(Uuid, String)> = posting::Entity::find()
        .select_only()
        .columns([posting::Column::CompanyId, posting::Column::Slug])
        .filter(posting::Column::CompanyId.is_in(companies.iter().copied()))
        .filter(posting::Column::Slug.is_in(wanted.iter().map(String::as_str)))
        .into_tuple()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let now = now();
    let mut models = Vec::with_capacity(postings.len());
    let mut locations = Vec::new();
    let mut requirements = Vec::new();
    for ((valid, origin), slug) in postings.into_iter().zip(wanted) {
        let ValidPosting { new, description } = valid;
        let id = Uuid::now_v7();
        let slug = if !taken.contains(&(new.company_id, slug.clone())) {
            slug
        } else if new.slug.is_some() {
            return Err(slug_is_taken(&slug));
        } else {
            format!("{slug}-{}", &id.simple().to_string()[24..])
        };
        taken.insert((new.company_id, slug.clone()));
        let (source_key, content_hash, posted_at) = match origin {
            Some(origin) => (
                Some(origin.source_key),
                Some(origin.content_hash),
                origin.posted_at,
            ),
            None => (None, None, None),
        };
        locations.extend(location_rows(id, new.locations));
        requirements.extend(
            requirement_write::rows_of(id, new.requirements)
                .into_iter()
                .map(requirement::ActiveModel::from),
        );
        models.push(posting::Model {
            id,
            company_id: new.company_id,
            slug,
            title: new.title,
            summary: new.summary,
            description,
            department: new.department,
            occupation: new.occupation,
            employment_type: new.employment_type,
            remote_policy: new.remote_policy,
            travel: new.travel,
            language: new.language,
            status: PostingStatus::Draft,
            posted_at,
            valid_through: new.valid_through,
            apply_url: new.apply_url,
            source_url: new.source_url,
            content_hash,
            source_key,
            responsibilities: Responsibilities(new.responsibilities),
            salary_min: new.salary.as_ref().and_then(|s| s.min),
            salary_max: new.salary.as_ref().and_then(|s| s.max),
            salary_currency: new.salary.as_ref().map(|s| s.currency.clone()),
            salary_unit: new.salary.as_ref().map(|s| s.unit),
            version: 1,
            created_at: now,
            updated_at: now,
        });
    }
    // A concurrent write may take a slug between the check and the insert: the unique
    // index refuses it, and the client hears the same as from the check.
    let only_slug = match models.as_slice() {
        [only] => Some(only.slug.clone()),
        _ => None,
    };
    insert_rows(
        txn,
        models
            .iter()
            .cloned()
            .map(posting::ActiveModel::from)
            .collect(),
    )
    .await
    .map_err(ServiceError::unique("input.slug", || match only_slug {
        Some(slug) => slug_is_taken(&slug).to_string(),
        None => "a posting's slug or source was taken meanwhile".to_owned(),
    }))?;
    insert_rows(txn, locations).await?;
    insert_rows(txn, requirements).await?;
    let ids: Vec<Uuid> = models.iter().map(|model| model.id).collect();
    search::index::reindex(txn, &ids).await?;
    audit::record_each(
        txn,
        actor,
        operation,
        EntityType::Posting,
        models.iter().map(|model| (model.id, model.company_id)),
    )
    .await?;
    Ok(models)
}

/// Replaces everything a posting holds with `valid` (its slug and status stay), bumping its
/// version, inside the caller's transaction: what importing a changed page does.
pub async fn replace(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    posting: &posting::Model,
    valid: ValidPosting,
    origin: Origin,
    operation: &str,
) -> Result<posting::Model, ServiceError> {
    let ValidPosting { new, description } = valid;
    access::require(actor, &UPDATE_POSTING, posting.company_id)?;
    let active = posting::ActiveModel {
        title: Set(new.title),
        summary: Set(new.summary),
        description: Set(description),
        department: Set(new.department),
        occupation: Set(new.occupation),
        employment_type: Set(new.employment_type),
        remote_policy: Set(new.remote_policy),
        travel: Set(new.travel),
        language: Set(new.language),
        valid_through: Set(new.valid_through),
        apply_url: Set(new.apply_url),
        source_url: Set(new.source_url),
        content_hash: Set(Some(origin.content_hash)),
        posted_at: Set(origin.posted_at.or(posting.posted_at)),
        responsibilities: Set(Responsibilities(new.responsibilities)),
        ..Default::default()
    };
    let mut active = active;
    set_salary(&mut active, new.salary);
    let updated = save_versioned(txn, posting, active).await?;
    replace_locations(txn, posting.id, new.locations).await?;
    requirement_write::replace(txn, posting.id, new.requirements).await?;
    search::index::reindex(txn, &[posting.id]).await?;
    audit::record(
        txn,
        actor,
        operation,
        EntityType::Posting,
        posting.id,
        posting.company_id,
    )
    .await?;
    Ok(updated)
}

/// Changes once validated, with the description in sections: what every attempt of the
/// update's transaction gets a copy of.
#[derive(Clone)]
struct ValidChanges {
    /// Validated; its `description` is `None`, the sections are below.
    changes: PostingChanges,
    description: Option<Description>,
}

/// Updates a posting whose version is still `expected_version`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    id: Uuid,
    expected_version: i32,
    changes: PostingChanges,
) -> Result<posting::Model, ServiceError> {
    let slug = changes
        .slug
        .as_deref()
        .map(|slug| validate::slug("input.slug", slug))
        .transpose()?;
    let title = changes
        .title
        .as_deref()
        .map(|title| validate::text("input.title", title, 1, 200))
        .transpose()?;
    let description = changes.description.map(description).transpose()?;
    let changes = PostingChanges {
        slug,
        title,
        description: None,
        language: changes
            .language
            .as_deref()
            .map(|language| validate::language("input.language", language))
            .transpose()?,
        summary: change("input.summary", changes.summary, 1_000)?,
        department: change("input.department", changes.department, 200)?,
        occupation: change("input.occupation", changes.occupation, 200)?,
        travel: change("input.travel", changes.travel, 200)?,
        apply_url: url_change("input.applyUrl", changes.apply_url)?,
        source_url: url_change("input.sourceUrl", changes.source_url)?,
        locations: changes.locations.map(locations).transpose()?,
        responsibilities: changes.responsibilities.map(responsibilities).transpose()?,
        ..changes
    };
    let valid = ValidChanges {
        changes,
        description,
    };
    transaction::write(db, actor, valid, move |txn, actor, valid| {
        let ValidChanges {
            changes,
            description,
        } = valid;
        Box::pin(async move {
            let posting = load_for_change(txn, actor.as_ref(), &UPDATE_POSTING, id).await?;
            check_version(&posting, Some(expected_version))?;
            let new_slug = changes.slug.clone();
            if let Some(slug) = &new_slug
                && slug_taken(txn, posting.company_id, slug, Some(id)).await?
            {
                return Err(slug_is_taken(slug));
            }
            let mut active = posting::ActiveModel::default();
            if let Some(slug) = changes.slug {
                active.slug = Set(slug);
            }
            if let Some(title) = changes.title {
                active.title = Set(title);
            }
            if let Some(description) = description {
                active.description = Set(description);
            }
            if let Some(language) = changes.language {
                active.language = Set(language);
            }
            if let Some(employment_type) = changes.employment_type {
                active.employment_type = Set(employment_type);
            }
            if let Some(remote_policy) = changes.remote_policy {
                active.remote_policy = Set(remote_policy);
            }
            apply(&mut active.summary, changes.summary);
            apply(&mut active.department, changes.department);
            apply(&mut active.occupation, changes.occupation);
            apply(&mut active.travel, changes.travel);
            apply(&mut active.valid_through, changes.valid_through);
            apply(&mut active.apply_url, changes.apply_url);
            apply(&mut active.source_url, changes.source_url);
            if let Some(responsibilities) = changes.responsibilities {
                active.responsibilities = Set(Responsibilities(responsibilities));
            }
            match changes.salary {
                Change::Keep => {}
                Change::Clear => set_salary(&mut active, None),
                Change::Set(range) => set_salary(&mut active, Some(range)),
            }
            let updated =
                save_versioned(txn, &posting, active)
                    .await
                    .map_err(ServiceError::unique("input.slug", || {
                        slug_is_taken(new_slug.as_deref().unwrap_or_default()).to_string()
                    }))?;
            if let Some(locations) = changes.locations {
                replace_locations(txn, id, locations).await?;
            }
            search::index::reindex(txn, &[id]).await?;
            audit::record(
                txn,
                actor.as_ref(),
                "updatePosting",
                EntityType::Posting,
                id,
                posting.company_id,
            )
            .await?;
            Ok(updated)
        }) as Work<'_, _>
    })
    .await
}

/// A change of a posting's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Publish,
    Close,
    Archive,
}

impl Transition {
    fn operation(self) -> &'static str {
        match self {
            Transition::Publish => "publishPosting",
            Transition::Close => "closePosting",
            Transition::Archive => "archivePosting",
        }
    }

    fn guard(self) -> &'static Guard {
        match self {
            Transition::Publish => &PUBLISH_POSTING,
            Transition::Close => &CLOSE_POSTING,
            Transition::Archive => &ARCHIVE_POSTING,
        }
    }

    fn target(self) -> PostingStatus {
        match self {
            Transition::Publish => PostingStatus::Published,
            Transition::Close => PostingStatus::Closed,
            Transition::Archive => PostingStatus::Archived,
        }
    }

    fn allowed_from(self, status: PostingStatus) -> bool {
        match self {
            Transition::Publish => matches!(status, PostingStatus::Draft | PostingStatus::Closed),
            Transition::Close => status == PostingStatus::Published,
            Transition::Archive => status != PostingStatus::Archived,
        }
    }
}

/// The properties Google for Jobs requires of a JobPosting that the posting lacks: a title, a
/// description with text, and a location (`jobLocation`), or for a remote job the countries
/// it may be done from (`applicantLocationRequirements`). The date posted and the hiring
/// organization it always has. Empty when it may be published.
pub async fn incomplete(
    txn: &impl ConnectionTrait,
    posting: &posting::Model,
) -> Result<Vec<&'static str>, ServiceError> {
    let mut missing = Vec::new();
    if posting.title.trim().is_empty() {
        missing.push("title");
    }
    let has_text = posting
        .description
        .0
        .iter()
        .any(|section| !section.paragraphs.is_empty() || !section.items.is_empty());
    if !has_text {
        missing.push("description");
    }
    let located = posting_location::Entity::find()
        .filter(posting_location::Column::PostingId.eq(posting.id))
        .count(txn)
        .await?
        > 0;
    if !located {
        missing.push(if posting.remote_policy == RemotePolicy::Remote {
            "applicantLocationRequirements"
        } else {
            "jobLocation"
        });
    }
    Ok(missing)
}

/// Publishes, closes or archives a posting. Publishing checks the posting is complete and
/// stamps `postedAt` (now, unless given or already set).
#[tracing::instrument(level = "debug", skip_all, fields(transition = ?transition))]
pub async fn transition(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    id: Uuid,
    expected_version: Option<i32>,
    transition: Transition,
    posted_at: Option<DateTime<Utc>>,
) -> Result<posting::Model, ServiceError> {
    transaction::write(db, actor, (), move |txn, actor, ()| {
        Box::pin(async move {
            transition_in(
                txn,
                actor.as_ref(),
                id,
                expected_version,
                transition,
                posted_at,
            )
            .await
        }) as Work<'_, _>
    })
    .await
}

/// [`transition`] inside the caller's transaction.
pub async fn transition_in(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    id: Uuid,
    expected_version: Option<i32>,
    transition: Transition,
    posted_at: Option<DateTime<Utc>>,
) -> Result<posting::Model, ServiceError> {
    let posting = load_for_change(txn, actor, transition.guard(), id).await?;
    check_version(&posting, expected_version)?;
    if !transition.allowed_from(posting.status) {
        return Err(ServiceError::Conflict(format!(
            "a {:?} posting cannot be {}",
            posting.status,
            match transition {
                Transition::Publish => "published",
                Transition::Close => "closed",
                Transition::Archive => "archived",
            }
        )));
    }
    let mut active = posting::ActiveModel {
        status: Set(transition.target()),
        ..Default::default()
    };
    if transition == Transition::Publish {
        let missing = incomplete(txn, &posting).await?;
        if !missing.is_empty() {
            return Err(ServiceError::Unpublishable { missing });
        }
        active.posted_at = Set(Some(posted_at.or(posting.posted_at).unwrap_or_else(now)));
    }
    let updated = save_versioned(txn, &posting, active).await?;
    audit::record(
        txn,
        actor,
        transition.operation(),
        EntityType::Posting,
        id,
        posting.company_id,
    )
    .await?;
    Ok(updated)
}

/// Deletes a posting with its locations and requirements. A posting with applications is
/// kept: candidates' applications are never deleted as a side effect (archive it instead).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<Uuid, ServiceError> {
    transaction::write(db, actor, (), move |txn, actor, ()| {
        Box::pin(async move {
            let posting = load_for_change(txn, actor.as_ref(), &DELETE_POSTING, id).await?;
            check_version(&posting, expected_version)?;
            let applications = application::Entity::find()
                .filter(application::Column::PostingId.eq(id))
                .count(txn)
                .await?;
            if applications > 0 {
                return Err(ServiceError::Conflict(
                    "the posting has applications; archive it instead".to_owned(),
                ));
            }
            posting::Entity::delete_by_id(id).exec(txn).await?;
            search::index::reindex(txn, &[id]).await?;
            audit::record(
                txn,
                actor.as_ref(),
                "deletePosting",
                EntityType::Posting,
                id,
                posting.company_id,
            )
            .await?;
            Ok(id)
        }) as Work<'_, _>
    })
    .await
}
