use entity::enums::PostingStatus;
use entity::posting;
use sea_orm::{ColumnTrait, Condition};

/// What a reader may see of the catalog. Every posting query goes through
/// [`Visibility::postings`], so no path can forget to hide drafts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Visibility {
    /// Anonymous readers: published postings only.
    #[default]
    Public,
}

impl Visibility {
    /// The condition a posting must meet to be seen.
    pub fn postings(&self) -> Condition {
        match self {
            Visibility::Public => {
                Condition::all().add(posting::Column::Status.eq(PostingStatus::Published))
            }
        }
    }
}
