//! One posting page, as lines of text, made a posting: its title, the teaser it repeats, its
//! label lines ("Department", "Locations"), its sections with their headings (the source's
//! own, and label lines such as "Meritorious:"), the duties of its duty sections and the
//! requirements of its candidate-profile sections, one per item. Page chrome (apply buttons,
//! share links, cookie notices, `#LI-xx` tags, "Visa mer") is left out, and prose is never
//! split into requirements.

use chrono::NaiveDate;
use entity::sections::DescriptionSection;

use super::location::{self, ImportedLocation};
use super::requirement::{self, ImportedRequirement};
use super::{ExtractError, ImportedPosting, wording};

/// What a line of the page is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Text,
    /// Marked as a heading by the source (HTML bold-only lines, `<h1>`–`<h6>`).
    Heading,
    /// A bullet item (`-`, `·`, `•`, `*`, `<li>`).
    Item,
    /// An empty line, where the source has them.
    Blank,
}

/// One line of a page and where it starts in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub number: usize,
    pub mark: Mark,
}

impl Line {
    /// The lines of plain text, numbered from `first`; bullets marked as items.
    pub fn of_text(text: &str, first: usize) -> Vec<Line> {
        text.lines()
            .enumerate()
            .map(|(at, line)| Line::plain(line, first + at))
            .collect()
    }

    /// One line of plain text; a bullet marks an item.
    pub fn plain(line: &str, number: usize) -> Line {
        let trimmed = line.trim_matches(|c: char| c.is_whitespace());
        if trimmed.is_empty() {
            return Line {
                text: String::new(),
                number,
                mark: Mark::Blank,
            };
        }
        for marker in ["- ", "· ", "• ", "* ", "– ", "▪ ", "○ "] {
            if let Some(item) = trimmed.strip_prefix(marker) {
                return Line {
                    text: item.to_owned(),
                    number,
                    mark: Mark::Item,
                };
            }
        }
        Line {
            text: trimmed.to_owned(),
            number,
            mark: Mark::Text,
        }
    }
}

/// What the document around a page says about it.
#[derive(Clone, Debug)]
pub struct PageContext {
    pub source_key: String,
    pub source_url: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub locations: Vec<ImportedLocation>,
    pub posted_on: Option<NaiveDate>,
    pub occupation: Option<String>,
    pub today: NaiveDate,
}

/// Headings pages use, lower case with straight apostrophes; the ones of several words are
/// also found run into the paragraph they head ("The Ideal Candidate You possess…").
const HEADINGS: [&str; 66] = [
    "let us describe the challenge we offer",
    "what you'll do",
    "what you will do",
    "what you'll be doing",
    "who you are",
    "who we are",
    "the opportunity",
    "the responsibilities",
    "responsibilities",
    "key responsibilities",
    "your responsibilities",
    "main responsibilities",
    "the ideal candidate",
    "ideal candidate",
    "the process",
    "what we offer",
    "we offer",
    "our offer",
    "what's in it for you",
    "benefits",
    "about the role",
    "about you",
    "about the team",
    "about us",
    "your profile",
    "the role",
    "your role",
    "job description",
    "requirements",
    "job requirements",
    "qualifications",
    "skills",
    "what you bring",
    "what we're looking for",
    "what we are looking for",
    "who we're looking for",
    "nice to have",
    "vi söker dig som",
    "om dig",
    "din profil",
    "dina arbetsuppgifter",
    "arbetsuppgifter",
    "om tjänsten",
    "om rollen",
    "kvalifikationer",
    "meriterande",
    "vi erbjuder",
    "ansökan",
    "övrigt",
    "om oss",
    "krav",
    "önskvärt",
    "required",
    "desired",
    "preferred",
    "meritorious",
    "must have",
    "bonus",
    "bonus points",
    "plus",
    "essential duties",
    "duties",
    "the team",
    "our team",
    "your team",
    "the position",
];

/// Label words of a candidate profile's groups: a heading that is one of them continues the
/// profile ("Required", then "Desired").
const GROUP_LABELS: [&str; 12] = [
    "required",
    "desired",
    "preferred",
    "meritorious",
    "must have",
    "nice to have",
    "bonus",
    "bonus points",
    "plus",
    "meriterande",
    "önskvärt",
    "krav",
];

