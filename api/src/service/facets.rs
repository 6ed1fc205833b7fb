//! Facets: how many postings of a list have each department, occupation, city, country,
//! employment type, remote policy, language and company — under the list's own filter and
//! query, with each facet's own selection left out of its counts (a reader who picked
//! "Engineering" still sees how many postings the other departments have; the cities facet
//! leaves out the city part of the location filter, the countries facet its country part).
//! Exact counts, the largest first (ties by value). The list's total and every facet asked
//! for are counted by one statement ([`summary`]).

use std::cmp::Reverse;

use entity::enums::{EmploymentType, RemotePolicy};
use entity::{company, posting, posting_location};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, Query, SelectStatement, SimpleExpr, UnionType,
};
use sea_orm::{
    ActiveEnum, ConnectionTrait, DbBackend, JoinType, Order, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, RelationTrait, Select,
};
use uuid::Uuid;

use super::posting::{LocationMatch, PostingFilter, matching, with_locations};
use super::visibility::Visibility;
use crate::error::ServiceError;

/// Most values one facet may return.
pub const MAX_FACET_VALUES: u64 = 50;

/// What a facet counts postings by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

impl Facet {
    /// The tag naming this facet's rows in the summary statement.
    fn tag(self) -> &'static str {
        match self {
            Facet::Departments => "departments",
            Facet::Occupations => "occupations",
            Facet::Cities => "cities",
            Facet::Countries => "countries",
            Facet::EmploymentTypes => "employmentTypes",
            Facet::RemotePolicies => "remotePolicies",
            Facet::Languages => "languages",
            Facet::Companies => "companies",
        }
    }

    const ALL: [Facet; 8] = [
        Facet::Departments,
        Facet::Occupations,
        Facet::Cities,
        Facet::Countries,
        Facet::EmploymentTypes,
        Facet::RemotePolicies,
        Facet::Languages,
        Facet::Companies,
    ];

    fn from_tag(tag: &str) -> Option<Self> {
        Facet::ALL.into_iter().find(|facet| facet.tag() == tag)
    }
}

/// The tag of the summary's total row.
const TOTAL: &str = "total";

/// What one statement counts for a list: its total, and the facets asked for, each at most
/// `first` values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SummaryRequest {
    pub count: bool,
    pub facets: Vec<Facet>,
    pub first: u64,
}

impl SummaryRequest {
    pub fn is_empty(&self) -> bool {
        !self.count && self.facets.is_empty()
    }
}

/// What [`summary`] counted: the list's total (when asked), and each facet asked for, the
/// largest counts first, ties by value in code-point order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: Option<u64>,
    values: Vec<(Facet, Counted<String>)>,
    companies: Vec<Counted<NamedCompany>>,
}

impl Summary {
    /// The values of a text facet (departments, occupations, cities, countries, languages,
    /// and the stored names of employment types and remote policies).
    pub fn texts(&self, facet: Facet) -> Vec<Counted<String>> {
        self.values
            .iter()
            .filter(|(of, _)| *of == facet)
            .map(|(_, counted)| counted.clone())
            .collect()
    }

    pub fn employment_types(&self) -> Result<Vec<Counted<EmploymentType>>, ServiceError> {
        self.enumerated(Facet::EmploymentTypes)
    }

    pub fn remote_policies(&self) -> Result<Vec<Counted<RemotePolicy>>, ServiceError> {
        self.enumerated(Facet::RemotePolicies)
    }

    fn enumerated<E: ActiveEnum<Value = String>>(
        &self,
        facet: Facet,
    ) -> Result<Vec<Counted<E>>, ServiceError> {
        self.texts(facet)
            .into_iter()
            .map(|Counted { value, count }| {
                Ok(Counted {
                    value: E::try_from_value(&value)?,
                    count,
                })
            })
            .collect()
    }

    pub fn companies(&self) -> &[Counted<NamedCompany>] {
        &self.companies
    }
}

/// The list's total and its facets, in one statement: a `UNION ALL` of one branch per thing
/// asked for, each branch grouped, ordered and cut to `first` on its own.
#[tracing::instrument(level = "debug", skip_all, fields(facets = request.facets.len()))]
pub async fn summary(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &PostingFilter,
    request: &SummaryRequest,
) -> Result<Summary, ServiceError> {
    let backend = db.get_database_backend();
    let first = Ord::min(request.first, MAX_FACET_VALUES);
    let mut branches = Vec::new();
    if request.count {
        branches.push(
            matching(visibility, filter, backend)
                .select_only()
                .column_as(Expr::cust(format!("'{TOTAL}'")), "facet")
                .column_as(Expr::cust("CAST(NULL AS TEXT)"), "value")
                .column_as(Expr::cust("CAST(NULL AS uuid)"), "company")
                .column_as(Expr::cust(COUNT), "n")
                .into_query(),
        );
    }
    let mut asked = Vec::new();
    for facet in &request.facets {
        if !asked.contains(facet) {
            asked.push(*facet);
            branches.push(branch(visibility, filter, *facet, first, backend));
        }
    }
    let mut summary = Summary::default();
    let mut branches = branches.into_iter().enumerate().map(|(index, branch)| {
        Query::select()
            .column(Asterisk)
            .from_subquery(branch, Alias::new(format!("f{index}")))
            .to_owned()
    });
    let Some(mut statement) = branches.next() else {
        return Ok(summary);
    };
    for branch in branches {
        statement.union(UnionType::All, branch);
    }
    for row in db.query_all_raw(backend.build(&statement)).await? {
        let tag: String = row.try_get("", "facet")?;
        let count = u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or_default();
        if tag == TOTAL {
            summary.count = Some(count);
            continue;
        }
        let Some(facet) = Facet::from_tag(&tag) else {
            continue;
        };
        let value: Option<String> = row.try_get("", "value")?;
        let Some(value) = value else { continue };
        if facet == Facet::Companies {
            let id: Option<Uuid> = row.try_get("", "company")?;
            if let Some(id) = id {
                summary.companies.push(Counted {
                    value: NamedCompany { id, name: value },
                    count,
                });
            }
        } else {
            summary.values.push((facet, Counted { value, count }));
        }
    }
    // Each branch came ordered, but a union need not keep that order: put it back.
    summary.values.sort_by(|(a, x), (b, y)| {
        (a.tag(), Reverse(x.count), &x.value).cmp(&(b.tag(), Reverse(y.count), &y.value))
    });
    summary.companies.sort_by(|x, y| {
        (Reverse(x.count), &x.value.name, x.value.id).cmp(&(
            Reverse(y.count),
            &y.value.name,
            y.value.id,
        ))
    });
    Ok(summary)
}

