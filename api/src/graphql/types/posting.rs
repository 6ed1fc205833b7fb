use async_graphql::connection::Connection;
use async_graphql::connection::EmptyFields;
use async_graphql::{Context, ID, InputType, Object, ResultExt, ScalarType};
use chrono::{DateTime, Utc};
use entity::enums as stored;
use entity::posting::{self, Column};

use super::application::Application;
use super::company::Company;
use super::enums::{EmploymentType, PostingStatus, RemotePolicy};
use super::facets::{ListSummary, PostingFacets};
use super::highlight::PostingEdgeFields;
use super::location::Location;
use super::page::{self, PageArgs};
use super::posting_list::{PostingList, PostingListArgs};
use super::posting_node::PostingNode;
use super::requirement::Requirement;
use super::salary::Salary;
use super::section::DescriptionSection;
use crate::error::{ErrorCode, graphql_error};
use crate::graphql::context::{null_on_error, scope};
use crate::graphql::cursor::PageCursor;
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::json_sql::{Rendering, enumeration};
use crate::graphql::plain::{PlainField, PlainFields, PlainList, nullable};
use crate::import::jsonld;
use crate::service;
use crate::service::facets::{Facet, SummaryRequest};
use crate::service::posting::PostingFilter;
use crate::service::visibility::Visibility;

/// A job posting: one open position at one company.
pub struct Posting(pub posting::Model);

/// A page of applications, newest first.
pub type ApplicationConnection = Connection<PageCursor, Application, EmptyFields, EmptyFields>;

/// A page of postings, Relay style.
pub type PostingConnection = Connection<PageCursor, PostingNode, PostingCount, PostingEdgeFields>;

/// A job posting: one open position at one company. Anonymous readers see `PUBLISHED`
/// postings only; a token with `postings:read` for the company (or `admin`) also sees its
/// drafts, closed and archived postings.
#[Object]
impl Posting {
    /// The posting's global id, for `node(id:)` and `posting(id:)`.
    pub async fn id(&self) -> ID {
        global_id::encode(NodeKind::Posting, self.0.id)
    }

    /// The posting's URL name, unique within its company.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The job title, such as "Backend Engineer" or "Systemutvecklare".
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// A sentence or two to show in lists.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// The full description as sections in reading order.
    async fn description(&self) -> PlainList<DescriptionSection> {
        PlainList(self.description_sections())
    }

    /// The department or team, such as "Engineering".
    async fn department(&self) -> Option<&str> {
        self.0.department.as_deref()
    }

    /// The occupation, such as "Software developer".
    async fn occupation(&self) -> Option<&str> {
        self.0.occupation.as_deref()
    }

    /// The kind of employment offered.
    async fn employment_type(&self) -> EmploymentType {
        self.0.employment_type.into()
    }

    /// Where the work is done.
    async fn remote_policy(&self) -> RemotePolicy {
        self.0.remote_policy.into()
    }

    /// How much the job travels, in the employer's words, such as "Up to 20%".
    async fn travel(&self) -> Option<&str> {
        self.0.travel.as_deref()
    }

    /// The language the posting is written in, as a BCP 47 tag such as `en` or `sv`.
    async fn language(&self) -> &str {
        &self.0.language
    }

    /// Where the posting is in its life.
    async fn status(&self) -> PostingStatus {
        self.0.status.into()
    }

    /// When the posting was published.
    async fn posted_at(&self) -> Option<DateTime<Utc>> {
        self.0.posted_at
    }

    /// The last moment applications are accepted, if the employer set one.
    async fn valid_through(&self) -> Option<DateTime<Utc>> {
        self.0.valid_through
    }

    /// Where candidates apply on the employer's own site, if anywhere.
    async fn apply_url(&self) -> Option<&str> {
        self.0.apply_url.as_deref()
    }

    /// Where the posting was imported from, if it was.
    async fn source_url(&self) -> Option<&str> {
        self.0.source_url.as_deref()
    }

    /// The duties of the job, in the employer's order (imported pages list them under
    /// headings such as "What you'll do").
    async fn responsibilities(&self) -> &[String] {
        &self.0.responsibilities.0
    }

    /// What the job pays, if the posting says.
    async fn salary(&self) -> Option<Salary> {
        self.0.salary().map(Salary)
    }

