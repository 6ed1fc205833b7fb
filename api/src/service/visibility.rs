use entity::enums::PostingStatus;
use entity::posting;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

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
