//! Who the schema is built for: the vendor's people and machines see all of it; a CUSTOMER is
//! served by a second build of it, pruned to [`CUSTOMER_SEES`].
//!
//! Default deny is a property of that build, not of each resolver: a type or a field that is not
//! on the list is removed from the customer's registry, so the customer's introspection never
//! shows it, and a request that names it fails validation exactly as a field that does not exist
//! fails (`Unknown field "accounts" on type "Query"`), before any resolver runs. async-graphql's
//! `visible` would hide a field from introspection only — validation and execution ignore it —
//! which is why the fields are removed rather than marked.
//!
//! The list is the decision, one entry per type, and later slices extend it: a field goes on it
//! only once its resolver answers a customer with rows of the customer's own accounts (and only
//! shared ones), because a listed field runs with the CUSTOMER principal like any other.
//! `tests/tests/e2e/customer.rs` holds the same decision for every root field, written out, and
//! fails when a root field has none.

use std::borrow::Cow;
use std::collections::HashSet;

use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{
    ContextSelectionSet, OutputType, Positioned, ServerError, ServerResult, Value,
};

/// Whom a build of the schema serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audience {
    /// The vendor's roles: the whole schema.
    #[default]
    Vendor,
    /// A CUSTOMER: only what [`CUSTOMER_SEES`] lists.
    Customer,
}

/// Every object type and interface a CUSTOMER can reach, each with the fields it may select.
/// Types not listed do not exist for a customer; nor do the mutation and subscription roots while
/// they are not listed. Input types, enums and scalars follow: those that a listed field no
/// longer reaches are dropped too.
pub const CUSTOMER_SEES: &[(&str, &[&str])] = &[
    // `node`/`nodes` answer a customer its own accounts' engagements and phases, and `null` for
    // every other id (see `node::resolve`): the same answer as an id that names nothing.
    ("Query", &["viewer", "node", "nodes"]),
    ("Viewer", &["subject", "role"]),
    ("Node", &["id"]),
    // Engagements and phases are shared by default. Not their account (health, money), lead,
    // SOWs, budget, time, allocations, catalog scope, goals (shared per goal, later) or
    // milestones (marked shared or private, later).
    (
        "Engagement",
        &[
            "id",
            "name",
            "kind",
            "sourcePlatform",
            "targetPlatform",
            "description",
            "plannedStart",
            "status",
            "phases",
        ],
    ),
    (
        "Phase",
        &[
            "id",
            "engagement",
            "position",
            "name",
            "focusKind",
            "focus",
            "objective",
            "expectedValue",
            "status",
            "plannedStart",
            "plannedEnd",
            "actualStart",
            "actualEnd",
            "acceptedOn",
            "dependsOn",
        ],
    ),
];

/// Prunes `registry` to what a customer may see (see the module's documentation).
fn prune(registry: &mut Registry, sees: &[(&str, &[&str])]) {
    let kept: HashSet<&str> = sees.iter().map(|(ty, _)| *ty).collect();
    let system = |name: &str| name.starts_with("__");
    registry.types.retain(|name, ty| {
        !matches!(
            ty,
            MetaType::Object { .. } | MetaType::Interface { .. } | MetaType::Union { .. }
        ) || system(name)
            || kept.contains(name.as_str())
    });
    for (ty, fields) in sees {
        let allowed: HashSet<&str> = fields.iter().copied().collect();
        match registry.types.get_mut(*ty) {
            Some(MetaType::Object { fields, .. }) => {
                fields.retain(|name, _| system(name) || allowed.contains(name.as_str()))
            }
            Some(MetaType::Interface {
                fields,
                possible_types,
                ..
            }) => {
                fields.retain(|name, _| allowed.contains(name.as_str()));
                possible_types.retain(|t| kept.contains(t.as_str()));
            }
            _ => {}
        }
    }
    for interfaces in registry.implements.values_mut() {
        interfaces.retain(|i| kept.contains(i.as_str()));
    }
    registry
        .implements
        .retain(|ty, interfaces| kept.contains(ty.as_str()) && !interfaces.is_empty());
    if registry
        .mutation_type
        .as_deref()
        .is_some_and(|m| !kept.contains(m))
    {
        registry.mutation_type = None;
    }
    if registry
        .subscription_type
        .as_deref()
        .is_some_and(|s| !kept.contains(s))
    {
        registry.subscription_type = None;
    }
    registry.remove_unused_types();
}

