//! Arranging catalog data directly in a test's database.

use api::graphql::global_id::{self, NodeKind};
use api::service::posting::city_key;
use chrono::{DateTime, Duration, TimeZone, Utc};
use entity::enums::{EmploymentType, PostingStatus, RemotePolicy, RequirementKind};
use entity::sections::{Description, DescriptionSection};
use entity::{company, posting, posting_location, requirement};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use uuid::Uuid;

/// A fixed instant to build dates from, in whole seconds.
pub fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0)
        .single()
        .expect("a valid date")
}

pub fn days_after_base(days: i64) -> DateTime<Utc> {
    base_time() + Duration::days(days)
}

pub async fn company(db: &DatabaseConnection, slug: &str, name: &str) -> company::Model {
    let model = company::Model {
        id: Uuid::now_v7(),
        slug: slug.to_owned(),
        name: name.to_owned(),
        website: Some(format!("https://{slug}.example")),
        description: Some(format!("{name} makes things.")),
        headquarters: Some("Göteborg, Sweden".to_owned()),
        created_at: base_time(),
        updated_at: base_time(),
    };
    company::Entity::insert(company::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await
        .expect("insert company");
    model
}

/// A posting to insert; `..PostingSpec::default()` fills what a test does not care about.
#[derive(Clone)]
pub struct PostingSpec {
    pub slug: String,
    pub title: String,
    pub status: PostingStatus,
    pub department: Option<String>,
    pub occupation: Option<String>,
    pub employment_type: EmploymentType,
    pub remote_policy: RemotePolicy,
    pub language: String,
    pub posted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// (city, country)
    pub locations: Vec<(Option<String>, String)>,
    /// How many requirements to give it.
    pub requirements: usize,
}

impl Default for PostingSpec {
    fn default() -> Self {
        PostingSpec {
            slug: String::new(),
            title: "Engineer".to_owned(),
            status: PostingStatus::Published,
            department: Some("Engineering".to_owned()),
            occupation: Some("Software developer".to_owned()),
            employment_type: EmploymentType::FullTime,
            remote_policy: RemotePolicy::Hybrid,
            language: "en".to_owned(),
            posted_at: Some(base_time()),
            updated_at: base_time(),
            locations: vec![(Some("Göteborg".to_owned()), "SE".to_owned())],
            requirements: 2,
        }
    }
}

pub async fn posting(
    db: &DatabaseConnection,
    company_id: Uuid,
    spec: PostingSpec,
) -> posting::Model {
    let id = Uuid::now_v7();
    let slug = if spec.slug.is_empty() {
        format!("posting-{}", id.simple())
    } else {
        spec.slug.clone()
    };
    let model = posting::Model {
        id,
        company_id,
        slug,
        title: spec.title.clone(),
        summary: Some(format!("{} wanted", spec.title)),
        description: Description(vec![DescriptionSection {
            heading: Some("About the role".to_owned()),
            paragraphs: vec!["You will build things.".to_owned()],
            items: vec!["Build".to_owned(), "Ship".to_owned()],
        }]),
        department: spec.department.clone(),
        occupation: spec.occupation.clone(),
        employment_type: spec.employment_type,
        remote_policy: spec.remote_policy,
        travel: None,
        language: spec.language.clone(),
        status: spec.status,
        posted_at: spec.posted_at,
        valid_through: None,
        apply_url: None,
        source_url: None,
        content_hash: None,
        source_key: None,
        responsibilities: Default::default(),
        salary_min: None,
        salary_max: None,
        salary_currency: None,
        salary_unit: None,
        version: 1,
        created_at: base_time(),
        updated_at: spec.updated_at,
    };
    posting::Entity::insert(posting::ActiveModel::from(model.clone()))
        .exec_without_returning(db)
        .await
        .expect("insert posting");
    for (position, (city, country)) in spec.locations.iter().enumerate() {
        posting_location::Entity::insert(posting_location::ActiveModel {
            id: Set(Uuid::now_v7()),
            posting_id: Set(id),
            position: Set(position as i32),
            city_key: Set(city.as_deref().map(city_key)),
            city: Set(city.clone()),
            region: Set(None),
            country: Set(country.clone()),
        })
        .exec_without_returning(db)
        .await
        .expect("insert location");
    }
    for position in 0..spec.requirements {
        requirement::Entity::insert(requirement::ActiveModel {
            id: Set(Uuid::now_v7()),
            posting_id: Set(id),
            position: Set(position as i32),
            kind: Set(RequirementKind::Skill),
            text: Set(format!("Requirement {position}")),
            required: Set(position % 2 == 0),
            years_min: Set(Some(position as i32)),
            years_max: Set(None),
        })
        .exec_without_returning(db)
        .await
        .expect("insert requirement");
    }
    // As every write of the API does, in the posting's own terms.
    api::service::search::index::reindex(db, &[id])
        .await
        .expect("index the posting for search");
    model
}

pub fn posting_id(model: &posting::Model) -> String {
    global_id::encode(NodeKind::Posting, model.id).0
}

pub fn company_id(model: &company::Model) -> String {
    global_id::encode(NodeKind::Company, model.id).0
}
