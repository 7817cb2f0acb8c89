//! Spec-exact field errors: the answer's shape after a field failed.
//!
//! async-graphql 7 leaves a failed field's key out of its object (and writes `null` for an object
//! whose every field failed, even a non-null one), where the GraphQL spec ("Handling Field
//! Errors") wants the field present as `null` and, when the field is non-null, its nearest
//! nullable parent `null` instead. [`super::plain::Fast`] answers as async-graphql does. Typed
//! clients (Apollo's, Relay, urql's graphcache) reject or mis-cache such answers.
//!
//! So every transport hands an answer with field errors to [`Shape::complete`] before writing
//! it. The pass walks only the parts of the answer under an error's path, with the document's
//! selections (fragments, `@skip`/`@include`, aliases) and the schema's types:
//! - a key that is missing where an error lies at or under it is the failed field: it becomes
//!   `null`; if the field is non-null its object becomes `null`, and so on up to the nearest
//!   nullable position (the whole `data` when that is a non-null root field);
//! - an object that async-graphql turned into `null` because none of its fields succeeded is
//!   rebuilt from its selection, each failed field `null` in its place;
//! - a list whose item failed (async-graphql drops the whole list) is `null`, as the spec has it
//!   for non-null items, which are the only ones Tandem's lists hold.
//!
//! Keys are put back in the selection's order. An answer without field errors is not touched,
//! and the walk leaves every subtree without an error alone, so its cost is paid by failed
//! requests only. The e2e test `field_errors_answer_as_graphql_js_does` (the graphql-js oracle,
//! `tests/oracle`) holds the rules.

mod shape;

use std::collections::HashMap;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{BaseType, DocumentOperations, ExecutableDocument, Type};
use async_graphql::{Name, PathSegment, Request, Response, Value, Variables};

use super::limits::Prepared;

use shape::Collector;
pub use shape::Shape;

/// What a request keeps to complete its answer: its document as parsed, and its operation name
/// and variables where they decide the answer's shape (several operations; directives that read
/// variables). Cheap for the common request: one reference count.
pub struct Completion {
    prepared: Prepared,
    operation: Option<String>,
    variables: Option<Variables>,
}

impl Completion {
    /// What `request`, whose document is `prepared`, needs kept.
    pub fn of(request: &Request, prepared: Prepared) -> Completion {
        Completion {
            operation: prepared
                .has_several_operations()
                .then(|| request.operation_name.clone())
                .flatten(),
            variables: prepared
                .reads_variables_in_directives()
                .then(|| request.variables.clone()),
            prepared,
        }
    }

    /// Completes `response` (see [`Shape::complete`]); nothing to do without field errors.
    pub fn apply(&self, shape: &Shape, response: &mut Response) {
        if response.errors.iter().all(|e| e.path.is_empty()) {
            return;
        }
        let none = Variables::default();
        shape.complete(
            response,
            self.prepared.document(),
            self.operation.as_deref(),
            self.variables.as_ref().unwrap_or(&none),
        );
    }
}

/// The position must be `null`: its value failed, or a non-null field under it did.
struct Nulled;

impl Shape {
    /// Brings `response`'s `data` to the shape the spec gives an answer with field errors;
    /// `document` is the request's, `operation` and `variables` as the request named them. A
    /// response without field errors (none, or only request errors) is left as it is.
    pub fn complete(
        &self,
        response: &mut Response,
        document: &ExecutableDocument,
        operation: Option<&str>,
        variables: &Variables,
    ) {
        if response.errors.iter().all(|e| e.path.is_empty()) {
            return;
        }
        let Some(operation) = (match (&document.operations, operation) {
            (DocumentOperations::Single(op), _) => Some(op),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
            _ => None,
        }) else {
            return;
        };
        let root = match operation.node.ty {
            async_graphql::parser::types::OperationType::Query => &self.query,
            async_graphql::parser::types::OperationType::Mutation => &self.mutation,
            async_graphql::parser::types::OperationType::Subscription => &self.subscription,
        };
        let defaults = operation
            .node
            .variable_definitions
            .iter()
            .filter_map(|v| {
                Some((
                    v.node.name.node.as_str(),
                    &v.node.default_value.as_ref()?.node,
                ))
            })
            .collect::<HashMap<_, _>>();
        let walk = Walk {
            collector: Collector {
                shape: self,
                document,
                variables,
                defaults,
            },
            errors: response.errors.iter().map(|e| e.path.clone()).collect(),
        };
        if response.data == Value::Null {
            response.data = Value::Object(IndexMap::new());
        }
        let mut path = Vec::new();
        let sets = [&operation.node.selection_set.node];
        let Value::Object(fields) = &mut response.data else {
            return;
        };
        if walk.object(fields, root, &sets, &mut path).is_err() {
            response.data = Value::Null;
        }
    }
}

