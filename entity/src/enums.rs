//! The closed vocabularies of the catalog, stored as short lowercase strings so that SQLite and
//! PostgreSQL hold the same values.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a posting is in its life: only `Published` postings are public.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PostingStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "closed")]
    Closed,
    #[sea_orm(string_value = "archived")]
    Archived,
}

/// The kind of employment offered, after schema.org's `employmentType`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmploymentType {
    #[sea_orm(string_value = "full_time")]
    FullTime,
    #[sea_orm(string_value = "part_time")]
    PartTime,
    #[sea_orm(string_value = "contractor")]
    Contractor,
    #[sea_orm(string_value = "temporary")]
    Temporary,
    #[sea_orm(string_value = "intern")]
    Intern,
    #[sea_orm(string_value = "volunteer")]
    Volunteer,
    #[sea_orm(string_value = "per_diem")]
    PerDiem,
    #[sea_orm(string_value = "other")]
    Other,
}

/// Where the work is done.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RemotePolicy {
    #[sea_orm(string_value = "onsite")]
    Onsite,
    #[sea_orm(string_value = "hybrid")]
    Hybrid,
    #[sea_orm(string_value = "remote")]
    Remote,
}

/// What a requirement is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RequirementKind {
    #[sea_orm(string_value = "experience")]
    Experience,
    #[sea_orm(string_value = "education")]
    Education,
    #[sea_orm(string_value = "skill")]
    Skill,
    #[sea_orm(string_value = "language")]
    Language,
    #[sea_orm(string_value = "certification")]
    Certification,
    #[sea_orm(string_value = "other")]
    Other,
}

/// Where an application is in the hiring process.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationStatus {
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "in_review")]
    InReview,
    #[sea_orm(string_value = "interviewing")]
    Interviewing,
    #[sea_orm(string_value = "offered")]
    Offered,
    #[sea_orm(string_value = "hired")]
    Hired,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

/// The period a salary is paid for (schema.org's `unitText`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SalaryUnit {
    #[sea_orm(string_value = "hour")]
    Hour,
    #[sea_orm(string_value = "day")]
    Day,
    #[sea_orm(string_value = "week")]
    Week,
    #[sea_orm(string_value = "month")]
    Month,
    #[sea_orm(string_value = "year")]
    Year,
}
