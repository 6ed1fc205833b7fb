//! PostgreSQL expressions that render a posting selection as the JSON text async-graphql
//! would answer, byte for byte: fields in the order asked, compact, strings escaped as
//! serde_json escapes them (PostgreSQL's `to_json` escapes the same characters the same way),
//! enums by their GraphQL names, timestamps as RFC 3339 with chrono's choice of fractional
//! digits, and global ids as `base64url("Posting:<uuid>")`.
//!
//! Every expression is text and never NULL. Only names the parser accepted (response keys,
//! field names from a fixed list) are written into the SQL; values never are.

use async_graphql::{InputType, OutputType, Value};
use entity::enums as stored;
use sea_orm::{ActiveEnum, Iterable};

use crate::graphql::global_id::NodeKind;
use crate::graphql::plain::PlainSelection;
use crate::graphql::types::company::Company;
use crate::graphql::types::enums::{EmploymentType, PostingStatus, RemotePolicy, RequirementKind};
use crate::graphql::types::location::Location;
use crate::graphql::types::posting::Posting;
use crate::graphql::types::posting_node::{OnePassSelection, Part};
use crate::graphql::types::requirement::Requirement;
use crate::graphql::types::section::DescriptionSection;

/// The table the posting's columns come from, as sea-query names it.
const POSTING: &str = "\"posting\"";

/// The JSON of a posting with `selection`, reading the current `posting` row; `None` when a
/// field cannot be rendered in SQL.
pub fn posting(selection: &OnePassSelection<'_>) -> Option<String> {
    let mut fields = Vec::with_capacity(selection.parts.len());
    for (key, part) in &selection.parts {
        let value = match part {
            Part::Own(name) => posting_field(name)?,
            Part::Company(selected) => company(selected)?,
            Part::Locations(selected) => locations(selected)?,
            Part::Requirements(selected) => requirements(selected)?,
            Part::Description(selected) => description(selected)?,
        };
        fields.push((key.as_str(), value));
    }
    Some(object(&fields))
}

fn posting_field(name: &str) -> Option<String> {
    let column = |name: &str| format!("{POSTING}.\"{name}\"");
    Some(match name {
        "__typename" => type_name::<Posting>(),
        "id" => global_id(NodeKind::Posting, &column("id")),
        "slug" => text(&column("slug")),
        "title" => text(&column("title")),
        "summary" => text(&column("summary")),
        "department" => text(&column("department")),
        "occupation" => text(&column("occupation")),
        "employmentType" => {
            enumeration::<stored::EmploymentType, EmploymentType>(&column("employment_type"))
        }
        "remotePolicy" => {
            enumeration::<stored::RemotePolicy, RemotePolicy>(&column("remote_policy"))
        }
        "travel" => text(&column("travel")),
        "language" => text(&column("language")),
        "status" => enumeration::<stored::PostingStatus, PostingStatus>(&column("status")),
        "postedAt" => timestamp(&column("posted_at")),
        "validThrough" => timestamp(&column("valid_through")),
        "applyUrl" => text(&column("apply_url")),
        "sourceUrl" => text(&column("source_url")),
        "version" => number(&column("version")),
        "createdAt" => timestamp(&column("created_at")),
        "updatedAt" => timestamp(&column("updated_at")),
        _ => return None,
    })
}

fn company(selected: &PlainSelection<'_>) -> Option<String> {
    let column = |name: &str| format!("jg_company.\"{name}\"");
    let fields = fields_of(selected, |name| {
        Some(match name {
            "__typename" => type_name::<Company>(),
            "id" => global_id(NodeKind::Company, &column("id")),
            "slug" => text(&column("slug")),
            "name" => text(&column("name")),
            "website" => text(&column("website")),
            "description" => text(&column("description")),
            "headquarters" => text(&column("headquarters")),
            "createdAt" => timestamp(&column("created_at")),
            "updatedAt" => timestamp(&column("updated_at")),
            _ => return None,
        })
    })?;
    // A posting always has its company (the foreign key restricts deletes).
    Some(format!(
        "COALESCE((SELECT {} FROM \"company\" AS jg_company WHERE jg_company.\"id\" = {POSTING}.\"company_id\"), 'null')",
        object(&fields)
    ))
}

