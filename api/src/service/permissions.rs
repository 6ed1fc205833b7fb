//! What each token-guarded field of the schema needs, in one registry. The service functions
//! behind those fields check their entry (with `access::require`), and the authorization matrix
//! in `tests/api` reads the same table, so a guarded field missing from the matrix fails a test.
//! The SDL does not mark guarded fields; this table is where they are listed.

use crate::auth::Scope;

/// What a field asks of the caller's token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// No token: anyone may call it.
    Nothing,
    /// A token with this scope for the company whose data the field touches.
    Scope(Scope),
    /// An `admin` token: the field is catalog-wide, not one company's.
    Admin,
}

/// One guarded operation: the fields it guards, as schema coordinates (`Type.field` with the
/// SDL's type names, such as `MutationRoot.createCompany`), and what it needs.
#[derive(Debug)]
pub struct Guard {
    pub fields: &'static [&'static str],
    pub needs: Needs,
}

const fn scope(fields: &'static [&'static str], scope: Scope) -> Guard {
    Guard {
        fields,
        needs: Needs::Scope(scope),
    }
}

pub const CREATE_COMPANY: Guard = Guard {
    fields: &["MutationRoot.createCompany"],
    needs: Needs::Admin,
};
pub const UPDATE_COMPANY: Guard = scope(&["MutationRoot.updateCompany"], Scope::CompaniesWrite);

pub const CREATE_POSTING: Guard = scope(&["MutationRoot.createPosting"], Scope::PostingsWrite);
pub const UPDATE_POSTING: Guard = scope(&["MutationRoot.updatePosting"], Scope::PostingsWrite);
pub const PUBLISH_POSTING: Guard = scope(&["MutationRoot.publishPosting"], Scope::PostingsWrite);
pub const CLOSE_POSTING: Guard = scope(&["MutationRoot.closePosting"], Scope::PostingsWrite);
pub const ARCHIVE_POSTING: Guard = scope(&["MutationRoot.archivePosting"], Scope::PostingsWrite);
pub const DELETE_POSTING: Guard = scope(&["MutationRoot.deletePosting"], Scope::PostingsWrite);
/// Importing pages for one company; without a company, `admin` (see `import_write`).
pub const IMPORT_POSTINGS: Guard = scope(&["MutationRoot.importPostings"], Scope::PostingsWrite);

pub const SET_REQUIREMENTS: Guard = scope(&["MutationRoot.setRequirements"], Scope::PostingsWrite);
pub const ADD_REQUIREMENT: Guard = scope(&["MutationRoot.addRequirement"], Scope::PostingsWrite);
pub const UPDATE_REQUIREMENT: Guard =
    scope(&["MutationRoot.updateRequirement"], Scope::PostingsWrite);
pub const REMOVE_REQUIREMENT: Guard =
    scope(&["MutationRoot.removeRequirement"], Scope::PostingsWrite);

pub const APPLY_TO_POSTING: Guard = Guard {
    fields: &["MutationRoot.applyToPosting"],
    needs: Needs::Nothing,
};
pub const UPDATE_APPLICATION_STATUS: Guard = scope(
    &["MutationRoot.updateApplicationStatus"],
    Scope::ApplicationsWrite,
);
pub const ERASE_APPLICATION: Guard =
    scope(&["MutationRoot.eraseApplication"], Scope::ApplicationsWrite);

/// Reading one application by id, directly or as a node (other kinds of node need no token).
pub const READ_APPLICATION: Guard = scope(
    &["QueryRoot.application", "QueryRoot.node"],
    Scope::ApplicationsRead,
);
/// Listing a posting's applications.
pub const POSTING_APPLICATIONS: Guard = scope(&["Posting.applications"], Scope::ApplicationsRead);
/// Reading a company's audit trail.
pub const AUDIT_EVENTS: Guard = scope(&["QueryRoot.auditEvents"], Scope::CompaniesWrite);

/// Every guard, with every mutation among them (those anyone may call as [`Needs::Nothing`]).
pub const REGISTRY: [&Guard; 19] = [
    &CREATE_COMPANY,
    &UPDATE_COMPANY,
    &CREATE_POSTING,
    &UPDATE_POSTING,
    &PUBLISH_POSTING,
    &CLOSE_POSTING,
    &ARCHIVE_POSTING,
    &DELETE_POSTING,
    &IMPORT_POSTINGS,
    &SET_REQUIREMENTS,
    &ADD_REQUIREMENT,
    &UPDATE_REQUIREMENT,
    &REMOVE_REQUIREMENT,
    &APPLY_TO_POSTING,
    &UPDATE_APPLICATION_STATUS,
    &ERASE_APPLICATION,
    &READ_APPLICATION,
    &POSTING_APPLICATIONS,
    &AUDIT_EVENTS,
];

/// Registered fields that answer without a token for some arguments: `node(id:)` needs
/// `applications:read` only for an application's id. The executor refuses an anonymous
/// operation before it runs only when every root field needs a token always.
pub const ANSWERS_WITHOUT_TOKEN: [&str; 1] = ["QueryRoot.node"];

/// What the field at `coordinate` (`Type.field`) needs, if it is registered.
pub fn needs(coordinate: &str) -> Option<Needs> {
    REGISTRY
        .iter()
        .find(|guard| guard.fields.contains(&coordinate))
        .map(|guard| guard.needs)
}

impl Needs {
    /// The scope's name as tokens carry it (`admin` for [`Needs::Admin`]), or `None` when no
    /// token is needed.
    pub fn scope_name(self) -> Option<&'static str> {
        match self {
            Needs::Nothing => None,
            Needs::Scope(scope) => Some(scope.as_str()),
            Needs::Admin => Some(Scope::Admin.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_field_is_registered_twice() {
        let mut fields: Vec<&str> = REGISTRY
            .iter()
            .flat_map(|guard| guard.fields)
            .copied()
            .collect();
        let all = fields.len();
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields.len(), all);
    }

    #[test]
    fn fields_are_schema_coordinates() {
        for field in REGISTRY.iter().flat_map(|guard| guard.fields) {
            let (type_name, name) = field.split_once('.').unwrap_or_default();
            assert!(
                type_name.starts_with(char::is_uppercase) && name.starts_with(char::is_lowercase),
                "{field} is not Type.field"
            );
        }
    }
}
