//! schema.org JobPosting JSON-LD, both ways. Read: standalone, in an array, under `@graph`, or
//! in an HTML page's `<script type="application/ld+json">`; its description (HTML) is read as
//! a page for sections, duties and requirements, unless it is jobgraph's own, whose
//! [`EXTENSION`] holds them exactly. Written: [`job_posting`], for Google for Jobs, and
//! [`script_safe`] for embedding it in a page.

use chrono::{NaiveDate, SecondsFormat};
use entity::enums::{EmploymentType, RemotePolicy, RequirementKind, SalaryUnit};
use entity::salary::SalaryRange;
use entity::sections::DescriptionSection;
use entity::{company, posting, posting_location, requirement};
use serde_json::{Value, json};

use super::location::{self, ImportedLocation};
use super::page::{self, Line, Mark, PageContext};
use super::requirement::ImportedRequirement;
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

/// schema.org `baseSalary`: a MonetaryAmount whose `value` is a number or a QuantitativeValue
/// (`minValue`, `maxValue`, `value`, `unitText` HOUR, DAY, WEEK, MONTH or YEAR).
fn base_salary(value: Option<&Value>) -> Option<SalaryRange> {
    let amount = value?;
    let currency = text(amount.get("currency"))?.to_uppercase();
    let quantity = amount.get("value")?;
    let number = |value: Option<&Value>| {
        value
            .and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()))
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(|v| (v * 100.0).round() as i64)
    };
    let (min, max) = match quantity {
        Value::Number(_) | Value::String(_) => (number(Some(quantity)), None),
        _ => {
            let single = number(quantity.get("value"));
            (
                number(quantity.get("minValue")).or(single),
                number(quantity.get("maxValue")),
            )
        }
    };
    let unit = match text(quantity.get("unitText"))?.to_uppercase().as_str() {
        "HOUR" => SalaryUnit::Hour,
        "DAY" => SalaryUnit::Day,
        "WEEK" => SalaryUnit::Week,
        "MONTH" => SalaryUnit::Month,
        "YEAR" => SalaryUnit::Year,
        _ => return None,
    };
    (min.is_some() || max.is_some()).then_some(SalaryRange {
        min,
        max,
        currency,
        unit,
    })
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
    if let Some(extension) = value.get(EXTENSION) {
        return Ok(own_posting(
            value, extension, page.lines, source_key, url, locations, remote, title, today,
        ));
    }
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
    if let Some(salary) = base_salary(value.get("baseSalary")) {
        posting.salary = Some(salary);
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

/// The sections of jobgraph's own description HTML, exactly: a heading starts a section,
/// paragraphs and items follow it.
fn own_sections(lines: Vec<Line>) -> Vec<DescriptionSection> {
    let mut sections: Vec<DescriptionSection> = Vec::new();
    for line in lines {
        if line.mark == Mark::Heading || sections.is_empty() {
            sections.push(DescriptionSection {
                heading: (line.mark == Mark::Heading).then(|| line.text.clone()),
                ..Default::default()
            });
        }
        let Some(section) = sections.last_mut() else {
            continue;
        };
        match line.mark {
            Mark::Text => section.paragraphs.push(line.text),
            Mark::Item => section.items.push(line.text),
            Mark::Heading | Mark::Blank => {}
        }
    }
    sections
}

/// A posting jobgraph exported: everything read from its own properties, none guessed.
#[allow(clippy::too_many_arguments)]
fn own_posting(
    value: &Value,
    extension: &Value,
    lines: Vec<Line>,
    source_key: String,
    url: Option<String>,
    locations: Vec<ImportedLocation>,
    remote: bool,
    title: String,
    today: NaiveDate,
) -> ImportedPosting {
    let sections = own_sections(lines);
    let requirements = extension
        .get("requirements")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    Some(ImportedRequirement {
                        kind: serde_json::from_value::<RequirementKind>(item.get("kind")?.clone())
                            .unwrap_or(RequirementKind::Other),
                        text: text(item.get("text"))?,
                        required: item
                            .get("required")
                            .and_then(Value::as_bool)
                            .unwrap_or(true),
                        years_min: item
                            .get("yearsMin")
                            .and_then(Value::as_i64)
                            .map(|y| y as i32),
                        years_max: item
                            .get("yearsMax")
                            .and_then(Value::as_i64)
                            .map(|y| y as i32),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let remote_policy = extension
        .get("remotePolicy")
        .and_then(|policy| serde_json::from_value::<RemotePolicy>(policy.clone()).ok())
        .unwrap_or(if remote {
            RemotePolicy::Remote
        } else {
            RemotePolicy::Onsite
        });
    let body = page::body_text(&sections);
    ImportedPosting {
        company: text(value.get("hiringOrganization")),
        source_key,
        source_url: url,
        title,
        summary: text(value.get("disambiguatingDescription")),
        department: text(extension.get("department")),
        occupation: text(value.get("occupationalCategory")),
        locations,
        posted_on: text(value.get("datePosted")).and_then(|d| wording::date(&d, today)),
        valid_through: text(value.get("validThrough")).and_then(|d| wording::date(&d, today)),
        employment_type: employment_type(value.get("employmentType"))
            .unwrap_or(EmploymentType::FullTime),
        remote_policy,
        travel: text(extension.get("travel")),
        salary: base_salary(value.get("baseSalary")),
        language: text(value.get("inLanguage"))
            .unwrap_or_else(|| wording::language(&body).to_owned()),
        apply_url: None,
        sections,
        responsibilities: text(value.get("responsibilities"))
            .map(|duties| duties.lines().map(str::to_owned).collect())
            .unwrap_or_default(),
        requirements,
        line: 1,
    }
}

/// The property of jobgraph's JSON-LD holding what schema.org cannot carry: each
/// requirement's kind, whether it is required, its years; the department, travel, the
/// remote policy. Importing the JSON-LD back reads it, so that a posting survives the trip.
pub const EXTENSION: &str = "jobgraph:posting";

/// What the JSON-LD of a stored posting is made from.
pub struct Exported<'a> {
    pub posting: &'a posting::Model,
    pub company: &'a company::Model,
    pub locations: &'a [posting_location::Model],
    pub requirements: &'a [requirement::Model],
    /// The posting's public id, its `identifier`.
    pub identifier: &'a str,
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The description as the HTML schema.org's `description` holds: a heading per section, its
/// paragraphs, its items as a list; every text escaped.
fn description_html(sections: &[DescriptionSection]) -> String {
    let mut html = String::new();
    for section in sections {
        if let Some(heading) = &section.heading {
            html.push_str(&format!("<h3>{}</h3>", html_escape(heading)));
        }
        for paragraph in &section.paragraphs {
            html.push_str(&format!("<p>{}</p>", html_escape(paragraph)));
        }
        if !section.items.is_empty() {
            html.push_str("<ul>");
            for item in &section.items {
                html.push_str(&format!("<li>{}</li>", html_escape(item)));
            }
            html.push_str("</ul>");
        }
    }
    html
}

fn employment_type_name(kind: EmploymentType) -> &'static str {
    match kind {
        EmploymentType::FullTime => "FULL_TIME",
        EmploymentType::PartTime => "PART_TIME",
        EmploymentType::Contractor => "CONTRACTOR",
        EmploymentType::Temporary => "TEMPORARY",
        EmploymentType::Intern => "INTERN",
        EmploymentType::Volunteer => "VOLUNTEER",
        EmploymentType::PerDiem => "PER_DIEM",
        EmploymentType::Other => "OTHER",
    }
}

/// A stored posting as schema.org JobPosting, with Google for Jobs' required properties
/// (title, description, datePosted, hiringOrganization, jobLocation or `TELECOMMUTE` with
/// `applicantLocationRequirements`) and its recommended ones where known.
pub fn job_posting(exported: &Exported<'_>) -> Value {
    let Exported {
        posting,
        company,
        locations,
        requirements,
        identifier,
    } = exported;
    let mut out = serde_json::Map::new();
    let mut put = |key: &str, value: Value| {
        if !value.is_null() {
            out.insert(key.to_owned(), value);
        }
    };
    put("@context", json!("https://schema.org/"));
    put("@type", json!("JobPosting"));
    put("title", json!(posting.title));
    put(
        "description",
        json!(description_html(&posting.description.0)),
    );
    put("disambiguatingDescription", json!(posting.summary));
    put(
        "datePosted",
        json!(
            posting
                .posted_at
                .unwrap_or(posting.created_at)
                .format("%Y-%m-%d")
                .to_string()
        ),
    );
    put(
        "validThrough",
        json!(
            posting
                .valid_through
                .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true))
        ),
    );
    put(
        "employmentType",
        json!(employment_type_name(posting.employment_type)),
    );
    let mut organization = json!({ "@type": "Organization", "name": company.name });
    if let Some(website) = &company.website {
        organization["sameAs"] = json!(website);
    }
    put("hiringOrganization", organization);
    put(
        "identifier",
        json!({ "@type": "PropertyValue", "name": company.name, "value": identifier }),
    );
    let places: Vec<Value> = locations
        .iter()
        .map(|location| {
            let mut address =
                json!({ "@type": "PostalAddress", "addressCountry": location.country });
            if let Some(city) = &location.city {
                address["addressLocality"] = json!(city);
            }
            if let Some(region) = &location.region {
                address["addressRegion"] = json!(region);
            }
            json!({ "@type": "Place", "address": address })
        })
        .collect();
    if posting.remote_policy == RemotePolicy::Remote {
        put("jobLocationType", json!("TELECOMMUTE"));
        let mut countries: Vec<&str> = locations.iter().map(|l| l.country.as_str()).collect();
        countries.dedup();
        put(
            "applicantLocationRequirements",
            Value::Array(
                countries
                    .into_iter()
                    .map(|country| json!({ "@type": "Country", "name": country }))
                    .collect(),
            ),
        );
    } else if !places.is_empty() {
        put("jobLocation", Value::Array(places));
    }
    put("directApply", json!(posting.apply_url.is_none()));
    if let Some(url) = &posting.apply_url {
        put("url", json!(url));
    }
    if let Some(salary) = posting.salary() {
        let amount = |hundredths: Option<i64>| hundredths.map(|a| a as f64 / 100.0);
        let mut value = json!({
            "@type": "QuantitativeValue",
            "unitText": format!("{:?}", salary.unit).to_uppercase(),
        });
        if let Some(min) = amount(salary.min) {
            value["minValue"] = json!(min);
        }
        if let Some(max) = amount(salary.max) {
            value["maxValue"] = json!(max);
        }
        put(
            "baseSalary",
            json!({ "@type": "MonetaryAmount", "currency": salary.currency, "value": value }),
        );
    }
    put("occupationalCategory", json!(posting.occupation));
    put("inLanguage", json!(posting.language));
    if !posting.responsibilities.0.is_empty() {
        put(
            "responsibilities",
            json!(posting.responsibilities.0.join("\n")),
        );
    }
    let texts = |wanted: &dyn Fn(&requirement::Model) -> bool| -> Vec<&str> {
        requirements
            .iter()
            .filter(|r| wanted(r))
            .map(|r| r.text.as_str())
            .collect()
    };
    let qualifications = texts(&|r| r.required && r.kind != RequirementKind::Skill);
    if !qualifications.is_empty() {
        put("qualifications", json!(qualifications.join("\n")));
    }
    let skills = texts(&|r| r.kind == RequirementKind::Skill);
    if !skills.is_empty() {
        put("skills", json!(skills.join("\n")));
    }
    if let Some(years) = requirements
        .iter()
        .filter(|r| r.required && r.kind == RequirementKind::Experience)
        .filter_map(|r| r.years_min)
        .max()
    {
        put(
            "experienceRequirements",
            json!({ "@type": "OccupationalExperienceRequirements", "monthsOfExperience": years * 12 }),
        );
    }
    put(
        EXTENSION,
        json!({
            "department": posting.department,
            "remotePolicy": posting.remote_policy,
            "travel": posting.travel,
            "requirements": requirements.iter().map(|r| json!({
                "kind": r.kind,
                "text": r.text,
                "required": r.required,
                "yearsMin": r.years_min,
                "yearsMax": r.years_max,
            })).collect::<Vec<_>>(),
        }),
    );
    Value::Object(out)
}

/// JSON text safe inside an HTML `<script>`: `<`, `>`, `&` and the JavaScript line separators
/// written as `\u` escapes, which JSON reads as the same characters.
pub fn script_safe(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
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
             "employmentType":"PART_TIME","baseSalary":{"@type":"MonetaryAmount","currency":"sek","value":{"@type":"QuantitativeValue","minValue":45000,"maxValue":"55000.5","unitText":"MONTH"}},"jobLocation":{"@type":"Place","address":{"addressLocality":"Gothenburg","addressCountry":"SE"}}}]}"#;
        let postings = postings(&[json], "a.json", today()).unwrap();
        let posting = postings[0].as_ref().unwrap();
        assert_eq!(posting.title, "Data Engineer");
        assert_eq!(posting.source_key, "id:JOB-7");
        assert_eq!(posting.company.as_deref(), Some("Acme"));
        assert_eq!(posting.employment_type, EmploymentType::PartTime);
        assert_eq!(
            posting.salary,
            Some(SalaryRange {
                min: Some(4_500_000),
                max: Some(5_500_050),
                currency: "SEK".to_owned(),
                unit: SalaryUnit::Month,
            })
        );
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