const DUTIES: [&str; 17] = [
    "what you'll do",
    "what youll do",
    "what you will do",
    "what you'll be doing",
    "responsibilit",
    "duties",
    "your role",
    "key tasks",
    "tasks",
    "arbetsuppgift",
    "dina uppgifter",
    "i rollen",
    "your mission",
    "in this role",
    "your day",
    "what you will work",
    "what you'll work",
];

const PROFILE: [&str; 26] = [
    "who you are",
    "ideal candidate",
    "requirement",
    "qualification",
    "your profile",
    "about you",
    "what you bring",
    "looking for",
    "skills",
    "competenc",
    "must have",
    "nice to have",
    "experience",
    "profil",
    "kvalifikation",
    "krav",
    "vi söker dig",
    "om dig",
    "din bakgrund",
    "du har",
    "you have",
    "your background",
    "what you need",
    "capabilities",
    "meriterande",
    "meritorious",
];

/// Lines that are the page's, not the posting's.
const CHROME: [&str; 22] = [
    "apply",
    "apply now",
    "ansök",
    "ansök nu",
    "share",
    "dela",
    "share this job",
    "save",
    "save job",
    "spara",
    "back to jobs",
    "visa mer",
    "visa mindre",
    "show more",
    "show less",
    "read more",
    "läs mer",
    "loading application form",
    "print",
    "skriv ut",
    "tillbaka",
    "apply for this job",
];
const CHROME_STARTS: [&str; 8] = [
    "already working at",
    "let's recruit together",
    "skip to",
    "sign in",
    "logga in",
    "follow us",
    "följ oss",
    "share on",
];

/// Label lines and what they fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Department,
    Locations,
    Employment,
    Occupation,
    Deadline,
    Posted,
}

fn label(key: &str) -> Option<Label> {
    Some(
        match key
            .trim()
            .trim_end_matches(':')
            .trim()
            .to_lowercase()
            .as_str()
        {
            "department" | "avdelning" | "team" | "business area" => Label::Department,
            "locations" | "location" | "ort" | "plats" | "placering" | "arbetsort" | "city"
            | "kommun" => Label::Locations,
            "employment type" | "anställningsform" | "omfattning" | "job type"
            | "type of employment" | "anställningstyp" => Label::Employment,
            "occupation" | "yrke" | "yrkesroll" | "job category" | "category" => Label::Occupation,
            "sista ansökningsdag"
            | "apply by"
            | "application deadline"
            | "last day to apply"
            | "valid through" => Label::Deadline,
            "posted" | "publicerad" | "date posted" | "posted on" => Label::Posted,
            _ => return None,
        },
    )
}

/// Lower case, straight apostrophes, no trailing colon.
fn key(text: &str) -> String {
    text.trim()
        .trim_end_matches(':')
        .trim()
        .to_lowercase()
        .replace(['’', '‘'], "'")
}

fn is_chrome(text: &str) -> bool {
    let lower = key(text);
    CHROME.contains(&lower.as_str())
        || CHROME_STARTS.iter().any(|start| lower.starts_with(start))
        || (lower.contains("cookie")
            && [
                "accept",
                "consent",
                "use cookies",
                "använder cookies",
                "kakor",
            ]
            .iter()
            .any(|word| lower.contains(word)))
}

/// The text with non-breaking spaces made spaces, runs of spaces collapsed, `#LI-xx` tags and
/// trailing "Visa mer"/"Visa mindre" dropped.
fn tidy(text: &str) -> String {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace())
        .map(|word| word.find("#LI-").map_or(word, |at| &word[..at]))
        .filter(|word| !word.is_empty())
        .collect();
    let mut text = words.join(" ");
    for tail in ["Visa mindre", "Visa mer", "Show more", "Show less"] {
        if let Some(rest) = text.strip_suffix(tail) {
            text = rest
                .trim_end()
                .trim_end_matches("...")
                .trim_end()
                .to_owned();
        }
    }
    text
}

fn ends_sentence(text: &str) -> bool {
    text.ends_with(['.', '!', '?', ',', ';', ')'])
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

fn starts_upper(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_uppercase)
}

/// A short line that does not end a sentence, as a list's items and headings are.
fn is_short_phrase(line: &Line) -> bool {
    line.mark == Mark::Text && words(&line.text) <= 6 && !ends_sentence(&line.text)
}

