//! Lists of objects whose fields are plain data (requirements, locations, description
//! sections), resolved in one pass.
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

/// An object type whose fields need no context, no arguments and cannot fail.
pub trait PlainFields: OutputType {
    /// The value of the field called `name`, or `None` when `name` is not such a field.
    fn plain_field(&self, name: &str) -> Option<Value>;

    /// Whether `name` is one of the fields `plain_field` answers.
    fn is_plain_field(name: &str) -> bool;
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

/// The response keys and field names of a selection made only of `T`'s plain fields (and
/// `__typename`), or `None` when anything else is selected.
pub fn plain_selection<'a, T: PlainFields>(set: &'a SelectionSet) -> Option<PlainSelection<'a>> {
    set.items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                let name = field.name.node.as_str();
                let plain = field.directives.is_empty()
                    && field.arguments.is_empty()
                    && (name == "__typename" || T::is_plain_field(name));
                plain.then(|| (field.response_key().node.clone(), name))
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

/// The response keys and field names a plain selection asks for, in its order.
pub type PlainSelection<'a> = Vec<(Name, &'a str)>;

/// `item` with the fields `selected` asks for.
pub fn plain_object<T: PlainFields>(item: &T, selected: &PlainSelection<'_>) -> Value {
    let mut object = IndexMap::with_capacity(selected.len());
    for (key, name) in selected {
        let value = match *name {
            "__typename" => Value::String(T::type_name().into_owned()),
            name => item.plain_field(name).unwrap_or(Value::Null),
        };
        object.insert(key.clone(), value);
    }
    Value::Object(object)
}

/// Each of `items` with the fields `selected` asks for.
pub fn plain_objects<T: PlainFields>(items: &[T], selected: &PlainSelection<'_>) -> Vec<Value> {
    items
        .iter()
        .map(|item| plain_object(item, selected))
        .collect()
}

/// `value` as a GraphQL value, null when absent.
pub fn nullable<V: Into<Value>>(value: Option<V>) -> Value {
    value.map_or(Value::Null, Into::into)
}
