use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{Context, ID, Object, ResultExt, ScalarType};
use chrono::{DateTime, Utc};
use entity::company::{self, Column};

use super::filter::{PostingFilterInput, PostingOrderInput};
use super::page::{self, PageArgs};
use super::posting::PostingConnection;
use super::posting_list::PostingListArgs;
use crate::graphql::context::scope;
use crate::graphql::cursor::PageCursor;
use crate::graphql::global_id::{self, NodeKind};
use crate::graphql::json_sql::Rendering;
use crate::graphql::plain::{PlainField, PlainFields, nullable};
use crate::service;

/// An employer whose postings the catalog lists.
pub struct Company(pub company::Model);

/// A page of companies, Relay style.
pub type CompanyConnection = Connection<PageCursor, Company, CompanyCount, EmptyFields>;

/// An employer whose postings the catalog lists. Every company is public; only its postings'
/// visibility depends on the reader.
#[Object]
impl Company {
    /// The company's global id, for `node(id:)`, `company(id:)` and posting filters.
    pub async fn id(&self) -> ID {
        global_id::encode(NodeKind::Company, self.0.id)
    }

    /// The company's URL name, unique in the catalog, such as "nordvind-energi".
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The company's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The company's own website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// What the company does, in its own words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Where the company is headquartered, such as "Göteborg, Sweden".
    async fn headquarters(&self) -> Option<&str> {
        self.0.headquarters.as_deref()
    }

    /// When the company was added to the catalog.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the company's details last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The company's postings that the reader may see, newest first unless `orderBy` says
    /// otherwise. Takes the same filter as `Query.postings` (its `companyIds` is ignored).
    #[graphql(complexity = "page::complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn postings(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Narrows the list; all postings the reader may see when omitted. Its `companyIds` is ignored: the list is always this company's."
        )]
        filter: Option<PostingFilterInput>,
        #[graphql(
            desc = "The order of the list; the newest first (`POSTED_AT`, `DESC`) when omitted."
        )]
        order_by: Option<PostingOrderInput>,
        #[graphql(desc = "Return the first n postings (at most 100).")] first: Option<i32>,
        #[graphql(desc = "Return postings after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return the last n postings (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Return postings before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<PostingConnection> {
        let args = PostingListArgs {
            filter,
            order_by,
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
        };
        super::posting::posting_page(ctx, args, Some(self.0.id)).await
    }
}

/// The count of the company list, computed only when asked for.
pub struct CompanyCount;

#[Object]
impl CompanyCount {
    /// How many companies the catalog holds, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let (catalog, _) = scope(ctx)?;
        service::company::count(&catalog.reads).await.extend()
    }
}

/// One page of companies by name.
pub async fn company_page(
    ctx: &Context<'_>,
    args: PageArgs,
) -> async_graphql::Result<CompanyConnection> {
    let (catalog, _) = scope(ctx)?;
    let request = args
        .into_request(
            &catalog.cursors,
            service::company::SORT_NAME,
            service::company::accepts,
            &catalog.limits,
        )
        .extend()?;
    let page = service::company::page(&catalog.reads, &request, catalog.limits.default_page_size)
        .await
        .extend()?;
    Ok(page::connection(
        page,
        &catalog.cursors,
        service::company::SORT_NAME,
        Company,
        CompanyCount,
    ))
}

impl PlainFields for Company {
    const FIELDS: &'static [PlainField<Self>] = &[
        PlainField {
            name: "id",
            value: |c| global_id::encode(NodeKind::Company, c.0.id).0.into(),
            sql: Rendering::GlobalId(NodeKind::Company, &Column::Id),
        },
        PlainField {
            name: "slug",
            value: |c| c.0.slug.as_str().into(),
            sql: Rendering::Text(&Column::Slug),
        },
        PlainField {
            name: "name",
            value: |c| c.0.name.as_str().into(),
            sql: Rendering::Text(&Column::Name),
        },
        PlainField {
            name: "website",
            value: |c| nullable(c.0.website.as_deref()),
            sql: Rendering::Text(&Column::Website),
        },
        PlainField {
            name: "description",
            value: |c| nullable(c.0.description.as_deref()),
            sql: Rendering::Text(&Column::Description),
        },
        PlainField {
            name: "headquarters",
            value: |c| nullable(c.0.headquarters.as_deref()),
            sql: Rendering::Text(&Column::Headquarters),
        },
        PlainField {
            name: "createdAt",
            value: |c| ScalarType::to_value(&c.0.created_at),
            sql: Rendering::Timestamp(&Column::CreatedAt),
        },
        PlainField {
            name: "updatedAt",
            value: |c| ScalarType::to_value(&c.0.updated_at),
            sql: Rendering::Timestamp(&Column::UpdatedAt),
        },
    ];
}
