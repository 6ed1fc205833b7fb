//! Reposts: the same job listed again, under the same title with the same or nearly the same
//! text. A batch imports it once.

use std::collections::{HashMap, HashSet};

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

/// The postings of a batch read so far that repost none before them, indexed so that each
/// new one is checked against those sharing its source or its title only.
#[derive(Debug, Default)]
pub struct Originals {
    by_source: HashMap<(String, Option<String>), usize>,
    by_title: HashMap<(String, Option<String>), Vec<usize>>,
}

impl Originals {
    /// The earliest original that `posting` (number `index` of the batch, read after every
    /// one before it) reposts: one with the same source and company, or one [`is_repost`]
    /// says it repeats. `None` makes it an original itself. `batch` holds the postings read
    /// so far, by number.
    pub fn of(
        &mut self,
        index: usize,
        posting: &ImportedPosting,
        batch: &[Option<ImportedPosting>],
    ) -> Option<usize> {
        let source = (posting.source_key.clone(), posting.company.clone());
        let title = (
            posting.title.to_ascii_lowercase(),
            posting.company.as_deref().map(str::to_lowercase),
        );
        let same_source = self.by_source.get(&source).copied();
        let same_text = self.by_title.get(&title).and_then(|earlier| {
            earlier.iter().copied().find(|&earlier| {
                batch
                    .get(earlier)
                    .and_then(Option::as_ref)
                    .is_some_and(|first| is_repost(first, posting))
            })
        });
        let original = match (same_source, same_text) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if original.is_none() {
            self.by_source.entry(source).or_insert(index);
            self.by_title.entry(title).or_default().push(index);
        }
        original
    }
}

/// For each posting of a batch, the index of the earliest posting before it (itself no
/// repost) that it reposts, if any (see [`Originals::of`]).
pub fn originals(postings: &[Option<ImportedPosting>]) -> Vec<Option<usize>> {
    let mut originals = Originals::default();
    postings
        .iter()
        .enumerate()
        .map(|(index, posting)| {
            posting
                .as_ref()
                .and_then(|posting| originals.of(index, posting, postings))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::{EmploymentType, RemotePolicy};
    use entity::sections::DescriptionSection;

    fn posting(key: &str, company: &str, title: &str, text: &str) -> ImportedPosting {
        ImportedPosting {
            company: Some(company.to_owned()),
            source_key: key.to_owned(),
            source_url: None,
            title: title.to_owned(),
            summary: None,
            department: None,
            occupation: None,
            locations: Vec::new(),
            posted_on: None,
            valid_through: None,
            employment_type: EmploymentType::FullTime,
            remote_policy: RemotePolicy::Onsite,
            travel: None,
            salary: None,
            language: "en".to_owned(),
            apply_url: None,
            sections: vec![DescriptionSection {
                heading: None,
                paragraphs: vec![text.to_owned()],
                items: Vec::new(),
            }],
            responsibilities: Vec::new(),
            requirements: Vec::new(),
            line: 1,
        }
    }

    #[test]
    fn a_repost_points_at_the_earliest_original() {
        let text = "weld the hulls of ships in the harbour every day of the week";
        let batch = [
            posting("a", "Yard", "Welder", text),
            posting("b", "Yard", "Painter", "paint the hulls"),
            posting("c", "yard", "WELDER", &format!("{text} now")),
            posting("a", "Yard", "Fitter", "fit the engines"),
            posting("d", "Other", "Welder", text),
            posting("e", "Yard", "Welder", "nothing in common at all here"),
            posting("f", "Yard", "Welder", &format!("{text} again")),
        ];
        let batch: Vec<Option<ImportedPosting>> = batch.into_iter().map(Some).collect();
        assert_eq!(
            originals(&batch),
            vec![None, None, Some(0), Some(0), None, None, Some(0)]
        );
    }

    #[test]
    fn a_posting_that_could_not_be_read_is_no_ones_original() {
        let first = posting("a", "Yard", "Welder", "weld");
        let again = posting("a", "Yard", "Welder", "weld");
        assert_eq!(
            originals(&[None, Some(first), Some(again)]),
            vec![None, None, Some(1)]
        );
    }
}
