//! Where a search's words are in a posting, for `PostingEdge.highlights`: offsets, never
//! markup, so a client renders them without ever parsing HTML it did not write.

use async_graphql::{Enum, SimpleObject};

use crate::service::search::highlight::{self, HighlightField};

/// Which text of a posting a highlight is in.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "HighlightField")]
pub enum HighlightFieldKind {
    /// `Posting.title`.
    Title,
    /// `Posting.summary`.
    Summary,
    /// One paragraph or item of `Posting.description`.
    Description,
}

/// A run of matched characters in a highlight's `text`.
#[derive(SimpleObject, Clone, Debug)]
pub struct TextRange {
    /// Where the run starts, in Unicode code points from the start of `text` (not bytes,
    /// not UTF-16 units: in JavaScript, index `Array.from(text)`).
    pub start: i32,
    /// How many Unicode code points the run holds.
    pub length: i32,
}

/// A text of a posting that holds words of the search, and where they are.
#[derive(SimpleObject, Clone, Debug)]
pub struct Highlight {
    /// Which text this is.
    pub field: HighlightFieldKind,
    /// The text, exactly as stored (plain text: escape it when writing HTML).
    pub text: String,
    /// The matched words, in order, never overlapping.
    pub matches: Vec<TextRange>,
}

/// What a posting edge adds to its cursor and node.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PostingEdgeFields {
    /// With `filter.query`: the title, when it holds a word of the search, then the passage
    /// (the summary, or a paragraph or item of the description) holding most of them. Empty
    /// without a query.
    pub highlights: Vec<Highlight>,
}

impl From<highlight::Highlight> for Highlight {
    fn from(found: highlight::Highlight) -> Self {
        let clamp = |value: usize| i32::try_from(value).unwrap_or(i32::MAX);
        Highlight {
            field: match found.field {
                HighlightField::Title => HighlightFieldKind::Title,
                HighlightField::Summary => HighlightFieldKind::Summary,
                HighlightField::Description => HighlightFieldKind::Description,
            },
            text: found.text,
            matches: found
                .matches
                .into_iter()
                .map(|(start, length)| TextRange {
                    start: clamp(start),
                    length: clamp(length),
                })
                .collect(),
        }
    }
}
