use sea_orm::entity::prelude::*;

/// One word start of a posting's title, occupation, department or city, for typeahead: the
/// `api` crate's folded words of `value` from one word to the end (`data engineer`,
/// `engineer`), so that what a reader has typed is a prefix of `start` exactly when its words
/// match the value's from that word on. `value_key` is what a suggestion groups by (the city's
/// `city_key`, otherwise the value itself).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posting_suggestion")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub posting_id: Uuid,
    /// 0 title, 1 occupation, 2 department, 3 city: also the order suggestions of one count
    /// are listed in.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: i16,
    #[sea_orm(primary_key, auto_increment = false)]
    pub value_key: String,
    /// The value as stored, as a suggestion shows it.
    pub value: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub start: String,
}

impl ActiveModelBehavior for ActiveModel {}
