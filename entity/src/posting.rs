use sea_orm::entity::prelude::*;

use crate::enums::{EmploymentType, PostingStatus, RemotePolicy, SalaryUnit};
use crate::sections::{Description, Responsibilities};

/// A job posting of one company.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// Unique within the company.
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub description: Description,
    pub department: Option<String>,
    pub occupation: Option<String>,
    pub employment_type: EmploymentType,
    pub remote_policy: RemotePolicy,
    pub travel: Option<String>,
    /// BCP 47 language tag of the posting's text.
    pub language: String,
    pub status: PostingStatus,
    pub posted_at: Option<DateTimeUtc>,
    pub valid_through: Option<DateTimeUtc>,
    pub apply_url: Option<String>,
    pub source_url: Option<String>,
    /// Hash of the imported source, to recognise unchanged re-imports.
    pub content_hash: Option<String>,
    /// Which page an imported posting came from, unique per company: `url:` its source URL,
    /// `id:` its JSON-LD identifier, or `file:` the file (and entry) it was read from.
    pub source_key: Option<String>,
    /// The duties the posting lists, in order.
    #[sea_orm(column_type = "JsonBinary")]
    pub responsibilities: Responsibilities,
    /// The salary range's bounds in hundredths of `salary_currency`; either may be missing.
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    /// ISO 4217; set exactly when the posting states a salary.
    pub salary_currency: Option<String>,
    pub salary_unit: Option<SalaryUnit>,
    /// Incremented by every update, for optimistic concurrency.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "company_id", to = "id")]
    pub company: HasOne<super::company::Entity>,
    #[sea_orm(has_many)]
    pub locations: HasMany<super::posting_location::Entity>,
    #[sea_orm(has_many)]
    pub requirements: HasMany<super::requirement::Entity>,
    #[sea_orm(has_many)]
    pub applications: HasMany<super::application::Entity>,
}

impl Model {
    /// The salary range the posting states, if any.
    pub fn salary(&self) -> Option<crate::salary::SalaryRange> {
        crate::salary::SalaryRange::of(
            self.salary_min,
            self.salary_max,
            self.salary_currency.as_deref(),
            self.salary_unit,
        )
    }
}

impl ActiveModelBehavior for ActiveModel {}
