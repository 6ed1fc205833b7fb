//! Authorization, checked by the service layer inside the transaction of every write, so no
//! resolver can forget it. What each field needs is in [`super::permissions`]; one rule
//! everywhere: a token that may not touch a company's data gets `FORBIDDEN`; no token gets
//! `UNAUTHENTICATED`.

use uuid::Uuid;

use super::permissions::{Guard, Needs};
use crate::auth::{Principal, Scope};
use crate::error::ServiceError;

/// Who is acting: a verified token, or nobody.
pub type Actor<'a> = Option<&'a Principal>;

/// The name the audit trail records for `actor`.
pub fn actor_name(actor: Actor<'_>) -> &str {
    actor.map_or("anonymous", |principal| principal.subject.as_str())
}

/// Requires what `guard` needs, on `company`'s data (ignored by catalog-wide guards).
pub fn require(actor: Actor<'_>, guard: &Guard, company: Uuid) -> Result<(), ServiceError> {
    match guard.needs {
        Needs::Nothing => Ok(()),
        Needs::Admin => require_admin(actor),
        Needs::Scope(scope) => require_scope(actor, scope, company),
    }
}

/// Requires a token, any token, failing as `guard` would without one: for lookups that must
/// not tell an anonymous caller which ids exist.
pub fn authenticated<'a>(actor: Actor<'a>, guard: &Guard) -> Result<&'a Principal, ServiceError> {
    actor.ok_or_else(|| unauthenticated(guard.needs))
}

fn unauthenticated(needs: Needs) -> ServiceError {
    ServiceError::Unauthenticated(match needs {
        Needs::Admin => "this needs an admin token".to_owned(),
        Needs::Scope(scope) => format!("this needs a token with the scope {}", scope.as_str()),
        Needs::Nothing => "this needs a token".to_owned(),
    })
}

/// Requires that the token holds what `guard` needs, for some company: checked before a
/// lookup by id, so that whether it is refused never depends on whether the id exists.
pub fn require_held(principal: &Principal, guard: &Guard) -> Result<(), ServiceError> {
    match guard.needs {
        Needs::Nothing => Ok(()),
        Needs::Admin => require_admin(Some(principal)),
        Needs::Scope(scope) if principal.has(scope) => Ok(()),
        Needs::Scope(scope) => Err(ServiceError::Forbidden(format!(
            "the token lacks the scope {}",
            scope.as_str()
        ))),
    }
}

/// Whether `actor` may do what `guard` guards on `company`'s data. Lookups by id answer
/// "none" when it may not, exactly as for an id that does not exist.
pub fn allows(actor: Actor<'_>, guard: &Guard, company: Uuid) -> bool {
    require(actor, guard, company).is_ok()
}

/// Requires `scope` on `company`'s data.
fn require_scope(actor: Actor<'_>, scope: Scope, company: Uuid) -> Result<(), ServiceError> {
    let principal = actor.ok_or_else(|| unauthenticated(Needs::Scope(scope)))?;
    if principal.may(scope, company) {
        Ok(())
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
fn require_admin(actor: Actor<'_>) -> Result<(), ServiceError> {
    let principal = actor.ok_or_else(|| unauthenticated(Needs::Admin))?;
    if principal.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "this needs the scope admin".to_owned(),
        ))
    }
}
