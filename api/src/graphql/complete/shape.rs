//! What the completion pass needs to know of the schema: each composite type's fields and their
//! types, and which object types an abstract type stands for. Read once, at start-up, from the
//! schema's own SDL, so it cannot drift from what the server runs.

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, Directive, ExecutableDocument, Field, Selection, SelectionSet, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Name, Positioned, Variables};

/// A composite type (object, interface or union): its fields, and the object types it covers.
pub(super) struct Composite {
    /// Field types by field name (none for a union, whose only field is `__typename`).
    fields: HashMap<String, Type>,
    /// The object types a value of this type can be: itself for an object, the implementers for
    /// an interface, the members for a union.
    pub(super) possible: Vec<String>,
    /// Whether this is an object type.
    pub(super) is_object: bool,
}

/// The composite types of a schema and its root type names.
pub struct Shape {
    composites: HashMap<String, Composite>,
    pub(super) query: String,
    pub(super) mutation: String,
    pub(super) subscription: String,
}

/// `__typename`'s type: `String!`.
fn typename_type() -> Type {
    Type {
        base: BaseType::Named(Name::new("String")),
        nullable: false,
    }
}

impl Shape {
    /// The shape of the schema written as `sdl`; a schema that does not parse has no composite
    /// types, so completion leaves every answer as it stands.
    pub fn from_sdl(sdl: &str) -> Shape {
        let mut shape = Shape {
            composites: HashMap::new(),
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
        };
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            tracing::error!("the schema's SDL does not parse: field errors stay as executed");
            return shape;
        };
        let mut implementers: HashMap<String, Vec<String>> = HashMap::new();
        for definition in &document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let s = &schema.node;
                    if let Some(q) = &s.query {
                        shape.query = q.node.to_string();
                    }
                    if let Some(m) = &s.mutation {
                        shape.mutation = m.node.to_string();
                    }
                    if let Some(s) = &s.subscription {
                        shape.subscription = s.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let name = t.node.name.node.to_string();
                    let fields =
                        |list: &[Positioned<async_graphql::parser::types::FieldDefinition>]| {
                            list.iter()
                                .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()))
                                .collect()
                        };
                    let composite = match &t.node.kind {
                        TypeKind::Object(o) => {
                            for i in &o.implements {
                                implementers
                                    .entry(i.node.to_string())
                                    .or_default()
                                    .push(name.clone());
                            }
                            Composite {
                                fields: fields(&o.fields),
                                possible: vec![name.clone()],
                                is_object: true,
                            }
                        }
                        TypeKind::Interface(i) => Composite {
                            fields: fields(&i.fields),
                            possible: Vec::new(),
                            is_object: false,
                        },
                        TypeKind::Union(u) => Composite {
                            fields: HashMap::new(),
                            possible: u.members.iter().map(|m| m.node.to_string()).collect(),
                            is_object: false,
                        },
                        _ => continue,
                    };
                    shape.composites.insert(name, composite);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        for (interface, objects) in implementers {
            if let Some(c) = shape.composites.get_mut(&interface) {
                c.possible = objects;
            }
        }
        shape
    }

    /// The composite type called `name`, if it is one.
    pub(super) fn composite(&self, name: &str) -> Option<&Composite> {
        self.composites.get(name)
    }

    /// The type of `field` on the composite type `on`.
    pub(super) fn field_type(&self, on: &str, field: &str) -> Option<Type> {
        if field == "__typename" {
            return Some(typename_type());
        }
        self.composites.get(on)?.fields.get(field).cloned()
    }

    /// Whether a fragment on `condition` applies to a value of the object type `object`.
    fn applies(&self, condition: &str, object: &str) -> bool {
        condition == object
            || self
                .composites
                .get(condition)
                .is_some_and(|c| c.possible.iter().any(|p| p == object))
    }
}

/// A response key and the fields that answer under it (GraphQL merges their selections).
pub(super) type Collected<'d> = Vec<(&'d Name, Vec<&'d Positioned<Field>>)>;

/// Where fields are collected: the document, the variables its directives read, and the
/// operation's variable defaults.
pub(super) struct Collector<'d> {
    pub(super) shape: &'d Shape,
    pub(super) document: &'d ExecutableDocument,
    pub(super) variables: &'d Variables,
    pub(super) defaults: HashMap<&'d str, &'d async_graphql::Value>,
}

impl<'d> Collector<'d> {
    /// The spec's CollectFields for a value of the object type `object` over `sets`; with
    /// `object` `None` (an abstract value of unknown type) only the fragments without a type
    /// condition, or on `abstract_type` itself, are followed.
    pub(super) fn collect(
        &self,
        object: Option<&str>,
        abstract_type: &str,
        sets: &[&'d SelectionSet],
    ) -> Collected<'d> {
        let mut out: Collected<'d> = Vec::new();
        let mut visited: Vec<&str> = Vec::new();
        for set in sets {
            self.collect_into(object, abstract_type, set, &mut out, &mut visited);
        }
        out
    }

    fn collect_into(
        &self,
        object: Option<&str>,
        abstract_type: &str,
        set: &'d SelectionSet,
        out: &mut Collected<'d>,
        visited: &mut Vec<&'d str>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    if !self.included(&f.node.directives) {
                        continue;
                    }
                    let key = &f.node.response_key().node;
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, fields)) => fields.push(f),
                        None => out.push((key, vec![f])),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if !self.included(&spread.node.directives) || visited.contains(&name) {
                        continue;
                    }
                    visited.push(name);
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    let on = fragment.node.type_condition.node.on.node.as_str();
                    if self.condition_holds(Some(on), object, abstract_type) {
                        self.collect_into(
                            object,
                            abstract_type,
                            &fragment.node.selection_set.node,
                            out,
                            visited,
                        );
                    }
                }
                Selection::InlineFragment(inline) => {
                    if !self.included(&inline.node.directives) {
                        continue;
                    }
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str());
                    if self.condition_holds(on, object, abstract_type) {
                        self.collect_into(
                            object,
                            abstract_type,
                            &inline.node.selection_set.node,
                            out,
                            visited,
                        );
                    }
                }
            }
        }
    }

    fn condition_holds(&self, on: Option<&str>, object: Option<&str>, abstract_type: &str) -> bool {
        match (on, object) {
            (None, _) => true,
            (Some(on), Some(object)) => self.shape.applies(on, object),
            (Some(on), None) => on == abstract_type,
        }
    }

    /// Whether `@skip` and `@include` let a selection through.
    fn included(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().all(|d| {
            let name = d.node.name.node.as_str();
            let flag = || {
                let value = d.node.get_argument("if")?.node.clone();
                let resolved = value.into_const_with(|v| {
                    self.variables
                        .get(&v)
                        .or_else(|| self.defaults.get(v.as_str()).copied())
                        .cloned()
                        .ok_or(())
                });
                match resolved {
                    Ok(async_graphql::Value::Boolean(b)) => Some(b),
                    _ => None,
                }
            };
            match name {
                "skip" => flag() != Some(true),
                "include" => flag() != Some(false),
                _ => true,
            }
        })
    }
}
