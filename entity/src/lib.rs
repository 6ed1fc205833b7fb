//! SeaORM entities of the jobgraph catalog.
//!
//! This crate knows nothing of GraphQL or HTTP: the `api` crate maps these models into the types
//! it exposes, so every column reaches clients on purpose.

pub mod application;
pub mod audit_event;
pub mod company;
pub mod enums;
pub mod posting;
pub mod posting_location;
pub mod posting_search;
pub mod posting_suggestion;
pub mod requirement;
pub mod salary;
pub mod sections;

pub mod prelude {
    pub use super::application::Entity as Application;
    pub use super::company::Entity as Company;
    pub use super::posting::Entity as Posting;
    pub use super::posting_location::Entity as PostingLocation;
    pub use super::requirement::Entity as Requirement;
}
