//! PostgreSQL expressions that write GraphQL values as the JSON async-graphql would answer:
//! strings escaped as serde_json escapes them (PostgreSQL's `json_build_object`, `json_agg`
//! and `jsonb` output escape the same characters the same way), enums by their GraphQL
//! names, timestamps as RFC 3339 with chrono's choice of fractional digits, and global ids as
//! `base64url("Posting:<uuid>")`. PostgreSQL's JSON functions put spaces between members and
//! elements; [`compact_into`] takes them out as the text is copied into the response, which
//! is then async-graphql's answer byte for byte.
//!
//! A leaf: the field catalogue ([`crate::graphql::plain`]) says with these how each field is
//! rendered, and the pushdown puts them together. Every expression is a SQL value (text,
//! number, boolean, `json` or `jsonb`, NULL for `null`) that `json_build_object` renders as
//! the field's JSON; objects and lists are built by `json_build_object` and `json_agg`,
//! which write their text in one pass instead of concatenating a text per value (a fifth
//! more statements per second for `posting(id:)` than `concat` of `to_json` texts). Only
//! names (columns of the entities, response keys the parser accepted, type names) are
//! written into SQL; values never are.

use async_graphql::{InputType, OutputType, Value};
use sea_orm::{ActiveEnum, IdenStatic, Iterable};

use crate::graphql::global_id::NodeKind;

/// A column's name, as its entity declares it.
pub trait ColumnName: Sync {
    fn column_name(&self) -> &'static str;
}

impl<C: IdenStatic + Sync> ColumnName for C {
    fn column_name(&self) -> &'static str {
        self.as_str()
    }
}

