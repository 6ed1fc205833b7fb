//! A job board's plain-text listing of one employer's jobs (as `goteborg-employer-listing.txt`):
//! a header naming the employer and city ("Lediga jobb <employer> i <city>"), then one entry
//! per job: its title, a metadata line (`Ansök`, the listed date, the employer, the occupation,
//! separated by non-breaking spaces) where the board has one, a teaser cut short with
//! "Visa mer", the full text, and "Visa mindre" where the entry ends.

use chrono::NaiveDate;

use super::location::{self, ImportedLocation};
use super::page::{self, Line, Mark, PageContext};
use super::{ExtractError, ImportedPosting, repost, wording};

/// Whether `text` reads as such a listing: entries ending with "Visa mindre".
pub fn looks_like(text: &str) -> bool {
    text.lines()
        .filter(|line| line.trim_end().ends_with("Visa mindre"))
        .count()
        >= 2
        || text.trim_start().starts_with("Lediga jobb")
}

/// Every entry of the listing, each one posting (or its failure, with its line).
pub fn postings(
    text: &str,
    name: &str,
    today: NaiveDate,
) -> Vec<Result<ImportedPosting, ExtractError>> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(at, l)| (at + 1, l))
        .collect();
    let mut at = 0;
    let mut employer: Option<String> = None;
    let mut city: Vec<ImportedLocation> = Vec::new();
    // The header: "Lediga jobb <employer> i <city>" and the paragraph under it.
    if let Some(&(_, first)) = lines.iter().find(|(_, l)| !l.trim().is_empty())
        && let Some(rest) = first.trim().strip_prefix("Lediga jobb ")
    {
        let (who, place) = match rest.rsplit_once(" i ") {
            Some((who, place)) => (who, Some(place)),
            None => (rest, None),
        };
        employer = Some(who.trim().to_owned());
        city = place.map(location::list).unwrap_or_default();
        at = lines
            .iter()
            .position(|(_, l)| l.trim() == first.trim())
            .map_or(0, |p| p + 1);
        while at < lines.len() && lines[at].1.trim().is_empty() {
            at += 1;
        }
        if lines
            .get(at)
            .is_some_and(|(_, l)| l.trim_start().starts_with("Se alla"))
        {
            at += 1;
        }
    }
    let mut entries: Vec<&[(usize, &str)]> = Vec::new();
    let mut start = at;
    for index in at..lines.len() {
        if lines[index].1.trim_end().ends_with("Visa mindre") {
            entries.push(&lines[start..=index]);
            start = index + 1;
        }
    }
    if lines[start..].iter().any(|(_, l)| !l.trim().is_empty()) {
        entries.push(&lines[start..]);
    }

    let mut keys: Vec<(String, ImportedPosting)> = Vec::new();
    let mut out = Vec::new();
    for entry in entries {
        let result =
            entry_posting(entry, name, employer.as_deref(), &city, today).map(|mut posting| {
                // Reposts keep the key of the job they repeat; another job under the same
                // title gets the next number.
                let base = format!(
                    "file:{name}#{}",
                    crate::service::validate::slugify(&posting.title)
                );
                let same_title: Vec<&(String, ImportedPosting)> = keys
                    .iter()
                    .filter(|(key, _)| key == &base || key.starts_with(&format!("{base}~")))
                    .collect();
                posting.source_key = match same_title
                    .iter()
                    .find(|(_, earlier)| repost::is_repost(earlier, &posting))
                {
                    Some((key, _)) => key.clone(),
                    None if same_title.is_empty() => base,
                    None => format!("{base}~{}", same_title.len() + 1),
                };
                keys.push((posting.source_key.clone(), posting.clone()));
                posting
            });
        out.push(result);
    }
    out
}

fn entry_posting(
    entry: &[(usize, &str)],
    name: &str,
    employer: Option<&str>,
    city: &[ImportedLocation],
    today: NaiveDate,
) -> Result<ImportedPosting, ExtractError> {
    let mut rest = entry
        .iter()
        .skip_while(|(_, line)| line.trim().is_empty())
        .peekable();
    let Some(&(title_line, title)) = rest.next() else {
        return Err(ExtractError::whole("an empty entry"));
    };
    let mut posted_on = None;
    let mut occupation = None;
    let mut company = employer.map(str::to_owned);
    let mut lines: Vec<Line> = Vec::new();
    let mut teaser_dropped = false;
    for &(number, line) in rest {
        let trimmed = line.trim();
        if lines.iter().all(|l| l.mark == Mark::Blank) && trimmed.starts_with("Ansök") {
            let fields: Vec<&str> = trimmed
                .split('\u{A0}')
                .map(str::trim)
                .filter(|field| !field.is_empty())
                .collect();
            posted_on = fields.get(1).and_then(|date| wording::date(date, today));
            if let Some(who) = fields.get(2) {
                company = Some((*who).to_owned());
            }
            occupation = fields.get(3).map(|o| (*o).to_owned());
            continue;
        }
        if !teaser_dropped && (trimmed.ends_with("Visa\u{A0}mer") || trimmed.ends_with("Visa mer"))
        {
            teaser_dropped = true;
            continue;
        }
        lines.push(Line::plain(line, number));
    }
    let title = title.trim().to_owned();
    let mut posting = page::posting(
        lines,
        PageContext {
            source_key: format!("file:{name}"),
            source_url: None,
            company,
            title: Some(title),
            locations: city.to_vec(),
            posted_on,
            occupation,
            today,
        },
    )
    .map_err(|error| ExtractError {
        line: error.line.or(Some(title_line)),
        ..error
    })?;
    posting.line = title_line;
    Ok(posting)
}
