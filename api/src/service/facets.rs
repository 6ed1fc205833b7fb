//! Facets: how many postings of a list have each department, occupation, city, country,
//! employment type, remote policy, language and company — under the list's own filter and
//! query, with each facet's own selection left out of its counts (a reader who picked
//! "Engineering" still sees how many postings the other departments have; the cities facet
//! leaves out the city part of the location filter, the countries facet its country part).
//! Exact counts, the largest first (ties by value), one statement per facet asked for.

use entity::enums::{EmploymentType, RemotePolicy};
use entity::{company, posting, posting_location};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ConnectionTrait, DbBackend, JoinType, Order, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait, Select, TryGetableMany,
};
use uuid::Uuid;

use super::posting::{LocationMatch, PostingFilter, matching, with_locations};
use super::visibility::Visibility;
use crate::error::ServiceError;

/// Most values one facet may return.
pub const MAX_FACET_VALUES: u64 = 50;

/// What a facet counts postings by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facet {
    Departments,
    Occupations,
    Cities,
    Countries,
    EmploymentTypes,
    RemotePolicies,
    Languages,
    Companies,
}

/// One value of a facet and how many postings have it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counted<V> {
    pub value: V,
    pub count: u64,
}

/// `filter` without `facet`'s own selection.
pub fn without_own_selection(filter: &PostingFilter, facet: Facet) -> PostingFilter {
    let mut filter = filter.clone();
    match facet {
        Facet::Departments => filter.departments.clear(),
        Facet::Occupations => filter.occupations.clear(),
        Facet::EmploymentTypes => filter.employment_types.clear(),
        Facet::RemotePolicies => filter.remote_policies.clear(),
        Facet::Languages => filter.languages.clear(),
        Facet::Companies => filter.company_ids.clear(),
        Facet::Cities => {
            filter.locations = filter
                .locations
                .into_iter()
                .filter_map(|location| {
                    location.country.map(|country| LocationMatch {
                        city: None,
                        country: Some(country),
                    })
                })
                .collect();
        }
        Facet::Countries => {
            filter.locations = filter
                .locations
                .into_iter()
                .filter_map(|location| {
                    location.city.map(|city| LocationMatch {
                        city: Some(city),
                        country: None,
                    })
                })
                .collect();
        }
    }
    filter
}

const COUNT: &str = "COUNT(*)";
const COUNT_POSTINGS: &str = "COUNT(DISTINCT \"posting\".\"id\")";

/// The postings a facet counts among, grouped by `group`, largest count first, ties by
/// `tie` ascending, at most `first` groups.
fn grouped(
    select: Select<posting::Entity>,
    count: &'static str,
    group: SimpleExpr,
    tie: SimpleExpr,
    first: u64,
) -> Select<posting::Entity> {
    select
        .group_by(group)
        .order_by(Expr::cust(count), Order::Desc)
        .order_by(tie, Order::Asc)
        .limit(Ord::min(first, MAX_FACET_VALUES))
}

/// `value` compared by code point on both databases (PostgreSQL would use the database's
/// collation), so ties come in the same order everywhere.
fn by_code_point(value: SimpleExpr, backend: DbBackend) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_expr("$1 COLLATE \"C\"", value),
        _ => value,
    }
}

async fn rows<T, D>(
    db: &D,
    select: Select<posting::Entity>,
) -> Result<Vec<Counted<T>>, ServiceError>
where
    T: sea_orm::TryGetable,
    (T, i64): TryGetableMany,
    D: ConnectionTrait,
{
    Ok(select
        .into_tuple::<(T, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(value, count)| Counted {
            value,
            count: u64::try_from(count).unwrap_or_default(),
        })
        .collect())
}

