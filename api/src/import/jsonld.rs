//! schema.org JobPosting JSON-LD: standalone, in an array, under `@graph`, or in an HTML
//! page's `<script type="application/ld+json">`. Its description (HTML) is read as a page
//! for sections, duties and requirements.

use chrono::NaiveDate;
use entity::enums::{EmploymentType, RemotePolicy};
use serde_json::Value;

use super::location::{self, ImportedLocation};
use super::page::{self, PageContext};
use super::{ExtractError, ImportedPosting, html, wording};

/// The JobPosting objects of a JSON-LD value.
fn job_postings<'a>(value: &'a Value, found: &mut Vec<&'a Value>, types: &mut Vec<String>) {
    match value {
        Value::Array(items) => items
            .iter()
            .for_each(|item| job_postings(item, found, types)),
        Value::Object(object) => {
            let is_posting = match object.get("@type") {
                Some(Value::String(kind)) => {
                    types.push(kind.clone());
                    kind == "JobPosting"
                }
                Some(Value::Array(kinds)) => kinds.iter().any(|kind| kind == "JobPosting"),
                _ => false,
            };
            if is_posting {
                found.push(value);
            } else if let Some(graph) = object.get("@graph") {
                job_postings(graph, found, types);
            }
        }
        _ => {}
    }
}

/// Whether `text` is JSON (an object or an array).
pub fn looks_like(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '['))
}

/// The postings of JSON-LD documents (one or more, as an HTML page may hold several).
pub fn postings(
    documents: &[&str],
    name: &str,
    today: NaiveDate,
) -> Result<Vec<Result<ImportedPosting, ExtractError>>, ExtractError> {
    let mut values = Vec::new();
    for text in documents {
        let value: Value = serde_json::from_str(text).map_err(|error| ExtractError {
            line: Some(error.line()),
            reason: format!("the JSON-LD is not valid JSON: {error}"),
        })?;
        values.push(value);
    }
    let mut found = Vec::new();
    let mut types = Vec::new();
    for value in &values {
        job_postings(value, &mut found, &mut types);
    }
    if found.is_empty() {
        return Err(ExtractError::whole(if types.is_empty() {
            "the JSON-LD holds no schema.org JobPosting".to_owned()
        } else {
            format!(
                "the JSON-LD holds no schema.org JobPosting (its @type is {})",
                types.join(", ")
            )
        }));
    }
    let many = found.len() > 1;
    Ok(found
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            let fallback = if many {
                format!("file:{name}#{}", index + 1)
            } else {
                format!("file:{name}")
            };
            posting(value, fallback, today)
        })
        .collect())
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        Value::Number(number) => Some(number.to_string()),
        Value::Object(object) => text(object.get("name").or_else(|| object.get("value"))),
        Value::Array(items) => text(items.first()),
        _ => None,
    }
}

fn list(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(value) => vec![value],
        None => Vec::new(),
    }
}

fn employment_type(value: Option<&Value>) -> Option<EmploymentType> {
    Some(
        match text(value)?
            .to_uppercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "FULL_TIME" => EmploymentType::FullTime,
            "PART_TIME" => EmploymentType::PartTime,
            "CONTRACTOR" | "CONTRACT" => EmploymentType::Contractor,
            "TEMPORARY" => EmploymentType::Temporary,
            "INTERN" | "INTERNSHIP" => EmploymentType::Intern,
            "VOLUNTEER" => EmploymentType::Volunteer,
            "PER_DIEM" => EmploymentType::PerDiem,
            _ => EmploymentType::Other,
        },
    )
}

fn place(value: &Value) -> Option<ImportedLocation> {
    let address = value.get("address").unwrap_or(value);
    if let Value::String(text) = address {
        return location::list(text).into_iter().next();
    }
    if address.get("addressCountry").is_none() {
        return location::list(&text(address.get("name"))?)
            .into_iter()
            .next();
    }
    let city = text(address.get("addressLocality"));
    let region = text(address.get("addressRegion"));
    let country = text(address.get("addressCountry"))?;
    let code = if country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()) {
        country.to_uppercase()
    } else {
        location::list(&country).into_iter().next()?.country
    };
    let named = city
        .as_deref()
        .map(|city| location::list(&format!("{city}, {code}")))
        .and_then(|found| found.into_iter().next());
    Some(ImportedLocation {
        city: named.and_then(|n| n.city).or(city),
        region,
        country: code,
    })
}

