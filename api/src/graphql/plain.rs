//! The field catalogue of the fast paths, and lists of objects whose fields are plain data
//! (requirements, locations, description sections) resolved in one pass.
//!
//! A plain field needs no context and no arguments and cannot fail. Each object type the
//! fast paths cover lists its plain fields once, in [`PlainFields::FIELDS`]: the GraphQL
//! name, how the value is taken from the object, and how PostgreSQL renders it. The one-pass
//! resolution ([`PlainList`], `PostingNode`) and the pushdown read that catalogue and nothing
//! else; tests hold it to the schema and to async-graphql's own answers.
//!
//! async-graphql resolves every field of every object through a boxed future, a context and
//! a join; a page of 50 postings with their requirements has well over a thousand such
//! fields. When a list's selection is only fields of the object itself, without fragments or
//! directives, [`PlainList`] builds the values directly; any other selection goes through
//! async-graphql's own resolver, so the answer is the same either way.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_list;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

use super::json_sql::{self, Rendering};

/// One plain field of `T`.
pub struct PlainField<T: 'static> {
    /// The field's GraphQL name.
    pub name: &'static str,
    /// Its value, as the field's resolver answers it.
    pub value: fn(&T) -> Value,
    /// How PostgreSQL renders it from `T`'s row.
    pub sql: Rendering,
}

/// An object type with a catalogue of plain fields.
pub trait PlainFields: OutputType + Sized + 'static {
    /// Every plain field, in the schema's order.
    const FIELDS: &'static [PlainField<Self>];

    /// Argument-free scalar or enum fields that are deliberately not plain (they need the
    /// request's context), each with why. Tests check that `FIELDS` and this list together
    /// cover every such field of the type in the schema.
    const NOT_PLAIN: &'static [(&'static str, &'static str)] = &[];

    /// The catalogued field called `name`.
    fn plain_field(name: &str) -> Option<&'static PlainField<Self>> {
        Self::FIELDS.iter().find(|field| field.name == name)
    }
}

/// What one key of a plain selection asks for.
pub enum PlainPart<T: 'static> {
    Typename,
    Field(&'static PlainField<T>),
}

impl<T: PlainFields> PlainPart<T> {
    /// The part `name` (a field of `T` or `__typename`) asks for.
    pub fn of(name: &str) -> Option<Self> {
        if name == "__typename" {
            return Some(PlainPart::Typename);
        }
        T::plain_field(name).map(PlainPart::Field)
    }

    /// Its value for `item`.
    pub fn value(&self, item: &T) -> Value {
        match self {
            PlainPart::Typename => Value::String(T::type_name().into_owned()),
            PlainPart::Field(field) => (field.value)(item),
        }
    }

    /// Its SQL, reading `T`'s row `row`.
    pub fn sql(&self, row: &str) -> String {
        match self {
            PlainPart::Typename => json_sql::type_name::<T>(),
            PlainPart::Field(field) => field.sql.sql(row),
        }
    }
}

/// A list of `T`, with the same GraphQL type as `Vec<T>`.
pub struct PlainList<T>(pub Vec<T>);

impl<T> From<Vec<T>> for PlainList<T> {
    fn from(items: Vec<T>) -> Self {
        PlainList(items)
    }
}

impl<T: PlainFields> OutputType for PlainList<T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<T> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<T> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let Some(selected) = plain_selection::<T>(&ctx.item.node) else {
            return resolve_list(ctx, field, self.0.iter(), Some(self.0.len())).await;
        };
        let objects = plain_objects(&self.0, &selected);
        Ok(Value::List(objects))
    }
}

/// The response keys and parts of a selection made only of `T`'s plain fields (and
/// `__typename`), or `None` when anything else is selected.
pub fn plain_selection<T: PlainFields>(set: &SelectionSet) -> Option<PlainSelection<T>> {
    set.items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                if !field.directives.is_empty() || !field.arguments.is_empty() {
                    return None;
                }
                let part = PlainPart::of(field.name.node.as_str())?;
                Some((field.response_key().node.clone(), part))
            }
            Selection::FragmentSpread(_) | Selection::InlineFragment(_) => None,
        })
        .collect()
}

