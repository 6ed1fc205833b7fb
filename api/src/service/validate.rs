//! Input checks shared by the write operations. Each names the field path it checks.
//!
//! Every text that is stored goes through [`text`] or [`multiline_text`] (or a stricter check
//! such as [`slug`]): characters that hide or reorder what readers see, or that a database
//! refuses, are refused with the field named, and what is kept is NFC-normalized so equal
//! texts are stored equal.

use unicode_normalization::UnicodeNormalization;

use crate::error::ServiceError;

/// Why `c` may not be stored, if it may not: control characters (NUL included; PostgreSQL
/// refuses it in text), bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069:
/// they make text read differently from what it holds), and zero-width characters (U+200B–
/// U+200D, U+2060, U+FEFF). Newlines and tabs are kept where the text is `multiline`.
fn refused(c: char, multiline: bool) -> Option<&'static str> {
    match c {
        '\n' | '\r' | '\t' if multiline => None,
        '\n' | '\r' | '\t' => Some("must be one line, without tabs"),
        c if c.is_control() => Some("must not contain control characters"),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
            Some("must not contain bidirectional control characters")
        }
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {
            Some("must not contain zero-width characters")
        }
        _ => None,
    }
}

/// `value` NFC-normalized, or the field's error naming the first refused character.
pub fn storable(field: &str, value: &str, multiline: bool) -> Result<String, ServiceError> {
    if let Some((c, reason)) = value
        .chars()
        .find_map(|c| refused(c, multiline).map(|reason| (c, reason)))
    {
        return Err(ServiceError::invalid(
            field,
            format!("{reason} (found U+{:04X})", u32::from(c)),
        ));
    }
    Ok(value.nfc().collect())
}

/// A required one-line text of `min..=max` characters, trimmed.
pub fn text(field: &str, value: &str, min: usize, max: usize) -> Result<String, ServiceError> {
    checked_text(field, value, min, max, false)
}

/// A required text of `min..=max` characters, trimmed, that may span lines (descriptions,
/// paragraphs, cover letters): newlines and tabs are kept.
pub fn multiline_text(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, ServiceError> {
    checked_text(field, value, min, max, true)
}

fn checked_text(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
    multiline: bool,
) -> Result<String, ServiceError> {
    let value = storable(field, value.trim(), multiline)?;
    let length = value.chars().count();
    if length < min {
        return Err(if min <= 1 {
            ServiceError::invalid(field, "must not be empty")
        } else {
            ServiceError::invalid(field, format!("must be at least {min} characters"))
        });
    }
    if length > max {
        return Err(ServiceError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value)
}

/// An optional one-line text: empty means none.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    optional(value, |value| text(field, value, 1, max))
}

/// An optional text that may span lines: empty means none.
pub fn optional_multiline_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    optional(value, |value| multiline_text(field, value, 1, max))
}

/// `check` of `value` when it is not blank; blank means none.
fn optional(
    value: Option<&str>,
    check: impl FnOnce(&str) -> Result<String, ServiceError>,
) -> Result<Option<String>, ServiceError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => check(value).map(Some),
    }
}

/// A slug: 1–100 of `a-z`, `0-9` and single inner hyphens.
pub fn slug(field: &str, value: &str) -> Result<String, ServiceError> {
    let valid = !value.is_empty()
        && value.len() <= 100
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-')
        && !value.contains("--");
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ServiceError::invalid(
            field,
            "must be lowercase letters, digits and single hyphens, such as backend-engineer",
        ))
    }
}

/// A slug made from a title: "Systemutvecklare, Göteborg" becomes "systemutvecklare-goteborg".
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        let mapped = match c {
            'å' | 'ä' | 'à' | 'á' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' => 'u',
            'æ' => 'a',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if mapped == '-' && (slug.is_empty() || slug.ends_with('-')) {
            continue;
        }
        slug.push(mapped);
    }
    let slug: String = slug.trim_end_matches('-').chars().take(80).collect();
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "posting".to_owned()
    } else {
        slug
    }
}

