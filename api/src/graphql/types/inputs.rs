//! Inputs of the mutations, and their conversion into the service layer's types.

use async_graphql::{ID, InputObject, MaybeUndefined};
use chrono::{DateTime, Utc};
use entity::sections::DescriptionSection;

use super::enums::{ApplicationStatus, EmploymentType, RemotePolicy, RequirementKind};
use crate::error::ServiceError;
use crate::graphql::global_id::{self, NodeKind};
use crate::service::application_write::NewApplication;
use crate::service::company_write::{CompanyChanges, NewCompany};
use crate::service::posting_write::{
    Change, DescriptionInput, NewLocation, NewPosting, PostingChanges,
};
use crate::service::requirement_write::NewRequirement;

fn change<T>(value: MaybeUndefined<T>) -> Change<T> {
    match value {
        MaybeUndefined::Undefined => Change::Keep,
        MaybeUndefined::Null => Change::Clear,
        MaybeUndefined::Value(value) => Change::Set(value),
    }
}

fn optional<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(value)),
    }
}

/// A place a posting is located in.
#[derive(InputObject, Clone, Debug)]
pub struct LocationInput {
    /// The city, such as "Göteborg".
    pub city: Option<String>,
    /// The region, state or county.
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code, such as "SE".
    pub country: String,
}

impl From<LocationInput> for NewLocation {
    fn from(input: LocationInput) -> Self {
        NewLocation {
            city: input.city,
            region: input.region,
            country: input.country,
        }
    }
}

/// One description section, when giving sections explicitly instead of text.
#[derive(InputObject, Clone, Debug)]
pub struct SectionInput {
    /// The section's heading; null for an untitled introduction.
    pub heading: Option<String>,
    /// Plain-text paragraphs, in order.
    #[graphql(default)]
    pub paragraphs: Vec<String>,
    /// Plain-text bullet items, in order.
    #[graphql(default)]
    pub items: Vec<String>,
}

/// A requirement of a posting.
#[derive(InputObject, Clone, Debug)]
pub struct RequirementInput {
    /// What the requirement is about.
    pub kind: RequirementKind,
    /// The requirement in the posting's language.
    pub text: String,
    /// False when merely preferred ("meriterande"). Defaults to true.
    #[graphql(default = true)]
    pub required: bool,
    /// The fewest years asked for (0–60).
    pub years_min: Option<i32>,
    /// The most years asked for (0–60, not below yearsMin).
    pub years_max: Option<i32>,
}

impl From<RequirementInput> for NewRequirement {
    fn from(input: RequirementInput) -> Self {
        NewRequirement {
            kind: input.kind.into(),
            text: input.text,
            required: input.required,
            years_min: input.years_min,
            years_max: input.years_max,
        }
    }
}

fn description(
    text: Option<String>,
    sections: Option<Vec<SectionInput>>,
) -> Result<Option<DescriptionInput>, ServiceError> {
    match (text, sections) {
        (Some(_), Some(_)) => Err(ServiceError::invalid(
            "input.sections",
            "give description or sections, not both",
        )),
        (Some(text), None) => Ok(Some(DescriptionInput::Text(text))),
        (None, Some(sections)) => Ok(Some(DescriptionInput::Sections(
            sections
                .into_iter()
                .map(|section| DescriptionSection {
                    heading: section.heading,
                    paragraphs: section.paragraphs,
                    items: section.items,
                })
                .collect(),
        ))),
        (None, None) => Ok(None),
    }
}

/// A new company.
#[derive(InputObject, Clone, Debug)]
pub struct CreateCompanyInput {
    /// URL name: lowercase letters, digits and single hyphens, unique in the catalog.
    pub slug: String,
    /// The company's name, 1–200 characters.
    pub name: String,
    /// The company's own website, an absolute `http` or `https` URL.
    pub website: Option<String>,
    /// What the company does, in its own words; at most 10,000 characters.
    pub description: Option<String>,
    /// Where the company is headquartered, such as "Göteborg, Sweden"; at most 200 characters.
    pub headquarters: Option<String>,
}

