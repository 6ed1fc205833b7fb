//! Storing what an import read: each posting in its own savepoint (all or nothing), a hundred
//! to a transaction; found again by its company and source key, left alone when its content
//! is unchanged, replaced with a version bump and an audit event when it changed, published
//! on request when it is complete. Reposts within a batch are stored once; a posting that
//! fails is reported and the batch goes on.

use std::collections::HashMap;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use entity::enums::PostingStatus;
use entity::{company, posting};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use super::access::{self, Actor};
use super::company_write::{self, NewCompany};
use super::permissions::{CREATE_COMPANY, IMPORT_POSTINGS};
use super::posting_write::{
    self, DescriptionInput, NewLocation, NewPosting, Origin, Transition, ValidPosting,
};
use super::requirement_write::NewRequirement;
use super::transaction::{self, Work};
use super::validate;
use crate::auth::Principal;
use crate::error::ServiceError;
use crate::import::report::{ImportReport, Outcome, ReportRow};
use crate::import::{self, Document, ExtractError, Extracted, Format, ImportedPosting, repost};

/// How an import stores what it reads.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The company every posting is for; else the one each page names (created if new).
    pub company: Option<Uuid>,
    /// Publish each posting that is complete; the others stay drafts, and the report says why.
    pub publish: bool,
    /// Read and check everything, write nothing.
    pub dry_run: bool,
    /// The format of every document; else each one's is told from its content.
    pub format: Option<Format>,
}

/// What storing one posting did.
#[derive(Clone, Debug)]
pub struct Stored {
    pub outcome: Outcome,
    pub posting: posting::Model,
    /// Why a posting asked to be published stayed a draft.
    pub draft_reason: Option<String>,
}

fn start_of(date: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))
}

fn end_of(date: NaiveDate) -> chrono::DateTime<Utc> {
    let end = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    Utc.from_utc_datetime(&date.and_time(end))
}

/// The posting as the write path takes it, checked like any other.
fn valid_posting(imported: &ImportedPosting) -> Result<ValidPosting, ServiceError> {
    let summary = imported
        .summary
        .as_ref()
        .map(|summary| summary.chars().take(1_000).collect());
    ValidPosting::of(NewPosting {
        company_id: Uuid::nil(),
        slug: None,
        title: imported.title.clone(),
        summary,
        description: DescriptionInput::Sections(imported.sections.clone()),
        department: imported.department.clone(),
        occupation: imported.occupation.clone(),
        employment_type: imported.employment_type,
        remote_policy: imported.remote_policy,
        travel: imported.travel.clone(),
        language: imported.language.clone(),
        valid_through: imported.valid_through.map(end_of),
        apply_url: imported.apply_url.clone(),
        source_url: imported.source_url.clone(),
        locations: imported
            .locations
            .iter()
            .map(|location| NewLocation {
                city: location.city.clone(),
                region: location.region.clone(),
                country: location.country.clone(),
            })
            .collect(),
        requirements: imported
            .requirements
            .iter()
            .map(|requirement| NewRequirement {
                kind: requirement.kind,
                text: requirement.text.clone(),
                required: requirement.required,
                years_min: requirement.years_min,
                years_max: requirement.years_max,
            })
            .collect(),
        responsibilities: imported.responsibilities.clone(),
        salary: imported.salary.clone(),
    })
}

/// The company a posting is for: the one asked for, else the one its page names (found by
/// slug or name, created when new).
async fn company_for(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    imported: &ImportedPosting,
    options: &ImportOptions,
) -> Result<company::Model, ServiceError> {
    if let Some(id) = options.company {
        return company::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or_else(no_such_company);
    }
    let Some(name) = imported.company.as_deref() else {
        return Err(no_company_named());
    };
    let slug = validate::slugify(name);
    if let Some(found) = company_named(txn, name, &slug).await? {
        return Ok(found);
    }
    create_company(txn, actor, name, slug).await
}

fn no_such_company() -> ServiceError {
    ServiceError::invalid("company", "no such company")
}

fn no_company_named() -> ServiceError {
    ServiceError::invalid(
        "company",
        "the page names no company; say which one (--company)",
    )
}

/// The company with `slug` or, failing that, `name`.
async fn company_named(
    txn: &impl ConnectionTrait,
    name: &str,
    slug: &str,
) -> Result<Option<company::Model>, ServiceError> {
    Ok(company::Entity::find()
        .filter(
            Condition::any()
                .add(company::Column::Slug.eq(slug))
                .add(company::Column::Name.eq(name)),
        )
        .one(txn)
        .await?)
}

