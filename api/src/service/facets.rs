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
    Alias, Asterisk, CommonTableExpression, Expr, ExprTrait, Func, Order, Query, SelectStatement,
    SimpleExpr, UnionType, WithClause,
};
use sea_orm::{ActiveEnum, ConnectionTrait, DbBackend, IdenStatic, QuerySelect, QueryTrait};
use uuid::Uuid;

use super::posting::{LocationMatch, PostingFilter, matching};
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

impl Facet {
    /// Its name: the `PostingFacets` field that shows it, and the tag of its rows in the
    /// summary statement.
    pub fn name(self) -> &'static str {
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

    pub fn from_name(name: &str) -> Option<Self> {
        Facet::ALL.into_iter().find(|facet| facet.name() == name)
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

/// The list's total and its facets, in one statement: the postings the list holds are
/// matched once, as a common table expression (`matched`) with the columns the facets group
/// by, and each thing asked for is a branch of a `UNION ALL` over it, grouped, ordered and
/// cut to `first` on its own. A facet whose own selection is part of the filter counts over
/// a table of its own, matched without that selection.
#[tracing::instrument(level = "debug", skip_all, fields(facets = request.facets.len()))]
pub async fn summary(
    db: &impl ConnectionTrait,
    visibility: &Visibility,
    filter: &PostingFilter,
    request: &SummaryRequest,
) -> Result<Summary, ServiceError> {
    let backend = db.get_database_backend();
    let first = Ord::min(request.first, MAX_FACET_VALUES);
    let mut tables = WithClause::new();
    let mut matched = false;
    let mut base = |tables: &mut WithClause| {
        if !std::mem::replace(&mut matched, true) {
            tables.cte(matched_table(MATCHED, visibility, filter, backend));
        }
        MATCHED.to_owned()
    };
    let mut branches = Vec::new();
    if request.count {
        let source = base(&mut tables);
        branches.push(
            Query::select()
                .expr_as(Expr::cust(format!("'{TOTAL}'")), Alias::new("facet"))
                .expr_as(null_text(), Alias::new("value"))
                .expr_as(null_uuid(), Alias::new("company"))
                .expr_as(Expr::cust(COUNT), Alias::new("n"))
                .from(Alias::new(source))
                .to_owned(),
        );
    }
    let mut asked = Vec::new();
    for facet in &request.facets {
        if asked.contains(facet) {
            continue;
        }
        asked.push(*facet);
        let source = if has_own_selection(filter, *facet) {
            let name = format!("without_{}", facet.name());
            let own = without_own_selection(filter, *facet);
            tables.cte(matched_table(&name, visibility, &own, backend));
            name
        } else {
            base(&mut tables)
        };
        branches.push(branch(*facet, &source, first, backend));
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
    let statement = statement.with(tables);
    for row in db.query_all_raw(backend.build(&statement)).await? {
        let tag: String = row.try_get("", "facet")?;
        let count = u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or_default();
        if tag == TOTAL {
            summary.count = Some(count);
            continue;
        }
        let Some(facet) = Facet::from_name(&tag) else {
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
        (a.name(), Reverse(x.count), &x.value).cmp(&(b.name(), Reverse(y.count), &y.value))
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

/// The table the list's postings are matched into, once per statement.
const MATCHED: &str = "matched";

/// The posting columns a matched table holds: what the facets group by.
const MATCHED_COLUMNS: [posting::Column; 7] = [
    posting::Column::Id,
    posting::Column::CompanyId,
    posting::Column::Department,
    posting::Column::Occupation,
    posting::Column::Language,
    posting::Column::EmploymentType,
    posting::Column::RemotePolicy,
];

/// `name AS (the postings visible to `visibility` that match `filter`, with
/// [`MATCHED_COLUMNS`])`.
fn matched_table(
    name: &str,
    visibility: &Visibility,
    filter: &PostingFilter,
    backend: DbBackend,
) -> CommonTableExpression {
    let select = MATCHED_COLUMNS
        .into_iter()
        .fold(
            matching(visibility, filter, backend).select_only(),
            |select, column| select.column(column),
        )
        .into_query();
    CommonTableExpression::new()
        .query(select)
        .table_name(Alias::new(name))
        .to_owned()
}

/// Whether `filter` selects by `facet`'s own values (so the facet counts without them).
fn has_own_selection(filter: &PostingFilter, facet: Facet) -> bool {
    match facet {
        Facet::Departments => !filter.departments.is_empty(),
        Facet::Occupations => !filter.occupations.is_empty(),
        Facet::EmploymentTypes => !filter.employment_types.is_empty(),
        Facet::RemotePolicies => !filter.remote_policies.is_empty(),
        Facet::Languages => !filter.languages.is_empty(),
        Facet::Companies => !filter.company_ids.is_empty(),
        Facet::Cities => filter
            .locations
            .iter()
            .any(|location| location.city.is_some()),
        Facet::Countries => filter
            .locations
            .iter()
            .any(|location| location.country.is_some()),
    }
}

fn null_text() -> SimpleExpr {
    Expr::cust("CAST(NULL AS TEXT)")
}

fn null_uuid() -> SimpleExpr {
    Expr::cust("CAST(NULL AS uuid)")
}

/// One facet's branch of the summary over the matched table `source`: `facet` (its tag),
/// `value` (text), `company` (the companies facet's ids) and `n`, the largest counts first
/// (ties by value in code-point order), at most `first` rows.
fn branch(facet: Facet, source_name: &str, first: u64, backend: DbBackend) -> SelectStatement {
    let source = Alias::new(source_name);
    let of_source = |column: posting::Column| -> SimpleExpr {
        Expr::col((source.clone(), Alias::new(column.as_str())))
    };
    let as_text =
        |value: SimpleExpr| -> SimpleExpr { Func::cast_as(value, Alias::new("TEXT")).into() };
    let mut select = Query::select();
    select
        .expr_as(
            Expr::cust(format!("'{}'", facet.name())),
            Alias::new("facet"),
        )
        .from(source.clone());
    let (value, company, count, group, tie): (
        SimpleExpr,
        SimpleExpr,
        String,
        Vec<SimpleExpr>,
        SimpleExpr,
    ) = match facet {
        Facet::Cities | Facet::Countries => {
            select.inner_join(
                posting_location::Entity,
                Expr::col((
                    posting_location::Entity,
                    posting_location::Column::PostingId,
                ))
                .equals((source.clone(), Alias::new(posting::Column::Id.as_str()))),
            );
            // Identifiers are quoted alike on both databases; `source` is one of ours.
            let counted = format!("COUNT(DISTINCT \"{source_name}\".\"id\")");
            if facet == Facet::Cities {
                // Cities compare without regard to case: one value per `city_key`,
                // spelled as stored (the first spelling in sort order when postings
                // differ).
                let key = Expr::col((posting_location::Entity, posting_location::Column::CityKey));
                select.and_where(key.clone().is_not_null());
                let spelling = Expr::cust("MIN(\"posting_location\".\"city\")");
                (
                    as_text(spelling.clone()),
                    null_uuid(),
                    counted.clone(),
                    vec![key],
                    by_code_point(spelling, backend),
                )
            } else {
                let country: SimpleExpr =
                    Expr::col((posting_location::Entity, posting_location::Column::Country));
                (
                    as_text(country.clone()),
                    null_uuid(),
                    counted.clone(),
                    vec![country.clone()],
                    by_code_point(country, backend),
                )
            }
        }
        Facet::Companies => {
            select.inner_join(
                company::Entity,
                Expr::col((company::Entity, company::Column::Id)).equals((
                    source.clone(),
                    Alias::new(posting::Column::CompanyId.as_str()),
                )),
            );
            let id: SimpleExpr = Expr::col((company::Entity, company::Column::Id));
            let name: SimpleExpr = Expr::col((company::Entity, company::Column::Name));
            (
                as_text(name.clone()),
                id.clone(),
                COUNT.to_owned(),
                vec![id, name.clone()],
                by_code_point(name, backend),
            )
        }
        _ => {
            let column = of_source(match facet {
                Facet::Departments => posting::Column::Department,
                Facet::Occupations => posting::Column::Occupation,
                Facet::Languages => posting::Column::Language,
                Facet::EmploymentTypes => posting::Column::EmploymentType,
                _ => posting::Column::RemotePolicy,
            });
            select.and_where(column.clone().is_not_null());
            (
                as_text(column.clone()),
                null_uuid(),
                COUNT.to_owned(),
                vec![column.clone()],
                by_code_point(column, backend),
            )
        }
    };
    select
        .expr_as(value, Alias::new("value"))
        .expr_as(company, Alias::new("company"))
        .expr_as(Expr::cust(count.clone()), Alias::new("n"));
    for expr in group {
        select.add_group_by([expr]);
    }
    select
        .order_by_expr(Expr::cust(count), Order::Desc)
        .order_by_expr(tie, Order::Asc)
        .limit(first)
        .to_owned()
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
