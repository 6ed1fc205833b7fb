//! A posting as lists and `posting(...)` return it, resolved in one pass when it can be.
//!
//! async-graphql resolves an object field by field: a boxed future, a context and a join for
//! each, and for a posting those futures are large. On a page of 50 postings that generic path
//! was the largest single cost of the request. When a posting's selection is only its own
//! plain fields and its company, locations, requirements and description with plain
//! selections of their own (no fragments, directives, arguments or repeated keys),
//! [`PostingNode`] loads the three relations together and builds the value directly. Any
//! other selection, and any failed load, goes through the generic resolver, so the answer and
//! its errors are the same either way.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};
use entity::posting;
use futures_util::future::{OptionFuture, join3};

use super::company::Company;
use super::location::Location;
use super::posting::Posting;
use super::requirement::Requirement;
use super::section::DescriptionSection;
use crate::graphql::context::scope;
use crate::graphql::plain::{
    PlainPart, PlainSelection, distinct_plain_fields, plain_object, plain_objects, plain_selection,
};

/// A posting, with the same GraphQL type as [`Posting`].
pub struct PostingNode(pub Posting);

impl From<posting::Model> for PostingNode {
    fn from(model: posting::Model) -> Self {
        PostingNode(Posting(model))
    }
}

impl OutputType for PostingNode {
    fn type_name() -> Cow<'static, str> {
        <Posting as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Posting as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Posting as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if let Some(selection) = OnePassSelection::of(&ctx.item.node)
            && let Some(value) = self.resolve_in_one_pass(ctx, &selection).await
        {
            return Ok(value);
        }
        OutputType::resolve(&self.0, ctx, field).await
    }
}

impl PostingNode {
    /// The posting's value, or `None` when a relation could not be loaded (the generic
    /// resolver then reports the error where it belongs).
    async fn resolve_in_one_pass(
        &self,
        ctx: &ContextSelectionSet<'_>,
        selection: &OnePassSelection,
    ) -> Option<Value> {
        let posting = &self.0.0;
        let (_, scope) = scope(ctx).ok()?;
        let loaders = &scope.loaders;
        let (company, locations, requirements) = join3(
            OptionFuture::from(
                selection
                    .company
                    .then(|| loaders.companies.load_one(posting.company_id)),
            ),
            OptionFuture::from(
                selection
                    .locations
                    .then(|| loaders.locations_of_posting.load_one(posting.id)),
            ),
            OptionFuture::from(
                selection
                    .requirements
                    .then(|| loaders.requirements_of_posting.load_one(posting.id)),
            ),
        )
        .await;
        // A posting always has its company; without it the generic resolver logs and reports.
        let company = match company {
            None => None,
            Some(loaded) => Some(Company(loaded.ok()??)),
        };
        let locations = rows_as(locations, Location::from)?;
        let requirements = rows_as(requirements, Requirement)?;
        let mut object = IndexMap::with_capacity(selection.parts.len());
        for (key, part) in &selection.parts {
            let value = match part {
                Part::Own(part) => part.value(&self.0),
                Part::Company(selected) => plain_object(company.as_ref()?, selected),
                Part::Locations(selected) => {
                    Value::List(plain_objects(locations.as_deref()?, selected))
                }
                Part::Requirements(selected) => {
                    Value::List(plain_objects(requirements.as_deref()?, selected))
                }
                Part::Description(selected) => {
                    Value::List(plain_objects(&self.0.description_sections(), selected))
                }
            };
            object.insert(key.clone(), value);
        }
        Some(Value::Object(object))
    }
}

/// The rows of a relation, each made a `T`: `Some(None)` when the selection did not ask for
/// it, `None` when its load failed.
fn rows_as<M, T>(
    load: Option<async_graphql::Result<Option<Vec<M>>>>,
    into: impl Fn(M) -> T,
) -> Option<Option<Vec<T>>> {
    match load {
        None => Some(None),
        Some(loaded) => Some(Some(
            loaded
                .ok()?
                .unwrap_or_default()
                .into_iter()
                .map(into)
                .collect(),
        )),
    }
}

/// What one field of a one-pass selection asks for.
pub(crate) enum Part {
    /// A plain field of the posting itself, or `__typename`.
    Own(PlainPart<Posting>),
    Company(PlainSelection<Company>),
    Locations(PlainSelection<Location>),
    Requirements(PlainSelection<Requirement>),
    Description(PlainSelection<DescriptionSection>),
}

/// A posting selection that can be resolved in one pass, with the relations it loads.
pub(crate) struct OnePassSelection {
    pub(crate) parts: Vec<(Name, Part)>,
    company: bool,
    locations: bool,
    requirements: bool,
}

impl OnePassSelection {
    pub(crate) fn of(set: &SelectionSet) -> Option<Self> {
        let mut selection = OnePassSelection {
            parts: Vec::with_capacity(set.items.len()),
            company: false,
            locations: false,
            requirements: false,
        };
        // Fields sharing a key are merged by the generic resolver.
        for (key, field) in distinct_plain_fields(set)? {
            let sub = &field.selection_set.node;
            let part = match field.name.node.as_str() {
                "company" => {
                    selection.company = true;
                    Part::Company(plain_selection::<Company>(sub)?)
                }
                "locations" => {
                    selection.locations = true;
                    Part::Locations(plain_selection::<Location>(sub)?)
                }
                "requirements" => {
                    selection.requirements = true;
                    Part::Requirements(plain_selection::<Requirement>(sub)?)
                }
                "description" => Part::Description(plain_selection::<DescriptionSection>(sub)?),
                name => Part::Own(PlainPart::of(name)?),
            };
            selection.parts.push((key, part));
        }
        Some(selection)
    }
}
