//! The catalog model a services team builds with a merchant: product types with typed
//! attributes, option axes with ordered values, and products that vary on some axes, minus the
//! combinations that do not exist. Variants are generated, never typed in.
//!
//! Everything here is pure and sized for large models: 5,000 products and 200,000 variants
//! generate, validate, diff and export in well under a second (see `bench/`).

pub mod csv;
pub mod diff;
pub mod edit;
pub mod export;
pub mod generate;
pub mod scope;
pub mod session;
pub mod stats;
pub mod validate;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::ids::{AccountId, CatalogVersionId};

crate::text_enum! {
    /// The type of an attribute's values.
    pub enum AttributeKind {
        /// Free text.
        Text = "TEXT",
        /// A number.
        Number = "NUMBER",
        /// True or false.
        Boolean = "BOOLEAN",
        /// One of a fixed list of values.
        Enum = "ENUM",
        /// An amount of money: `{"minor": 1999, "currency": "USD"}`.
        Money = "MONEY",
    }
}

crate::text_enum! {
    /// Whether an attribute describes the product or each variant.
    pub enum AttributeLevel {
        /// One value for the product (brand, care instructions).
        Product = "PRODUCT",
        /// One value per variant (weight, barcode, price).
        Variant = "VARIANT",
    }
}

/// An attribute a product type defines.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeDef {
    /// Its key, unique within the type (`material`).
    pub key: String,
    /// Its display name.
    pub name: String,
    /// The type of its values.
    pub kind: AttributeKind,
    /// The allowed values, for ENUM.
    #[serde(default)]
    pub allowed: Vec<String>,
    /// Whether every product (or variant) must have a value.
    pub required: bool,
    /// Product-level or variant-level.
    pub level: AttributeLevel,
}

/// A kind of product and the attributes that describe it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductType {
    /// Its key, unique in the model (`t-shirt`).
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its attributes.
    pub attributes: Vec<AttributeDef>,
}

/// A dimension products vary on, with its ordered values.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionAxis {
    /// Its key, unique in the model (`size`).
    pub key: String,
    /// Its display name, also its SKU placeholder (`{Size}`).
    pub name: String,
    /// Its values, in display order.
    pub values: Vec<String>,
}

/// Values applied to the variants that match `when` (all its axis values).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantValues {
    /// Axis key → value; an empty map matches every variant.
    pub when: BTreeMap<String, String>,
    /// Attribute key → value.
    pub values: BTreeMap<String, Value>,
}

/// A product and how it varies.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Its key (handle), unique in the model; `{product}` in SKU patterns.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its product type's key.
    pub product_type: String,
    /// The product line it belongs to (what a replatforming phase moves).
    pub product_line: String,
    /// The axis keys it varies on, in order.
    pub axes: Vec<String>,
    /// Combinations that do not exist: each excludes every variant having all its values.
    #[serde(default)]
    pub excluded: Vec<BTreeMap<String, String>>,
    /// Product-level attribute values.
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
    /// Variant-level attribute values, by rule.
    #[serde(default)]
    pub variant_values: Vec<VariantValues>,
    /// How SKUs are built: `{product}` and `{AxisName}` (or `{axisKey}`) placeholders.
    pub sku_pattern: String,
}

/// What the target platform allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformLimits {
    /// The most axes one product may vary on.
    pub max_axes: u32,
    /// The most variants one product may have.
    pub max_variants: u32,
}

impl Default for PlatformLimits {
    fn default() -> Self {
        PlatformLimits {
            max_axes: 3,
            max_variants: 100,
        }
    }
}

/// The highest variant limit a model may set.
pub const MAX_VARIANTS_LIMIT: u32 = 2048;

/// A catalog model: the draft a session works on, or a published version's frozen content.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogModel {
    /// Product types.
    pub product_types: Vec<ProductType>,
    /// Option axes.
    pub axes: Vec<OptionAxis>,
    /// Products.
    pub products: Vec<Product>,
    /// Target-platform limits.
    #[serde(default)]
    pub limits: PlatformLimits,
}

impl CatalogModel {
    /// Renames an axis value everywhere it is used: the axis, excluded combinations and
    /// variant-value rules. Returns how many places changed.
    pub fn rename_axis_value(&mut self, axis: &str, from: &str, to: &str) -> usize {
        let mut changed = 0;
        for a in self.axes.iter_mut().filter(|a| a.key == axis) {
            for v in a.values.iter_mut().filter(|v| v.as_str() == from) {
                *v = to.to_owned();
                changed += 1;
            }
        }
        for p in &mut self.products {
            let maps = p
                .excluded
                .iter_mut()
                .chain(p.variant_values.iter_mut().map(|r| &mut r.when));
            for map in maps {
                if let Some(v) = map.get_mut(axis)
                    && v == from
                {
                    *v = to.to_owned();
                    changed += 1;
                }
            }
        }
        changed
    }
}

/// A small apparel model for tests: one type, two axes, one t-shirt without (L, Gold).
/// An account's working model.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The account.
    pub account_id: AccountId,
    /// The model.
    pub model: CatalogModel,
    /// Bumped on every change; 0 before the first.
    pub version: i32,
    /// When it last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// A published, immutable version of an account's model.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedVersion {
    /// Its id.
    pub id: CatalogVersionId,
    /// The account.
    pub account_id: AccountId,
    /// 1, 2, 3… per account.
    pub number: i32,
    /// The frozen model.
    pub model: CatalogModel,
    /// Who published it.
    pub published_by: String,
    /// When.
    pub published_at: DateTime<Utc>,
}

#[cfg(test)]
pub(crate) fn test_model() -> CatalogModel {
    use serde_json::json;
    let axis = |key: &str, name: &str, values: &[&str]| OptionAxis {
        key: key.into(),
        name: name.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
    };
    CatalogModel {
        product_types: vec![ProductType {
            key: "t-shirt".into(),
            name: "T-shirt".into(),
            attributes: vec![
                AttributeDef {
                    key: "material".into(),
                    name: "Material".into(),
                    kind: AttributeKind::Enum,
                    allowed: vec!["Cotton".into(), "Linen".into()],
                    required: true,
                    level: AttributeLevel::Product,
                },
                AttributeDef {
                    key: "weight".into(),
                    name: "Weight (g)".into(),
                    kind: AttributeKind::Number,
                    allowed: vec![],
                    required: true,
                    level: AttributeLevel::Variant,
                },
            ],
        }],
        axes: vec![
            axis("size", "Size", &["S", "M", "L"]),
            axis("colour", "Colour", &["Black", "Gold"]),
        ],
        products: vec![Product {
            key: "TEE".into(),
            name: "Classic tee".into(),
            product_type: "t-shirt".into(),
            product_line: "Apparel".into(),
            axes: vec!["size".into(), "colour".into()],
            excluded: vec![BTreeMap::from([
                ("size".into(), "L".into()),
                ("colour".into(), "Gold".into()),
            ])],
            attributes: BTreeMap::from([("material".into(), json!("Cotton"))]),
            variant_values: vec![
                VariantValues {
                    when: BTreeMap::new(),
                    values: BTreeMap::from([("weight".into(), json!(150))]),
                },
                VariantValues {
                    when: BTreeMap::from([("size".into(), "L".into())]),
                    values: BTreeMap::from([("weight".into(), json!(210))]),
                },
            ],
            sku_pattern: "{product}-{Size}-{Colour}".into(),
        }],
        limits: PlatformLimits::default(),
    }
}
