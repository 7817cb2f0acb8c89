//! Answering an object's plain fields without async-graphql's per-field machinery.
//!
//! async-graphql resolves every field of every object the same way: a boxed future in a
//! `FuturesUnordered`, the generated resolver's search for the field by name, and the field's
//! value put through `OutputType::resolve`. That is right for a field that reads a loader or
//! checks a role, and costly for one that copies a string out of a row already in memory: a
//! dashboard page has ~3,500 fields, 3,000 of them an id, a name, a status or a date, and under
//! callgrind that machinery cost more than reading, decoding and serialising the rows.
//!
//! An object type that implements [`Plain`] names the fields it can answer on the spot; wrapped
//! in [`Fast`] where a resolver returns it, its plain fields are answered synchronously and only
//! the others go through async-graphql's resolver (`ContainerType::resolve_field`, so guards,
//! errors and their paths behave as everywhere else). A selection with fragments or directives,
//! or that names one response key twice (whose sub-selections GraphQL merges), is handed to
//! async-graphql whole. The schema does not change: [`Fast<T>`] is the type `T` to GraphQL.
//! Under [`RawJson`] (every HTTP request) the object is written as JSON on the spot instead of
//! built as a map (see [`super::json`]).
//!
//! Every `Plain` implementation is checked against the type's own resolvers by the e2e test
//! `plain_fields_answer_as_their_resolvers_do`, which asks for each plain field directly and
//! through an inline fragment (which takes async-graphql's path) and compares the answers.

use std::borrow::Cow;

use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, ContextSelectionSet, InputType, Name, OutputType, Positioned, ServerResult,
    Value,
};

use super::json::{self, RawJson};

/// An object type with fields that can be answered from the object alone.
pub trait Plain: ContainerType {
    /// The value of the field `name` if it is plain — it takes no arguments, selects nothing
    /// below it, needs no role and no I/O, and cannot fail — else `None`. Whether a field is
    /// plain depends on its name only, never on the object's data; its value must be what the
    /// field's resolver answers.
    fn plain(&self, name: &str) -> Option<Value>;
}

impl<T: Plain + ?Sized> Plain for &T {
    fn plain(&self, name: &str) -> Option<Value> {
        (**self).plain(name)
    }
}

/// A plain field's value: what async-graphql makes of a scalar, an enum or an option of them.
pub fn value<T: InputType>(v: T) -> Option<Value> {
    Some(v.to_value())
}

/// `T`, with its plain fields answered on the spot (see the module's documentation).
pub struct Fast<T>(pub T);

impl<T: Plain> OutputType for Fast<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve(ctx, &self.0, field).await
    }
}

/// Resolves `root`'s selection: plain fields on the spot, the others through their resolvers
/// at once, the answer's keys in the selection's order — written as JSON at once under
/// [`RawJson`] (see [`super::json`]).
async fn resolve<T: Plain>(
    ctx: &ContextSelectionSet<'_>,
    root: &T,
    field: &Positioned<Field>,
) -> ServerResult<Value> {
    let items = &ctx.item.node.items;
    // Each response key with its value; `None` for a field that failed.
    let mut answer: Vec<(&Name, Option<Value>)> = Vec::with_capacity(items.len());
    let mut pending = Vec::new();
    for item in items {
        let Selection::Field(f) = &item.node else {
            return OutputType::resolve(root, ctx, field).await;
        };
        if !f.node.directives.is_empty() {
            return OutputType::resolve(root, ctx, field).await;
        }
        let name = f.node.name.node.as_str();
        let plain = if name == "__typename" {
            Some(Value::String(root.introspection_type_name().into_owned()))
        } else if f.node.arguments.is_empty() && f.node.selection_set.node.items.is_empty() {
            root.plain(name)
        } else {
            None
        };
        let key = &f.node.response_key().node;
        if answer.iter().any(|(k, _)| *k == key) {
            return OutputType::resolve(root, ctx, field).await;
        }
        if plain.is_none() {
            pending.push((answer.len(), f));
        }
        // A pending field keeps its place in the answer.
        answer.push((key, Some(plain.unwrap_or_default())));
    }
    if !pending.is_empty() {
        let resolved = futures_util::future::join_all(pending.iter().map(|(_, f)| {
            let ctx = ctx.clone();
            async move { root.resolve_field(&ctx.with_field(f)).await }
        }))
        .await;
        for ((index, _), result) in pending.into_iter().zip(resolved) {
            answer[index].1 = match result {
                Ok(v) => Some(v.unwrap_or_default()),
                // As async-graphql does: a field that failed is left out (its error says why).
                Err(e) => {
                    ctx.add_error(e);
                    None
                }
            };
        }
    }
    let fields = answer.iter().filter_map(|(k, v)| Some((*k, v.as_ref()?)));
    if fields.clone().next().is_none() {
        return Ok(Value::Null);
    }
    if ctx.data_opt::<RawJson>().is_some() {
        let mut out = Vec::with_capacity(64 * answer.len());
        json::write_selection(&mut out, fields);
        return Ok(json::raw(out));
    }
    Ok(Value::Object(
        answer
            .into_iter()
            .filter_map(|(k, v)| Some((k.clone(), v?)))
            .collect(),
    ))
}