impl From<CreateCompanyInput> for NewCompany {
    fn from(input: CreateCompanyInput) -> Self {
        NewCompany {
            slug: input.slug,
            name: input.name,
            website: input.website,
            description: input.description,
            headquarters: input.headquarters,
        }
    }
}

/// Changes to a company: omitted fields stay, null clears.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateCompanyInput {
    /// The company's global id (`Company.id`).
    pub id: ID,
    /// A new URL name, unique in the catalog; omitted or null keeps the current one.
    pub slug: Option<String>,
    /// A new name, 1–200 characters; omitted or null keeps the current one.
    pub name: Option<String>,
    /// A new website (absolute `http` or `https` URL); null removes it.
    pub website: MaybeUndefined<String>,
    /// A new description, at most 10,000 characters; null removes it.
    pub description: MaybeUndefined<String>,
    /// A new headquarters, at most 200 characters; null removes it.
    pub headquarters: MaybeUndefined<String>,
}

impl UpdateCompanyInput {
    pub fn into_changes(self) -> Result<(uuid::Uuid, CompanyChanges), ServiceError> {
        let id = global_id::decode_as(NodeKind::Company, &self.id, "input.id")?;
        Ok((
            id,
            CompanyChanges {
                slug: self.slug,
                name: self.name,
                website: optional(self.website),
                description: optional(self.description),
                headquarters: optional(self.headquarters),
            },
        ))
    }
}

/// A new posting; it starts as a `DRAFT`.
#[derive(InputObject, Clone, Debug)]
pub struct CreatePostingInput {
    /// The global id (`Company.id`) of the company offering the job.
    pub company_id: ID,
    /// The job title, 1–200 characters.
    pub title: String,
    /// The description as plain text or Markdown (`#` headings, `-` items); stored as sections.
    pub description: Option<String>,
    /// The description as explicit sections (at most 50), instead of `description`.
    pub sections: Option<Vec<SectionInput>>,
    /// A sentence or two to show in lists; at most 1,000 characters.
    pub summary: Option<String>,
    /// URL name, unique within the company; made from the title when omitted.
    pub slug: Option<String>,
    /// The department or team, such as "Engineering"; at most 200 characters.
    pub department: Option<String>,
    /// The occupation, such as "Software developer"; at most 200 characters.
    pub occupation: Option<String>,
    /// Defaults to `FULL_TIME`.
    pub employment_type: Option<EmploymentType>,
    /// Defaults to `ONSITE`.
    pub remote_policy: Option<RemotePolicy>,
    /// How much the job travels, such as "Up to 20%"; at most 200 characters.
    pub travel: Option<String>,
    /// BCP 47 tag of the posting's language; defaults to `en`.
    pub language: Option<String>,
    /// The last moment applications are accepted; none when omitted.
    pub valid_through: Option<DateTime<Utc>>,
    /// Where candidates apply on the employer's own site, an absolute `http` or `https` URL.
    pub apply_url: Option<String>,
    /// Where the posting was imported from, an absolute `http` or `https` URL.
    pub source_url: Option<String>,
    /// The posting's locations (at most 50), in order.
    pub locations: Option<Vec<LocationInput>>,
    /// The posting's requirements (at most 100), in order.
    pub requirements: Option<Vec<RequirementInput>>,
    /// The duties of the job (at most 100), in order; each 1–2,000 characters.
    pub responsibilities: Option<Vec<String>>,
    /// What the job pays; none when omitted.
    pub salary: Option<super::salary::SalaryInput>,
}

impl CreatePostingInput {
    pub fn into_new(self) -> Result<NewPosting, ServiceError> {
        Ok(NewPosting {
            company_id: global_id::decode_as(
                NodeKind::Company,
                &self.company_id,
                "input.companyId",
            )?,
            description: description(self.description, self.sections)?
                .unwrap_or(DescriptionInput::Text(String::new())),
            slug: self.slug,
            title: self.title,
            summary: self.summary,
            department: self.department,
            occupation: self.occupation,
            employment_type: self
                .employment_type
                .unwrap_or(EmploymentType::FullTime)
                .into(),
            remote_policy: self.remote_policy.unwrap_or(RemotePolicy::Onsite).into(),
            travel: self.travel,
            language: self.language.unwrap_or_else(|| "en".to_owned()),
            valid_through: self.valid_through,
            apply_url: self.apply_url,
            source_url: self.source_url,
            locations: self
                .locations
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            requirements: self
                .requirements
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            responsibilities: self.responsibilities.unwrap_or_default(),
            salary: self
                .salary
                .map(|salary| salary.into_range("input.salary"))
                .transpose()?,
        })
    }
}