/// Stores one imported posting inside the caller's transaction.
async fn store_in(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    imported: &ImportedPosting,
    valid: ValidPosting,
    options: &ImportOptions,
) -> Result<Stored, ServiceError> {
    let company = company_for(txn, actor, imported, options).await?;
    let valid = valid.for_company(company.id);
    let origin = origin_of(imported);
    let existing = posting::Entity::find()
        .filter(posting::Column::CompanyId.eq(company.id))
        .filter(posting::Column::SourceKey.eq(imported.source_key.as_str()))
        .one(txn)
        .await?;
    let stored = match existing {
        Some(existing) if existing.content_hash.as_deref() == Some(&origin.content_hash) => {
            return Ok(Stored {
                outcome: Outcome::Unchanged,
                posting: existing,
                draft_reason: None,
            });
        }
        Some(existing) => Stored {
            outcome: Outcome::Updated,
            ..published(
                txn,
                actor,
                posting_write::replace(txn, actor, &existing, valid, origin, "importPosting")
                    .await?,
                options,
            )
            .await?
        },
        None => {
            published(
                txn,
                actor,
                posting_write::insert(txn, actor, valid, Some(origin), "importPosting").await?,
                options,
            )
            .await?
        }
    };
    Ok(stored)
}

/// A posting just created (or updated), published when the import asks and it is complete;
/// else a draft, with the reason when publishing was asked for.
async fn published(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    stored: posting::Model,
    options: &ImportOptions,
) -> Result<Stored, ServiceError> {
    let mut stored = Stored {
        outcome: Outcome::Created,
        posting: stored,
        draft_reason: None,
    };
    if !options.publish || stored.posting.status != PostingStatus::Draft {
        return Ok(stored);
    }
    let missing = posting_write::incomplete(txn, &stored.posting).await?;
    if missing.is_empty() {
        stored.posting = posting_write::transition_in(
            txn,
            actor,
            stored.posting.id,
            None,
            Transition::Publish,
            None,
        )
        .await?;
    } else {
        stored.draft_reason = Some(format!(
            "stays a draft: it lacks {} (Google for Jobs requires them)",
            missing.join(", ")
        ));
    }
    Ok(stored)
}

/// How many postings share a transaction: each in its own savepoint, so one that fails
/// leaves the others, and a bulk import does not wait for a commit per posting.
const POSTINGS_PER_TRANSACTION: usize = 100;

/// A posting ready to store: its row in the report, as read, as validated.
type Pending = (usize, ImportedPosting, ValidPosting);

/// Stores postings in one transaction (rolled back in a dry run), each in a savepoint of its
/// own: all or nothing per posting. A transient conflict retries the whole transaction; any
/// other failure is that posting's alone.
async fn store_batch(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    batch: Vec<Pending>,
    options: &ImportOptions,
) -> Vec<(usize, Result<Stored, String>)> {
    let rows: Vec<usize> = batch.iter().map(|(row, _, _)| *row).collect();
    let input = (batch, options.clone());
    let stored = if options.dry_run {
        transaction::rehearse(db, actor, input, batch_work).await
    } else {
        transaction::write(db, actor, input, batch_work).await
    };
    match stored {
        Ok(stored) => stored,
        Err(error) => rows
            .into_iter()
            .map(|row| (row, Err(error.to_string())))
            .collect(),
    }
}

fn batch_work(
    txn: &DatabaseTransaction,
    actor: Option<Principal>,
    (batch, options): (Vec<Pending>, ImportOptions),
) -> Work<'_, Vec<(usize, Result<Stored, String>)>> {
    Box::pin(async move {
        let actor = actor.as_ref();
        let mut out = Vec::with_capacity(batch.len());
        let companies = companies_for(txn, actor, &batch, &options).await?;
        let existing = already_imported(txn, &batch, &companies).await?;
        let mut fresh: Vec<(Pending, company::Model)> = Vec::new();
        for (pending, company) in batch.into_iter().zip(companies) {
            let company = match company {
                Ok(company) => company,
                Err(reason) => {
                    out.push((pending.0, Err(reason)));
                    continue;
                }
            };
            let key = (company.id, pending.1.source_key.clone());
            match existing.get(&key) {
                None => fresh.push((pending, company)),
                Some(found) if found.content_hash.as_deref() == Some(&pending.1.content_hash()) => {
                    out.push((
                        pending.0,
                        Ok(Stored {
                            outcome: Outcome::Unchanged,
                            posting: found.clone(),
                            draft_reason: None,
                        }),
                    ))
                }
                Some(_) => out.push(store_one(txn, actor, pending, &options).await?),
            }
        }
        if fresh.is_empty() {
            return Ok(out);
        }
        // The new postings go in together, in one savepoint; should that fail, each goes in
        // on its own, so that one posting's failure stays its own.
        let savepoint = txn.begin().await?;
        match create_each(&savepoint, actor, &fresh, &options).await {
            Ok(created) => {
                savepoint.commit().await?;
                out.extend(created);
            }
            Err(error) if transaction::is_retryable(&error) => return Err(error),
            Err(error) => {
                tracing::debug!(%error, "storing a batch's new postings one by one");
                if let Err(rollback) = savepoint.rollback().await {
                    tracing::debug!(%rollback, "rolling back a batch's savepoint");
                }
                for (pending, _) in fresh {
                    out.push(store_one(txn, actor, pending, &options).await?);
                }
            }
        }
        Ok(out)
    })
}