/// The fields of a selection with their response keys, when none has arguments or directives,
/// none is a fragment, and no two share a key (GraphQL would merge them); `None` otherwise.
pub fn distinct_plain_fields(set: &SelectionSet) -> Option<Vec<(Name, &Field)>> {
    let mut fields: Vec<(Name, &Field)> = Vec::with_capacity(set.items.len());
    for item in &set.items {
        let Selection::Field(field) = &item.node else {
            return None;
        };
        let field = &field.node;
        if !field.directives.is_empty() || !field.arguments.is_empty() {
            return None;
        }
        let key = field.response_key().node.clone();
        if fields.iter().any(|(seen, _)| *seen == key) {
            return None;
        }
        fields.push((key, field));
    }
    Some(fields)
}

/// The response keys and parts a plain selection of `T` asks for, in its order.
pub type PlainSelection<T> = Vec<(Name, PlainPart<T>)>;

/// `item` with the fields `selected` asks for.
pub fn plain_object<T: PlainFields>(item: &T, selected: &PlainSelection<T>) -> Value {
    let mut object = IndexMap::with_capacity(selected.len());
    for (key, part) in selected {
        object.insert(key.clone(), part.value(item));
    }
    Value::Object(object)
}

/// The JSON object of `T`'s row `row` with the fields `selected` asks for, as SQL.
pub fn plain_object_sql<T: PlainFields>(selected: &PlainSelection<T>, row: &str) -> String {
    let fields: Vec<(&str, String)> = selected
        .iter()
        .map(|(key, part)| (key.as_str(), part.sql(row)))
        .collect();
    json_sql::object(&fields)
}

/// Each of `items` with the fields `selected` asks for.
pub fn plain_objects<T: PlainFields>(items: &[T], selected: &PlainSelection<T>) -> Vec<Value> {
    items
        .iter()
        .map(|item| plain_object(item, selected))
        .collect()
}