/// One answer's completion: the selections and the paths of its field errors.
struct Walk<'d> {
    collector: Collector<'d>,
    errors: Vec<Vec<PathSegment>>,
}

impl<'d> Walk<'d> {
    /// Whether an error lies at `path` or under it.
    fn touched(&self, path: &[PathSegment]) -> bool {
        self.errors.iter().any(|e| e.starts_with(path))
    }

    /// Whether an error lies strictly under `path`.
    fn below(&self, path: &[PathSegment]) -> bool {
        self.errors
            .iter()
            .any(|e| e.len() > path.len() && e.starts_with(path))
    }

    /// Completes the object `fields` of the composite type `ty` whose selections are `sets`.
    fn object(
        &self,
        fields: &mut IndexMap<Name, Value>,
        ty: &str,
        sets: &[&'d async_graphql::parser::types::SelectionSet],
        path: &mut Vec<PathSegment>,
    ) -> Result<(), Nulled> {
        let shape = self.collector.shape;
        let Some(composite) = shape.composite(ty) else {
            return Ok(());
        };
        let concrete = if composite.is_object {
            Some(ty.to_string())
        } else {
            self.concrete_type(fields, ty, sets)
        };
        let collected = self.collector.collect(concrete.as_deref(), ty, sets);
        let mut inserted = false;
        for (key, nodes) in &collected {
            let name = nodes[0].node.name.node.as_str();
            let Some(field_type) = shape.field_type(concrete.as_deref().unwrap_or(ty), name) else {
                continue;
            };
            path.push(PathSegment::Field(key.to_string()));
            let result = if !self.touched(path) {
                Ok(())
            } else {
                let sets: Vec<_> = nodes.iter().map(|f| &f.node.selection_set.node).collect();
                match fields.get_mut(*key) {
                    Some(value) => self
                        .value(value, &field_type, &sets, path)
                        .inspect_err(|_| {
                            *value = Value::Null;
                        }),
                    None => {
                        fields.insert((*key).clone(), Value::Null);
                        inserted = true;
                        Err(Nulled)
                    }
                }
            };
            path.pop();
            if result.is_err() && !field_type.nullable {
                return Err(Nulled);
            }
        }
        if inserted {
            let mut ordered = IndexMap::with_capacity(fields.len());
            for (key, _) in &collected {
                if let Some(v) = fields.shift_remove(*key) {
                    ordered.insert((*key).clone(), v);
                }
            }
            ordered.extend(fields.drain(..));
            *fields = ordered;
        }
        Ok(())
    }

    /// Completes `value`, of type `ty` (its own nullability left to the caller).
    fn value(
        &self,
        value: &mut Value,
        ty: &Type,
        sets: &[&'d async_graphql::parser::types::SelectionSet],
        path: &mut Vec<PathSegment>,
    ) -> Result<(), Nulled> {
        if let Value::Binary(json) = value {
            // An object written ahead as JSON (see `super::json`): taken apart to be completed.
            *value = serde_json::from_slice(json).unwrap_or(Value::Null);
        }
        match &ty.base {
            BaseType::List(item) => match value {
                Value::List(items) => {
                    for (i, entry) in items.iter_mut().enumerate() {
                        path.push(PathSegment::Index(i));
                        let result = if self.touched(path) {
                            self.value(entry, item, sets, path).inspect_err(|_| {
                                *entry = Value::Null;
                            })
                        } else {
                            Ok(())
                        };
                        path.pop();
                        if result.is_err() && !item.nullable {
                            return Err(Nulled);
                        }
                    }
                    Ok(())
                }
                // A list lost to an item's error: async-graphql keeps none of its items.
                _ => Err(Nulled),
            },
            BaseType::Named(name) => {
                if self.collector.shape.composite(name).is_none() {
                    return if *value == Value::Null {
                        Err(Nulled)
                    } else {
                        Ok(())
                    };
                }
                if *value == Value::Null {
                    if !self.below(path) {
                        return Err(Nulled);
                    }
                    // Every field failed and async-graphql answered `null`: rebuilt from the
                    // selection.
                    *value = Value::Object(IndexMap::new());
                }
                match value {
                    Value::Object(fields) => self.object(fields, name, sets, path),
                    _ => Ok(()),
                }
            }
        }
    }

    /// The object type of an abstract value: from its `__typename` when selected, else the
    /// only possible type, else unknown (then only selections without a type condition count).
    fn concrete_type(
        &self,
        fields: &IndexMap<Name, Value>,
        ty: &str,
        sets: &[&'d async_graphql::parser::types::SelectionSet],
    ) -> Option<String> {
        let collected = self.collector.collect(None, ty, sets);
        for (key, nodes) in &collected {
            if nodes[0].node.name.node == "__typename"
                && let Some(Value::String(name)) = fields.get(*key)
            {
                return Some(name.clone());
            }
        }
        let possible = &self.collector.shape.composite(ty)?.possible;
        (possible.len() == 1).then(|| possible[0].clone())
    }
}