/// Stores one posting in a savepoint of its own: all of it, or with an error none of it.
async fn store_one(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    (row, imported, valid): Pending,
    options: &ImportOptions,
) -> Result<(usize, Result<Stored, String>), ServiceError> {
    let savepoint = txn.begin().await?;
    match store_in(&savepoint, actor, &imported, valid, options).await {
        Ok(stored) => {
            savepoint.commit().await?;
            Ok((row, Ok(stored)))
        }
        Err(error) if transaction::is_retryable(&error) => Err(error),
        Err(error) => {
            if let Err(rollback) = savepoint.rollback().await {
                tracing::debug!(%rollback, "rolling back a failed posting's savepoint");
            }
            Ok((row, Err(error.to_string())))
        }
    }
}

/// The company of each posting of a batch, found with one query; each company that is new
/// is created in a savepoint of its own, and a posting whose company cannot be had fails.
async fn companies_for(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    batch: &[Pending],
    options: &ImportOptions,
) -> Result<Vec<Result<company::Model, String>>, ServiceError> {
    if let Some(id) = options.company {
        let company = company::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or_else(|| no_such_company().to_string());
        return Ok(batch.iter().map(|_| company.clone()).collect());
    }
    let names: Vec<&str> = batch
        .iter()
        .filter_map(|(_, imported, _)| imported.company.as_deref())
        .collect();
    let slugs: Vec<String> = names.iter().map(|name| validate::slugify(name)).collect();
    let found = company::Entity::find()
        .filter(
            Condition::any()
                .add(company::Column::Slug.is_in(slugs.iter().map(String::as_str)))
                .add(company::Column::Name.is_in(names.iter().copied())),
        )
        .all(txn)
        .await?;
    let mut by_name: HashMap<String, Result<company::Model, String>> = HashMap::new();
    for name in names {
        if by_name.contains_key(name) {
            continue;
        }
        let slug = validate::slugify(name);
        let known = found
            .iter()
            .find(|company| company.slug == slug)
            .or_else(|| found.iter().find(|company| company.name == name));
        let company = match known {
            Some(company) => Ok(company.clone()),
            None => {
                let savepoint = txn.begin().await?;
                match create_company(&savepoint, actor, name, slug.clone()).await {
                    Ok(company) => {
                        savepoint.commit().await?;
                        Ok(company)
                    }
                    Err(error) if transaction::is_retryable(&error) => return Err(error),
                    Err(error) => {
                        if let Err(rollback) = savepoint.rollback().await {
                            tracing::debug!(%rollback, "rolling back a company's savepoint");
                        }
                        // Another batch of the import (or another import) made it first.
                        company_named(txn, name, &slug)
                            .await?
                            .ok_or_else(|| error.to_string())
                    }
                }
            }
        };
        by_name.insert(name.to_owned(), company);
    }
    Ok(batch
        .iter()
        .map(|(_, imported, _)| match imported.company.as_deref() {
            Some(name) => by_name[name].clone(),
            None => Err(no_company_named().to_string()),
        })
        .collect())
}

async fn create_company(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    name: &str,
    slug: String,
) -> Result<company::Model, ServiceError> {
    let new = NewCompany {
        slug,
        name: name.to_owned(),
        website: None,
        description: None,
        headquarters: None,
    }
    .validated()?;
    company_write::insert(txn, actor, new).await
}