fn locations(selected: &PlainSelection<'_>) -> Option<String> {
    let column = |name: &str| format!("jg_location.\"{name}\"");
    let fields = fields_of(selected, |name| {
        Some(match name {
            "__typename" => type_name::<Location>(),
            "city" => text(&column("city")),
            "region" => text(&column("region")),
            "country" => text(&column("country")),
            _ => return None,
        })
    })?;
    Some(array(
        &object(&fields),
        "\"posting_location\" AS jg_location",
        "jg_location.\"posting_id\"",
        "jg_location.\"position\"",
    ))
}

fn requirements(selected: &PlainSelection<'_>) -> Option<String> {
    let column = |name: &str| format!("jg_requirement.\"{name}\"");
    let fields = fields_of(selected, |name| {
        Some(match name {
            "__typename" => type_name::<Requirement>(),
            "id" => global_id(NodeKind::Requirement, &column("id")),
            "kind" => enumeration::<stored::RequirementKind, RequirementKind>(&column("kind")),
            "text" => text(&column("text")),
            "required" => format!(
                "CASE WHEN {} THEN 'true' ELSE 'false' END",
                column("required")
            ),
            "yearsMin" => number(&column("years_min")),
            "yearsMax" => number(&column("years_max")),
            _ => return None,
        })
    })?;
    Some(array(
        &object(&fields),
        "\"requirement\" AS jg_requirement",
        "jg_requirement.\"posting_id\"",
        "jg_requirement.\"position\"",
    ))
}

/// The description's sections, read from the posting's own `jsonb` column.
fn description(selected: &PlainSelection<'_>) -> Option<String> {
    let fields = fields_of(selected, |name| {
        Some(match name {
            "__typename" => type_name::<DescriptionSection>(),
            "heading" => text("(jg_section.value ->> 'heading')"),
            "paragraphs" => strings("paragraphs"),
            "items" => strings("items"),
            _ => return None,
        })
    })?;
    Some(format!(
        "COALESCE((SELECT '[' || string_agg({}, ',' ORDER BY jg_section.ordinality) || ']' \
         FROM jsonb_array_elements({POSTING}.\"description\") WITH ORDINALITY AS jg_section), '[]')",
        object(&fields)
    ))
}

/// A section's list of strings as compact JSON (`jsonb` would print `", "` between them).
fn strings(key: &str) -> String {
    format!(
        "COALESCE((SELECT '[' || string_agg(jg_string.value::text, ',' ORDER BY jg_string.ordinality) || ']' \
         FROM jsonb_array_elements(jg_section.value -> '{key}') WITH ORDINALITY AS jg_string), '[]')"
    )
}

fn fields_of<'s>(
    selected: &'s PlainSelection<'_>,
    field: impl Fn(&str) -> Option<String>,
) -> Option<Vec<(&'s str, String)>> {
    selected
        .iter()
        .map(|(key, name)| Some((key.as_str(), field(name)?)))
        .collect()
}

/// A JSON object of `fields`, in order. PostgreSQL functions take at most 100 arguments, so
/// long objects are concatenated in parts.
fn object(fields: &[(&str, String)]) -> String {
    let mut parts = Vec::with_capacity(fields.len() * 2 + 1);
    for (index, (key, value)) in fields.iter().enumerate() {
        let separator = if index == 0 { "{" } else { "," };
        // Response keys are GraphQL names: letters, digits and underscores only.
        parts.push(format!("'{separator}\"{key}\":'"));
        parts.push(value.clone());
    }
    if fields.is_empty() {
        parts.push("'{'".to_owned());
    }
    parts.push("'}'".to_owned());
    concat(parts)
}