    /// The posting as schema.org JobPosting JSON-LD, the form Google for Jobs reads, as JSON
    /// text ready for a page's `<script type="application/ld+json">`: `<`, `>` and `&` are
    /// written as `\\u` escapes, so no text of the posting can end the script. What schema.org
    /// cannot carry (each requirement's kind, whether it is required, its years; the
    /// department, travel, hybrid work) is in its `jobgraph:posting` property, so that
    /// `jobgraph import` reads the same posting back.
    async fn json_ld(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let (_, scope) = scope(ctx)?;
        let Some(company) = scope.loaders.companies.load_one(self.0.company_id).await? else {
            tracing::error!(posting = %self.0.id, "posting without its company");
            return Err(graphql_error(
                ErrorCode::InternalServerError,
                "internal error",
            ));
        };
        let locations = scope
            .loaders
            .locations_of_posting
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let requirements = scope
            .loaders
            .requirements_of_posting
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let identifier = global_id::encode(NodeKind::Posting, self.0.id);
        Ok(jsonld::script_safe(&jsonld::job_posting(
            &jsonld::Exported {
                posting: &self.0,
                company: &company,
                locations: &locations,
                requirements: &requirements,
                identifier: identifier.as_str(),
            },
        )))
    }

    /// Incremented by every change; send it back as `expectedVersion` when updating.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the posting was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the posting last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The company offering the job.
    async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Company> {
        let (_, scope) = scope(ctx)?;
        match scope.loaders.companies.load_one(self.0.company_id).await? {
            Some(company) => Ok(Company(company)),
            None => {
                tracing::error!(posting = %self.0.id, "posting without its company");
                Err(graphql_error(
                    ErrorCode::InternalServerError,
                    "internal error",
                ))
            }
        }
    }

    /// Where the job is, in the employer's order. May be empty for remote jobs.
    async fn locations(&self, ctx: &Context<'_>) -> async_graphql::Result<PlainList<Location>> {
        let (_, scope) = scope(ctx)?;
        let locations = scope
            .loaders
            .locations_of_posting
            .load_one(self.0.id)
            .await?;
        Ok(PlainList(
            locations
                .unwrap_or_default()
                .into_iter()
                .map(Location::from)
                .collect(),
        ))
    }

    /// The applications to this posting, newest first. Only for tokens with
    /// `applications:read` for the posting's company; anyone else gets an error and null.
    #[graphql(complexity = "page::complexity(first, None, child_complexity)")]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first n applications (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Return applications after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<Option<ApplicationConnection>> {
        let result = async {
            let (catalog, scope) = scope(ctx)?;
            let request = || {
                PageArgs {
                    first,
                    after,
                    last: None,
                    before: None,
                }
                .into_request(
                    &catalog.cursors,
                    service::application::SORT_NAME,
                    service::application::accepts,
                    &catalog.limits,
                )
            };
            let page = service::application::page_of_posting(
                &catalog.reads,
                scope.actor(),
                &self.0,
                request,
                catalog.limits.default_page_size,
            )
            .await
            .extend()?;
            Ok(Some(page::connection(
                page,
                &catalog.cursors,
                service::application::SORT_NAME,
                Application,
                EmptyFields,
            )))
        }
        .await;
        Ok(null_on_error(ctx, result))
    }

    /// What the posting asks of candidates, in the employer's order.
    async fn requirements(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<PlainList<Requirement>> {
        let (_, scope) = scope(ctx)?;
        let requirements = scope
            .loaders
            .requirements_of_posting
            .load_one(self.0.id)
            .await?;
        Ok(PlainList(
            requirements
                .unwrap_or_default()
                .into_iter()
                .map(Requirement)
                .collect(),
        ))
    }
}

impl Posting {
    /// The description's sections as GraphQL objects.
    pub fn description_sections(&self) -> Vec<DescriptionSection> {
        self.0
            .description
            .0
            .iter()
            .cloned()
            .map(DescriptionSection::from)
            .collect()
    }
}

/// The count and facets of a posting list, computed only when asked for, by one statement
/// for both (`ListSummary`).
pub struct PostingCount {
    summary: ListSummary,
}

impl PostingCount {
    /// The count and facets of the list `filter` selects for `visibility`; `planned` is what
    /// the list's selection asks for ([`summary_of_page`]).
    pub fn new(visibility: Visibility, filter: PostingFilter, planned: SummaryRequest) -> Self {
        PostingCount {
            summary: ListSummary::new(visibility, filter, planned),
        }
    }
}

#[Object]
impl PostingCount {
    /// How many postings the whole list holds, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let summary = if self.summary.request().count {
            self.summary.clone()
        } else {
            self.summary.with_request(SummaryRequest {
                count: true,
                ..SummaryRequest::default()
            })
        };
        Ok(summary.counted(ctx).await?.count.unwrap_or_default())
    }

    /// Counts for a filter sidebar: for each facet asked for, how many postings of this list
    /// have each value, with that facet's own selection left out of the filter.
    async fn facets(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The most values each facet returns, largest counts first (1 to 50; 10 when omitted)."
        )]
        first: Option<i32>,
    ) -> async_graphql::Result<PostingFacets> {
        let first = first.unwrap_or(DEFAULT_FACET_VALUES);
        let max = i32::try_from(crate::service::facets::MAX_FACET_VALUES).unwrap_or(i32::MAX);
        if !(1..=max).contains(&first) {
            return Err(crate::error::ServiceError::invalid(
                "facets.first",
                format!("must be between 1 and {max}"),
            ))
            .extend();
        }
        let first = u64::try_from(first).unwrap_or(1);
        let planned = self.summary.request();
        // Counted with the total when the page planned this selection; on its own otherwise.
        let summary = if planned.first == first && !planned.facets.is_empty() {
            self.summary.clone()
        } else {
            self.summary.with_request(SummaryRequest {
                count: false,
                facets: requested_facets(&ctx.look_ahead().selection_fields()),
                first,
            })
        };
        Ok(PostingFacets { summary })
    }
}