/// How PostgreSQL renders one plain field from its row.
#[derive(Clone, Copy)]
pub enum Rendering {
    /// A text column, as a JSON string or `null`.
    Text(&'static dyn ColumnName),
    /// An integer column, as a JSON number or `null`.
    Integer(&'static dyn ColumnName),
    /// A boolean column.
    Boolean(&'static dyn ColumnName),
    /// A `timestamptz` column, as async-graphql writes a `DateTime<Utc>`, or `null`.
    Timestamp(&'static dyn ColumnName),
    /// A uuid column, as the global id of a `NodeKind`.
    GlobalId(NodeKind, &'static dyn ColumnName),
    /// A stored enum column, by its GraphQL enum name (see [`enumeration`]).
    Enum(&'static dyn ColumnName, fn(&str) -> String),
    /// A string member of the row's JSON value, by its serde name, or `null`.
    JsonText(&'static str),
    /// A list-of-strings member of the row's JSON value, by its serde name.
    JsonStrings(&'static str),
    /// A `jsonb` column holding a list of strings.
    StringsColumn(&'static dyn ColumnName),
}

impl Rendering {
    /// The expression, reading columns of `row` (a table name or alias, or for the JSON
    /// variants an expression of type `jsonb`).
    pub fn sql(&self, row: &str) -> String {
        let column = |name: &dyn ColumnName| format!("{row}.\"{}\"", name.column_name());
        match *self {
            // Text, numbers and booleans are JSON strings, numbers and booleans as they are.
            Rendering::Text(name) | Rendering::Integer(name) | Rendering::Boolean(name) => {
                column(name)
            }
            Rendering::Timestamp(name) => timestamp(&column(name)),
            Rendering::GlobalId(kind, name) => global_id(kind, &column(name)),
            Rendering::Enum(name, cases) => cases(&column(name)),
            Rendering::JsonText(key) => format!("({row} ->> '{key}')"),
            Rendering::JsonStrings(key) => strings(&format!("({row} -> '{key}')")),
            Rendering::StringsColumn(name) => strings(&column(name)),
        }
    }

    /// The JSON member this rendering reads, for the JSON variants.
    pub fn json_key(&self) -> Option<&'static str> {
        match *self {
            Rendering::JsonText(key) | Rendering::JsonStrings(key) => Some(key),
            _ => None,
        }
    }
}

/// A `jsonb` list of strings as it is (`[]` when it is null).
fn strings(list: &str) -> String {
    format!("COALESCE({list}, '[]'::jsonb)")
}

/// A JSON object of `fields`, in order. PostgreSQL functions take at most 100 arguments, so
/// an object of more than 50 fields is built in parts and the parts' members joined.
pub fn object(fields: &[(&str, String)]) -> String {
    const FIELDS_PER_CALL: usize = 50;
    let build = |fields: &[(&str, String)]| {
        let arguments: Vec<String> = fields
            .iter()
            // Response keys are GraphQL names: letters, digits and underscores only.
            .map(|(key, value)| format!("'{key}', {value}"))
            .collect();
        format!("json_build_object({})", arguments.join(", "))
    };
    if fields.len() <= FIELDS_PER_CALL {
        return build(fields);
    }
    // Each part is a non-empty object's text, `{` … `}`: without their first and last
    // characters, their members are the members of one object.
    let parts: Vec<String> = fields
        .chunks(FIELDS_PER_CALL)
        .map(|chunk| format!("left(right({}::text, -1), -1)", build(chunk)))
        .collect();
    format!(
        "concat('{{', concat_ws(',', {}), '}}')::json",
        parts.join(", ")
    )
}

/// The JSON array of `element`, one per row of `from` (a `FROM` clause with its
/// conditions) in `order`; `[]` when there is none.
pub fn array(element: &str, order: &str, from: &str) -> String {
    format!("COALESCE((SELECT json_agg({element} ORDER BY {order}) {from}), '[]'::json)")
}

/// `__typename`: the type's name as a JSON string (a GraphQL name: nothing to escape).
pub fn type_name<T: OutputType>() -> String {
    format!("'{}'::text", T::type_name())
}

/// A global id, as [`crate::graphql::global_id::encode`] writes it.
fn global_id(kind: NodeKind, column: &str) -> String {
    format!(
        "translate(encode(convert_to('{}:' || {column}::text, 'UTF8'), 'base64'), '+/=' || chr(10), '-_')",
        kind.name()
    )
}

/// A stored enum column as its GraphQL enum name: `S` is the stored enum, `G` its mirrored
/// GraphQL enum, so the cases are derived from the enums themselves.
pub fn enumeration<S, G>(column: &str) -> String
where
    S: ActiveEnum<Value = String> + Iterable,
    G: From<S> + InputType,
{
    let mut cases = format!("CASE {column}");
    for variant in S::iter() {
        let stored = variant.to_value();
        if let Value::Enum(name) = G::from(variant).to_value() {
            cases.push_str(&format!(" WHEN '{stored}' THEN '{name}'"));
        }
    }
    cases.push_str(" END");
    cases
}

/// A `timestamptz` column as async-graphql writes a `DateTime<Utc>` (chrono's RFC 3339: no
/// fraction when it is zero, else milliseconds or microseconds), or NULL.
fn timestamp(column: &str) -> String {
    let micros = format!("(extract(microseconds FROM {column})::bigint % 1000000)");
    format!(
        "CASE WHEN {column} IS NOT NULL THEN concat(\
         to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'), \
         CASE WHEN {micros} = 0 THEN '' \
         WHEN {micros} % 1000 = 0 THEN '.' || lpad(({micros} / 1000)::text, 3, '0') \
         ELSE '.' || lpad({micros}::text, 6, '0') END, '+00:00') END"
    )
}

/// Copies the JSON text PostgreSQL wrote into `body` without the whitespace between its
/// tokens (the text is valid JSON: strings are copied as they are, escapes and all).
pub fn compact_into(body: &mut Vec<u8>, json: &str) {
    let bytes = json.as_bytes();
    body.reserve(bytes.len());
    let mut rest = bytes;
    while let Some(quote) = memchr::memchr(b'"', rest) {
        body.extend(
            rest[..quote]
                .iter()
                .filter(|byte| !byte.is_ascii_whitespace()),
        );
        // The string, up to its closing quote: the first one not escaped.
        let mut end = quote + 1;
        loop {
            match memchr::memchr2(b'"', b'\\', rest.get(end..).unwrap_or_default()) {
                Some(found) if rest[end + found] == b'\\' => end += found + 2,
                Some(found) => {
                    end += found + 1;
                    break;
                }
                None => {
                    end = rest.len();
                    break;
                }
            }
        }
        let end = end.min(rest.len());
        body.extend_from_slice(&rest[quote..end]);
        rest = &rest[end..];
    }
    body.extend(rest.iter().filter(|byte| !byte.is_ascii_whitespace()));
}

#[cfg(test)]
mod tests {
    use entity::enums as stored;

    use super::*;
    use crate::graphql::types::enums::EmploymentType;

    #[test]
    fn enums_are_written_by_their_graphql_names() {
        let sql = enumeration::<stored::EmploymentType, EmploymentType>("c");
        assert!(sql.contains("WHEN 'full_time' THEN 'FULL_TIME'"), "{sql}");
        assert!(sql.contains("WHEN 'per_diem' THEN 'PER_DIEM'"), "{sql}");
    }

    #[test]
    fn columns_are_named_by_their_entity() {
        let sql = Rendering::Text(&entity::posting::Column::ApplyUrl).sql("p");
        assert_eq!(sql, "p.\"apply_url\"");
    }

    #[test]
    fn long_objects_stay_under_the_argument_limit() {
        let fields: Vec<(String, String)> = (0..120)
            .map(|n| (format!("f{n}"), "x".to_owned()))
            .collect();
        let fields: Vec<(&str, String)> = fields
            .iter()
            .map(|(key, value)| (key.as_str(), value.clone()))
            .collect();
        let sql = object(&fields);
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
        assert_eq!(sql.matches(", x").count(), 120);
        assert_eq!(object(&[]), "json_build_object()");
    }

    fn compact(json: &str) -> String {
        let mut body = Vec::new();
        compact_into(&mut body, json);
        String::from_utf8(body).expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn whitespace_between_tokens_goes_and_strings_stay_as_they_are() {
        assert_eq!(
            compact("{\"a\" : [1, 2], \n \"b\" : {\"c\" : null}}"),
            "{\"a\":[1,2],\"b\":{\"c\":null}}"
        );
        let strings = r#"["x : y, z", "a \" b", "c \\", " ", "Göteborg \u0001", ""]"#;
        assert_eq!(
            compact(strings),
            r#"["x : y, z","a \" b","c \\"," ","Göteborg \u0001",""]"#
        );
        let value = serde_json::json!({"t": "a \" : , \\ \n b", "n": [1, true, null]});
        let pretty = serde_json::to_string_pretty(&value).expect("serializes");
        assert_eq!(compact(&pretty), value.to_string());
        assert_eq!(compact("\"unterminated \\"), "\"unterminated \\");
    }
}
