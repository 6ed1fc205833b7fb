use async_graphql::SimpleObject;
use entity::sections::DescriptionSection as StoredSection;

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
