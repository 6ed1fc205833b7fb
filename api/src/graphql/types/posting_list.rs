//! A posting list's arguments, as `Query.postings`, `Company.postings` and the pushdown's
//! plans take them, turned into what the service layer reads: one function for all three.

use uuid::Uuid;

use super::filter::{PostingFilterInput, PostingOrderInput};
use super::page::PageArgs;
use crate::config::Limits;
use crate::error::ServiceError;
use crate::graphql::cursor::CursorCodec;
use crate::service::keyset::PageRequest;
use crate::service::posting::{PostingFilter, PostingOrder};

/// The arguments of a posting list field, as the client sent them.
pub struct PostingListArgs {
    pub filter: Option<PostingFilterInput>,
    pub order_by: Option<PostingOrderInput>,
    pub page: PageArgs,
}

/// Which postings a list holds, in which order, and which page of them.
pub struct PostingList {
    pub filter: PostingFilter,
    pub order: PostingOrder,
    pub page: PageRequest,
}

impl PostingListArgs {
    /// Checks the arguments and turns them into a list; `company` (for `Company.postings`)
    /// replaces the filter's `companyIds`.
    pub fn into_list(
        self,
        cursors: &CursorCodec,
        limits: &Limits,
        company: Option<Uuid>,
    ) -> Result<PostingList, ServiceError> {
        let mut filter = self.filter.unwrap_or_default().into_filter()?;
        if let Some(company) = company {
            filter.company_ids = vec![company];
        }
        let order = match self.order_by {
            Some(order) => PostingOrder::from(order),
            None if filter.query.is_some() => PostingOrder::relevance(),
            None => PostingOrder::default(),
        };
        let sort = order.sort;
        let page = self.page.into_request(
            cursors,
            sort.name(),
            |position| sort.accepts(position),
            limits,
        )?;
        Ok(PostingList {
            filter,
            order,
            page,
        })
    }
}
