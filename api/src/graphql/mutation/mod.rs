//! The root mutation type, merged from one object per area. Resolvers only decode their input
//! and call the service layer, which checks the token's scopes and companies in the same
//! transaction as the write.

mod application;
mod company;
mod import;
mod posting;
mod requirement;

use async_graphql::MergedObject;

/// Everything a token can change.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    company::CompanyMutation,
    posting::PostingMutation,
    requirement::RequirementMutation,
    application::ApplicationMutation,
    import::ImportMutation,
);
