//! A catalog model as the API shows it: product types and their attributes, option axes,
//! products and the variants they yield, validation issues, stats and the export, and what a
//! product would yield before it is saved.

use std::sync::{Arc, OnceLock};

use async_graphql::{InputObject, Json, Object, SimpleObject};
use serde_json::Value;
use tandem_domain::catalog::generate::{self, Variant};
use tandem_domain::catalog::{
    AttributeDef, CatalogModel, OptionAxis, ProductType, export, stats, validate,
};

use crate::graphql::enums::{AttributeKind, AttributeLevel, Severity};

/// A model with its variants generated once, on first need.
pub(super) struct ModelView {
    model: Arc<CatalogModel>,
    variants: OnceLock<Vec<Variant>>,
    number: i32,
}

impl ModelView {
    pub(super) fn new(model: CatalogModel, number: i32) -> Self {
        ModelView {
            model: Arc::new(model),
            variants: OnceLock::new(),
            number,
        }
    }

    fn variants(&self) -> &[Variant] {
        self.variants
            .get_or_init(|| generate::variants(&self.model))
    }
}

/// An attribute a product type defines.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "CatalogAttribute", input_name = "CatalogAttributeInput")]
pub(super) struct AttributeValue {
    /// Its key, unique within the type.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// The type of its values.
    pub kind: AttributeKind,
    /// The allowed values, for ENUM.
    #[graphql(default)]
    pub allowed: Vec<String>,
    /// Whether every product (or variant) must have a value.
    #[graphql(default)]
    pub required: bool,
    /// Product-level or variant-level.
    #[graphql(default_with = "AttributeLevel::Product")]
    pub level: AttributeLevel,
}

/// A kind of product and its attributes.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "CatalogProductType", input_name = "CatalogProductTypeInput")]
pub(super) struct ProductTypeValue {
    /// Its key, unique in the model.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its attributes.
    #[graphql(default)]
    pub attributes: Vec<AttributeValue>,
}

/// A dimension products vary on.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(name = "CatalogAxis", input_name = "CatalogAxisInput")]
pub(super) struct AxisValue {
    /// Its key, unique in the model.
    pub key: String,
    /// Its display name, also its SKU placeholder (`{Size}`).
    pub name: String,
    /// Its values, in order.
    pub values: Vec<String>,
}

/// Values applied to the variants matching `when` (axis key → value).
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(
    name = "CatalogVariantValues",
    input_name = "CatalogVariantValuesInput"
)]
pub(super) struct VariantValuesValue {
    /// Axis key → value; `{}` matches every variant.
    pub when: Json<std::collections::BTreeMap<String, String>>,
    /// Attribute key → value.
    pub values: Json<std::collections::BTreeMap<String, Value>>,
}

/// The API's view of an attribute definition.
fn attribute_value(a: &AttributeDef) -> AttributeValue {
    AttributeValue {
        key: a.key.clone(),
        name: a.name.clone(),
        kind: a.kind.into(),
        allowed: a.allowed.clone(),
        required: a.required,
        level: a.level.into(),
    }
}

/// One thing wrong with a model.
#[derive(SimpleObject)]
#[graphql(name = "CatalogIssue")]
pub(super) struct IssueValue {
    /// ERROR blocks publishing; WARNING does not.
    pub severity: Severity,
    /// A stable code (`DUPLICATE_SKU`).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// Where (`products[3].attributes.material`).
    pub path: String,
}

/// One part of the complexity figure.
#[derive(SimpleObject)]
#[graphql(name = "CatalogComplexityPart")]
pub(super) struct ComplexityPartValue {
    /// What is counted.
    pub label: String,
    /// How many there are.
    pub count: i64,
    /// Points per one.
    pub weight: f64,
    /// Count × weight.
    pub points: f64,
}

/// A model's size and complexity.
#[derive(SimpleObject)]
#[graphql(name = "CatalogStats")]
pub(super) struct StatsValue {
    /// Product types.
    pub product_types: i64,
    /// Attributes over all types.
    pub attributes: i64,
    /// Option axes.
    pub axes: i64,
    /// Axis values over all axes.
    pub axis_values: i64,
    /// Products.
    pub products: i64,
    /// Generated variants.
    pub variants: i64,
    /// Mean variants per product.
    pub mean_variants_per_product: f64,
    /// The most variants of one product.
    pub max_variants_per_product: i64,
    /// The sum of the parts' points.
    pub complexity: f64,
    /// What the complexity figure is made of.
    pub complexity_parts: Vec<ComplexityPartValue>,
}

/// A generated variant.
#[derive(SimpleObject)]
#[graphql(name = "CatalogVariant")]
pub(super) struct VariantValue {
    /// Its SKU.
    pub sku: String,
    /// Axis key → value.
    pub options: Json<std::collections::BTreeMap<String, String>>,
    /// Its variant-level attribute values.
    pub attributes: Json<std::collections::BTreeMap<String, Value>>,
}

