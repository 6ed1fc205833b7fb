//! What an import did, document by document: a table for a terminal, JSON for tools.

use std::collections::HashMap;
use std::fmt::Write as _;

use entity::enums::PostingStatus;
use serde::Serialize;
use uuid::Uuid;

use super::Format;

/// What became of one posting read (or of a document that could not be read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    /// A repost of an earlier posting of the batch, imported once.
    Duplicate,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Duplicate => "duplicate",
            Outcome::Failed => "failed",
        }
    }
}

/// One row of the report.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    /// The document's name.
    pub document: String,
    /// The posting's number within its document, from 1.
    pub entry: usize,
    /// The line of the document the posting (or the failure) is at.
    pub line: Option<usize>,
    pub format: Option<Format>,
    pub title: Option<String>,
    pub outcome: Outcome,
    pub posting_id: Option<Uuid>,
    pub slug: Option<String>,
    pub status: Option<PostingStatus>,
    pub version: Option<i32>,
    /// Why it failed, which row it duplicates, or why it stayed a draft.
    pub detail: Option<String>,
}

impl ReportRow {
    /// How the report names this row: the document, and the entry when it holds several.
    pub fn reference(&self, entries_in_document: usize) -> String {
        if entries_in_document > 1 {
            format!("{}#{}", self.document, self.entry)
        } else {
            self.document.clone()
        }
    }
}

/// The report of one import.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub dry_run: bool,
    pub rows: Vec<ReportRow>,
}

/// How many rows had each outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub duplicate: usize,
    pub failed: usize,
}

impl ImportReport {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for row in &self.rows {
            *match row.outcome {
                Outcome::Created => &mut counts.created,
                Outcome::Updated => &mut counts.updated,
                Outcome::Unchanged => &mut counts.unchanged,
                Outcome::Duplicate => &mut counts.duplicate,
                Outcome::Failed => &mut counts.failed,
            } += 1;
        }
        counts
    }

    /// How many rows each document has.
    fn entries_per_document(&self) -> HashMap<&str, usize> {
        let mut entries = HashMap::new();
        for row in &self.rows {
            *entries.entry(row.document.as_str()).or_insert(0) += 1;
        }
        entries
    }

    /// The report as an aligned text table, with a closing line of counts.
    pub fn table(&self) -> String {
        let headers = ["DOCUMENT", "LINE", "OUTCOME", "STATUS", "TITLE", "DETAIL"];
        let entries = self.entries_per_document();
        let rows: Vec<[String; 6]> = self
            .rows
            .iter()
            .map(|row| {
                [
                    row.reference(entries[row.document.as_str()]),
                    row.line.map(|line| line.to_string()).unwrap_or_default(),
                    row.outcome.as_str().to_owned(),
                    row.status
                        .map(|status| format!("{status:?}").to_lowercase())
                        .unwrap_or_default(),
                    shorten(row.title.as_deref().unwrap_or_default(), 48),
                    row.detail.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let mut widths = headers.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: [&str; 6]| {
            let mut text = String::new();
            for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
                if index + 1 == cells.len() {
                    text.push_str(cell);
                } else {
                    let _ = write!(text, "{cell:<width$}  ");
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(headers);
        for row in &rows {
            line(row.each_ref().map(String::as_str));
        }
        let counts = self.counts();
        let _ = writeln!(
            out,
            "{}{} created, {} updated, {} unchanged, {} duplicates, {} failed",
            if self.dry_run {
                "dry run, nothing written: "
            } else {
                ""
            },
            counts.created,
            counts.updated,
            counts.unchanged,
            counts.duplicate,
            counts.failed
        );
        out
    }
}

fn shorten(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(most - 1).collect();
        short.push('…');
        short
    }
}