/// A text facet: departments, occupations, cities, countries or languages.
pub async fn texts(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &PostingFilter,
    facet: Facet,
    first: u64,
) -> Result<Vec<Counted<String>>, ServiceError> {
    let column = match facet {
        Facet::Departments => Some(posting::Column::Department),
        Facet::Occupations => Some(posting::Column::Occupation),
        Facet::Languages => Some(posting::Column::Language),
        _ => None,
    };
    if let Some(column) = column {
        return column_facet(db, visibility, filter, facet, column, first).await;
    }
    let backend = db.get_database_backend();
    let located = with_locations(
        matching(visibility, &without_own_selection(filter, facet), backend).select_only(),
    );
    let select = match facet {
        // Cities compare without regard to case: one value per `city_key`, spelled as
        // stored (the first spelling in sort order when postings differ).
        Facet::Cities => {
            let key = Expr::col((posting_location::Entity, posting_location::Column::CityKey));
            let spelling = Expr::cust("MIN(\"posting_location\".\"city\")");
            grouped(
                located
                    .column_as(spelling.clone(), "value")
                    .column_as(Expr::cust(COUNT_POSTINGS), "n")
                    .filter(key.clone().is_not_null()),
                COUNT_POSTINGS,
                key,
                by_code_point(spelling, backend),
                first,
            )
        }
        _ => {
            let country = Expr::col((posting_location::Entity, posting_location::Column::Country));
            grouped(
                located
                    .column_as(country.clone(), "value")
                    .column_as(Expr::cust(COUNT_POSTINGS), "n"),
                COUNT_POSTINGS,
                country.clone(),
                by_code_point(country, backend),
                first,
            )
        }
    };
    rows(db, select).await
}

/// A facet over one column of the posting: its distinct values, nulls left out.
async fn column_facet<T>(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &PostingFilter,
    facet: Facet,
    column: posting::Column,
    first: u64,
) -> Result<Vec<Counted<T>>, ServiceError>
where
    T: sea_orm::TryGetable,
    (T, i64): TryGetableMany,
{
    let backend = db.get_database_backend();
    let column = Expr::col((posting::Entity, column));
    let select = matching(visibility, &without_own_selection(filter, facet), backend)
        .select_only()
        .column_as(column.clone(), "value")
        .column_as(Expr::cust(COUNT), "n")
        .filter(column.clone().is_not_null());
    let tie = by_code_point(column.clone(), backend);
    rows(db, grouped(select, COUNT, column, tie, first)).await
}

/// The employment-type facet.
pub async fn employment_types(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &PostingFilter,
    first: u64,
) -> Result<Vec<Counted<EmploymentType>>, ServiceError> {
    let column = posting::Column::EmploymentType;
    column_facet(
        db,
        visibility,
        filter,
        Facet::EmploymentTypes,
        column,
        first,
    )
    .await
}

/// The remote-policy facet.
pub async fn remote_policies(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &PostingFilter,
    first: u64,
) -> Result<Vec<Counted<RemotePolicy>>, ServiceError> {
    let column = posting::Column::RemotePolicy;
    column_facet(db, visibility, filter, Facet::RemotePolicies, column, first).await
}

/// A company with its name, as the companies facet counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedCompany {
    pub id: Uuid,
    pub name: String,
}

/// The companies facet, ties by name.
pub async fn companies(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &PostingFilter,
    first: u64,
) -> Result<Vec<Counted<NamedCompany>>, ServiceError> {
    let id = Expr::col((company::Entity, company::Column::Id));
    let name = Expr::col((company::Entity, company::Column::Name));
    let filter = without_own_selection(filter, Facet::Companies);
    let select = matching(visibility, &filter, db.get_database_backend())
        .select_only()
        .join(JoinType::InnerJoin, posting::Relation::Company.def())
        .column_as(id.clone(), "id")
        .column_as(name.clone(), "name")
        .column_as(Expr::cust(COUNT), "n")
        .group_by(id)
        .group_by(name.clone())
        .order_by(Expr::cust(COUNT), Order::Desc)
        .order_by(by_code_point(name, db.get_database_backend()), Order::Asc)
        .limit(Ord::min(first, MAX_FACET_VALUES));
    Ok(select
        .into_tuple::<(Uuid, String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, count)| Counted {
            value: NamedCompany { id, name },
            count: u64::try_from(count).unwrap_or_default(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_facet_leaves_out_only_its_own_part_of_the_filter() {
        let filter = PostingFilter {
            departments: vec!["Engineering".into()],
            locations: vec![
                LocationMatch {
                    city: Some("Malmö".into()),
                    country: Some("SE".into()),
                },
                LocationMatch {
                    city: Some("Oslo".into()),
                    country: None,
                },
            ],
            ..Default::default()
        };
        let cities = without_own_selection(&filter, Facet::Cities);
        assert_eq!(cities.departments, ["Engineering"]);
        assert_eq!(cities.locations.len(), 1);
        assert_eq!(cities.locations[0].country.as_deref(), Some("SE"));
        assert_eq!(cities.locations[0].city, None);
        let countries = without_own_selection(&filter, Facet::Countries);
        assert_eq!(countries.locations.len(), 2);
        assert!(countries.locations.iter().all(|l| l.country.is_none()));
        assert!(
            without_own_selection(&filter, Facet::Departments)
                .departments
                .is_empty()
        );
    }
}
