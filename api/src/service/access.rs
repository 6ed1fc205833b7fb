//! Authorization, checked by the service layer inside the transaction of every write, so no
//! resolver can forget it. One rule everywhere: a token that may not touch a company's data
//! gets `FORBIDDEN`; no token gets `UNAUTHENTICATED`.

use uuid::Uuid;

use crate::auth::{Principal, Scope};
use crate::error::ServiceError;

/// Who is acting: a verified token, or nobody.
pub type Actor<'a> = Option<&'a Principal>;

/// The name the audit trail records for `actor`.
pub fn actor_name(actor: Actor<'_>) -> &str {
    actor.map_or("anonymous", |principal| principal.subject.as_str())
}

/// Requires `scope` on `company`'s data.
pub fn require(actor: Actor<'_>, scope: Scope, company: Uuid) -> Result<&Principal, ServiceError> {
    let principal = actor.ok_or_else(|| {
        ServiceError::Unauthenticated(format!(
            "this needs a token with the scope {}",
            scope.as_str()
        ))
    })?;
    if principal.may(scope, company) {
        Ok(principal)
    } else if !principal.has(scope) {
        Err(ServiceError::Forbidden(format!(
            "the token lacks the scope {}",
            scope.as_str()
        )))
    } else {
        Err(ServiceError::Forbidden(
            "the token does not act for this company".to_owned(),
        ))
    }
}

/// Requires an `admin` token.
pub fn require_admin(actor: Actor<'_>) -> Result<&Principal, ServiceError> {
    let principal = actor
        .ok_or_else(|| ServiceError::Unauthenticated("this needs an admin token".to_owned()))?;
    if principal.is_admin() {
        Ok(principal)
    } else {
        Err(ServiceError::Forbidden(
            "this needs the scope admin".to_owned(),
        ))
    }
}
