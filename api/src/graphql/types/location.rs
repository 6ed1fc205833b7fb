use async_graphql::{SimpleObject, Value};
use entity::posting_location;

use crate::graphql::plain::{PlainFields, nullable};

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
    fn plain_field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "city" => nullable(self.city.as_deref()),
            "region" => nullable(self.region.as_deref()),
            "country" => self.country.as_str().into(),
            _ => return None,
        })
    }

    fn is_plain_field(name: &str) -> bool {
        matches!(name, "city" | "region" | "country")
    }
}