/// `value` as a GraphQL value, null when absent.
pub fn nullable<V: Into<Value>>(value: Option<V>) -> Value {
    value.map_or(Value::Null, Into::into)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use async_graphql::parser::parse_schema;
    use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

    use super::*;
    use crate::graphql::types::company::Company;
    use crate::graphql::types::location::Location;
    use crate::graphql::types::posting::Posting;
    use crate::graphql::types::requirement::Requirement;
    use crate::graphql::types::section::DescriptionSection;

    /// Object types the fast paths do not cover, and why. A new object type must be added
    /// here or given a catalogue.
    const NOT_CATALOGUED: &[(&str, &str)] = &[
        ("ImportPostingsPayload", "a mutation's answer"),
        ("ImportRow", "a mutation's answer"),
        (
            "Salary",
            "read from the posting's row by the generic path; no fast path covers it yet",
        ),
        (
            "QueryRoot",
            "root fields take arguments and go through the executor",
        ),
        (
            "MutationRoot",
            "mutations are never answered by a fast path",
        ),
        ("Application", "private: needs the token's scopes"),
        ("ApplicationConnection", "private: needs the token's scopes"),
        ("ApplicationEdge", "private: needs the token's scopes"),
        ("ApplicationPayload", "a mutation's result"),
        ("AuditEvent", "private: needs the token's scopes"),
        ("AuditEventConnection", "private: needs the token's scopes"),
        ("AuditEventEdge", "private: needs the token's scopes"),
        (
            "CompanyConnection",
            "the company list is answered by async-graphql",
        ),
        (
            "CompanyEdge",
            "the company list is answered by async-graphql",
        ),
        ("CompanyPayload", "a mutation's result"),
        ("DeletePostingPayload", "a mutation's result"),
        ("PostingPayload", "a mutation's result"),
        ("RequirementsPayload", "a mutation's result"),
        (
            "PostingConnection",
            "the pushdown writes connections itself (pushdown::plan), totalCount needs a count",
        ),
        (
            "PostingEdge",
            "the pushdown writes edges itself (pushdown::plan)",
        ),
        (
            "PageInfo",
            "the pushdown writes pageInfo itself (pushdown::plan)",
        ),
        (
            "Highlight",
            "computed in Rust from the page's postings (search::highlight), never pushed down",
        ),
        (
            "TextRange",
            "part of a Highlight, computed in Rust (search::highlight)",
        ),
        (
            "PostingFacets",
            "counts, one statement per facet (service::facets)",
        ),
        ("FacetValue", "a facet's count (service::facets)"),
        (
            "EmploymentTypeFacetValue",
            "a facet's count (service::facets)",
        ),
        (
            "RemotePolicyFacetValue",
            "a facet's count (service::facets)",
        ),
        ("CompanyFacetValue", "a facet's count (service::facets)"),
        (
            "Suggestion",
            "typeahead, matched in Rust (service::suggest)",
        ),
    ];

    struct Catalogued {
        plain: BTreeSet<&'static str>,
        not_plain: BTreeSet<&'static str>,
    }

    fn catalogued<T: PlainFields>() -> (String, Catalogued) {
        (
            T::type_name().into_owned(),
            Catalogued {
                plain: T::FIELDS.iter().map(|field| field.name).collect(),
                not_plain: T::NOT_PLAIN.iter().map(|(name, _)| *name).collect(),
            },
        )
    }

    fn base_name(ty: &Type) -> &str {
        match &ty.base {
            BaseType::Named(name) => name.as_str(),
            BaseType::List(item) => base_name(item),
        }
    }

    #[test]
    fn every_plain_field_of_the_schema_is_catalogued_or_listed_as_not_plain() {
        let catalogues: BTreeMap<String, Catalogued> = [
            catalogued::<Posting>(),
            catalogued::<Company>(),
            catalogued::<Requirement>(),
            catalogued::<Location>(),
            catalogued::<DescriptionSection>(),
        ]
        .into_iter()
        .collect();
        let sdl = crate::graphql::sdl();
        let document = parse_schema(&sdl).expect("the SDL parses");
        let types: Vec<_> = document
            .definitions
            .iter()
            .filter_map(|definition| match definition {
                TypeSystemDefinition::Type(ty) => Some(&ty.node),
                _ => None,
            })
            .collect();
        let mut leaves: BTreeSet<&str> = ["String", "Int", "Float", "Boolean", "ID"].into();
        for ty in &types {
            if matches!(ty.kind, TypeKind::Scalar | TypeKind::Enum(_)) {
                leaves.insert(ty.name.node.as_str());
            }
        }
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for ty in &types {
            let TypeKind::Object(object) = &ty.kind else {
                continue;
            };
            let name = ty.name.node.as_str();
            let Some(catalogue) = catalogues.get(name) else {
                if !NOT_CATALOGUED.iter().any(|(listed, _)| *listed == name) {
                    problems.push(format!("{name}: neither catalogued nor listed"));
                }
                continue;
            };
            seen.insert(name);
            let mut plain_in_schema = BTreeSet::new();
            for field in &object.fields {
                let field = &field.node;
                let field_name = field.name.node.as_str();
                let plain =
                    field.arguments.is_empty() && leaves.contains(base_name(&field.ty.node));
                if !plain {
                    if catalogue.plain.contains(field_name) {
                        problems.push(format!("{name}.{field_name}: catalogued but not plain"));
                    }
                    continue;
                }
                plain_in_schema.insert(field_name);
                let listed = catalogue.plain.contains(field_name)
                    || catalogue.not_plain.contains(field_name);
                if !listed {
                    problems.push(format!(
                        "{name}.{field_name}: neither catalogued nor NOT_PLAIN"
                    ));
                }
            }
            for field_name in &catalogue.plain {
                if !plain_in_schema.contains(field_name) {
                    problems.push(format!(
                        "{name}.{field_name}: catalogued, not in the schema"
                    ));
                }
            }
        }
        for name in catalogues.keys() {
            if !seen.contains(name.as_str()) {
                problems.push(format!(
                    "{name}: catalogued, not an object type of the schema"
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_catalogue_follows_the_schema_order() {
        let sdl = crate::graphql::sdl();
        let position = |ty: &str, field: &str| {
            let start = sdl
                .find(&format!("type {ty} "))
                .expect("the type is in the SDL");
            sdl[start..]
                .find(&format!("\n\t{field}:"))
                .expect("the field is in the SDL")
        };
        let positions: Vec<usize> = Posting::FIELDS
            .iter()
            .map(|field| position("Posting", field.name))
            .collect();
        assert!(positions.is_sorted(), "Posting::FIELDS is out of order");
    }
}
