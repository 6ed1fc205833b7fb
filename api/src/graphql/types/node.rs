use async_graphql::{ID, Interface};

use super::application::Application;
use super::company::Company;
use super::posting::Posting;
use super::requirement::Requirement;

/// An object with a global id that `node(id:)` finds again (the Relay object identification
/// spec).
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's global id."))]
// A node lives for one lookup's answer and is moved once; boxing the posting would cost an
// allocation for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Application(Application),
    Company(Company),
    Posting(Posting),
    Requirement(Requirement),
}