/// Changes to a posting: omitted fields stay, null clears. Fails with `CONFLICT` unless the
/// posting is still at `expectedVersion`.
#[derive(InputObject, Clone, Debug)]
pub struct UpdatePostingInput {
    /// The posting's global id (`Posting.id`).
    pub id: ID,
    /// The `version` the change was made against.
    pub expected_version: i32,
    /// A new URL name, unique within the company; omitted or null keeps the current one.
    pub slug: Option<String>,
    /// A new title, 1–200 characters; omitted or null keeps the current one.
    pub title: Option<String>,
    /// A new summary, at most 1,000 characters; null removes it.
    pub summary: MaybeUndefined<String>,
    /// New description as plain text or Markdown.
    pub description: Option<String>,
    /// New description as explicit sections.
    pub sections: Option<Vec<SectionInput>>,
    /// A new department, at most 200 characters; null removes it.
    pub department: MaybeUndefined<String>,
    /// A new occupation, at most 200 characters; null removes it.
    pub occupation: MaybeUndefined<String>,
    /// A new kind of employment; omitted or null keeps the current one.
    pub employment_type: Option<EmploymentType>,
    /// A new remote policy; omitted or null keeps the current one.
    pub remote_policy: Option<RemotePolicy>,
    /// How much the job travels, at most 200 characters; null removes it.
    pub travel: MaybeUndefined<String>,
    /// A new BCP 47 language tag, such as `sv`; omitted or null keeps the current one.
    pub language: Option<String>,
    /// A new last moment for applications; null removes it.
    pub valid_through: MaybeUndefined<DateTime<Utc>>,
    /// A new apply URL (absolute `http` or `https`); null removes it.
    pub apply_url: MaybeUndefined<String>,
    /// A new source URL (absolute `http` or `https`); null removes it.
    pub source_url: MaybeUndefined<String>,
    /// Replaces every location, in order.
    pub locations: Option<Vec<LocationInput>>,
    /// Replaces the duties of the job, in order; `[]` removes them.
    pub responsibilities: Option<Vec<String>>,
    /// A new salary range; null removes it.
    pub salary: MaybeUndefined<super::salary::SalaryInput>,
}

impl UpdatePostingInput {
    pub fn into_changes(self) -> Result<(uuid::Uuid, i32, PostingChanges), ServiceError> {
        let id = global_id::decode_as(NodeKind::Posting, &self.id, "input.id")?;
        Ok((
            id,
            self.expected_version,
            PostingChanges {
                slug: self.slug,
                title: self.title,
                summary: change(self.summary),
                description: description(self.description, self.sections)?,
                department: change(self.department),
                occupation: change(self.occupation),
                employment_type: self.employment_type.map(Into::into),
                remote_policy: self.remote_policy.map(Into::into),
                travel: change(self.travel),
                language: self.language,
                valid_through: change(self.valid_through),
                apply_url: change(self.apply_url),
                source_url: change(self.source_url),
                locations: self
                    .locations
                    .map(|list| list.into_iter().map(Into::into).collect()),
                responsibilities: self.responsibilities,
                salary: match change(self.salary) {
                    Change::Set(salary) => Change::Set(salary.into_range("input.salary")?),
                    Change::Clear => Change::Clear,
                    Change::Keep => Change::Keep,
                },
            },
        ))
    }
}

