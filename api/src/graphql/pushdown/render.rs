//! The SQL that renders a posting selection as the JSON async-graphql would answer, reading
//! the current `posting` row (byte for byte once [`json_sql::compact_into`] has taken out
//! the spaces PostgreSQL writes between members). Every field comes from the field
//! catalogue ([`crate::graphql::plain`]); relations are correlated subqueries over their
//! entities' tables and columns.

use entity::{company, posting, posting_location, requirement};
use sea_orm::{EntityName, IdenStatic};

use crate::graphql::json_sql;
use crate::graphql::plain::{PlainFields, PlainSelection, plain_object_sql};
use crate::graphql::types::posting_node::{OnePassSelection, Part};

/// The posting row a plan's statement reads, as sea-query names its table.
fn posting_row() -> String {
    format!("\"{}\"", posting::Entity.table_name())
}

/// A column of the current posting row.
fn posting_column(column: posting::Column) -> String {
    format!("{}.\"{}\"", posting_row(), column.as_str())
}

/// The JSON text of a posting with `selection`.
pub fn posting(selection: &OnePassSelection) -> String {
    let row = posting_row();
    let fields: Vec<(&str, String)> = selection
        .parts
        .iter()
        .map(|(key, part)| {
            let value = match part {
                Part::Own(part) => part.sql(&row),
                Part::Company(selected) => company(selected),
                Part::Locations(selected) => locations(selected),
                Part::Requirements(selected) => requirements(selected),
                Part::Description(selected) => description(selected),
            };
            (key.as_str(), value)
        })
        .collect();
    format!("{}::text", json_sql::object(&fields))
}

fn company<T: PlainFields>(selected: &PlainSelection<T>) -> String {
    const ROW: &str = "jg_company";
    // A posting always has its company (the foreign key restricts deletes).
    format!(
        "(SELECT {} FROM \"{}\" AS {ROW} WHERE {ROW}.\"{}\" = {})",
        plain_object_sql(selected, ROW),
        company::Entity.table_name(),
        company::Column::Id.as_str(),
        posting_column(posting::Column::CompanyId),
    )
}

fn locations<T: PlainFields>(selected: &PlainSelection<T>) -> String {
    const ROW: &str = "jg_location";
    array(
        &plain_object_sql(selected, ROW),
        posting_location::Entity.table_name(),
        ROW,
        posting_location::Column::PostingId.as_str(),
        posting_location::Column::Position.as_str(),
    )
}

fn requirements<T: PlainFields>(selected: &PlainSelection<T>) -> String {
    const ROW: &str = "jg_requirement";
    array(
        &plain_object_sql(selected, ROW),
        requirement::Entity.table_name(),
        ROW,
        requirement::Column::PostingId.as_str(),
        requirement::Column::Position.as_str(),
    )
}

/// The description's sections, read from the posting's own `jsonb` column.
fn description<T: PlainFields>(selected: &PlainSelection<T>) -> String {
    json_sql::array(
        &plain_object_sql(selected, "jg_section.value"),
        "jg_section.ordinality",
        &format!(
            "FROM jsonb_array_elements({}) WITH ORDINALITY AS jg_section",
            posting_column(posting::Column::Description)
        ),
    )
}

/// The rows of `table` (as `row`) belonging to the current posting, each rendered by
/// `element`, as a JSON array ordered by `position`.
fn array(element: &str, table: &str, row: &str, posting_id: &str, position: &str) -> String {
    json_sql::array(
        element,
        &format!("{row}.\"{position}\""),
        &format!(
            "FROM \"{table}\" AS {row} WHERE {row}.\"{posting_id}\" = {}",
            posting_column(posting::Column::Id)
        ),
    )
}