/// How many values a facet returns when `first` is not given.
const DEFAULT_FACET_VALUES: i32 = 10;

/// What a page's selection asks to count: `totalCount`, and the facets of its `facets` field
/// when every `facets` selection of it takes the same `first` (the usual single one); they are
/// then counted by one statement.
fn summary_of_page(ctx: &Context<'_>) -> SummaryRequest {
    let page = ctx.look_ahead();
    let count = page.field("totalCount").exists();
    let selections = page.field("facets").selection_fields();
    let firsts: Vec<Option<u64>> = selections.iter().map(first_of).collect();
    match firsts.split_first() {
        Some((&Some(first), rest)) if rest.iter().all(|other| *other == Some(first)) => {
            SummaryRequest {
                count,
                facets: requested_facets(&selections),
                first,
            }
        }
        _ => SummaryRequest {
            count,
            ..SummaryRequest::default()
        },
    }
}

/// The `first` a `facets` selection takes, when it is one the field accepts.
fn first_of(selection: &async_graphql::SelectionField<'_>) -> Option<u64> {
    let arguments = selection.arguments().ok()?;
    let first = match arguments.iter().find(|(name, _)| name.as_str() == "first") {
        None => i64::from(DEFAULT_FACET_VALUES),
        Some((_, async_graphql::Value::Null)) => i64::from(DEFAULT_FACET_VALUES),
        Some((_, async_graphql::Value::Number(number))) => number.as_i64()?,
        Some(_) => return None,
    };
    let first = u64::try_from(first).ok()?;
    (1..=crate::service::facets::MAX_FACET_VALUES)
        .contains(&first)
        .then_some(first)
}

