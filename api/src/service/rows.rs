//! Requirement and location rows read by column position.
//!
//! A page of postings reads hundreds of these rows at once. SeaORM's derived models look every
//! column up by name, which cost more than decoding the values; these read the columns they
//! select, in the order they select them.

use entity::{posting_location, requirement};
use sea_orm::{DbErr, FromQueryResult, QueryResult};

/// A model read by column position; select its type's `COLUMNS`, in order.
pub struct ByPosition<M>(pub M);

/// The columns [`ByPosition<requirement::Model>`] reads.
pub const REQUIREMENT_COLUMNS: [requirement::Column; 8] = [
    requirement::Column::Id,
    requirement::Column::PostingId,
    requirement::Column::Position,
    requirement::Column::Kind,
    requirement::Column::Text,
    requirement::Column::Required,
    requirement::Column::YearsMin,
    requirement::Column::YearsMax,
];

impl FromQueryResult for ByPosition<requirement::Model> {
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        Ok(ByPosition(requirement::Model {
            id: row.try_get_by_index(0)?,
            posting_id: row.try_get_by_index(1)?,
            position: row.try_get_by_index(2)?,
            kind: row.try_get_by_index(3)?,
            text: row.try_get_by_index(4)?,
            required: row.try_get_by_index(5)?,
            years_min: row.try_get_by_index(6)?,
            years_max: row.try_get_by_index(7)?,
        }))
    }
}

/// The columns [`ByPosition<posting_location::Model>`] reads.
pub const LOCATION_COLUMNS: [posting_location::Column; 7] = [
    posting_location::Column::Id,
    posting_location::Column::PostingId,
    posting_location::Column::Position,
    posting_location::Column::City,
    posting_location::Column::CityKey,
    posting_location::Column::Region,
    posting_location::Column::Country,
];

impl FromQueryResult for ByPosition<posting_location::Model> {
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        Ok(ByPosition(posting_location::Model {
            id: row.try_get_by_index(0)?,
            posting_id: row.try_get_by_index(1)?,
            position: row.try_get_by_index(2)?,
            city: row.try_get_by_index(3)?,
            city_key: row.try_get_by_index(4)?,
            region: row.try_get_by_index(5)?,
            country: row.try_get_by_index(6)?,
        }))
    }
}
