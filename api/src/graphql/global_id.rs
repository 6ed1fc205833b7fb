//! Relay global ids: `base64url("Posting:<uuid>")`, opaque to clients, typed for us.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::ServiceError;

/// The kinds of object that implement `Node`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Company,
    Posting,
    Requirement,
    Application,
}

impl NodeKind {
    /// The GraphQL type's name, as global ids carry it.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Company => "Company",
            NodeKind::Posting => "Posting",
            NodeKind::Requirement => "Requirement",
            NodeKind::Application => "Application",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "Company" => Some(NodeKind::Company),
            "Posting" => Some(NodeKind::Posting),
            "Requirement" => Some(NodeKind::Requirement),
            "Application" => Some(NodeKind::Application),
            _ => None,
        }
    }
}

/// The global id of the `kind` object with database id `id`.
pub fn encode(kind: NodeKind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.name(), id)))
}

/// Reads a global id; `field` names the argument in the error.
pub fn decode(id: &str, field: &str) -> Result<(NodeKind, Uuid), ServiceError> {
    let malformed = || ServiceError::invalid(field, "is not an id this API issued");
    let bytes = URL_SAFE_NO_PAD.decode(id).map_err(|_| malformed())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed())?;
    let (kind, uuid) = text.split_once(':').ok_or_else(malformed)?;
    let kind = NodeKind::from_name(kind).ok_or_else(malformed)?;
    let uuid = Uuid::parse_str(uuid).map_err(|_| malformed())?;
    Ok((kind, uuid))
}

/// Reads a global id that must name a `kind` object.
pub fn decode_as(kind: NodeKind, id: &str, field: &str) -> Result<Uuid, ServiceError> {
    match decode(id, field)? {
        (found, uuid) if found == kind => Ok(uuid),
        _ => Err(ServiceError::invalid(
            field,
            format!("is not the id of a {}", kind.name()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let uuid = Uuid::now_v7();
        let id = encode(NodeKind::Posting, uuid);
        assert!(matches!(decode(&id, "id"), Ok((NodeKind::Posting, found)) if found == uuid));
    }

    #[test]
    fn an_id_of_another_kind_is_refused() {
        let id = encode(NodeKind::Company, Uuid::now_v7());
        assert!(decode_as(NodeKind::Posting, &id, "id").is_err());
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        for garbage in ["", "!!!", "UG9zdGluZw", "UG9zdGluZzpub3QtYS11dWlk", "\u{0}"] {
            assert!(decode(garbage, "id").is_err(), "{garbage:?}");
        }
    }
}
