//! What a posting's wording says about the job: years of experience asked, the listed date,
//! the remote policy, the kind of employment, travel and the language it is written in,
//! read in English and Swedish.

use chrono::{Datelike, NaiveDate};
use entity::enums::{EmploymentType, RemotePolicy, SalaryUnit};
use entity::salary::SalaryRange;

/// Text lower-cased with dashes made `-`, and `-`, `+` and brackets set apart as words.
fn words(text: &str) -> Vec<String> {
    let mut spaced = String::with_capacity(text.len() + 8);
    for c in text.to_lowercase().chars() {
        match c {
            '–' | '—' | '‑' | '-' => spaced.push_str(" - "),
            '+' => spaced.push_str(" + "),
            '(' | ')' | ',' | ';' | ':' | '[' | ']' | '/' => spaced.push(' '),
            c => spaced.push(c),
        }
    }
    spaced
        .split_whitespace()
        .map(|word| word.trim_end_matches(['.', '!', '?', '’', '\'']).to_owned())
        .filter(|word| !word.is_empty())
        .collect()
}

/// A number written in digits or as an English or Swedish word up to twenty.
fn number(word: &str) -> Option<i32> {
    if let Ok(n) = word.parse::<i32>() {
        return (0..=60).contains(&n).then_some(n);
    }
    const EN: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    const SV: [&str; 11] = [
        "noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio",
    ];
    EN.iter()
        .position(|&name| name == word)
        .or_else(|| SV.iter().position(|&name| name == word))
        .or_else(|| (word == "en").then_some(1))
        .map(|n| n as i32)
}

fn is_years(word: &str) -> bool {
    matches!(
        word,
        "year" | "years" | "yrs" | "år" | "års" | "åren" | "årig" | "åriga" | "years'"
    )
}

/// The years of experience a requirement asks for, as `(min, max)`: "5-10 years",
/// "5 – 7 years", "7+ years", "more than 3 years", "at least five years", "minst 3 års".
/// A bound the text states is the bound kept ("more than 3" is 3).
pub fn years(text: &str) -> Option<(Option<i32>, Option<i32>)> {
    let words = words(text);
    let at = |i: usize| words.get(i).map(String::as_str).unwrap_or_default();
    for i in 0..words.len() {
        let Some(n) = number(at(i)) else { continue };
        if matches!(at(i + 1), "-" | "to" | "till" | "och")
            && let Some(m) = number(at(i + 2))
            && is_years(at(i + 3))
            && m >= n
        {
            return Some((Some(n), Some(m)));
        }
        if at(i + 1) == "+" && is_years(at(i + 2)) {
            return Some((Some(n), None));
        }
        if is_years(at(i + 1)) && !matches!(at(i + 2), "old" | "gammal" | "ago" | "sedan") {
            let before = |back: usize| {
                i.checked_sub(back)
                    .map(|j| at(j).to_owned())
                    .unwrap_or_default()
            };
            let upper =
                matches!(before(1).as_str(), "max" | "maximum" | "högst") || before(2) == "up";
            return Some(if upper {
                (None, Some(n))
            } else {
                (Some(n), None)
            });
        }
    }
    None
}

fn month(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    let months: [&[&str]; 12] = [
        &["jan", "january", "januari"],
        &["feb", "february", "februari"],
        &["mar", "mars", "march"],
        &["apr", "april"],
        &["may", "maj"],
        &["jun", "june", "juni"],
        &["jul", "july", "juli"],
        &["aug", "august", "augusti"],
        &["sep", "sept", "september"],
        &["oct", "okt", "october", "oktober"],
        &["nov", "november"],
        &["dec", "december"],
    ];
    months
        .iter()
        .position(|names| names.contains(&word))
        .map(|at| at as u32 + 1)
}

/// A listed date: ISO `2026-08-19`, "Aug 19", "19 aug", "August 19, 2026", "19 augusti
/// 2026". Without a year it is the latest such day not after `today`.
pub fn date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d") {
        return Some(date);
    }
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect();
    let (month, day, year) = match words.as_slice() {
        [m, d, rest @ ..] if month(m).is_some() => (month(m)?, d.parse().ok()?, rest.first()),
        [d, m, rest @ ..] if month(m).is_some() => (month(m)?, d.parse().ok()?, rest.first()),
        _ => return None,
    };
    match year.and_then(|year| year.parse::<i32>().ok()) {
        Some(year) => NaiveDate::from_ymd_opt(year, month, day),
        None => {
            let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
            if this_year <= today {
                Some(this_year)
            } else {
                NaiveDate::from_ymd_opt(today.year() - 1, month, day)
            }
        }
    }
}

