//! Posting, requirement and location rows read by column position.
//!
//! A page of postings reads hundreds of these rows at once. SeaORM's derived models look every
//! column up by name, which cost more than decoding the values; these read the columns they
//! select, in the order they select them.

use entity::{posting, posting_location, requirement};
use sea_orm::{DbErr, FromQueryResult, Iterable, QueryResult};

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

/// The columns [`ByPosition<posting::Model>`] reads: every column, in the entity's order.
pub fn posting_columns() -> impl Iterator<Item = posting::Column> {
    posting::Column::iter()
}

impl FromQueryResult for ByPosition<posting::Model> {
    fn from_query_result(row: &QueryResult, _prefix: &str) -> Result<Self, DbErr> {
        Ok(ByPosition(posting::Model {
            id: row.try_get_by_index(0)?,
            company_id: row.try_get_by_index(1)?,
            slug: row.try_get_by_index(2)?,
            title: row.try_get_by_index(3)?,
            summary: row.try_get_by_index(4)?,
            description: row.try_get_by_index(5)?,
            department: row.try_get_by_index(6)?,
            occupation: row.try_get_by_index(7)?,
            employment_type: row.try_get_by_index(8)?,
            remote_policy: row.try_get_by_index(9)?,
            travel: row.try_get_by_index(10)?,
            language: row.try_get_by_index(11)?,
            status: row.try_get_by_index(12)?,
            posted_at: row.try_get_by_index(13)?,
            valid_through: row.try_get_by_index(14)?,
            apply_url: row.try_get_by_index(15)?,
            source_url: row.try_get_by_index(16)?,
            content_hash: row.try_get_by_index(17)?,
            source_key: row.try_get_by_index(18)?,
            responsibilities: row.try_get_by_index(19)?,
            salary_min: row.try_get_by_index(20)?,
            salary_max: row.try_get_by_index(21)?,
            salary_currency: row.try_get_by_index(22)?,
            salary_unit: row.try_get_by_index(23)?,
            version: row.try_get_by_index(24)?,
            created_at: row.try_get_by_index(25)?,
            updated_at: row.try_get_by_index(26)?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::IdenStatic;

    /// `ByPosition<posting::Model>` reads the columns by these positions; a column added to or
    /// moved in the entity must be added or moved there too.
    #[test]
    fn posting_columns_are_in_the_order_the_row_is_read() {
        let names: Vec<&str> = posting_columns().map(|column| column.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "company_id",
                "slug",
                "title",
                "summary",
                "description",
                "department",
                "occupation",
                "employment_type",
                "remote_policy",
                "travel",
                "language",
                "status",
                "posted_at",
                "valid_through",
                "apply_url",
                "source_url",
                "content_hash",
                "source_key",
                "responsibilities",
                "salary_min",
                "salary_max",
                "salary_currency",
                "salary_unit",
                "version",
                "created_at",
                "updated_at",
            ]
        );
    }
}
