//! The GraphQL output and input types. Each wraps or maps an entity model explicitly, so every
//! column reaches clients on purpose.

pub mod application;
pub mod audit;
pub mod company;
pub mod enums;
pub mod facets;
pub mod filter;
pub mod highlight;
pub mod inputs;
pub mod location;
pub mod node;
pub mod page;
pub mod posting;
pub mod posting_list;
pub mod posting_node;
pub mod requirement;
pub mod salary;
pub mod section;
pub mod upload;