fn concat(mut parts: Vec<String>) -> String {
    const MAX_ARGUMENTS: usize = 90;
    while parts.len() > MAX_ARGUMENTS {
        parts = parts
            .chunks(MAX_ARGUMENTS)
            .map(|chunk| format!("concat({})", chunk.join(", ")))
            .collect();
    }
    format!("concat({})", parts.join(", "))
}

/// The rows of `table` belonging to the current posting, each rendered by `element`, as a
/// JSON array in `order`.
fn array(element: &str, table: &str, posting_id: &str, order: &str) -> String {
    format!(
        "COALESCE((SELECT '[' || string_agg({element}, ',' ORDER BY {order}) || ']' FROM {table} \
         WHERE {posting_id} = {POSTING}.\"id\"), '[]')"
    )
}

/// `__typename`: the type's name as a JSON string (a GraphQL name: nothing to escape).
fn type_name<T: OutputType>() -> String {
    format!("'\"{}\"'", T::type_name())
}

/// A text column as a JSON string, or `null`.
fn text(column: &str) -> String {
    format!("COALESCE(to_json({column})::text, 'null')")
}

/// An integer column as a JSON number, or `null`.
fn number(column: &str) -> String {
    format!("COALESCE({column}::text, 'null')")
}

/// A global id, as [`crate::graphql::global_id::encode`] writes it.
fn global_id(kind: NodeKind, column: &str) -> String {
    format!(
        "concat('\"', translate(encode(convert_to('{}:' || {column}::text, 'UTF8'), 'base64'), '+/=' || chr(10), '-_'), '\"')",
        kind.name()
    )
}

/// A stored enum column as its GraphQL enum name.
fn enumeration<S, G>(column: &str) -> String
where
    S: ActiveEnum<Value = String> + Iterable,
    G: From<S> + InputType,
{
    let mut cases = format!("CASE {column}");
    for variant in S::iter() {
        let stored = variant.to_value();
        if let Value::Enum(name) = G::from(variant).to_value() {
            cases.push_str(&format!(" WHEN '{stored}' THEN '\"{name}\"'"));
        }
    }
    cases.push_str(" ELSE 'null' END");
    cases
}

/// A `timestamptz` column as async-graphql writes a `DateTime<Utc>` (chrono's RFC 3339: no
/// fraction when it is zero, else milliseconds or microseconds), or `null`.
fn timestamp(column: &str) -> String {
    let micros = format!("(extract(microseconds FROM {column})::bigint % 1000000)");
    format!(
        "CASE WHEN {column} IS NULL THEN 'null' ELSE concat('\"', \
         to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'), \
         CASE WHEN {micros} = 0 THEN '' \
         WHEN {micros} % 1000 = 0 THEN '.' || lpad(({micros} / 1000)::text, 3, '0') \
         ELSE '.' || lpad({micros}::text, 6, '0') END, '+00:00\"') END"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_are_written_by_their_graphql_names() {
        let sql = enumeration::<stored::EmploymentType, EmploymentType>("c");
        assert!(
            sql.contains("WHEN 'full_time' THEN '\"FULL_TIME\"'"),
            "{sql}"
        );
        assert!(sql.contains("WHEN 'per_diem' THEN '\"PER_DIEM\"'"), "{sql}");
    }

    #[test]
    fn long_objects_stay_under_the_argument_limit() {
        let sql = concat(vec!["x".to_owned(); 250]);
        let mut arguments = vec![];
        for character in sql.chars() {
            match character {
                '(' => arguments.push(1usize),
                ')' => assert!(arguments.pop().is_some_and(|count| count <= 100), "{sql}"),
                ',' => {
                    if let Some(count) = arguments.last_mut() {
                        *count += 1;
                    }
                }
                _ => {}
            }
        }
        assert!(arguments.is_empty());
        assert_eq!(sql.matches('x').count(), 250);
    }
}
