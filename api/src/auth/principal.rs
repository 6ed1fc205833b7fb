use std::collections::BTreeSet;

use uuid::Uuid;

/// What a token may do. Unknown scopes in a token are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Read its companies' unpublished postings.
    PostingsRead,
    /// Create and change its companies' postings and their requirements.
    PostingsWrite,
    /// Change its companies' details; read their audit trail.
    CompaniesWrite,
    /// Read applications to its companies' postings.
    ApplicationsRead,
    /// Change applications' status; erase applications.
    ApplicationsWrite,
    /// Everything, for every company; create companies.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::PostingsRead,
        Scope::PostingsWrite,
        Scope::CompaniesWrite,
        Scope::ApplicationsRead,
        Scope::ApplicationsWrite,
        Scope::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::PostingsRead => "postings:read",
            Scope::PostingsWrite => "postings:write",
            Scope::CompaniesWrite => "companies:write",
            Scope::ApplicationsRead => "applications:read",
            Scope::ApplicationsWrite => "applications:write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == name)
    }
}

/// The verified bearer of a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The token's `sub`: recorded in the audit trail.
    pub subject: String,
    scopes: BTreeSet<Scope>,
    companies: Vec<Uuid>,
}

impl Principal {
    pub fn new(
        subject: impl Into<String>,
        scopes: impl IntoIterator<Item = Scope>,
        companies: Vec<Uuid>,
    ) -> Self {
        Principal {
            subject: subject.into(),
            scopes: scopes.into_iter().collect(),
            companies,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.scopes.contains(&Scope::Admin)
    }

    /// Whether the token holds `scope` (admin holds every scope).
    pub fn has(&self, scope: Scope) -> bool {
        self.is_admin() || self.scopes.contains(&scope)
    }

    /// Whether the token may use `scope` on `company`'s data.
    pub fn may(&self, scope: Scope, company: Uuid) -> bool {
        self.is_admin() || (self.scopes.contains(&scope) && self.companies.contains(&company))
    }

    /// The companies the token acts for.
    pub fn companies(&self) -> &[Uuid] {
        &self.companies
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_applies_only_to_the_tokens_companies() {
        let mine = Uuid::now_v7();
        let theirs = Uuid::now_v7();
        let principal = Principal::new("tool", [Scope::PostingsWrite], vec![mine]);
        assert!(principal.may(Scope::PostingsWrite, mine));
        assert!(!principal.may(Scope::PostingsWrite, theirs));
        assert!(!principal.may(Scope::ApplicationsRead, mine));
    }

    #[test]
    fn admin_may_do_everything_everywhere() {
        let principal = Principal::new("root", [Scope::Admin], vec![]);
        assert!(principal.may(Scope::ApplicationsWrite, Uuid::now_v7()));
    }

    #[test]
    fn scopes_round_trip_by_name() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Scope::parse("postings:delete"), None);
    }
}
