//! PostgreSQL expressions that write GraphQL values as the JSON text async-graphql would
//! answer, byte for byte: compact, strings escaped as serde_json escapes them (PostgreSQL's
//! `to_json` escapes the same characters the same way), enums by their GraphQL names,
//! timestamps as RFC 3339 with chrono's choice of fractional digits, and global ids as
//! `base64url("Posting:<uuid>")`.
//!
//! A leaf: the field catalogue ([`crate::graphql::plain`]) says with these how each field is
//! rendered, and the pushdown puts them together. Every expression is text and never NULL.
//! Only names (columns of the entities, response keys the parser accepted, type names) are
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
            Rendering::Text(name) => text(&column(name)),
            Rendering::Integer(name) => number(&column(name)),
            Rendering::Boolean(name) => {
                format!("CASE WHEN {} THEN 'true' ELSE 'false' END", column(name))
            }
            Rendering::Timestamp(name) => timestamp(&column(name)),
            Rendering::GlobalId(kind, name) => global_id(kind, &column(name)),
            Rendering::Enum(name, cases) => cases(&column(name)),
            Rendering::JsonText(key) => text(&format!("({row} ->> '{key}')")),
            Rendering::JsonStrings(key) => strings(&format!("{row} -> '{key}'")),
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

/// A JSON array of the strings of a `jsonb` list, in order (`[]` when it is null).
fn strings(list: &str) -> String {
    format!(
        "COALESCE((SELECT '[' || string_agg(jg_string.value::text, ',' ORDER BY jg_string.ordinality) || ']' \
         FROM jsonb_array_elements({list}) WITH ORDINALITY AS jg_string), '[]')"
    )
}

/// A JSON object of `fields`, in order. PostgreSQL functions take at most 100 arguments, so
/// long objects are concatenated in parts.
pub fn object(fields: &[(&str, String)]) -> String {
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

/// `__typename`: the type's name as a JSON string (a GraphQL name: nothing to escape).
pub fn type_name<T: OutputType>() -> String {
    format!("'\"{}\"'", T::type_name())
}

/// A text expression as a JSON string, or `null`.
fn text(expression: &str) -> String {
    format!("COALESCE(to_json({expression})::text, 'null')")
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
    use entity::enums as stored;

    use super::*;
    use crate::graphql::types::enums::EmploymentType;

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
    fn columns_are_named_by_their_entity() {
        let sql = Rendering::Text(&entity::posting::Column::ApplyUrl).sql("p");
        assert_eq!(sql, "COALESCE(to_json(p.\"apply_url\")::text, 'null')");
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
