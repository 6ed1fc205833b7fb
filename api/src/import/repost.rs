//! Reposts: the same job listed again, under the same title with the same or nearly the same
//! text. A batch imports it once.

use std::collections::HashSet;

use super::ImportedPosting;

/// How much of the shorter text's words the longer must hold for the two to be one job: a
/// repost may add a paragraph of boilerplate, or mend a typo.
const SAME_JOB: f64 = 0.9;

fn words(posting: &ImportedPosting) -> HashSet<String> {
    posting
        .sections
        .iter()
        .flat_map(|s| s.paragraphs.iter().chain(&s.items))
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `later` repeats `earlier`: the same company, the same title and nearly the same
/// text.
pub fn is_repost(earlier: &ImportedPosting, later: &ImportedPosting) -> bool {
    if !earlier.title.eq_ignore_ascii_case(&later.title)
        || earlier.company.as_deref().map(str::to_lowercase)
            != later.company.as_deref().map(str::to_lowercase)
    {
        return false;
    }
    let (a, b) = (words(earlier), words(later));
    let smaller = a.len().min(b.len());
    smaller == 0 || a.intersection(&b).count() as f64 / smaller as f64 >= SAME_JOB
}

/// For each posting of a batch, the index of the earlier one it reposts, if any.
pub fn originals(postings: &[Option<&ImportedPosting>]) -> Vec<Option<usize>> {
    let mut out = vec![None; postings.len()];
    for (later, posting) in postings.iter().enumerate() {
        let Some(posting) = posting else { continue };
        out[later] = (0..later).find(|&earlier| {
            out[earlier].is_none()
                && postings[earlier].is_some_and(|first| {
                    (first.source_key == posting.source_key && first.company == posting.company)
                        || is_repost(first, posting)
                })
        });
    }
    out
}
