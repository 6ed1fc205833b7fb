use async_graphql::{Context, Enum, ID, InputObject, Object, ResultExt, SimpleObject};

use crate::error::ServiceError;
use crate::graphql::context::scope;
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::types::enums::PostingStatus;
use crate::graphql::types::upload::FileUpload;
use crate::import::report::{ImportReport, Outcome};
use crate::import::{Document, Format};
use crate::service;
use crate::service::import_write::ImportOptions;

/// The formats `importPostings` reads; each document's is told from its content when omitted.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportFormat {
    /// schema.org JobPosting JSON-LD.
    JsonLd,
    /// An HTML posting page (its JSON-LD is read when it holds a JobPosting).
    Html,
    /// A plain-text posting page.
    Text,
    /// A plain-text listing of many jobs.
    Listing,
}

impl From<ImportFormat> for Format {
    fn from(format: ImportFormat) -> Format {
        match format {
            ImportFormat::JsonLd => Format::JsonLd,
            ImportFormat::Html => Format::Html,
            ImportFormat::Text => Format::Text,
            ImportFormat::Listing => Format::Listing,
        }
    }
}

impl From<Format> for ImportFormat {
    fn from(format: Format) -> ImportFormat {
        match format {
            Format::JsonLd => ImportFormat::JsonLd,
            Format::Html => ImportFormat::Html,
            Format::Text => ImportFormat::Text,
            Format::Listing => ImportFormat::Listing,
        }
    }
}

/// One page to import: its text inline (`content`), or its file sent as an upload (`file`).
#[derive(InputObject, Clone, Debug)]
pub struct ImportDocumentInput {
    /// What the report calls it, such as its file name; a page without a URL or JSON-LD
    /// identifier is found again by it. Defaults to the uploaded file's name.
    pub name: Option<String>,
    /// The page's text (JSON-LD, HTML or plain text). Give this or `file`.
    pub content: Option<String>,
    /// The page as a file of a `multipart/form-data` request (GraphQL multipart request
    /// spec), in any encoding the import reads. Give this or `content`.
    pub file: Option<FileUpload>,
    /// Its format; told from the content when omitted.
    pub format: Option<ImportFormat>,
}

/// Pages to import as postings, as `jobgraph import` does; at most 100 documents. Inline, the
/// request's size is bounded by the server's body limit (64 KiB unless configured); uploaded
/// in a `multipart/form-data` request, by its upload limit (16 MiB unless configured), and
/// each document by 5 MiB.
#[derive(InputObject, Clone, Debug)]
pub struct ImportPostingsInput {
    /// The company (`Company.id`) every posting is for; needs `postings:write` for it.
    /// Omitted, each page's own company is used (created when new), which needs `admin`.
    pub company_id: Option<ID>,
    /// The pages, each read as its own document.
    pub documents: Vec<ImportDocumentInput>,
    /// Publish each posting that is complete; the others stay drafts and the report says why.
    pub publish: Option<bool>,
    /// Read and check everything, write nothing.
    pub dry_run: Option<bool>,
}

/// What became of one posting read.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new posting.
    Created,
    /// An earlier import of the same page, changed: updated, its version bumped.
    Updated,
    /// An earlier import of the same page with the same content: left alone.
    Unchanged,
    /// A repost of an earlier posting of the same import, imported once.
    Duplicate,
    /// Not imported; `detail` says why.
    Failed,
}

impl From<Outcome> for ImportOutcome {
    fn from(outcome: Outcome) -> ImportOutcome {
        match outcome {
            Outcome::Created => ImportOutcome::Created,
            Outcome::Updated => ImportOutcome::Updated,
            Outcome::Unchanged => ImportOutcome::Unchanged,
            Outcome::Duplicate => ImportOutcome::Duplicate,
            Outcome::Failed => ImportOutcome::Failed,
        }
    }
}

/// One posting of an import's report (or a document that could not be read).
#[derive(SimpleObject)]
pub struct ImportRow {
    /// The document's name.
    pub document: String,
    /// The posting's number within its document, from 1.
    pub entry: i32,
    /// The line of the document the posting, or the failure, is at.
    pub line: Option<i32>,
    /// The format the document was read as.
    pub format: Option<ImportFormat>,
    /// The posting's title as read.
    pub title: Option<String>,
    /// What became of it.
    pub outcome: ImportOutcome,
    /// The posting's global id (`Posting.id`).
    pub posting_id: Option<ID>,
    /// The posting's URL name.
    pub slug: Option<String>,
    /// The posting's status after the import.
    pub status: Option<PostingStatus>,
    /// The posting's version after the import.
    pub version: Option<i32>,
    /// Why it failed, which row it reposts, or why it stayed a draft.
    pub detail: Option<String>,
}