/// Where a heading run into its paragraph ends: "The Ideal Candidate You possess" gives the
/// length of "The Ideal Candidate".
fn run_in_heading(text: &str) -> Option<usize> {
    let lower = key(text);
    for heading in HEADINGS.iter().filter(|heading| heading.contains(' ')) {
        if !lower.starts_with(heading) {
            continue;
        }
        let length: usize = text
            .chars()
            .take(heading.chars().count())
            .map(char::len_utf8)
            .sum();
        let rest = text[length..].trim_start();
        let opener = rest
            .split(|c: char| !c.is_alphabetic() && c != '\'' && c != '’')
            .next()
            .unwrap_or_default();
        // "The Process Owner we are looking for" is a sentence, not a heading run into one: a
        // run-in heading of no particular kind must be followed by a sentence's opening word.
        let sentence_follows = SENTENCE_OPENERS.contains(&opener)
            || DUTIES
                .iter()
                .chain(&PROFILE)
                .any(|kind| heading.contains(kind));
        if starts_upper(rest) && words(rest) >= 3 && sentence_follows {
            return Some(length);
        }
    }
    None
}

/// Words a sentence after a run-in heading starts with.
const SENTENCE_OPENERS: [&str; 24] = [
    "We", "We're", "We’re", "You", "You'll", "You’ll", "As", "In", "At", "The", "Our", "This",
    "If", "With", "A", "An", "Are", "Do", "Join", "Working", "Being", "To", "Your", "Vi",
];

/// Whether the line heads a section, given its neighbours.
/// Inside a list without bullets (`in_list`) a short line is an item, unless bullets follow it.
fn is_heading(line: &Line, previous: Option<&Line>, next: Option<&Line>, in_list: bool) -> bool {
    let text = &line.text;
    match line.mark {
        Mark::Heading => return text.chars().count() <= 120,
        Mark::Item | Mark::Blank => return false,
        Mark::Text => {}
    }
    let lower = key(text);
    if HEADINGS.contains(&lower.trim_end_matches('.')) {
        return true;
    }
    if text.ends_with(':') && words(text) <= 8 && text.matches(':').count() == 1 {
        return true;
    }
    if (lower.starts_with("about ") || lower.starts_with("om "))
        && words(text) <= 4
        && !ends_sentence(text)
    {
        return true;
    }
    let Some(next) = next.filter(|next| next.mark != Mark::Blank) else {
        return false;
    };
    if in_list
        && next.mark != Mark::Item
        && previous.is_some_and(|p| p.mark == Mark::Text && is_list_line(&p.text))
    {
        return false;
    }
    words(text) <= 6
        && text.chars().count() <= 50
        && !ends_sentence(text)
        && !text.contains(':')
        && starts_upper(text)
        && (next.mark == Mark::Item
            || next.mark == Mark::Text && next.text.chars().count() > text.chars().count() + 20)
        && !previous.is_some_and(is_short_phrase)
}

/// What a section is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Profile,
    Duties,
    Other,
}

impl Draft {
    /// A duty or profile section listing items without bullets.
    fn is_open_list(&self) -> bool {
        self.kind != Kind::Other
            && self.lines.iter().any(|line| line.mark != Mark::Blank)
            && !self.lines.iter().any(|line| line.mark == Mark::Item)
    }

    /// A duty or profile heading with nothing under it yet: what follows are its sub-sections.
    fn is_parent(&self) -> bool {
        self.kind != Kind::Other
            && (self.inherited
                || self.intro.is_none() && self.lines.iter().all(|line| line.mark == Mark::Blank))
    }
}

fn kind_of(heading: &str) -> Kind {
    let lower = key(heading);
    if GROUP_LABELS.contains(&lower.as_str()) {
        return Kind::Profile;
    }
    if DUTIES.iter().any(|word| lower.contains(word)) {
        Kind::Duties
    } else if PROFILE.iter().any(|word| lower.contains(word)) {
        Kind::Profile
    } else {
        Kind::Other
    }
}

/// Sentences in a line: breaks after `.`, `!` or `?` before a capital.
fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    1 + chars
        .windows(3)
        .filter(|w| matches!(w[0], '.' | '!' | '?') && w[1] == ' ' && w[2].is_uppercase())
        .count()
}

