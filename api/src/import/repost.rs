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

/// For each posting of a batch, the index of the earliest posting before it (itself no
/// repost) that it reposts, if any: one with the same source and company, or one
/// [`is_repost`] says it repeats. Linear in the batch, but for postings sharing a title.
pub fn originals(postings: &[Option<&ImportedPosting>]) -> Vec<Option<usize>> {
    let mut out = vec![None; postings.len()];
    let mut by_source: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    let mut by_title: HashMap<(String, Option<String>), Vec<usize>> = HashMap::new();
    for (later, posting) in postings.iter().enumerate() {
        let Some(posting) = posting else { continue };
        let source = (posting.source_key.as_str(), posting.company.as_deref());
        let title = (
            posting.title.to_ascii_lowercase(),
            posting.company.as_deref().map(str::to_lowercase),
        );
        let same_source = by_source.get(&source).copied();
        let same_text = by_title.get(&title).and_then(|earlier| {
            earlier
                .iter()
                .copied()
                .find(|&earlier| postings[earlier].is_some_and(|first| is_repost(first, posting)))
        });
        out[later] = match (same_source, same_text) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if out[later].is_none() {
            by_source.entry(source).or_insert(later);
            by_title.entry(title).or_default().push(later);
        }
    }
    out
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
        let refs: Vec<Option<&ImportedPosting>> = batch.iter().map(Some).collect();
        assert_eq!(
            originals(&refs),
            vec![None, None, Some(0), Some(0), None, None, Some(0)]
        );
    }

    #[test]
    fn a_posting_that_could_not_be_read_is_no_ones_original() {
        let first = posting("a", "Yard", "Welder", "weld");
        let again = posting("a", "Yard", "Welder", "weld");
        assert_eq!(
            originals(&[None, Some(&first), Some(&again)]),
            vec![None, None, Some(1)]
        );
    }
}
