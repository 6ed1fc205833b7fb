use async_graphql::{SimpleObject, Value};
use entity::sections::DescriptionSection as StoredSection;

use crate::graphql::plain::{PlainFields, nullable};

/// One section of a posting's description, in reading order: an optional heading, then its
/// paragraphs, then its bullet items.
#[derive(SimpleObject, Clone, Debug)]
pub struct DescriptionSection {
    /// The section's heading, such as "What you'll do"; null for an untitled introduction.
    pub heading: Option<String>,
    /// Plain-text paragraphs, in order.
    pub paragraphs: Vec<String>,
    /// Plain-text bullet items, in order.
    pub items: Vec<String>,
}

impl From<StoredSection> for DescriptionSection {
    fn from(section: StoredSection) -> Self {
        DescriptionSection {
            heading: section.heading,
            paragraphs: section.paragraphs,
            items: section.items,
        }
    }
}

impl PlainFields for DescriptionSection {
    fn plain_field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "heading" => nullable(self.heading.as_deref()),
            "paragraphs" => self.paragraphs.as_slice().into(),
            "items" => self.items.as_slice().into(),
            _ => return None,
        })
    }

    fn is_plain_field(name: &str) -> bool {
        matches!(name, "heading" | "paragraphs" | "items")
    }
}