fn posting(
    value: &Value,
    fallback_key: String,
    today: NaiveDate,
) -> Result<ImportedPosting, ExtractError> {
    let title = text(value.get("title"))
        .ok_or_else(|| ExtractError::whole("the JobPosting has no title"))?;
    let description = text(value.get("description"))
        .ok_or_else(|| ExtractError::whole("the JobPosting has no description"))?;
    let url = text(value.get("url")).filter(|url| url.starts_with("http"));
    let source_key = match (text(value.get("identifier")), &url) {
        (Some(identifier), _) => format!("id:{identifier}"),
        (None, Some(url)) => format!("url:{url}"),
        (None, None) => fallback_key,
    };
    let mut locations: Vec<ImportedLocation> = list(value.get("jobLocation"))
        .into_iter()
        .filter_map(place)
        .collect();
    let remote = text(value.get("jobLocationType")).as_deref() == Some("TELECOMMUTE");
    if remote && locations.is_empty() {
        locations = list(value.get("applicantLocationRequirements"))
            .into_iter()
            .filter_map(place)
            .collect();
    }
    let page = html::parse(&description);
    let mut posting = page::posting(
        page.lines,
        PageContext {
            source_key,
            source_url: url,
            company: text(value.get("hiringOrganization")),
            title: Some(title),
            locations,
            posted_on: text(value.get("datePosted")).and_then(|d| wording::date(&d, today)),
            occupation: text(value.get("occupationalCategory")),
            today,
        },
    )?;
    if remote {
        posting.remote_policy = RemotePolicy::Remote;
    }
    if let Some(kind) = employment_type(value.get("employmentType")) {
        posting.employment_type = kind;
    }
    posting.valid_through = text(value.get("validThrough")).and_then(|d| wording::date(&d, today));
    if let Some(language) = text(value.get("inLanguage")) {
        posting.language = language;
    }
    if posting.responsibilities.is_empty()
        && let Some(duties) = text(value.get("responsibilities"))
    {
        posting.responsibilities = html::parse(&duties)
            .lines
            .into_iter()
            .map(|line| line.text)
            .collect();
    }
    Ok(posting)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    #[test]
    fn a_job_posting_in_a_graph_is_read() {
        let json = r#"{"@context":"https://schema.org","@graph":[{"@type":"Organization","name":"Acme"},
            {"@type":"JobPosting","title":"Data Engineer","identifier":{"@type":"PropertyValue","value":"JOB-7"},
             "description":"<p>We move data.</p><b>Requirements</b><ul><li>3+ years of SQL</li><li>Python is a plus</li></ul>",
             "datePosted":"2026-11-03","hiringOrganization":{"@type":"Organization","name":"Acme"},
             "employmentType":"PART_TIME","jobLocation":{"@type":"Place","address":{"addressLocality":"Gothenburg","addressCountry":"SE"}}}]}"#;
        let postings = postings(&[json], "a.json", today()).unwrap();
        let posting = postings[0].as_ref().unwrap();
        assert_eq!(posting.title, "Data Engineer");
        assert_eq!(posting.source_key, "id:JOB-7");
        assert_eq!(posting.company.as_deref(), Some("Acme"));
        assert_eq!(posting.employment_type, EmploymentType::PartTime);
        assert_eq!(posting.locations[0].city.as_deref(), Some("Göteborg"));
        assert_eq!(posting.posted_on, NaiveDate::from_ymd_opt(2026, 11, 3));
        assert_eq!(posting.requirements.len(), 2);
        assert!(!posting.requirements[1].required);
    }

    #[test]
    fn json_ld_of_another_type_or_broken_json_fails() {
        let error = postings(&[r#"{"@type":"Person","name":"x"}"#], "p.json", today()).unwrap_err();
        assert!(error.reason.contains("Person"), "{}", error.reason);
        let error = postings(
            &["{\"@type\": \"JobPosting\",\n\"title\": "],
            "t.json",
            today(),
        )
        .unwrap_err();
        assert_eq!(error.line, Some(2));
        let missing = postings(
            &[r#"{"@type":"JobPosting","title":"T"}"#],
            "m.json",
            today(),
        )
        .unwrap();
        assert!(
            missing[0]
                .as_ref()
                .unwrap_err()
                .reason
                .contains("description")
        );
    }

    #[test]
    fn telecommute_postings_are_remote() {
        let json = r#"{"@type":"JobPosting","title":"Remote Dev","description":"<p>Work from anywhere in Sweden.</p>",
            "jobLocationType":"TELECOMMUTE","applicantLocationRequirements":{"@type":"Country","name":"Sweden"}}"#;
        let postings = postings(&[json], "r.json", today()).unwrap();
        let posting = postings[0].as_ref().unwrap();
        assert_eq!(posting.remote_policy, RemotePolicy::Remote);
        assert_eq!(posting.locations[0].country, "SE");
    }
}
