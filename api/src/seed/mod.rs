//! The sample catalog a brand-new embedded database starts with (and `jobgraph seed-sample`
//! loads on request): a few fictional companies and about 30 postings in English and Swedish,
//! written by us.

use chrono::{Duration, DurationRound, Utc};
use entity::enums::{EmploymentType, PostingStatus, RemotePolicy, RequirementKind};
use entity::sections::{Description, DescriptionSection};
use entity::{company, posting, posting_location, requirement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::service::posting::city_key;

const SAMPLE_CATALOG: &str = include_str!("sample_catalog.json");

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the sample catalog is not valid: {0}")]
    Invalid(#[from] serde_json::Error),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// What a seeding added.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub companies: usize,
    pub postings: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleCatalog {
    companies: Vec<SampleCompany>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleCompany {
    slug: String,
    name: String,
    website: Option<String>,
    description: Option<String>,
    headquarters: Option<String>,
    postings: Vec<SamplePosting>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SamplePosting {
    slug: String,
    title: String,
    summary: Option<String>,
    language: String,
    department: Option<String>,
    occupation: Option<String>,
    employment_type: EmploymentType,
    remote_policy: RemotePolicy,
    travel: Option<String>,
    status: PostingStatus,
    posted_days_ago: i64,
    valid_for_days: Option<i64>,
    apply_url: Option<String>,
    sections: Vec<DescriptionSection>,
    locations: Vec<SampleLocation>,
    requirements: Vec<SampleRequirement>,
}

#[derive(Deserialize)]
struct SampleLocation {
    city: Option<String>,
    region: Option<String>,
    country: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SampleRequirement {
    kind: RequirementKind,
    text: String,
    required: bool,
    years_min: Option<i32>,
    years_max: Option<i32>,
}

/// Loads the sample catalog in one transaction. Companies whose slug is already taken are
/// left alone, so running it twice adds nothing the second time.
pub async fn seed_sample(db: &DatabaseConnection) -> Result<SeedSummary, SeedError> {
    let catalog: SampleCatalog = serde_json::from_str(SAMPLE_CATALOG)?;
    // Whole seconds: timestamps compare the same on every database.
    let now = Utc::now()
        .duration_trunc(Duration::seconds(1))
        .unwrap_or_else(|_| Utc::now());
    let txn = db.begin().await?;
    let mut summary = SeedSummary::default();
    let mut posting_ids = Vec::new();
    for sample in catalog.companies {
        let taken = company::Entity::find()
            .filter(company::Column::Slug.eq(&sample.slug))
            .one(&txn)
            .await?
            .is_some();
        if taken {
            continue;
        }
        let company_id = Uuid::now_v7();
        company::Entity::insert(company::ActiveModel {
            id: Set(company_id),
            slug: Set(sample.slug),
            name: Set(sample.name),
            website: Set(sample.website),
            description: Set(sample.description),
            headquarters: Set(sample.headquarters),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        summary.companies += 1;
        for sample in sample.postings {
            let posting_id = Uuid::now_v7();
            posting_ids.push(posting_id);
            let posted_at = now - Duration::days(sample.posted_days_ago);
            posting::Entity::insert(posting::ActiveModel {
                id: Set(posting_id),
                company_id: Set(company_id),
                slug: Set(sample.slug),
                title: Set(sample.title),
                summary: Set(sample.summary),
                description: Set(Description(sample.sections)),
                department: Set(sample.department),
                occupation: Set(sample.occupation),
                employment_type: Set(sample.employment_type),
                remote_policy: Set(sample.remote_policy),
                travel: Set(sample.travel),
                language: Set(sample.language),
                posted_at: Set((sample.status != PostingStatus::Draft).then_some(posted_at)),
                status: Set(sample.status),
                valid_through: Set(sample
                    .valid_for_days
                    .map(|days| posted_at + Duration::days(days))),
                apply_url: Set(sample.apply_url),
                source_url: Set(None),
                content_hash: Set(None),
                source_key: Set(None),
                responsibilities: Set(Default::default()),
                salary_min: Set(None),
                salary_max: Set(None),
                salary_currency: Set(None),
                salary_unit: Set(None),
                version: Set(1),
                created_at: Set(posted_at),
                updated_at: Set(posted_at),
            })
            .exec_without_returning(&txn)
            .await?;
            summary.postings += 1;
            for (position, location) in sample.locations.into_iter().enumerate() {
                posting_location::Entity::insert(posting_location::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    posting_id: Set(posting_id),
                    position: Set(position as i32),
                    city_key: Set(location.city.as_deref().map(city_key)),
                    city: Set(location.city),
                    region: Set(location.region),
                    country: Set(location.country),
                })
                .exec_without_returning(&txn)
                .await?;
            }
            for (position, sample) in sample.requirements.into_iter().enumerate() {
                requirement::Entity::insert(requirement::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    posting_id: Set(posting_id),
                    position: Set(position as i32),
                    kind: Set(sample.kind),
                    text: Set(sample.text),
                    required: Set(sample.required),
                    years_min: Set(sample.years_min),
                    years_max: Set(sample.years_max),
                })
                .exec_without_returning(&txn)
                .await?;
            }
        }
    }
    crate::service::search::index::reindex(&txn, &posting_ids).await?;
    txn.commit().await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_catalog_parses_and_is_bilingual() {
        let catalog: SampleCatalog = serde_json::from_str(SAMPLE_CATALOG).expect("valid sample");
        let postings: Vec<&SamplePosting> =
            catalog.companies.iter().flat_map(|c| &c.postings).collect();
        assert!(postings.len() >= 25, "{} postings", postings.len());
        assert!(postings.iter().any(|p| p.language == "sv"));
        assert!(postings.iter().any(|p| p.language == "en"));
    }
}