/// The remote policy the text describes: a hybrid model wins, then fully remote work, else
/// the job is on site.
pub fn remote_policy(text: &str) -> RemotePolicy {
    let lower = text.to_lowercase();
    if lower.contains("hybrid") {
        return RemotePolicy::Hybrid;
    }
    const REMOTE: [&str; 10] = [
        "remote basis",
        "fully remote",
        "remote position",
        "remote role",
        "remote-first",
        "work remotely",
        "100% remote",
        "remote job",
        "på distans",
        "distansarbete",
    ];
    if REMOTE.iter().any(|phrase| lower.contains(phrase)) {
        RemotePolicy::Remote
    } else {
        RemotePolicy::Onsite
    }
}

/// The kind of employment the text names; full time when it names none.
pub fn employment_type(text: &str) -> EmploymentType {
    let lower = text.to_lowercase();
    let any = |phrases: &[&str]| phrases.iter().any(|phrase| lower.contains(phrase));
    if any(&[
        "internship",
        "praktik",
        "thesis work",
        "exjobb",
        "examensarbete",
    ]) {
        EmploymentType::Intern
    } else if any(&[
        "temporary position",
        "temporary role",
        "fixed-term",
        "fixed term",
        "vikariat",
        "visstidsanställning",
        "tidsbegränsad",
    ]) {
        EmploymentType::Temporary
    } else if any(&["part-time", "part time", "deltid"]) {
        EmploymentType::PartTime
    } else if any(&[
        "contract position",
        "contract role",
        "contract basis",
        "freelance",
        "konsultuppdrag",
    ]) {
        EmploymentType::Contractor
    } else {
        EmploymentType::FullTime
    }
}

/// How much the job travels, as the text puts it in per cent: "travel (15-30%)" is "15–30 %",
/// "travel up to 20%" is "up to 20 %".
pub fn travel(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..]
        .find("travel")
        .or_else(|| lower[from..].find("resor"))
    {
        let at = from + found;
        from = at + 5;
        let window: String = lower[at..].chars().take(60).collect();
        let Some(percent) = window.find('%') else {
            continue;
        };
        let before = &window[..percent];
        let digits: Vec<&str> = before
            .split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty())
            .collect();
        let upper = before.contains("up to") || before.contains("upp till");
        return match digits.as_slice() {
            [.., low, high] if before.trim_end().ends_with(high) && before.contains(['-', '–']) => {
                Some(format!("{low}–{high} %"))
            }
            [.., only] if upper => Some(format!("up to {only} %")),
            [.., only] => Some(format!("{only} %")),
            [] => None,
        };
    }
    None
}

/// Currencies as pages write them, with their ISO 4217 code.
const CURRENCIES: [(&str, &str); 14] = [
    ("sek", "SEK"),
    ("kr", "SEK"),
    ("kronor", "SEK"),
    ("usd", "USD"),
    ("$", "USD"),
    ("eur", "EUR"),
    ("€", "EUR"),
    ("gbp", "GBP"),
    ("£", "GBP"),
    ("nok", "NOK"),
    ("dkk", "DKK"),
    ("chf", "CHF"),
    ("cad", "CAD"),
    ("aud", "AUD"),
];

/// Periods as pages write them.
const PERIODS: [(&str, SalaryUnit); 22] = [
    ("per hour", SalaryUnit::Hour),
    ("an hour", SalaryUnit::Hour),
    ("/hour", SalaryUnit::Hour),
    ("hourly", SalaryUnit::Hour),
    ("per timme", SalaryUnit::Hour),
    ("/tim", SalaryUnit::Hour),
    ("timlön", SalaryUnit::Hour),
    ("per day", SalaryUnit::Day),
    ("a day", SalaryUnit::Day),
    ("per dag", SalaryUnit::Day),
    ("per week", SalaryUnit::Week),
    ("a week", SalaryUnit::Week),
    ("per month", SalaryUnit::Month),
    ("a month", SalaryUnit::Month),
    ("/month", SalaryUnit::Month),
    ("monthly", SalaryUnit::Month),
    ("per månad", SalaryUnit::Month),
    ("/mån", SalaryUnit::Month),
    ("månadslön", SalaryUnit::Month),
    ("per year", SalaryUnit::Year),
    ("a year", SalaryUnit::Year),
    ("annual", SalaryUnit::Year),
];