/// The postings earlier imports stored for a batch's pages, by company and source key, found
/// with one query.
async fn already_imported(
    txn: &DatabaseTransaction,
    batch: &[Pending],
    companies: &[Result<company::Model, String>],
) -> Result<HashMap<(Uuid, String), posting::Model>, ServiceError> {
    let company_ids: Vec<Uuid> = companies
        .iter()
        .filter_map(|company| company.as_ref().ok().map(|company| company.id))
        .collect();
    if company_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let keys = batch
        .iter()
        .map(|(_, imported, _)| imported.source_key.as_str());
    Ok(posting::Entity::find()
        .filter(posting::Column::CompanyId.is_in(company_ids))
        .filter(posting::Column::SourceKey.is_in(keys))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|posting| Some(((posting.company_id, posting.source_key.clone()?), posting)))
        .collect())
}

/// Creates a batch's new postings with one statement per table, then publishes those asked
/// for that are complete: all of them, or with an error none.
async fn create_each(
    txn: &impl ConnectionTrait,
    actor: Actor<'_>,
    fresh: &[(Pending, company::Model)],
    options: &ImportOptions,
) -> Result<Vec<(usize, Result<Stored, String>)>, ServiceError> {
    let postings = fresh
        .iter()
        .map(|((_, imported, valid), company)| {
            (
                valid.clone().for_company(company.id),
                Some(origin_of(imported)),
            )
        })
        .collect();
    let created = posting_write::insert_each(txn, actor, postings, "importPosting").await?;
    let mut out = Vec::with_capacity(created.len());
    for (((row, _, _), _), posting) in fresh.iter().zip(created) {
        out.push((*row, Ok(published(txn, actor, posting, options).await?)));
    }
    Ok(out)
}

/// Where an imported posting came from.
fn origin_of(imported: &ImportedPosting) -> Origin {
    Origin {
        source_key: imported.source_key.clone(),
        content_hash: imported.content_hash(),
        posted_at: imported.posted_on.map(start_of),
    }
}

/// [`import`] for a client of the API: with a company, the actor needs `postings:write` for
/// it; without one (each page's own company, created when new), `admin`. Refused as a whole,
/// before anything is read, when the actor may not.
pub async fn import_documents(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    documents: Vec<Document>,
    options: &ImportOptions,
) -> Result<ImportReport, ServiceError> {
    match options.company {
        Some(company) => access::require(actor, &IMPORT_POSTINGS, company)?,
        None => access::require(actor, &CREATE_COMPANY, Uuid::nil())?,
    }
    Ok(import(
        db,
        actor,
        documents,
        options,
        Utc::now().date_naive(),
        |_, _| {},
    )
    .await)
}

/// How many documents reading may run ahead of storing.
const READ_AHEAD: usize = 2 * POSTINGS_PER_TRANSACTION;

/// How many transactions store postings at once on PostgreSQL: while it writes one batch,
/// this process prepares the next. Batches that meet (a slug, a source, a new company) wait
/// for each other at the unique index and settle as one batch after the other would. SQLite
/// has one writer, and one transaction at a time.
const STORING_AT_ONCE: usize = 2;

/// Imports a batch of documents; `progress` hears how many of them are read. Reading runs on
/// a thread of its own, up to [`READ_AHEAD`] documents ahead of storing, so that pages are
/// read while the postings before them are stored (and no server worker reads them), and
/// [`STORING_AT_ONCE`] transactions store them.
pub async fn import(
    db: &DatabaseConnection,
    actor: Actor<'_>,
    documents: Vec<Document>,
    options: &ImportOptions,
    today: NaiveDate,
    mut progress: impl FnMut(usize, usize),
) -> ImportReport {
    let total = documents.len();
    let format = options.format;
    let (sender, mut receiver) = tokio::sync::mpsc::channel(READ_AHEAD);
    let reader = tokio::task::spawn_blocking(move || {
        for document in documents {
            // A reader that panics on a page fails that page, not the import.
            let extracted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                import::extract(&document, format, today)
            }))
            .unwrap_or_else(|_| Err(ExtractError::whole("the page could not be read")));
            if sender.blocking_send((document.name, extracted)).is_err() {
                return;
            }
        }
    });
    let mut reading = Reading {
        rows: Vec::new(),
        read: Vec::new(),
        originals: repost::Originals::default(),
        entries: HashMap::new(),
        pending: Vec::new(),
    };
    let mut done = 0;
    let mut open = true;
    let mut storing = FuturesUnordered::new();
    let at_once = match db.get_database_backend() {
        DbBackend::Postgres => STORING_AT_ONCE,
        _ => 1,
    };
    loop {
        while storing.len() < at_once
            && (reading.pending.len() >= POSTINGS_PER_TRANSACTION
                || (!open && !reading.pending.is_empty()))
        {
            let size = reading.pending.len().min(POSTINGS_PER_TRANSACTION);
            let batch = reading.pending.drain(..size).collect();
            storing.push(store_batch(db, actor, batch, options));
        }
        if !open && storing.is_empty() {
            break;
        }
        let room = reading.pending.len() < POSTINGS_PER_TRANSACTION * at_once;
        tokio::select! {
            received = receiver.recv(), if open && room => match received {
                Some((name, extracted)) => {
                    reading.add(name, extracted);
                    done += 1;
                    progress(done, total);
                }
                None => open = false,
            },
            Some(stored) = storing.next(), if !storing.is_empty() => {
                record(&mut reading.rows, stored);
            }
        }
    }
    if let Err(error) = reader.await {
        tracing::error!(%error, "the import's reader stopped");
    }
    ImportReport {
        dry_run: options.dry_run,
        rows: reading.rows,
    }
}