/// What an import did, posting by posting, with the counts.
#[derive(SimpleObject)]
pub struct ImportPostingsPayload {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Postings created.
    pub created: i32,
    /// Postings updated because their page changed.
    pub updated: i32,
    /// Postings whose page had not changed.
    pub unchanged: i32,
    /// Reposts imported once.
    pub duplicates: i32,
    /// Postings, or documents, not imported.
    pub failed: i32,
    /// Every posting read, in the documents' order.
    pub rows: Vec<ImportRow>,
}

impl From<ImportReport> for ImportPostingsPayload {
    fn from(report: ImportReport) -> ImportPostingsPayload {
        let counts = report.counts();
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        ImportPostingsPayload {
            dry_run: report.dry_run,
            created: count(counts.created),
            updated: count(counts.updated),
            unchanged: count(counts.unchanged),
            duplicates: count(counts.duplicate),
            failed: count(counts.failed),
            rows: report
                .rows
                .into_iter()
                .map(|row| ImportRow {
                    document: row.document,
                    entry: count(row.entry),
                    line: row.line.map(count),
                    format: row.format.map(Into::into),
                    title: row.title,
                    outcome: row.outcome.into(),
                    posting_id: row
                        .posting_id
                        .map(|id| global_id::encode(NodeKind::Posting, id)),
                    slug: row.slug,
                    status: row.status.map(Into::into),
                    version: row.version,
                    detail: row.detail,
                })
                .collect(),
        }
    }
}

/// Most documents one `importPostings` takes.
pub const MAX_DOCUMENTS: usize = 100;

/// The document `input` gives, inline or uploaded.
fn document_of(
    ctx: &Context<'_>,
    index: usize,
    input: ImportDocumentInput,
) -> Result<Document, ServiceError> {
    let field = |name: &str| format!("input.documents.{index}.{name}");
    let (filename, bytes) = match (input.content, input.file) {
        (Some(content), None) => (None, content.into_bytes()),
        (None, Some(upload)) => match upload.file(ctx) {
            Some(file) => (Some(file.filename), file.bytes),
            None => {
                return Err(ServiceError::invalid(
                    field("file"),
                    "no file of the request is mapped here; send it as a multipart/form-data part",
                ));
            }
        },
        _ => {
            return Err(ServiceError::invalid(
                field("content"),
                "give the document's content or its file, one of them",
            ));
        }
    };
    let name = input
        .name
        .filter(|name| !name.trim().is_empty())
        .or(filename.filter(|name| !name.trim().is_empty()))
        .ok_or_else(|| ServiceError::invalid(field("name"), "name the document"))?;
    Ok(Document {
        name,
        bytes,
        format: input.format.map(Into::into),
    })
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Imports posting pages (schema.org JSON-LD, HTML, plain text, job-board listings) as
    /// postings, exactly as `jobgraph import` does: each posting all or nothing, found again
    /// by its page, unchanged content left alone, reposts imported once, failures reported per
    /// document. With `companyId` needs `postings:write` for that company; without, `admin`.
    async fn import_postings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pages, and how to import them.")] input: ImportPostingsInput,
    ) -> async_graphql::Result<ImportPostingsPayload> {
        let (catalog, scope) = scope(ctx)?;
        let company = input
            .company_id
            .as_ref()
            .map(|id| global_id::decode_as(NodeKind::Company, id, "input.companyId"))
            .transpose()
            .extend()?;
        if input.documents.len() > MAX_DOCUMENTS {
            return Err(ServiceError::invalid(
                "input.documents",
                format!("at most {MAX_DOCUMENTS} documents per import"),
            ))
            .extend();
        }
        let documents = input
            .documents
            .into_iter()
            .enumerate()
            .map(|(index, document)| document_of(ctx, index, document))
            .collect::<Result<Vec<Document>, ServiceError>>()
            .extend()?;
        let options = ImportOptions {
            company,
            publish: input.publish.unwrap_or(false),
            dry_run: input.dry_run.unwrap_or(false),
            format: None,
        };
        let report = service::import_write::import_documents(
            &catalog.db,
            scope.actor(),
            documents,
            &options,
        )
        .await
        .extend()?;
        Ok(report.into())
    }
}
