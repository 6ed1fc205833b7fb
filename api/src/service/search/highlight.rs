//! Where a query's words are in a posting: for its title and its best-matching passage (the
//! summary, or the description paragraph or item with most matched words), the matched words
//! as offsets in Unicode code points of the text. Never markup: clients render them.

use entity::posting;

use super::analyzer::{Analyzer, Stemming};
use super::query::Branch;

/// Which text of a posting a highlight is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightField {
    Title,
    Summary,
    Description,
}

/// A text of a posting and where in it the query's words are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub field: HighlightField,
    pub text: String,
    /// `(start, length)` in Unicode code points of `text`, in order, never overlapping.
    pub matches: Vec<(usize, usize)>,
}

/// The highlights of `posting` for a query analyzed into `branches`: the title when it holds
/// a matched word, then the best passage when one holds any.
pub fn highlights(posting: &posting::Model, branches: &[Branch]) -> Vec<Highlight> {
    let stemming = Stemming::of_language(&posting.language);
    let Some(branch) = branches.iter().find(|branch| branch.stemming == stemming) else {
        return Vec::new();
    };
    let wanted = branch.wanted_terms();
    if wanted.is_empty() {
        return Vec::new();
    }
    let analyzer = Analyzer::new(stemming);
    let find = |text: &str| -> Vec<(usize, usize)> {
        analyzer
            .words(text)
            .into_iter()
            .filter(|word| {
                word.term
                    .as_deref()
                    .is_some_and(|term| wanted.contains(&term))
            })
            .map(|word| (word.start, word.length))
            .collect()
    };
    let mut found = Vec::new();
    let title = find(&posting.title);
    if !title.is_empty() {
        found.push(Highlight {
            field: HighlightField::Title,
            text: posting.title.clone(),
            matches: title,
        });
    }
    let passages = posting
        .summary
        .iter()
        .map(|summary| (HighlightField::Summary, summary.as_str()))
        .chain(posting.description.0.iter().flat_map(|section| {
            section
                .paragraphs
                .iter()
                .chain(&section.items)
                .map(|text| (HighlightField::Description, text.as_str()))
        }));
    let mut best: Option<Highlight> = None;
    for (field, text) in passages {
        let matches = find(text);
        if matches.len() > best.as_ref().map_or(0, |best| best.matches.len()) {
            best = Some(Highlight {
                field,
                text: text.to_owned(),
                matches,
            });
        }
    }
    found.extend(best);
    found
}