/// The amounts of a line: "45 000", "45,000", "45000", "45k", "25.50" (in hundredths).
fn amounts(text: &str) -> Vec<i64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        if !chars[at].is_ascii_digit() || (at > 0 && chars[at - 1].is_alphanumeric()) {
            at += 1;
            continue;
        }
        let mut whole: i64 = 0;
        let mut cents: i64 = 0;
        while at < chars.len() {
            let c = chars[at];
            if c.is_ascii_digit() {
                whole = whole
                    .saturating_mul(10)
                    .saturating_add(i64::from(c as u8 - b'0'));
                at += 1;
            } else if matches!(c, ' ' | '\u{A0}' | ',' | '\u{202F}')
                && chars
                    .get(at + 1..at + 4)
                    .is_some_and(|next| next.iter().all(char::is_ascii_digit))
                && !chars.get(at + 4).is_some_and(char::is_ascii_digit)
            {
                at += 1;
            } else if c == '.'
                && chars
                    .get(at + 1..at + 3)
                    .is_some_and(|next| next.iter().all(char::is_ascii_digit))
                && !chars.get(at + 3).is_some_and(char::is_ascii_digit)
            {
                cents = i64::from(chars[at + 1] as u8 - b'0') * 10
                    + i64::from(chars[at + 2] as u8 - b'0');
                at += 3;
                break;
            } else {
                break;
            }
        }
        if chars.get(at).is_some_and(|c| matches!(c, 'k' | 'K'))
            && !chars.get(at + 1).is_some_and(|c| c.is_alphabetic())
        {
            whole = whole.saturating_mul(1000);
            at += 1;
        }
        out.push(whole.saturating_mul(100).saturating_add(cents));
    }
    out
}

/// The salary a line states: a currency, one or two amounts, and a period, all in the line
/// ("45 000 – 55 000 SEK per month", "$80,000 - $100,000 a year", "from 25.50 EUR an hour").
/// A line that lacks any of the three states none.
pub fn salary(text: &str) -> Option<SalaryRange> {
    let lower = text.to_lowercase();
    let currency = CURRENCIES.iter().find_map(|(name, code)| {
        let found = if name.chars().all(char::is_alphabetic) {
            lower
                .split(|c: char| !c.is_alphabetic())
                .any(|word| word == *name)
        } else {
            lower.contains(name)
        };
        found.then_some(*code)
    })?;
    let unit = PERIODS
        .iter()
        .find(|(name, _)| lower.contains(name))
        .map(|(_, unit)| *unit)?;
    let amounts: Vec<i64> = amounts(text).into_iter().filter(|&a| a >= 100).collect();
    let (min, max) = match amounts.as_slice() {
        [] => return None,
        [only] if lower.contains("up to") || lower.contains("upp till") => (None, Some(*only)),
        [only] => (Some(*only), None),
        [low, high, ..] if low <= high => (Some(*low), Some(*high)),
        [high, low, ..] => (Some(*low), Some(*high)),
    };
    Some(SalaryRange {
        min,
        max,
        currency: currency.to_owned(),
        unit,
    })
}