/// One facet's branch of the summary: `facet` (its tag), `value` (text), `company` (the
/// companies facet's ids) and `n`, the largest counts first (ties by value in code-point
/// order), at most `first` rows.
fn branch(
    visibility: &Visibility,
    filter: &PostingFilter,
    facet: Facet,
    first: u64,
    backend: DbBackend,
) -> SelectStatement {
    let filter = without_own_selection(filter, facet);
    let tag = Expr::cust(format!("'{}'", facet.tag()));
    let no_company = Expr::cust("CAST(NULL AS uuid)");
    let as_text =
        |value: SimpleExpr| -> SimpleExpr { Func::cast_as(value, Alias::new("TEXT")).into() };
    let column = match facet {
        Facet::Departments => Some(posting::Column::Department),
        Facet::Occupations => Some(posting::Column::Occupation),
        Facet::Languages => Some(posting::Column::Language),
        Facet::EmploymentTypes => Some(posting::Column::EmploymentType),
        Facet::RemotePolicies => Some(posting::Column::RemotePolicy),
        Facet::Cities | Facet::Countries | Facet::Companies => None,
    };
    let listed = matching(visibility, &filter, backend).select_only();
    let select = if let Some(column) = column {
        let column = Expr::col((posting::Entity, column));
        grouped(
            listed
                .column_as(tag, "facet")
                .column_as(as_text(column.clone()), "value")
                .column_as(no_company, "company")
                .column_as(Expr::cust(COUNT), "n")
                .filter(column.clone().is_not_null()),
            COUNT,
            vec![column.clone()],
            by_code_point(column, backend),
            first,
        )
    } else if facet == Facet::Companies {
        let id = Expr::col((company::Entity, company::Column::Id));
        let name = Expr::col((company::Entity, company::Column::Name));
        grouped(
            listed
                .join(JoinType::InnerJoin, posting::Relation::Company.def())
                .column_as(tag, "facet")
                .column_as(as_text(name.clone()), "value")
                .column_as(id.clone(), "company")
                .column_as(Expr::cust(COUNT), "n"),
            COUNT,
            vec![id, name.clone()],
            by_code_point(name, backend),
            first,
        )
    } else if facet == Facet::Cities {
        // Cities compare without regard to case: one value per `city_key`, spelled as
        // stored (the first spelling in sort order when postings differ).
        let key = Expr::col((posting_location::Entity, posting_location::Column::CityKey));
        let spelling = Expr::cust("MIN(\"posting_location\".\"city\")");
        grouped(
            with_locations(listed)
                .column_as(tag, "facet")
                .column_as(as_text(spelling.clone()), "value")
                .column_as(no_company, "company")
                .column_as(Expr::cust(COUNT_POSTINGS), "n")
                .filter(key.clone().is_not_null()),
            COUNT_POSTINGS,
            vec![key],
            by_code_point(spelling, backend),
            first,
        )
    } else {
        let country = Expr::col((posting_location::Entity, posting_location::Column::Country));
        grouped(
            with_locations(listed)
                .column_as(tag, "facet")
                .column_as(as_text(country.clone()), "value")
                .column_as(no_company, "company")
                .column_as(Expr::cust(COUNT_POSTINGS), "n"),
            COUNT_POSTINGS,
            vec![country.clone()],
            by_code_point(country, backend),
            first,
        )
    };
    select.into_query()
}

/// The postings a facet counts among, grouped by `group`, largest count first, ties by
/// `tie` ascending, at most `first` groups.
fn grouped(
    mut select: Select<posting::Entity>,
    count: &'static str,
    group: Vec<SimpleExpr>,
    tie: SimpleExpr,
    first: u64,
) -> Select<posting::Entity> {
    for expr in group {
        select = select.group_by(expr);
    }
    select
        .order_by(Expr::cust(count), Order::Desc)
        .order_by(tie, Order::Asc)
        .limit(first)
}

/// `value` compared by code point on both databases (PostgreSQL would use the database's
/// collation), so ties come in the same order everywhere.
fn by_code_point(value: SimpleExpr, backend: DbBackend) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_expr("$1 COLLATE \"C\"", value),
        _ => value,
    }
}

/// A company with its name, as the companies facet counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedCompany {
    pub id: Uuid,
    pub name: String,
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
