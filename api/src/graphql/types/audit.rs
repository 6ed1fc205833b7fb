use async_graphql::connection::{Connection, EmptyFields};
use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use entity::audit_event;

use crate::graphql::cursor::PageCursor;

/// One change to the catalog: who made it, what it was, and when.
pub struct AuditEvent(pub audit_event::Model);

/// A page of audit events, newest first.
pub type AuditEventConnection = Connection<PageCursor, AuditEvent, EmptyFields, EmptyFields>;

/// One change to the catalog, recorded when it was committed: who made it, which mutation,
/// to what, and when.
#[Object]
impl AuditEvent {
    /// The token subject (`sub`) that made the change, or `anonymous`.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    /// The mutation, such as `updatePosting`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }

    /// What kind of object changed: `company`, `posting`, `requirement` or `application`.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }

    /// The global id of the object that changed.
    async fn entity_id(&self) -> ID {
        use crate::graphql::global_id::{NodeKind, encode};
        let kind = match self.0.entity_type.as_str() {
            "company" => NodeKind::Company,
            "requirement" => NodeKind::Requirement,
            "application" => NodeKind::Application,
            _ => NodeKind::Posting,
        };
        encode(kind, self.0.entity_id)
    }

    /// When the change was committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}