/// Openings of prose, not of a list item, when the line is long.
const PROSE_OPENINGS: [&str; 21] = [
    "this position",
    "for this role",
    "you have a",
    "you are ",
    "polestar ",
    "on a personal level",
    "we ",
    "our ",
    "as a ",
    "as the ",
    "at ",
    "in this role",
    "this role",
    "the ideal",
    "if you",
    "is this you",
    "to be successful",
    "you will",
    "you'll",
    "join ",
    "you possess",
];

/// Whether a line of a section without bullets is one of its items rather than prose: one or
/// two sentences, no question, not a lead-in ending with a colon ("we believe you have:"),
/// and not prose's usual
/// opening on a long line (a duty may start "You will" when it is one sentence).
fn is_list_line(text: &str) -> bool {
    let length = text.chars().count();
    let lower = key(text);
    let prose_opening = PROSE_OPENINGS
        .iter()
        .any(|opening| lower.starts_with(opening))
        && !(sentences(text) == 1
            && (lower.starts_with("you will") || lower.starts_with("you'll")));
    length <= 300
        && sentences(text) <= 2
        && !text.contains('?')
        && !text.trim_end().ends_with(':')
        && !(length > 120 && prose_opening)
}

/// A line of labelled items run together, "Own reporting – Prepare reports. Ensure compliance
/// – Maintain controls.", split into its items; `None` when the line is not one.
fn labelled_run(text: &str) -> Option<Vec<String>> {
    let is_label = |part: &str| {
        part.split_once(" – ").is_some_and(|(label, rest)| {
            words(label) <= 5 && starts_upper(label) && !rest.is_empty()
        })
    };
    let parts: Vec<&str> = text.split(". ").collect();
    let mut items: Vec<String> = Vec::new();
    for part in parts {
        if is_label(part) {
            items.push(part.to_owned());
        } else if let Some(last) = items.last_mut() {
            last.push_str(". ");
            last.push_str(part);
        } else {
            return None;
        }
    }
    (items.len() >= 2).then(|| {
        items
            .into_iter()
            .map(|item| {
                let item = item.trim_end_matches('.');
                format!("{item}.")
            })
            .collect()
    })
}

/// A section being read.
struct Draft {
    heading: Option<String>,
    kind: Kind,
    optional: bool,
    /// Whether its kind is its parent's: a sub-heading under "Key Responsibilities:".
    inherited: bool,
    /// The paragraph a run-in heading headed, prose by definition.
    intro: Option<String>,
    lines: Vec<Line>,
}