/// A product of the model.
pub(super) struct ProductNode(Arc<CatalogModel>, usize);

#[Object(name = "CatalogProduct")]
impl ProductNode {
    /// Its key.
    async fn key(&self) -> &str {
        &self.0.products[self.1].key
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.products[self.1].name
    }
    /// Its product type's key.
    async fn product_type(&self) -> &str {
        &self.0.products[self.1].product_type
    }
    /// Its product line.
    async fn product_line(&self) -> &str {
        &self.0.products[self.1].product_line
    }
    /// The axes it varies on.
    async fn axes(&self) -> &[String] {
        &self.0.products[self.1].axes
    }
    /// Combinations that do not exist.
    async fn excluded(&self) -> Vec<Json<std::collections::BTreeMap<String, String>>> {
        self.0.products[self.1]
            .excluded
            .iter()
            .cloned()
            .map(Json)
            .collect()
    }
    /// Product-level attribute values.
    async fn attributes(&self) -> Json<std::collections::BTreeMap<String, Value>> {
        Json(self.0.products[self.1].attributes.clone())
    }
    /// Its SKU pattern.
    async fn sku_pattern(&self) -> &str {
        &self.0.products[self.1].sku_pattern
    }
    /// How many variants it yields.
    async fn variant_count(&self) -> i64 {
        generate::variant_count(&self.0.products[self.1], &generate::axes_by_key(&self.0)) as i64
    }
    /// The variants it yields, in order.
    async fn variants(&self) -> Vec<VariantValue> {
        generate::product_variants(&self.0, self.1, &generate::axes_by_key(&self.0))
            .into_iter()
            .map(|v| VariantValue {
                sku: v.sku,
                options: Json(
                    v.options
                        .iter()
                        .map(|(a, value)| (a.to_string(), value.to_string()))
                        .collect(),
                ),
                attributes: Json(v.attributes),
            })
            .collect()
    }
}

#[Object(name = "CatalogModel")]
impl ModelView {
    /// Product types.
    async fn product_types(&self) -> Vec<ProductTypeValue> {
        self.model
            .product_types
            .iter()
            .map(|t: &ProductType| ProductTypeValue {
                key: t.key.clone(),
                name: t.name.clone(),
                attributes: t.attributes.iter().map(attribute_value).collect(),
            })
            .collect()
    }
    /// Option axes.
    async fn axes(&self) -> Vec<AxisValue> {
        self.model
            .axes
            .iter()
            .map(|a: &OptionAxis| AxisValue {
                key: a.key.clone(),
                name: a.name.clone(),
                values: a.values.clone(),
            })
            .collect()
    }
    /// Products, in model order.
    async fn products(&self) -> Vec<ProductNode> {
        (0..self.model.products.len())
            .map(|i| ProductNode(self.model.clone(), i))
            .collect()
    }
    /// The most axes and variants per product the target platform allows.
    async fn max_axes(&self) -> i64 {
        self.model.limits.max_axes as i64
    }
    /// The most variants per product the target platform allows.
    async fn max_variants(&self) -> i64 {
        self.model.limits.max_variants as i64
    }
    /// What is wrong with the model, in model order.
    async fn issues(&self) -> Vec<IssueValue> {
        validate::validate_with(&self.model, self.variants())
            .into_iter()
            .map(|i| IssueValue {
                severity: i.severity.into(),
                code: i.code.into(),
                message: i.message,
                path: i.path,
            })
            .collect()
    }
    /// How many issues block publishing.
    async fn error_count(&self) -> i64 {
        validate::validate_with(&self.model, self.variants())
            .iter()
            .filter(|i| i.severity == validate::Severity::Error)
            .count() as i64
    }
    /// Size and complexity.
    async fn stats(&self) -> StatsValue {
        let s = stats::stats(&self.model, self.variants());
        StatsValue {
            product_types: s.product_types as i64,
            attributes: s.attributes as i64,
            axes: s.axes as i64,
            axis_values: s.axis_values as i64,
            products: s.products as i64,
            variants: s.variants as i64,
            mean_variants_per_product: s.mean_variants_per_product,
            max_variants_per_product: s.max_variants_per_product as i64,
            complexity: s.complexity,
            complexity_parts: s
                .complexity_parts
                .into_iter()
                .map(|p| ComplexityPartValue {
                    label: p.label.into(),
                    count: p.count as i64,
                    weight: p.weight,
                    points: p.points,
                })
                .collect(),
        }
    }
    /// The model as the target platform's importer reads it (format `tandem.catalog/v1`); the
    /// draft exports as version 0.
    async fn export(&self) -> Json<Value> {
        Json(export::export(&self.model, self.variants(), self.number))
    }
}

/// What a product would yield.
#[derive(SimpleObject)]
#[graphql(name = "CatalogProductPreview")]
pub(super) struct ProductPreview {
    /// The product's key.
    pub key: String,
    /// How many variants it would yield.
    pub variant_count: i64,
    /// The first 20 of their SKUs.
    pub first_skus: Vec<String>,
}
