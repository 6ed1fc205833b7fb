//! Reading published posting pages into postings: schema.org JobPosting JSON-LD, HTML posting
//! pages, plain-text posting pages and plain-text listings of many jobs, each told by its
//! content (or named by the caller). This module only reads: `service::import_write` stores
//! what it finds, and nothing here touches the database.

pub mod decode;
pub mod html;
pub mod jsonld;
pub mod listing;
pub mod location;
pub mod page;
pub mod report;
pub mod repost;
pub mod requirement;
pub mod wording;

use chrono::NaiveDate;
use entity::enums::{EmploymentType, RemotePolicy};
use entity::sections::DescriptionSection;
use serde::Serialize;

pub use location::ImportedLocation;
pub use requirement::ImportedRequirement;

/// The largest document an import reads: 5 MiB, far above any real posting page or listing.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// The formats an import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// schema.org JobPosting JSON-LD.
    JsonLd,
    /// An HTML posting page (its JSON-LD is read when it has a JobPosting).
    Html,
    /// A plain-text posting page.
    Text,
    /// A plain-text listing of many jobs.
    Listing,
}

impl Format {
    /// The format `text` is in.
    pub fn detect(text: &str) -> Format {
        if jsonld::looks_like(text) {
            return Format::JsonLd;
        }
        let lower = text.to_ascii_lowercase();
        let tags = [
            "<html", "<body", "<div", "<p>", "<p ", "<br", "<h1", "<h2", "<ul", "<b>",
        ]
        .iter()
        .filter(|tag| lower.contains(*tag))
        .count();
        if tags >= 2 || lower.contains("application/ld+json") {
            Format::Html
        } else if listing::looks_like(text) {
            Format::Listing
        } else {
            Format::Text
        }
    }
}

/// Why a document, or one posting of it, could not be imported, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{reason}")]
pub struct ExtractError {
    /// The line of the document the problem is at, when it is at one.
    pub line: Option<usize>,
    pub reason: String,
}

impl ExtractError {
    pub fn whole(reason: impl Into<String>) -> ExtractError {
        ExtractError {
            line: None,
            reason: reason.into(),
        }
    }

    pub fn at(line: usize, reason: impl Into<String>) -> ExtractError {
        ExtractError {
            line: Some(line),
            reason: reason.into(),
        }
    }
}

/// A posting as read from a page, before it is checked and stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportedPosting {
    /// The company's name as the page gives it.
    pub company: Option<String>,
    /// Which page (and entry) this is: `url:`, `id:` or `file:` (see `posting.source_key`).
    pub source_key: String,
    pub source_url: Option<String>,
    pub title: String,
    pub summary: Option<String>,
    pub department: Option<String>,
    pub occupation: Option<String>,
    pub locations: Vec<ImportedLocation>,
    pub posted_on: Option<NaiveDate>,
    pub valid_through: Option<NaiveDate>,
    pub employment_type: EmploymentType,
    pub remote_policy: RemotePolicy,
    pub travel: Option<String>,
    pub salary: Option<entity::salary::SalaryRange>,
    pub language: String,
    pub apply_url: Option<String>,
    pub sections: Vec<DescriptionSection>,
    pub responsibilities: Vec<String>,
    pub requirements: Vec<ImportedRequirement>,
    /// The line of the document the posting starts at.
    #[serde(skip)]
    pub line: usize,
}

impl ImportedPosting {
    /// A hash of everything read, so that importing the same content again changes nothing.
    pub fn content_hash(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        blake3::hash(&bytes).to_hex().to_string()
    }
}

/// A document to import: its name (a file's name, or what the client calls it) and bytes.
#[derive(Clone, Debug)]
pub struct Document {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Its format, when the caller knows it better than its content tells.
    pub format: Option<Format>,
}

/// What one document holds: its format and each posting read from it (or why one could not
/// be), or why the document as a whole could not be read.
#[derive(Debug)]
pub struct Extracted {
    pub format: Format,
    pub postings: Vec<Result<ImportedPosting, ExtractError>>,
}

/// Reads `document` in `format` (detected when `None`); dates without a year are taken as the
/// latest such day not after `today`.
pub fn extract(
    document: &Document,
    format: Option<Format>,
    today: NaiveDate,
) -> Result<Extracted, ExtractError> {
    let text = decode::text(&document.bytes)?;
    let format = document
        .format
        .or(format)
        .unwrap_or_else(|| Format::detect(&text));
    let name = document.name.as_str();
    let single = |context_key: String, lines, title, url| {
        page::posting(
            lines,
            page::PageContext {
                source_key: context_key,
                source_url: url,
                company: None,
                title,
                locations: Vec::new(),
                posted_on: None,
                occupation: None,
                today,
            },
        )
    };
    let postings = match format {
        Format::JsonLd => jsonld::postings(&[text.as_str()], name, today)?,
        Format::Html => {
            let html = html::parse(&text);
            let scripts: Vec<&str> = html
                .json_ld
                .iter()
                .map(String::as_str)
                .filter(|script| script.contains("JobPosting"))
                .collect();
            match jsonld::postings(&scripts, name, today) {
                Ok(postings) if !scripts.is_empty() => postings,
                _ => {
                    let key = match &html.canonical_url {
                        Some(url) => format!("url:{url}"),
                        None => format!("file:{name}"),
                    };
                    vec![single(key, html.lines, html.title, html.canonical_url)]
                }
            }
        }
        Format::Text => vec![single(
            format!("file:{name}"),
            page::Line::of_text(&text, 1),
            None,
            None,
        )],
        Format::Listing => listing::postings(&text, name, today),
    };
    Ok(Extracted { format, postings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_content() {
        assert_eq!(
            Format::detect("  {\"@type\": \"JobPosting\"}"),
            Format::JsonLd
        );
        assert_eq!(Format::detect("<h2>T</h2><div>x<br>y</div>"), Format::Html);
        assert_eq!(
            Format::detect("Lediga jobb X i Y\n\nA\nB Visa mindre\nC\nD Visa mindre"),
            Format::Listing
        );
        assert_eq!(Format::detect("Engineer\nWe build <things>."), Format::Text);
    }

    #[test]
    fn script_tags_and_control_characters_in_a_page_are_text() {
        let document = Document {
            name: "x.txt".to_owned(),
            format: None,
            bytes: "Engineer </script><script>alert(1)</script>\nWe build\u{0} bridges and roads for the city of Malmö.\n".into(),
        };
        let extracted = extract(&document, None, NaiveDate::MIN).unwrap();
        let posting = extracted.postings[0].as_ref().unwrap();
        assert!(posting.title.contains("</script><script>"));
        assert_eq!(
            posting.sections[0].paragraphs[0],
            "We build bridges and roads for the city of Malmö."
        );
    }
}