/// The posting a page holds.
pub fn posting(lines: Vec<Line>, context: PageContext) -> Result<ImportedPosting, ExtractError> {
    let mut lines: Vec<Line> = lines
        .into_iter()
        .filter_map(|line| {
            let text = tidy(&line.text);
            if line.mark != Mark::Blank && (text.is_empty() || is_chrome(&text)) {
                return None;
            }
            Some(Line { text, ..line })
        })
        .collect();
    let first = lines.iter().position(|line| line.mark != Mark::Blank);
    let (title, title_line) = match (context.title.clone(), first) {
        (Some(title), Some(at)) => {
            let number = lines[at].number;
            if lines[at].text == title {
                lines.remove(at);
            }
            (title, number)
        }
        (Some(title), None) => (title, 1),
        (None, Some(at)) => {
            let line = lines.remove(at);
            (line.text, line.number)
        }
        (None, None) => return Err(ExtractError::whole("the page holds no text")),
    };
    let title = tidy(&title);
    if title.is_empty() {
        return Err(ExtractError::at(title_line, "the page has no title"));
    }
    // A page that shows the posting again at its end (title, teaser, apply form) ends there.
    if let Some(repeat) = lines.iter().skip(3).position(|line| line.text == title) {
        lines.truncate(repeat + 3);
    }

    let mut labels: Vec<(Label, String)> = Vec::new();
    let mut kept: Vec<Line> = Vec::with_capacity(lines.len());
    let mut at = 0;
    while at < lines.len() {
        let line = &lines[at];
        if line.mark != Mark::Blank && line.text.chars().count() <= 160 {
            if let Some((key, value)) = line.text.split_once(':')
                && let Some(found) = label(key)
                && !value.trim().is_empty()
            {
                labels.push((found, value.trim().to_owned()));
                at += 1;
                continue;
            }
            if let Some(found) = label(&line.text)
                && let Some(value) = lines.get(at + 1)
                && value.mark != Mark::Blank
                && label(&value.text).is_none()
                && value.text.chars().count() <= 300
            {
                labels.push((found, value.text.clone()));
                at += 2;
                continue;
            }
        }
        kept.push(line.clone());
        at += 1;
    }
    let mut lines = kept;
    let label_value = |wanted: Label| {
        labels
            .iter()
            .find(|(found, _)| *found == wanted)
            .map(|(_, value)| value.clone())
    };

    // The teaser under the title, when the page repeats it as the start of its text.
    let mut summary = None;
    if let Some(at) = lines.iter().position(|line| line.mark != Mark::Blank)
        && lines[at].mark == Mark::Text
    {
        let teaser = lines[at].text.clone();
        let repeated = teaser.chars().count() >= 40
            && lines[at + 1..]
                .iter()
                .any(|line| line.text.starts_with(teaser.trim_end_matches('.')));
        if repeated {
            summary = Some(teaser);
            lines.remove(at);
        }
    }

    // Sections.
    let mut drafts: Vec<Draft> = vec![Draft {
        heading: None,
        kind: Kind::Other,
        optional: false,
        inherited: false,
        intro: None,
        lines: Vec::new(),
    }];
    let mut company_from_page: Option<String> = None;
    let mut previous_heads = false;
    for at in 0..lines.len() {
        let line = &lines[at];
        // A heading is not a sibling in a list of short lines.
        let previous = at
            .checked_sub(1)
            .map(|before| &lines[before])
            .filter(|_| !previous_heads);
        let next = lines.get(at + 1);
        let run_in = (line.mark == Mark::Text)
            .then(|| run_in_heading(&line.text))
            .flatten();
        let (heading, intro) = if let Some(length) = run_in {
            (
                Some(line.text[..length].trim().to_owned()),
                Some(line.text[length..].trim().to_owned()),
            )
        } else if is_heading(
            line,
            previous,
            next,
            drafts.last().is_some_and(Draft::is_open_list),
        ) {
            (
                Some(line.text.trim_end_matches([':', '.']).trim().to_owned()),
                None,
            )
        } else {
            (None, None)
        };
        previous_heads = heading.is_some();
        let Some(heading) = heading else {
            if let Some(draft) = drafts.last_mut() {
                draft.lines.push(line.clone());
            }
            continue;
        };
        if let Some(name) = heading
            .strip_prefix("About ")
            .or_else(|| heading.strip_prefix("Om "))
            && words(name) <= 3
            && starts_upper(name)
            && !matches!(
                key(name).as_str(),
                "you" | "us" | "the role" | "the team" | "the job" | "dig" | "oss" | "tjänsten"
            )
        {
            company_from_page.get_or_insert_with(|| name.to_owned());
        }
        let mut kind = kind_of(&heading);
        let mut optional = kind == Kind::Profile && requirement::label_is_optional(&heading);
        let mut inherited = false;
        if kind == Kind::Other
            && let Some(parent) = drafts.last().filter(|draft| draft.is_parent())
        {
            kind = parent.kind;
            optional = parent.optional || requirement::label_is_optional(&heading);
            inherited = true;
        }
        drafts.push(Draft {
            optional,
            inherited,
            kind,
            heading: Some(heading),
            intro,
            lines: Vec::new(),
        });
    }
    // A closing "About <company>" blurb after the labels is the site's, not the posting's.
    if let Some(last) = drafts.last()
        && let Some(name) = &company_from_page
        && last
            .heading
            .as_deref()
            .is_some_and(|heading| heading.ends_with(name.as_str()))
        && last.lines.iter().filter(|l| l.mark != Mark::Blank).count() <= 2
        && !labels.is_empty()
    {
        drafts.pop();
    }

    let mut sections = Vec::new();
    let mut responsibilities = Vec::new();
    let mut requirements: Vec<ImportedRequirement> = Vec::new();
    for draft in drafts {
        let mut section = DescriptionSection {
            heading: draft.heading,
            ..Default::default()
        };
        section
            .paragraphs
            .extend(draft.intro.filter(|intro| !intro.is_empty()));
        let bulleted = draft.lines.iter().any(|line| line.mark == Mark::Item);
        let listed = draft.kind != Kind::Other;
        let mut list_closed = false;
        for line in &draft.lines {
            // Duties run together on one line ("Own reporting – Prepare reports. Ensure
            // compliance – …") are each a duty.
            if draft.kind == Kind::Duties
                && !bulleted
                && line.mark == Mark::Text
                && let Some(items) = labelled_run(&line.text)
            {
                responsibilities.extend(items.iter().cloned());
                section.items.extend(items);
                continue;
            }
            let item = match line.mark {
                Mark::Blank => {
                    list_closed |= !section.items.is_empty();
                    continue;
                }
                Mark::Item => true,
                Mark::Heading | Mark::Text if bulleted || !listed || list_closed => false,
                Mark::Heading | Mark::Text => is_list_line(&line.text),
            };
            if item {
                section.items.push(line.text.clone());
                match draft.kind {
                    Kind::Profile => {
                        requirements.push(requirement::from_item(&line.text, draft.optional))
                    }
                    Kind::Duties => responsibilities.push(line.text.clone()),
                    Kind::Other => {}
                }
            } else {
                section.paragraphs.push(line.text.clone());
            }
        }
        if section.heading.is_some() || !section.paragraphs.is_empty() || !section.items.is_empty()
        {
            sections.push(section);
        }
    }
    if sections
        .iter()
        .all(|s| s.paragraphs.is_empty() && s.items.is_empty())
    {
        return Err(ExtractError::at(
            title_line,
            "the page has a title but no text",
        ));
    }

    let body = body_text(&sections);
    let summary = summary.or_else(|| first_sentences(&sections));
    let employment = label_value(Label::Employment).unwrap_or_else(|| body.clone());
    let mut locations = label_value(Label::Locations)
        .map(|value| location::list(&value))
        .unwrap_or_default();
    if locations.is_empty() {
        locations = context.locations.clone();
    }
    if locations.is_empty() {
        locations = location::named_in(&body);
    }
    let company = context
        .company
        .clone()
        .or(company_from_page)
        .or_else(|| group_named(&body));
    Ok(ImportedPosting {
        company,
        source_key: context.source_key,
        source_url: context.source_url,
        title,
        summary,
        department: label_value(Label::Department),
        occupation: context.occupation.or(label_value(Label::Occupation)),
        locations,
        posted_on: context.posted_on.or_else(|| {
            label_value(Label::Posted).and_then(|value| wording::date(&value, context.today))
        }),
        valid_through: label_value(Label::Deadline)
            .and_then(|value| wording::date(&value, context.today)),
        employment_type: wording::employment_type(&employment),
        remote_policy: wording::remote_policy(&body),
        travel: wording::travel(&body),
        salary: body.lines().find_map(wording::salary),
        language: wording::language(&body).to_owned(),
        apply_url: None,
        sections,
        responsibilities,
        requirements,
        line: title_line,
    })
}