/// Publishes a draft (or reopens a closed posting).
#[derive(InputObject, Clone, Debug)]
pub struct PublishPostingInput {
    /// The posting's global id (`Posting.id`).
    pub id: ID,
    /// When given, the change fails with `CONFLICT` unless the posting is at this version.
    pub expected_version: Option<i32>,
    /// The publication date to show; defaults to now (or the earlier one, when reopening).
    pub posted_at: Option<DateTime<Utc>>,
}

/// Closes, archives or deletes a posting.
#[derive(InputObject, Clone, Debug)]
pub struct PostingRefInput {
    /// The posting's global id (`Posting.id`).
    pub id: ID,
    /// When given, the change fails with `CONFLICT` unless the posting is at this version.
    pub expected_version: Option<i32>,
}

/// Replaces a posting's requirements.
#[derive(InputObject, Clone, Debug)]
pub struct SetRequirementsInput {
    /// The posting's global id (`Posting.id`).
    pub posting_id: ID,
    /// When given, the change fails with `CONFLICT` unless the posting is at this `version`.
    pub expected_version: Option<i32>,
    /// The whole new list (at most 100), in order; empty removes every requirement.
    pub requirements: Vec<RequirementInput>,
}

/// Adds one requirement to a posting.
#[derive(InputObject, Clone, Debug)]
pub struct AddRequirementInput {
    /// The posting's global id (`Posting.id`).
    pub posting_id: ID,
    /// When given, the change fails with `CONFLICT` unless the posting is at this `version`.
    pub expected_version: Option<i32>,
    /// The requirement to add.
    pub requirement: RequirementInput,
    /// Where to insert it (0 is first); at the end when omitted.
    pub position: Option<u32>,
}

/// Changes one requirement, keeping its place.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateRequirementInput {
    /// The requirement's global id (`Requirement.id`).
    pub id: ID,
    /// When given, the change fails with `CONFLICT` unless the requirement's posting is at
    /// this `version`.
    pub expected_version: Option<i32>,
    /// The requirement's new content, replacing all of the old.
    pub requirement: RequirementInput,
}

/// Removes one requirement.
#[derive(InputObject, Clone, Debug)]
pub struct RemoveRequirementInput {
    /// The requirement's global id (`Requirement.id`).
    pub id: ID,
    /// When given, the change fails with `CONFLICT` unless the requirement's posting is at
    /// this `version`.
    pub expected_version: Option<i32>,
}

/// An application from a candidate. Retrying with the same `idempotencyKey` returns the first
/// attempt's application instead of creating another.
#[derive(InputObject, Clone)]
pub struct ApplyToPostingInput {
    /// The global id (`Posting.id`) of a published, open posting.
    pub posting_id: ID,
    /// Chosen by the client (a UUID, say), the same for every retry of one submission; 1–200
    /// characters.
    pub idempotency_key: String,
    /// The candidate's name, 1–200 characters.
    pub name: String,
    /// The candidate's e-mail address, at most 254 characters.
    pub email: String,
    /// The candidate's phone number: digits, spaces and `+-().`, at most 50 characters.
    pub phone: Option<String>,
    /// Where the candidate's résumé is, an absolute `http` or `https` URL.
    pub resume_url: Option<String>,
    /// The candidate's cover letter, at most 20,000 characters.
    pub cover_letter: Option<String>,
}

impl ApplyToPostingInput {
    pub fn into_new(self) -> Result<NewApplication, ServiceError> {
        Ok(NewApplication {
            posting_id: global_id::decode_as(
                NodeKind::Posting,
                &self.posting_id,
                "input.postingId",
            )?,
            idempotency_key: self.idempotency_key,
            name: self.name,
            email: self.email,
            phone: self.phone,
            resume_url: self.resume_url,
            cover_letter: self.cover_letter,
        })
    }
}

/// Moves an application along the hiring process.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateApplicationStatusInput {
    /// The application's global id (`Application.id`).
    pub id: ID,
    /// Where the application is now in the hiring process.
    pub status: ApplicationStatus,
}

/// Erases an application's personal data (a data-protection request).
#[derive(InputObject, Clone, Debug)]
pub struct EraseApplicationInput {
    /// The application's global id (`Application.id`).
    pub id: ID,
}