/// `sv` when the text reads as Swedish, else `en`.
pub fn language(text: &str) -> &'static str {
    const SV: [&str; 12] = [
        "och", "att", "är", "för", "du", "vi", "med", "som", "det", "på", "av", "har",
    ];
    const EN: [&str; 12] = [
        "the", "and", "to", "you", "we", "of", "with", "for", "is", "are", "our", "in",
    ];
    let (mut sv, mut en) = (0, 0);
    for word in text.split(|c: char| !c.is_alphabetic()) {
        let word = word.to_lowercase();
        sv += usize::from(SV.contains(&word.as_str()));
        en += usize::from(EN.contains(&word.as_str()));
    }
    if sv > en { "sv" } else { "en" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_read_in_every_wording() {
        assert_eq!(years("5-10 years of experience"), Some((Some(5), Some(10))));
        assert_eq!(years("5 – 7 years of experience"), Some((Some(5), Some(7))));
        assert_eq!(years("7+ years in sales"), Some((Some(7), None)));
        assert_eq!(years("more than 3 years"), Some((Some(3), None)));
        assert_eq!(years("At least five years of Rust"), Some((Some(5), None)));
        assert_eq!(years("minst 3 års erfarenhet"), Some((Some(3), None)));
        assert_eq!(years("Du har 2–4 års erfarenhet"), Some((Some(2), Some(4))));
        assert_eq!(years("up to 2 years"), Some((None, Some(2))));
        assert_eq!(years("12+ years’ experience"), Some((Some(12), None)));
        assert_eq!(
            years("A minimum of 10 years of experience"),
            Some((Some(10), None))
        );
        assert_eq!(years("A degree in physics"), None);
        assert_eq!(years("Since 2019 we have grown"), None);
    }

    #[test]
    fn dates_get_their_year_from_today() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(date("Aug 19", today), NaiveDate::from_ymd_opt(2026, 8, 19));
        assert_eq!(date("Maj 21", today), NaiveDate::from_ymd_opt(2026, 5, 21));
        assert_eq!(date("Dec 24", today), NaiveDate::from_ymd_opt(2025, 12, 24));
        assert_eq!(
            date("19 augusti 2024", today),
            NaiveDate::from_ymd_opt(2024, 8, 19)
        );
        assert_eq!(
            date("2026-03-01T10:00:00Z", today),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        );
        assert_eq!(date("Ansök", today), None);
    }

    #[test]
    fn salaries_need_a_currency_an_amount_and_a_period() {
        let range = |min, max, currency: &str, unit| {
            Some(SalaryRange {
                min,
                max,
                currency: currency.to_owned(),
                unit,
            })
        };
        assert_eq!(
            salary("Salary: 45 000 – 55 000 SEK per month"),
            range(Some(4_500_000), Some(5_500_000), "SEK", SalaryUnit::Month)
        );
        assert_eq!(
            salary("Pay range $80,000 - $100,000 a year"),
            range(Some(8_000_000), Some(10_000_000), "USD", SalaryUnit::Year)
        );
        assert_eq!(
            salary("From 25.50 EUR an hour"),
            range(Some(2_550), None, "EUR", SalaryUnit::Hour)
        );
        assert_eq!(
            salary("Lön: upp till 40 000 kr per månad"),
            range(None, Some(4_000_000), "SEK", SalaryUnit::Month)
        );
        assert_eq!(salary("We grew 45 000 units a year"), None);
        assert_eq!(salary("Competitive salary in SEK"), None);
    }

    #[test]
    fn policies_and_types_come_from_the_wording() {
        assert_eq!(
            remote_policy("We believe in a hybrid model when it comes to remote and onsite work"),
            RemotePolicy::Hybrid
        );
        assert_eq!(
            remote_policy("This position can operate on a remote basis"),
            RemotePolicy::Remote
        );
        assert_eq!(remote_policy("Arbete på distans"), RemotePolicy::Remote);
        assert_eq!(remote_policy("located at our HQ"), RemotePolicy::Onsite);
        assert_eq!(
            employment_type("This is a part-time role"),
            EmploymentType::PartTime
        );
        assert_eq!(
            employment_type("Vikariat på sex månader"),
            EmploymentType::Temporary
        );
        assert_eq!(
            employment_type("A full-time, on-site role"),
            EmploymentType::FullTime
        );
        assert_eq!(
            travel("frequent travel (15-30%) throughout").as_deref(),
            Some("15–30 %")
        );
        assert_eq!(
            travel("travel up to 20% of the time").as_deref(),
            Some("up to 20 %")
        );
        assert_eq!(travel("limited international travel"), None);
        assert_eq!(
            language("Vi söker dig som har erfarenhet av att leda"),
            "sv"
        );
        assert_eq!(language("We are looking for you and the team"), "en");
    }
}
