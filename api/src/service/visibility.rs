use entity::enums::PostingStatus;
use entity::posting;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Principal, Scope};

/// What a reader may see of the catalog. Every posting query goes through
/// [`Visibility::postings`], so no path can forget to hide drafts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Visibility {
    /// Anonymous readers: published postings only.
    #[default]
    Public,
    /// Published postings, and every posting of these companies (`postings:read` tokens).
    PublishedAndCompanies(Vec<Uuid>),
    /// Every posting (`admin` tokens).
    Everything,
}

impl Visibility {
    /// What `principal` (or no one, when `None`) may read of the catalog.
    pub fn of(principal: Option<&Principal>) -> Visibility {
        match principal {
            None => Visibility::Public,
            Some(principal) if principal.is_admin() => Visibility::Everything,
            Some(principal) if principal.has(Scope::PostingsRead) => {
                Visibility::PublishedAndCompanies(principal.companies().to_vec())
            }
            Some(_) => Visibility::Public,
        }
    }

    /// The condition a posting must meet to be seen.
    pub fn postings(&self) -> Condition {
        let published = posting::Column::Status.eq(PostingStatus::Published);
        match self {
            Visibility::Public => Condition::all().add(published),
            Visibility::PublishedAndCompanies(companies) => Condition::any()
                .add(published)
                .add(posting::Column::CompanyId.is_in(companies.iter().copied())),
            Visibility::Everything => Condition::all(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_sees_everything() {
        let principal = Principal::new("root", [Scope::Admin], vec![]);
        assert_eq!(Visibility::of(Some(&principal)), Visibility::Everything);
    }

    #[test]
    fn postings_read_adds_the_tokens_companies_and_nothing_else_does() {
        let mine = Uuid::now_v7();
        let reader = Principal::new("tool", [Scope::PostingsRead], vec![mine]);
        assert_eq!(
            Visibility::of(Some(&reader)),
            Visibility::PublishedAndCompanies(vec![mine])
        );
        let writer = Principal::new("tool", [Scope::PostingsWrite], vec![mine]);
        assert_eq!(Visibility::of(Some(&writer)), Visibility::Public);
        assert_eq!(Visibility::of(None), Visibility::Public);
    }
}
