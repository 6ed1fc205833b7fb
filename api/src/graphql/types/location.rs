use async_graphql::SimpleObject;
use entity::posting_location::{self, Column};

use crate::graphql::json_sql::Rendering;
use crate::graphql::plain::{PlainField, PlainFields, nullable};

/// A place a posting is located in.
#[derive(SimpleObject, Clone, Debug)]
pub struct Location {
    /// The city, as written by the employer, such as "Göteborg".
    pub city: Option<String>,
    /// The region, state or county, such as "Västra Götaland" or "Texas".
    pub region: Option<String>,
    /// The country as an ISO 3166-1 alpha-2 code, such as "SE" or "US".
    pub country: String,
}

impl From<posting_location::Model> for Location {
    fn from(location: posting_location::Model) -> Self {
        Location {
            city: location.city,
            region: location.region,
            country: location.country,
        }
    }
}

impl PlainFields for Location {
    const FIELDS: &'static [PlainField<Self>] = &[
        PlainField {
            name: "city",
            value: |l| nullable(l.city.as_deref()),
            sql: Rendering::Text(&Column::City),
        },
        PlainField {
            name: "region",
            value: |l| nullable(l.region.as_deref()),
            sql: Rendering::Text(&Column::Region),
        },
        PlainField {
            name: "country",
            value: |l| l.country.as_str().into(),
            sql: Rendering::Text(&Column::Country),
        },
    ];
}
