//! Places as pages write them: "Miami, FL, USA, Tampa, FL, USA" is two US cities with their
//! states; Gothenburg and Göteborg are one city, and so are its districts (Lindholmen,
//! Hisingen); a city named in the text ("located at our HQ in Gothenburg") is found when
//! nothing else says where the job is.

use serde::Serialize;

/// A location of an imported posting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportedLocation {
    pub city: Option<String>,
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// Country names and codes as pages write them, with their ISO code.
const COUNTRIES: [(&str, &str); 40] = [
    ("usa", "US"),
    ("us", "US"),
    ("u.s.", "US"),
    ("u.s.a.", "US"),
    ("united states", "US"),
    ("united states of america", "US"),
    ("sweden", "SE"),
    ("sverige", "SE"),
    ("norway", "NO"),
    ("norge", "NO"),
    ("denmark", "DK"),
    ("danmark", "DK"),
    ("finland", "FI"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("tyskland", "DE"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("england", "GB"),
    ("netherlands", "NL"),
    ("the netherlands", "NL"),
    ("belgium", "BE"),
    ("france", "FR"),
    ("spain", "ES"),
    ("italy", "IT"),
    ("switzerland", "CH"),
    ("schweiz", "CH"),
    ("austria", "AT"),
    ("poland", "PL"),
    ("china", "CN"),
    ("kina", "CN"),
    ("india", "IN"),
    ("japan", "JP"),
    ("south korea", "KR"),
    ("canada", "CA"),
    ("australia", "AU"),
    ("ireland", "IE"),
    ("portugal", "PT"),
    ("iceland", "IS"),
];

/// Cities under every name pages use, with the name kept and the country: the local name,
/// and districts as their city.
const CITIES: [(&str, &str, &str); 30] = [
    ("göteborg", "Göteborg", "SE"),
    ("goteborg", "Göteborg", "SE"),
    ("gothenburg", "Göteborg", "SE"),
    ("lindholmen", "Göteborg", "SE"),
    ("hisingen", "Göteborg", "SE"),
    ("torslanda", "Göteborg", "SE"),
    ("lundby", "Göteborg", "SE"),
    ("majorna", "Göteborg", "SE"),
    ("frölunda", "Göteborg", "SE"),
    ("stockholm", "Stockholm", "SE"),
    ("kista", "Stockholm", "SE"),
    ("solna", "Solna", "SE"),
    ("malmö", "Malmö", "SE"),
    ("malmo", "Malmö", "SE"),
    ("uppsala", "Uppsala", "SE"),
    ("lund", "Lund", "SE"),
    ("linköping", "Linköping", "SE"),
    ("linkoping", "Linköping", "SE"),
    ("umeå", "Umeå", "SE"),
    ("oslo", "Oslo", "NO"),
    ("copenhagen", "København", "DK"),
    ("københavn", "København", "DK"),
    ("köpenhamn", "København", "DK"),
    ("helsinki", "Helsinki", "FI"),
    ("munich", "München", "DE"),
    ("münchen", "München", "DE"),
    ("zurich", "Zürich", "CH"),
    ("zürich", "Zürich", "CH"),
    ("london", "London", "GB"),
    ("berlin", "Berlin", "DE"),
];

fn country(name: &str) -> Option<&'static str> {
    let name = name.trim().to_lowercase();
    COUNTRIES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, code)| *code)
}

/// A city's kept name and country, if it is one we know under another name.
fn known_city(name: &str) -> Option<(&'static str, &'static str)> {
    let name = name.trim().to_lowercase();
    CITIES
        .iter()
        .find(|(known, _, _)| *known == name)
        .map(|(_, kept, code)| (*kept, *code))
}

/// A location from one city (and region) of a list, in `country`.
fn location(city: &str, region: Option<&str>, country_code: &str) -> ImportedLocation {
    let (city, country_code) = match known_city(city) {
        Some((kept, known_country)) => (kept.to_owned(), known_country),
        None => (city.trim().to_owned(), country_code),
    };
    ImportedLocation {
        city: Some(city).filter(|city| !city.is_empty()),
        region: region
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        country: country_code.to_owned(),
    }
}

/// A list of places: groups of "city[, region], country" separated by commas (or `;`, `|`),
/// where a name we know as a city stands alone. Places with no country we can tell are left
/// out; one city appears once.
pub fn list(text: &str) -> Vec<ImportedLocation> {
    let mut found: Vec<ImportedLocation> = Vec::new();
    let mut pending: Vec<&str> = Vec::new();
    fn add(found: &mut Vec<ImportedLocation>, location: ImportedLocation) {
        if !found.contains(&location) {
            found.push(location);
        }
    }
    fn known(found: &mut Vec<ImportedLocation>, pending: &[&str]) {
        for part in pending {
            if let Some((kept, code)) = known_city(part) {
                add(found, location(kept, None, code));
            }
        }
    }
    for part in text
        .split([',', ';', '|'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        if let Some(code) = country(part) {
            let location = match pending.as_slice() {
                [] => ImportedLocation {
                    city: None,
                    region: None,
                    country: code.to_owned(),
                },
                [city] => location(city, None, code),
                [city, region, ..] => location(city, Some(region), code),
            };
            add(&mut found, location);
            pending.clear();
            continue;
        }
        if known_city(part).is_some() && !pending.is_empty() {
            known(&mut found, &pending);
            pending.clear();
        }
        pending.push(part);
    }
    known(&mut found, &pending);
    found
}

/// The known cities named in running text, in the order first named.
pub fn named_in(text: &str) -> Vec<ImportedLocation> {
    let mut found: Vec<ImportedLocation> = Vec::new();
    for word in text.split(|c: char| !c.is_alphabetic()) {
        if let Some((kept, code)) = known_city(word) {
            let location = location(kept, None, code);
            if !found.contains(&location) {
                found.push(location);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(city: &str, region: Option<&str>, country: &str) -> ImportedLocation {
        ImportedLocation {
            city: Some(city.to_owned()),
            region: region.map(str::to_owned),
            country: country.to_owned(),
        }
    }

    #[test]
    fn lists_of_cities_regions_and_countries_are_split() {
        assert_eq!(
            list("Miami, FL, USA, Tampa, FL, USA, Charleston, SC, USA"),
            [
                city("Miami", Some("FL"), "US"),
                city("Tampa", Some("FL"), "US"),
                city("Charleston", Some("SC"), "US")
            ]
        );
        assert_eq!(list("Gothenburg, Sweden"), [city("Göteborg", None, "SE")]);
        assert_eq!(list("Stockholm"), [city("Stockholm", None, "SE")]);
        assert_eq!(
            list("Lindholmen; Göteborg; Malmö"),
            [city("Göteborg", None, "SE"), city("Malmö", None, "SE")]
        );
        assert_eq!(list("Somewhere nice"), []);
    }

    #[test]
    fn english_and_swedish_names_and_districts_are_one_city() {
        assert_eq!(
            named_in("Based at Lindholmen in Gothenburg, close to Göteborg's centre and Hisingen"),
            [city("Göteborg", None, "SE")]
        );
        assert_eq!(named_in("No place here"), []);
    }
}
