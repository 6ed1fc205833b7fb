use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

/// One section of a posting's description: an optional heading, then paragraphs, then bullet
/// items, in that order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescriptionSection {
    pub heading: Option<String>,
    #[serde(default)]
    pub paragraphs: Vec<String>,
    #[serde(default)]
    pub items: Vec<String>,
}

/// A posting's description: its sections in reading order, stored as one JSON column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Description(pub Vec<DescriptionSection>);

/// The duties a posting lists, in order, stored as one JSON column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Responsibilities(pub Vec<String>);