/// The facets the children of `selections` (`facets` fields) name, each once.
fn requested_facets(selections: &[async_graphql::SelectionField<'_>]) -> Vec<Facet> {
    let mut facets = Vec::new();
    for facet in selections
        .iter()
        .flat_map(|selection| selection.selection_set())
        .filter_map(|field| Facet::from_name(field.name()))
    {
        if !facets.contains(&facet) {
            facets.push(facet);
        }
    }
    facets
}

/// One page of the postings the reader may see, by the list's arguments; `company` (for
/// `Company.postings`) replaces the filter's `companyIds`.
pub async fn posting_page(
    ctx: &Context<'_>,
    args: PostingListArgs,
    company: Option<uuid::Uuid>,
) -> async_graphql::Result<PostingConnection> {
    let (catalog, scope) = scope(ctx)?;
    let PostingList {
        filter,
        order,
        page: request,
    } = args
        .into_list(&catalog.cursors, &catalog.limits, company)
        .extend()?;
    let sort = order.sort;
    let branches = filter.query.as_ref().map(|query| query.branches().to_vec());
    let planned = summary_of_page(ctx);
    let page = service::posting::page(
        &catalog.reads,
        &scope.visibility,
        &filter,
        order,
        &request,
        catalog.limits.default_page_size,
        service::posting::PageReads {
            description: description_of_page(ctx),
            // `Company.postings` knows its company; a page of any other list reads its
            // postings' companies in the same statement when it shows them.
            company: if company.is_none() && nodes_read(ctx, &["company", "jsonLd"]) {
                service::posting::CompanyOfPosting::Joined
            } else {
                service::posting::CompanyOfPosting::Skipped
            },
        },
    )
    .await
    .extend()?;
    scope.loaders.companies.prime(
        page.rows
            .iter()
            .filter_map(|(listed, _)| listed.company.clone())
            .map(|company| (company.id, company)),
    );
    Ok(page::connection_with_edges(
        page,
        &catalog.cursors,
        sort.name(),
        |listed| {
            let row = listed.posting;
            let highlights = branches.as_deref().map_or_else(Vec::new, |branches| {
                service::search::highlight::highlights(&row, branches)
                    .into_iter()
                    .map(Into::into)
                    .collect()
            });
            (PostingNode::from(row), PostingEdgeFields { highlights })
        },
        PostingCount::new(scope.visibility.clone(), filter, planned),
    ))
}

/// Whether a page's selection reads its postings' description (itself, or through `jsonLd`),
/// through `nodes` or `edges.node`, fragments included. A `@skip` or `@include` counts as
/// reading it.
fn description_of_page(ctx: &Context<'_>) -> service::posting::Description {
    let read = nodes_read(ctx, &["description", "jsonLd"])
        || ctx.look_ahead().field("edges").field("highlights").exists();
    if read {
        service::posting::Description::Read
    } else {
        service::posting::Description::Skipped
    }
}

/// Whether a page's selection reads any of `fields` of its postings, through `nodes` or
/// `edges.node`, fragments included (a `@skip` or `@include` counts as reading it).
fn nodes_read(ctx: &Context<'_>, fields: &[&str]) -> bool {
    let page = ctx.look_ahead();
    fields.iter().any(|field| {
        page.field("nodes").field(field).exists()
            || page.field("edges").field("node").field(field).exists()
    })
}

impl PlainFields for Posting {
    const NOT_PLAIN: &'static [(&'static str, &'static str)] = &[(
        "jsonLd",
        "built from the posting's company, locations and requirements",
    )];
    const FIELDS: &'static [PlainField<Self>] = &[
        PlainField {
            name: "id",
            value: |p| global_id::encode(NodeKind::Posting, p.0.id).0.into(),
            sql: Rendering::GlobalId(NodeKind::Posting, &Column::Id),
        },
        PlainField {
            name: "slug",
            value: |p| p.0.slug.as_str().into(),
            sql: Rendering::Text(&Column::Slug),
        },
        PlainField {
            name: "title",
            value: |p| p.0.title.as_str().into(),
            sql: Rendering::Text(&Column::Title),
        },
        PlainField {
            name: "summary",
            value: |p| nullable(p.0.summary.as_deref()),
            sql: Rendering::Text(&Column::Summary),
        },
        PlainField {
            name: "department",
            value: |p| nullable(p.0.department.as_deref()),
            sql: Rendering::Text(&Column::Department),
        },
        PlainField {
            name: "occupation",
            value: |p| nullable(p.0.occupation.as_deref()),
            sql: Rendering::Text(&Column::Occupation),
        },
        PlainField {
            name: "employmentType",
            value: |p| EmploymentType::from(p.0.employment_type).to_value(),
            sql: Rendering::Enum(
                &Column::EmploymentType,
                enumeration::<stored::EmploymentType, EmploymentType>,
            ),
        },
        PlainField {
            name: "remotePolicy",
            value: |p| RemotePolicy::from(p.0.remote_policy).to_value(),
            sql: Rendering::Enum(
                &Column::RemotePolicy,
                enumeration::<stored::RemotePolicy, RemotePolicy>,
            ),
        },
        PlainField {
            name: "travel",
            value: |p| nullable(p.0.travel.as_deref()),
            sql: Rendering::Text(&Column::Travel),
        },
        PlainField {
            name: "language",
            value: |p| p.0.language.as_str().into(),
            sql: Rendering::Text(&Column::Language),
        },
        PlainField {
            name: "status",
            value: |p| PostingStatus::from(p.0.status).to_value(),
            sql: Rendering::Enum(
                &Column::Status,
                enumeration::<stored::PostingStatus, PostingStatus>,
            ),
        },
        PlainField {
            name: "postedAt",
            value: |p| nullable(p.0.posted_at.map(|at| ScalarType::to_value(&at))),
            sql: Rendering::Timestamp(&Column::PostedAt),
        },
        PlainField {
            name: "validThrough",
            value: |p| nullable(p.0.valid_through.map(|at| ScalarType::to_value(&at))),
            sql: Rendering::Timestamp(&Column::ValidThrough),
        },
        PlainField {
            name: "applyUrl",
            value: |p| nullable(p.0.apply_url.as_deref()),
            sql: Rendering::Text(&Column::ApplyUrl),
        },
        PlainField {
            name: "sourceUrl",
            value: |p| nullable(p.0.source_url.as_deref()),
            sql: Rendering::Text(&Column::SourceUrl),
        },
        PlainField {
            name: "responsibilities",
            value: |p| p.0.responsibilities.0.as_slice().into(),
            sql: Rendering::StringsColumn(&Column::Responsibilities),
        },
        PlainField {
            name: "version",
            value: |p| p.0.version.into(),
            sql: Rendering::Integer(&Column::Version),
        },
        PlainField {
            name: "createdAt",
            value: |p| ScalarType::to_value(&p.0.created_at),
            sql: Rendering::Timestamp(&Column::CreatedAt),
        },
        PlainField {
            name: "updatedAt",
            value: |p| ScalarType::to_value(&p.0.updated_at),
            sql: Rendering::Timestamp(&Column::UpdatedAt),
        },
    ];
}