/// A list of `T`, each item answered as [`Fast<T>`] answers it. The schema does not change:
/// `FastList<T>` is `[T!]!` to GraphQL.
///
/// Under [`RawJson`], when every field the selection asks for is plain, the whole list is
/// written as JSON in one pass: no future, context or path per item (a dashboard's 600 phases
/// otherwise cost more in async-graphql's list resolution than in writing their fields).
/// Otherwise each item is resolved as [`Fast<T>`] resolves it.
pub struct FastList<T>(pub Vec<T>);

impl<T> FromIterator<T> for FastList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        FastList(items.into_iter().collect())
    }
}

impl<T: Plain> OutputType for FastList<T> {
    fn type_name() -> Cow<'static, str> {
        Cow::Owned(format!("[{}]", T::qualified_type_name()))
    }

    fn qualified_type_name() -> String {
        format!("[{}]!", T::qualified_type_name())
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry);
        Self::qualified_type_name()
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if ctx.data_opt::<RawJson>().is_some()
            && let Some(json) = write_plain_list(ctx, &self.0)
        {
            return Ok(json::raw(json));
        }
        let items = self.0.iter().map(Fast);
        async_graphql::resolver_utils::resolve_list(ctx, field, items, Some(self.0.len())).await
    }
}

/// `items` as a JSON array when every field of the selection is plain (see [`FastList`]), else
/// `None`.
fn write_plain_list<T: Plain>(ctx: &ContextSelectionSet<'_>, items: &[T]) -> Option<Vec<u8>> {
    let Some(first) = items.first() else {
        return Some(b"[]".to_vec());
    };
    // Each response key with its field's name, when the selection is plain throughout.
    let mut keys: Vec<(&Name, &str)> = Vec::with_capacity(ctx.item.node.items.len());
    for item in &ctx.item.node.items {
        let Selection::Field(f) = &item.node else {
            return None;
        };
        let f = &f.node;
        let name = f.name.node.as_str();
        let key = &f.response_key().node;
        let plain = name == "__typename"
            || (f.arguments.is_empty()
                && f.selection_set.node.items.is_empty()
                && first.plain(name).is_some());
        if !plain || !f.directives.is_empty() || keys.iter().any(|(k, _)| *k == key) {
            return None;
        }
        keys.push((key, name));
    }
    let mut out = Vec::with_capacity(items.len() * 24 * keys.len() + 2);
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        for (j, (key, name)) in keys.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            json::write_key(&mut out, key);
            if *name == "__typename" {
                json::write_str(&mut out, &item.introspection_type_name());
            } else {
                // Whether a field is plain depends on its name alone (see `Plain::plain`).
                json::write_value(&mut out, &item.plain(name)?);
            }
        }
        out.push(b'}');
    }
    out.push(b']');
    Some(out)
}
