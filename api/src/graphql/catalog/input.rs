//! The inputs of catalog's fields that only take input: a product as a facilitator types it, the
//! draft an edit applies to, a session's fields; and their conversion into domain values.

use async_graphql::{ID, InputObject, Json};
use chrono::{DateTime, Utc};
use serde_json::Value;
use tandem_domain::catalog::{AttributeDef, Product, VariantValues};
use tandem_domain::ids::ContactId;

use super::model::{AttributeValue, VariantValuesValue};
use super::session::DecisionValue;
use crate::error::ApiResult;
use crate::graphql::enums::SessionStatus;
use crate::graphql::ids::{self, Kind};

/// A product as a facilitator types it.
#[derive(InputObject)]
#[graphql(name = "CatalogProductInput")]
pub(super) struct ProductInput {
    /// Its key (handle), unique in the model.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its product type's key.
    pub product_type: String,
    /// Its product line.
    pub product_line: String,
    /// The axis keys it varies on, in order.
    #[graphql(default)]
    pub axes: Vec<String>,
    /// Combinations that do not exist (axis key → value, each excludes every variant having all
    /// its values).
    #[graphql(default)]
    pub excluded: Vec<Json<std::collections::BTreeMap<String, String>>>,
    /// Product-level attribute values (attribute key → value).
    pub attributes: Option<Json<std::collections::BTreeMap<String, Value>>>,
    /// Variant-level attribute values, by rule.
    #[graphql(default)]
    pub variant_values: Vec<VariantValuesValue>,
    /// SKU pattern with `{product}` and `{AxisName}` placeholders.
    pub sku_pattern: String,
}

impl From<AttributeValue> for AttributeDef {
    fn from(a: AttributeValue) -> Self {
        AttributeDef {
            key: a.key,
            name: a.name,
            kind: a.kind.into(),
            allowed: a.allowed,
            required: a.required,
            level: a.level.into(),
        }
    }
}

impl From<ProductInput> for Product {
    fn from(p: ProductInput) -> Self {
        Product {
            key: p.key,
            name: p.name,
            product_type: p.product_type,
            product_line: p.product_line,
            axes: p.axes,
            excluded: p.excluded.into_iter().map(|j| j.0).collect(),
            attributes: p.attributes.map(|j| j.0).unwrap_or_default(),
            variant_values: p
                .variant_values
                .into_iter()
                .map(|v| VariantValues {
                    when: v.when.0,
                    values: v.values.0,
                })
                .collect(),
            sku_pattern: p.sku_pattern,
        }
    }
}

/// Which draft an edit applies to.
#[derive(InputObject)]
pub(super) struct CatalogDraftRef {
    /// The account's id.
    pub account_id: ID,
    /// The draft version you read (0 for a new model).
    pub version: i32,
}

/// A new session.
#[derive(InputObject)]
pub(super) struct ScheduleCatalogSessionInput {
    /// The account's id.
    pub account_id: ID,
    /// What it is about.
    pub title: String,
    /// When it is held.
    pub scheduled_at: DateTime<Utc>,
    /// The engagement phase it serves.
    pub phase_id: Option<ID>,
    /// Who runs it (a team member's id).
    pub facilitator_id: Option<ID>,
    /// The merchant's people in the room (contact ids).
    #[graphql(default)]
    pub attendee_ids: Vec<ID>,
}

/// A change to a session. Absent fields stay.
#[derive(InputObject)]
pub(super) struct UpdateCatalogSessionInput {
    /// The session's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new status.
    pub status: Option<SessionStatus>,
    /// New notes.
    pub notes: Option<String>,
    /// The full new list of decisions.
    pub decisions: Option<Vec<DecisionValue>>,
    /// The full new list of attendees.
    pub attendee_ids: Option<Vec<ID>>,
}

/// Attendees' contact ids, each checked at its index (`input.attendeeIds[2]`).
pub(super) fn contact_ids(ids: &[ID]) -> ApiResult<Vec<ContactId>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            self::ids::decode(Kind::Contact, id, &format!("input.attendeeIds[{i}]")).map(ContactId)
        })
        .collect()
}