/// What an import has read so far: a report row per posting (or unreadable document), the
/// postings by row, and those read but not yet stored.
struct Reading {
    rows: Vec<ReportRow>,
    /// The posting of each row, if it could be read.
    read: Vec<Option<ImportedPosting>>,
    originals: repost::Originals,
    /// How many rows each document has, to name the original of a repost.
    entries: HashMap<String, usize>,
    pending: Vec<Pending>,
}

impl Reading {
    /// Takes in what reading the document `name` gave: a row for each of its postings (or one
    /// for the document, when it could not be read); reposts and postings that fail the checks
    /// are settled at once, the rest wait to be stored.
    fn add(&mut self, name: String, extracted: Result<Extracted, ExtractError>) {
        let first = self.rows.len();
        let row = |entry, line, format, title: Option<String>, outcome, detail| ReportRow {
            document: name.clone(),
            entry,
            line,
            format,
            title,
            outcome,
            posting_id: None,
            slug: None,
            status: None,
            version: None,
            detail,
        };
        match extracted {
            Err(error) => {
                self.rows.push(row(
                    1,
                    error.line,
                    None,
                    None,
                    Outcome::Failed,
                    Some(error.reason),
                ));
                self.read.push(None);
            }
            Ok(extracted) => {
                for (index, posting) in extracted.postings.into_iter().enumerate() {
                    match posting {
                        Ok(posting) => {
                            self.rows.push(row(
                                index + 1,
                                Some(posting.line),
                                Some(extracted.format),
                                Some(posting.title.clone()),
                                Outcome::Created,
                                None,
                            ));
                            self.read.push(Some(posting));
                        }
                        Err(error) => {
                            self.rows.push(row(
                                index + 1,
                                error.line,
                                Some(extracted.format),
                                None,
                                Outcome::Failed,
                                Some(error.reason),
                            ));
                            self.read.push(None);
                        }
                    }
                }
            }
        }
        *self.entries.entry(name.clone()).or_insert(0) += self.rows.len() - first;
        for index in first..self.rows.len() {
            let Some(posting) = &self.read[index] else {
                continue;
            };
            if let Some(original) = self.originals.of(index, posting, &self.read) {
                let original = &self.rows[original];
                let of = original.reference(self.entries[&original.document]);
                let row = &mut self.rows[index];
                row.outcome = Outcome::Duplicate;
                row.detail = Some(format!("repost of {of}"));
                continue;
            }
            match valid_posting(posting) {
                Ok(valid) => self.pending.push((index, posting.clone(), valid)),
                Err(error) => {
                    let row = &mut self.rows[index];
                    row.outcome = Outcome::Failed;
                    row.detail = Some(error.to_string());
                }
            }
        }
    }
}

/// Writes what storing did into the report's rows.
fn record(rows: &mut [ReportRow], stored: Vec<(usize, Result<Stored, String>)>) {
    for (index, result) in stored {
        let row = &mut rows[index];
        match result {
            Ok(stored) => {
                row.outcome = stored.outcome;
                row.posting_id = Some(stored.posting.id);
                row.slug = Some(stored.posting.slug);
                row.status = Some(stored.posting.status);
                row.version = Some(stored.posting.version);
                row.detail = stored.draft_reason;
            }
            Err(reason) => {
                row.outcome = Outcome::Failed;
                row.detail = Some(reason);
            }
        }
    }
}