/// Checks a list of at most `max` `noun`s, each with `check` under the path `field.<index>`.
pub fn each<T, U>(
    field: &str,
    items: Vec<T>,
    max: usize,
    noun: &str,
    check: impl Fn(T, &str) -> Result<U, ServiceError>,
) -> Result<Vec<U>, ServiceError> {
    if items.len() > max {
        return Err(ServiceError::invalid(
            field,
            format!("may hold at most {max} {noun}"),
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| check(item, &format!("{field}.{index}")))
        .collect()
}

/// An absolute `http` or `https` URL.
pub fn url(field: &str, value: Option<&str>) -> Result<Option<String>, ServiceError> {
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .unwrap_or_default();
    if value.len() > 2048
        || host.is_empty()
        || value
            .chars()
            .any(|c| c.is_whitespace() || refused(c, false).is_some())
    {
        return Err(ServiceError::invalid(
            field,
            "must be an absolute http(s) URL",
        ));
    }
    Ok(Some(value.to_owned()))
}

/// An ISO 4217 currency code (three letters), upper-cased.
pub fn currency(field: &str, value: &str) -> Result<String, ServiceError> {
    let currency = value.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(ServiceError::invalid(
            field,
            "must be an ISO 4217 currency code such as SEK or USD",
        ));
    }
    Ok(currency)
}

/// Largest salary bound accepted, in hundredths: a hundred billion a period.
const MOST_SALARY: i64 = 10_000_000_000_000;

/// A salary range: an ISO 4217 code (three letters, upper-cased), at least one bound, bounds
/// not negative nor absurd, the lower not above the upper.
pub fn salary(
    field: &str,
    range: entity::salary::SalaryRange,
) -> Result<entity::salary::SalaryRange, ServiceError> {
    let currency = currency(&format!("{field}.currency"), &range.currency)?;
    for (name, bound) in [("min", range.min), ("max", range.max)] {
        if bound.is_some_and(|amount| !(0..=MOST_SALARY).contains(&amount)) {
            return Err(ServiceError::invalid(
                format!("{field}.{name}"),
                "must be between 0 and 100,000,000,000",
            ));
        }
    }
    match (range.min, range.max) {
        (None, None) => Err(ServiceError::invalid(
            format!("{field}.min"),
            "a salary needs a min, a max or both",
        )),
        (Some(min), Some(max)) if min > max => Err(ServiceError::invalid(
            format!("{field}.max"),
            "must not be below min",
        )),
        _ => Ok(entity::salary::SalaryRange { currency, ..range }),
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
pub fn country(field: &str, value: &str) -> Result<String, ServiceError> {
    let value = value.trim();
    if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(value.to_ascii_uppercase())
    } else {
        Err(ServiceError::invalid(
            field,
            "must be an ISO 3166-1 alpha-2 code such as SE",
        ))
    }
}

/// A BCP 47 language tag such as `en`, `sv` or `en-US`, in its usual case.
pub fn language(field: &str, value: &str) -> Result<String, ServiceError> {
    let mut parts = value.trim().split('-');
    let primary = parts.next().unwrap_or_default();
    if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(ServiceError::invalid(
            field,
            "must be a BCP 47 language tag such as en or sv",
        ));
    }
    let mut tag = primary.to_ascii_lowercase();
    for part in parts {
        if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ServiceError::invalid(
                field,
                "must be a BCP 47 language tag such as en or sv",
            ));
        }
        tag.push('-');
        tag.push_str(&if part.len() == 2 {
            part.to_ascii_uppercase()
        } else {
            part.to_owned()
        });
    }
    Ok(tag)
}

/// Years asked: each 0–60, and the minimum not above the maximum.
pub fn years(field: &str, min: Option<i32>, max: Option<i32>) -> Result<(), ServiceError> {
    for (name, value) in [("yearsMin", min), ("yearsMax", max)] {
        if value.is_some_and(|years| !(0..=60).contains(&years)) {
            return Err(ServiceError::invalid(
                format!("{field}.{name}"),
                "must be between 0 and 60",
            ));
        }
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(ServiceError::invalid(
            format!("{field}.yearsMin"),
            "must not be above yearsMax",
        ));
    }
    Ok(())
}

/// A plausible e-mail address: one `@`, a dotted domain, no spaces, at most 254 characters.
pub fn email(field: &str, value: &str) -> Result<String, ServiceError> {
    let value = value.trim();
    let valid = value.len() <= 254
        && !value
            .chars()
            .any(|c| c.is_whitespace() || refused(c, false).is_some())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ServiceError::invalid(field, "must be an e-mail address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked_and_made() {
        assert!(slug("slug", "backend-engineer").is_ok());
        for bad in ["", "Backend", "a--b", "-a", "a-", "a b", "å"] {
            assert!(slug("slug", bad).is_err(), "{bad}");
        }
        assert_eq!(
            slugify("Systemutvecklare, Göteborg"),
            "systemutvecklare-goteborg"
        );
        assert_eq!(slugify("  !!  "), "posting");
        assert!(slug("slug", &slugify("Ärlig & Öppen — Säljare (50%)")).is_ok());
    }

    #[test]
    fn urls_emails_countries_languages_and_years() {
        assert!(url("u", Some("https://a.example/jobs?x=1")).is_ok());
        assert!(url("u", Some("ftp://a.example")).is_err());
        assert!(url("u", Some("https://")).is_err());
        assert!(email("e", "ada@example.com").is_ok());
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "a b@example.com",
            "ada@example",
            "a@b@c.se",
        ] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
        assert_eq!(country("c", "se").ok().as_deref(), Some("SE"));
        assert!(country("c", "SWE").is_err());
        assert_eq!(language("l", "en-us").ok().as_deref(), Some("en-US"));
        assert!(language("l", "english").is_err());
        assert!(years("r", Some(5), Some(3)).is_err());
        assert!(years("r", Some(-1), None).is_err());
        assert!(years("r", Some(3), Some(5)).is_ok());
    }

    #[test]
    fn hidden_and_control_characters_are_refused_with_the_field_named() {
        for bad in [
            "a\u{0}b",
            "a\u{7}b",
            "a\u{7F}b",
            "a\u{202E}b",
            "a\u{2066}b",
            "a\u{200B}b",
            "a\u{200D}b",
            "a\u{2060}b",
            "\u{FEFF}ab",
        ] {
            for multiline in [false, true] {
                let error = checked_text("input.title", bad, 1, 100, multiline)
                    .expect_err(&format!("{bad:?}"));
                assert!(
                    matches!(&error, ServiceError::InvalidInput { field, .. } if field == "input.title"),
                    "{error:?}"
                );
            }
        }
        assert!(text("t", "two\nlines", 1, 100).is_err());
        assert!(text("t", "a\tb", 1, 100).is_err());
        assert_eq!(
            multiline_text("d", "two\nlines\tand a tab", 1, 100)
                .ok()
                .as_deref(),
            Some("two\nlines\tand a tab")
        );
        assert!(url("u", Some("https://a.example/\u{0}")).is_err());
        assert!(email("e", "ada\u{200B}@example.com").is_err());
    }

    #[test]
    fn stored_text_is_nfc_normalized_before_its_length_is_counted() {
        // "Göteborg" with a combining diaeresis (o + U+0308) is stored precomposed.
        let decomposed = "Go\u{308}teborg";
        assert_eq!(
            text("c", decomposed, 1, 8).ok().as_deref(),
            Some("Göteborg")
        );
    }
}
