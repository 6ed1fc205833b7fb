//! Facets over the sample catalog, on both databases: every facet's counts equal an oracle
//! that counts in Rust over every visible posting, for a set of filter combinations (with and
//! without a query), each facet leaving its own selection out; the limit is checked; and a
//! write changes the counts at once.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app_with_sample};

const FACETS: &str = "facets(first: 50) { departments { value count } occupations { value count } cities { value count } countries { value count } languages { value count } employmentTypes { value count } remotePolicies { value count } companies { id name count } }";

async fn data(app: &TestApp, query: &str, variables: Value) -> Value {
    let response = app.request().query(query).variables(variables).send().await;
    let body = response.json();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

/// Every visible posting, with what the facets count.
async fn all_postings(app: &TestApp) -> Vec<Value> {
    data(
        app,
        "{ postings(first: 100) { nodes { id department occupation language employmentType remotePolicy company { id name } locations { city country } } } }",
        json!({}),
    )
    .await["postings"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

fn in_list(list: &Value, value: &Value) -> bool {
    list.as_array().is_none_or(|list| list.contains(value))
}

/// Whether `posting` passes `filter` with `facet`'s own selection left out; `matched` are the
/// ids the filter's query finds.
fn passes(posting: &Value, filter: &Value, facet: &str, matched: &BTreeSet<String>) -> bool {
    let field = |name: &str, value: &Value| facet == name || in_list(&filter[name], value);
    if !(field("departments", &posting["department"])
        && field("occupations", &posting["occupation"])
        && field("languages", &posting["language"])
        && field("employmentTypes", &posting["employmentType"])
        && field("remotePolicies", &posting["remotePolicy"])
        && (facet == "companies" || in_list(&filter["companyIds"], &posting["company"]["id"])))
    {
        return false;
    }
    if filter.get("query").is_some() && !matched.contains(posting["id"].as_str().unwrap()) {
        return false;
    }
    let Some(wanted) = filter["locations"].as_array() else {
        return true;
    };
    let wanted: Vec<(Option<String>, Option<String>)> = wanted
        .iter()
        .map(|place| {
            let city = place["city"].as_str().filter(|_| facet != "cities");
            let country = place["country"].as_str().filter(|_| facet != "countries");
            (city.map(str::to_lowercase), country.map(str::to_uppercase))
        })
        .filter(|(city, country)| city.is_some() || country.is_some())
        .collect();
    wanted.is_empty()
        || posting["locations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|location| {
                wanted.iter().any(|(city, country)| {
                    city.as_ref().is_none_or(|city| {
                        location["city"].as_str().map(str::to_lowercase).as_ref() == Some(city)
                    }) && country
                        .as_ref()
                        .is_none_or(|country| location["country"].as_str() == Some(country))
                })
            })
}

/// The values a posting has for `facet`, each once.
fn values_of(posting: &Value, facet: &str) -> BTreeSet<String> {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    match facet {
        "departments" => text(&posting["department"]).into_iter().collect(),
        "occupations" => text(&posting["occupation"]).into_iter().collect(),
        "languages" => text(&posting["language"]).into_iter().collect(),
        "employmentTypes" => text(&posting["employmentType"]).into_iter().collect(),
        "remotePolicies" => text(&posting["remotePolicy"]).into_iter().collect(),
        "companies" => text(&posting["company"]["id"]).into_iter().collect(),
        "cities" => posting["locations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|location| text(&location["city"]))
            .collect(),
        "countries" => posting["locations"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|location| text(&location["country"]))
            .collect(),
        other => panic!("no facet {other}"),
    }
}

/// `count` filter combinations drawn from the sample's values by a fixed-seed generator
/// (reproducible: the same combinations every run), each field present or not.
fn generated_filters(count: usize, companies: &[Value]) -> Vec<Value> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % below
    };
    let departments = [
        "Engineering",
        "Operations",
        "Sales",
        "Logistics",
        "Customer Success",
        "Data",
    ];
    let cities = ["göteborg", "Stockholm", "MALMÖ", "Oslo", "Denver", "Austin"];
    let countries = ["SE", "no", "US", "DK"];
    let employment = ["FULL_TIME", "PART_TIME", "TEMPORARY", "CONTRACTOR"];
    let remote = ["ONSITE", "HYBRID", "REMOTE"];
    let languages = ["en", "sv"];
    let queries = [
        "engineer",
        "göteborg",
        "-senior",
        "lager OR data",
        "\"customer success\"",
        "specialist",
    ];
    (0..count)
        .map(|_| {
            let mut filter = serde_json::Map::new();
            let mut some = |name: &str, pool: &[&str], next: &mut dyn FnMut(usize) -> usize| {
                if next(2) == 0 {
                    let picked: Vec<&str> = (0..1 + next(2)).map(|_| pool[next(pool.len())]).collect();
                    filter.insert(name.to_owned(), json!(picked));
                }
            };
            some("departments", &departments, &mut next);
            some("employmentTypes", &employment, &mut next);
            some("remotePolicies", &remote, &mut next);
            some("languages", &languages, &mut next);
            if next(2) == 0 {
                let place = match next(3) {
                    0 => json!({ "city": cities[next(cities.len())] }),
                    1 => json!({ "country": countries[next(countries.len())] }),
                    _ => json!({ "city": cities[next(cities.len())], "country": countries[next(countries.len())] }),
                };
                filter.insert("locations".to_owned(), json!([place]));
            }
            if next(3) == 0 {
                filter.insert("companyIds".to_owned(), json!([companies[next(companies.len())]]));
            }
            if next(2) == 0 {
                filter.insert("query".to_owned(), json!(queries[next(queries.len())]));
            }
            Value::Object(filter)
        })
        .collect()
}

const FACET_NAMES: [&str; 8] = [
    "departments",
    "occupations",
    "cities",
    "countries",
    "languages",
    "employmentTypes",
    "remotePolicies",
    "companies",
];

async fn facet_counts_equal_counting_every_visible_posting(backend: Backend) {
    let app = spawn_app_with_sample(backend, |_| {}).await;
    let postings = all_postings(&app).await;
    assert_eq!(postings.len(), 27);
    let companies: Vec<Value> = postings
        .iter()
        .map(|p| p["company"]["id"].clone())
        .collect();
    let filters = [
        json!({}),
        json!({ "departments": ["Engineering"] }),
        json!({ "locations": [{ "city": "göteborg" }] }),
        json!({ "locations": [{ "country": "se" }], "employmentTypes": ["FULL_TIME"] }),
        json!({ "query": "engineer OR utvecklare" }),
        json!({ "departments": ["Engineering", "Operations"], "remotePolicies": ["HYBRID"], "languages": ["sv"] }),
        json!({ "locations": [{ "city": "Malmö", "country": "SE" }], "query": "lager" }),
        json!({ "locations": [{ "city": "Oslo" }, { "country": "US" }], "departments": ["Sales"] }),
        json!({ "companyIds": [companies[0].clone()], "query": "-senior" }),
    ];
    let generated = generated_filters(40, &companies);
    for filter in filters.into_iter().chain(generated) {
        let matched: BTreeSet<String> = match filter.get("query") {
            None => BTreeSet::new(),
            Some(query) => data(
                &app,
                "query($q: String) { postings(filter: { query: $q }, first: 100) { nodes { id } } }",
                json!({ "q": query }),
            )
            .await["postings"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|node| node["id"].as_str().unwrap().to_owned())
                .collect(),
        };
        let answer = data(
            &app,
            &format!("query($filter: PostingFilterInput) {{ postings(filter: $filter) {{ totalCount {FACETS} }} }}"),
            json!({ "filter": filter }),
        )
        .await;
        let facets = &answer["postings"]["facets"];
        for facet in FACET_NAMES {
            let mut expected: BTreeMap<String, u64> = BTreeMap::new();
            for posting in postings
                .iter()
                .filter(|p| passes(p, &filter, facet, &matched))
            {
                for value in values_of(posting, facet) {
                    *expected.entry(value).or_default() += 1;
                }
            }
            let got_list = facets[facet].as_array().unwrap();
            let key = if facet == "companies" { "id" } else { "value" };
            let got: BTreeMap<String, u64> = got_list
                .iter()
                .map(|entry| {
                    (
                        entry[key].as_str().unwrap().to_owned(),
                        entry["count"].as_u64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(got, expected, "{facet} under {filter}");
            let counts: Vec<u64> = got_list
                .iter()
                .map(|entry| entry["count"].as_u64().unwrap())
                .collect();
            assert!(
                counts.windows(2).all(|pair| pair[0] >= pair[1]),
                "{facet}: largest first"
            );
        }
    }
}

async fn facets_take_a_bounded_first_and_follow_writes(backend: Backend) {
    use crate::fixtures::{self, PostingSpec};
    use crate::tokens::token;

    let app = spawn_app_with_sample(backend, |_| {}).await;
    let departments = |first: i32| {
        let app = &app;
        async move {
            app.request()
                .query(format!("{{ postings {{ facets(first: {first}) {{ departments {{ value count }} }} }} }}"))
                .send()
                .await
                .json()
        }
    };
    let two = departments(2).await;
    assert_eq!(
        two["data"]["postings"]["facets"]["departments"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    for bad in [0, 51, -1] {
        let body = departments(bad).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "facets.first");
    }

    // A write changes the counts at once, cached answers included.
    let company = fixtures::company(&app.db, "acme", "Acme").await;
    let posting = fixtures::posting(
        &app.db,
        company.id,
        PostingSpec {
            department: Some("Harbour".into()),
            ..Default::default()
        },
    )
    .await;
    let harbour = |answer: Value| {
        answer["data"]["postings"]["facets"]["departments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["value"] == "Harbour")
            .map(|entry| entry["count"].clone())
    };
    assert_eq!(harbour(departments(50).await), Some(json!(1)));
    assert_eq!(harbour(departments(50).await), Some(json!(1)), "cached");
    let deleted = app
        .request()
        .token(token("postings:write", &[company.id]))
        .query("mutation($input: PostingRefInput!) { deletePosting(input: $input) { deletedId } }")
        .variables(json!({ "input": { "id": fixtures::posting_id(&posting) } }))
        .send()
        .await;
    assert!(deleted.json().get("errors").is_none(), "{}", deleted.text);
    assert_eq!(harbour(departments(50).await), None);
}

on_both_databases!(
    facet_counts_equal_counting_every_visible_posting,
    facets_take_a_bounded_first_and_follow_writes,
);

/// The same facets, values and order included, on SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_count_facets_the_same() {
    let Some(postgres) = Backend::postgres() else {
        return;
    };
    let sqlite = spawn_app_with_sample(Backend::Sqlite, |_| {}).await;
    let postgres = spawn_app_with_sample(postgres, |_| {}).await;
    let query = "query($filter: PostingFilterInput) { postings(filter: $filter) { totalCount facets(first: 50) { departments { value count } occupations { value count } cities { value count } countries { value count } languages { value count } employmentTypes { value count } remotePolicies { value count } companies { name count } } } }";
    for filter in [
        json!({}),
        json!({ "query": "engineer OR utvecklare" }),
        json!({ "locations": [{ "country": "SE" }], "departments": ["Engineering"] }),
    ] {
        let variables = json!({ "filter": filter });
        assert_eq!(
            data(&sqlite, query, variables.clone()).await,
            data(&postgres, query, variables).await,
            "{filter}"
        );
    }
}
