//! The root query type, merged from one object per area.

mod company;
mod node;
mod posting;
mod private;
mod suggest;

use async_graphql::MergedObject;

/// Everything a reader can ask for.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    company::CompanyQuery,
    posting::PostingQuery,
    node::NodeQuery,
    private::PrivateQuery,
    suggest::SuggestQuery,
);