/// The group a page names again and again ("the Husqvarna Group goals"), for a page that names
/// its company nowhere else: "<Name> Group" at least twice.
fn group_named(body: &str) -> Option<String> {
    let words: Vec<&str> = body
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for pair in words.windows(2) {
        let name = pair[0].trim_matches(|c: char| !c.is_alphanumeric());
        if pair[1].trim_end_matches(|c: char| !c.is_alphanumeric()) == "Group"
            && starts_upper(name)
            && name.chars().count() > 2
            && !matches!(name, "The" | "Our" | "This" | "Business" | "Product")
        {
            match counts.iter_mut().find(|(known, _)| *known == name) {
                Some((_, count)) => *count += 1,
                None => counts.push((name, 1)),
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, count)| *count >= 2)
        .max_by_key(|(_, count)| *count)
        .map(|(name, _)| format!("{name} Group"))
}

/// Every paragraph and item of `sections`, a line each: what the wording rules read.
pub fn body_text(sections: &[DescriptionSection]) -> String {
    sections
        .iter()
        .flat_map(|s| s.paragraphs.iter().chain(&s.items))
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The opening of the first paragraph, up to 300 characters in whole sentences.
fn first_sentences(sections: &[DescriptionSection]) -> Option<String> {
    let paragraph = sections.iter().flat_map(|s| &s.paragraphs).next()?;
    if paragraph.chars().count() <= 300 {
        return Some(paragraph.clone());
    }
    let mut end = 0;
    for (at, c) in paragraph.char_indices() {
        if at > 300 {
            break;
        }
        if matches!(c, '.' | '!' | '?') {
            end = at + 1;
        }
    }
    (end > 0).then(|| paragraph[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::enums::{RemotePolicy, RequirementKind};

    fn context() -> PageContext {
        PageContext {
            source_key: "file:test.txt".to_owned(),
            source_url: None,
            company: None,
            title: None,
            locations: Vec::new(),
            posted_on: None,
            occupation: None,
            today: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        }
    }

    fn read(text: &str) -> ImportedPosting {
        posting(Line::of_text(text, 1), context()).unwrap()
    }

    #[test]
    fn headings_items_labels_and_chrome_are_told_apart() {
        let posting = read(
            "Backend Engineer\nYou will build our payment APIs in Rust, with a small team in Malmö and beyond.\nWe are a small company. You will build our payment APIs in Rust, with a small team in Malmö and beyond.\nWhat you'll do\n- Design services\n- Review code\nWho you are\n- 3+ years of Rust\n- Kubernetes is a plus\nApply now\n#LI-AB1\n- Department\n- Platform\n- Locations\n- Malmö, Sweden\nAbout Acme\nWe make things.\nBackend Engineer\nLoading application form",
        );
        assert_eq!(posting.title, "Backend Engineer");
        assert_eq!(posting.company.as_deref(), Some("Acme"));
        assert!(
            posting
                .summary
                .as_deref()
                .unwrap()
                .starts_with("You will build")
        );
        assert_eq!(posting.department.as_deref(), Some("Platform"));
        assert_eq!(posting.locations[0].city.as_deref(), Some("Malmö"));
        assert_eq!(posting.responsibilities, ["Design services", "Review code"]);
        assert_eq!(posting.requirements.len(), 2);
        assert_eq!(posting.requirements[0].years_min, Some(3));
        assert!(posting.requirements[0].required);
        assert!(!posting.requirements[1].required);
        let headings: Vec<_> = posting
            .sections
            .iter()
            .map(|s| s.heading.as_deref())
            .collect();
        assert_eq!(
            headings,
            [None, Some("What you'll do"), Some("Who you are")]
        );
        let all = format!("{:?}", posting.sections);
        for chrome in ["Apply now", "#LI", "Loading", "We make things"] {
            assert!(!all.contains(chrome), "{chrome} in {all}");
        }
    }

    #[test]
    fn swedish_pages_and_group_labels_are_read() {
        let posting = read(
            "Utvecklare\nVi söker en utvecklare som vill arbeta med oss på distans och bygga tjänster.\nVi söker dig som\n- har minst 3 års erfarenhet av Java\n- talar flytande svenska\nMeriterande:\n- Erfarenhet av Kotlin\n",
        );
        assert_eq!(posting.language, "sv");
        assert_eq!(posting.remote_policy, RemotePolicy::Remote);
        let rows: Vec<_> = posting
            .requirements
            .iter()
            .map(|r| (r.kind, r.required, r.years_min))
            .collect();
        assert_eq!(
            rows,
            [
                (RequirementKind::Experience, true, Some(3)),
                (RequirementKind::Language, true, None),
                (RequirementKind::Experience, false, None),
            ]
        );
        assert_eq!(posting.sections[2].heading.as_deref(), Some("Meriterande"));
    }

    #[test]
    fn lists_without_bullets_are_items_and_prose_is_not() {
        let posting = read(
            "Controller\nJoin us.\n\nThe Ideal Candidate You possess a confident personality and like numbers.\nA University degree in Finance or equivalent\nAt a minimum 7-10 years of relevant experience\nExperience in a US-listed environment is a plus.\n\nIs this you? Apply today. We review candidates on a rolling basis.\n",
        );
        let texts: Vec<_> = posting
            .requirements
            .iter()
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert_eq!(posting.requirements[1].years_max, Some(10));
        assert!(!posting.requirements[2].required);
        let section = &posting.sections[1];
        assert_eq!(section.heading.as_deref(), Some("The Ideal Candidate"));
        assert_eq!(
            section.paragraphs[0],
            "You possess a confident personality and like numbers."
        );
    }

    #[test]
    fn a_page_without_text_fails_with_its_line() {
        let error =
            posting(Line::of_text("\n\nJust a title\nApply now", 1), context()).unwrap_err();
        assert_eq!(error.line, Some(3));
    }
}
