use async_graphql::SimpleObject;
use entity::sections::DescriptionSection as StoredSection;

use crate::graphql::json_sql::Rendering;
use crate::graphql::plain::{PlainField, PlainFields, nullable};

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

/// The fields are members of the posting's `description` JSON, named as serde writes
/// [`StoredSection`] (a unit test holds the names to it).
impl PlainFields for DescriptionSection {
    const FIELDS: &'static [PlainField<Self>] = &[
        PlainField {
            name: "heading",
            value: |s| nullable(s.heading.as_deref()),
            sql: Rendering::JsonText("heading"),
        },
        PlainField {
            name: "paragraphs",
            value: |s| s.paragraphs.as_slice().into(),
            sql: Rendering::JsonStrings("paragraphs"),
        },
        PlainField {
            name: "items",
            value: |s| s.items.as_slice().into(),
            sql: Rendering::JsonStrings("items"),
        },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_reads_the_members_serde_writes() {
        let stored = serde_json::to_value(StoredSection {
            heading: Some("h".to_owned()),
            paragraphs: vec!["p".to_owned()],
            items: vec!["i".to_owned()],
        })
        .expect("a section serializes");
        for field in DescriptionSection::FIELDS {
            let key = field.sql.json_key().expect("sections render JSON members");
            assert!(
                stored.get(key).is_some(),
                "{key} is not a member of {stored}"
            );
        }
        assert_eq!(
            stored.as_object().map(|members| members.len()),
            Some(DescriptionSection::FIELDS.len())
        );
    }
}