/// The names a kept field refers to that the pruned registry lacks: empty when the decision list
/// is consistent (every listed type and field exists, and no kept field returns a type that was
/// dropped).
fn dangling(registry: &Registry, sees: &[(&str, &[&str])]) -> Vec<String> {
    let mut missing = Vec::new();
    for (ty, fields) in sees {
        let Some(meta) = registry.types.get(*ty) else {
            missing.push(format!("type {ty}"));
            continue;
        };
        for field in *fields {
            match meta.fields().and_then(|f| f.get(*field)) {
                None => missing.push(format!("field {ty}.{field}")),
                Some(f) => {
                    let returns = MetaTypeName::concrete_typename(&f.ty);
                    if !registry.types.contains_key(returns) {
                        missing.push(format!("{ty}.{field} returns {returns}, not kept"));
                    }
                }
            }
        }
    }
    missing
}

/// Not a type of the schema: registering it (the builder's one public hook into the registry,
/// run after the roots registered every type) prunes the registry to [`CUSTOMER_SEES`].
pub(crate) struct CustomerView;

impl OutputType for CustomerView {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("Query")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        prune(registry, CUSTOMER_SEES);
        debug_assert!(dangling(registry, CUSTOMER_SEES).is_empty());
        registry.query_type.clone()
    }

    async fn resolve(
        &self,
        _: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Err(ServerError::new(
            "the customer's view is not a type of the schema",
            Some(field.pos),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::schema::{SchemaOptions, build_schema};
    use async_graphql::ValidationMode;

    fn customer_schema() -> crate::graphql::TandemSchema {
        let options = SchemaOptions {
            audience: Audience::Customer,
            ..SchemaOptions::default()
        };
        build_schema(options, None, ValidationMode::Strict)
    }

    #[tokio::test]
    async fn the_customer_introspects_the_decision_list_and_nothing_more() {
        // Building the schema checks, in debug builds, that every decision names a field that
        // exists and returns a type that is kept.
        let schema = customer_schema();
        let answer = schema
            .execute("{ __schema { types { name kind fields { name } } mutationType { name } subscriptionType { name } } }")
            .await;
        assert!(answer.errors.is_empty(), "{:?}", answer.errors);
        let json = answer.data.into_json().unwrap();
        let schema = &json["__schema"];
        assert!(schema["mutationType"].is_null() && schema["subscriptionType"].is_null());
        let mut seen: Vec<(String, Vec<String>)> = schema["types"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| {
                let name = t["name"].as_str().unwrap();
                matches!(t["kind"].as_str(), Some("OBJECT" | "INTERFACE" | "UNION"))
                    && !name.starts_with("__")
            })
            .map(|t| {
                let fields = t["fields"].as_array().unwrap().iter();
                let fields = fields.map(|f| f["name"].as_str().unwrap().to_owned());
                let mut fields: Vec<String> = fields.filter(|f| !f.starts_with("__")).collect();
                fields.sort();
                (t["name"].as_str().unwrap().to_owned(), fields)
            })
            .collect();
        seen.sort();
        let mut decided: Vec<(String, Vec<String>)> = CUSTOMER_SEES
            .iter()
            .map(|(ty, fields)| {
                let mut fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
                fields.sort();
                ((*ty).to_owned(), fields)
            })
            .collect();
        decided.sort();
        assert_eq!(seen, decided);
    }

    #[tokio::test]
    async fn a_field_the_customer_may_not_see_fails_as_an_unknown_one() {
        let schema = customer_schema();
        for (query, message) in [
            (
                "{ accounts { totalCount } }",
                "Unknown field \"accounts\" on type \"Query\"",
            ),
            (
                "{ viewer { teamMember { id } } }",
                "Unknown field \"teamMember\" on type \"Viewer\"",
            ),
            (
                "mutation { __typename }",
                "Schema is not configured for mutations",
            ),
            (
                "subscription { __typename }",
                "Schema is not configured for subscriptions",
            ),
            (
                "{ node(id: \"x\") { ... on Account { name } } }",
                "Unknown type \"Account\"",
            ),
        ] {
            let response = schema.execute(query).await;
            assert!(response.data.into_json().unwrap().is_null(), "{query}");
            assert!(!response.errors.is_empty(), "{query}");
            assert!(
                response.errors[0].message.starts_with(message),
                "{query}: {}",
                response.errors[0].message
            );
        }
    }
}
