//! The export a target platform's importer reads: product types, options, and products with
//! their variants, SKUs and attribute values. The format is versioned: `tandem.catalog/v1`.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::CatalogModel;
use super::generate::{OptionValue, Variant};

/// The export format this module writes.
pub const FORMAT: &str = "tandem.catalog/v1";

/// The export document of a published `version` of `model`, written straight to bytes: no
/// intermediate JSON tree, so a 200,000-variant model exports in one pass.
pub fn export_bytes(model: &CatalogModel, variants: &[Variant], version: i32) -> Vec<u8> {
    serde_json::to_vec(&document(model, variants, version)).unwrap_or_default()
}

/// The export document as a JSON value (for APIs that embed it).
pub fn export(model: &CatalogModel, variants: &[Variant], version: i32) -> Value {
    serde_json::to_value(document(model, variants, version)).unwrap_or(Value::Null)
}

fn document<'a>(model: &'a CatalogModel, variants: &'a [Variant], version: i32) -> Document<'a> {
    let names: HashMap<&str, &str> = model
        .axes
        .iter()
        .map(|a| (a.key.as_str(), a.name.as_str()))
        .collect();
    let mut per_product: Vec<Vec<&Variant>> = vec![Vec::new(); model.products.len()];
    for v in variants {
        per_product[v.product].push(v);
    }
    Document {
        format: FORMAT,
        version,
        product_types: model
            .product_types
            .iter()
            .map(|t| TypeDoc {
                key: &t.key,
                name: &t.name,
                attributes: &t.attributes,
            })
            .collect(),
        options: model
            .axes
            .iter()
            .map(|a| OptionDoc {
                key: &a.key,
                name: &a.name,
                values: &a.values,
            })
            .collect(),
        products: model
            .products
            .iter()
            .zip(per_product)
            .map(|(p, vs)| ProductDoc {
                key: &p.key,
                name: &p.name,
                product_type: &p.product_type,
                product_line: &p.product_line,
                options: p
                    .axes
                    .iter()
                    .map(|k| names.get(k.as_str()).copied().unwrap_or(k.as_str()))
                    .collect(),
                attributes: &p.attributes,
                variants: VariantsDoc {
                    variants: vs,
                    names: p
                        .axes
                        .iter()
                        .map(|k| names.get(k.as_str()).copied().unwrap_or(k.as_str()))
                        .collect(),
                },
            })
            .collect(),
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    format: &'static str,
    version: i32,
    product_types: Vec<TypeDoc<'a>>,
    options: Vec<OptionDoc<'a>>,
    products: Vec<ProductDoc<'a>>,
}

#[derive(serde::Serialize)]
struct TypeDoc<'a> {
    key: &'a str,
    name: &'a str,
    attributes: &'a [super::AttributeDef],
}

#[derive(serde::Serialize)]
struct OptionDoc<'a> {
    key: &'a str,
    name: &'a str,
    values: &'a [String],
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ProductDoc<'a> {
    key: &'a str,
    name: &'a str,
    product_type: &'a str,
    product_line: &'a str,
    options: Vec<&'a str>,
    attributes: &'a BTreeMap<String, Value>,
    variants: VariantsDoc<'a>,
}

/// A product's variants, written one by one as `{"sku", "options": {"Size": "S"}, "attributes"}`.
struct VariantsDoc<'a> {
    variants: Vec<&'a Variant>,
    /// The names of the product's axes, in its axis order.
    names: Vec<&'a str>,
}

impl serde::Serialize for VariantsDoc<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.variants.len()))?;
        for v in &self.variants {
            seq.serialize_element(&VariantDoc {
                sku: &v.sku,
                options: Options(&v.options, &self.names),
                attributes: &v.attributes,
            })?;
        }
        seq.end()
    }
}

#[derive(serde::Serialize)]
struct VariantDoc<'a> {
    sku: &'a str,
    options: Options<'a>,
    attributes: &'a BTreeMap<String, Value>,
}

/// A variant's options as `{"Size": "S", …}`: values paired with the product's axis names.
struct Options<'a>(&'a [OptionValue], &'a [&'a str]);

impl serde::Serialize for Options<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for ((_, value), name) in self.0.iter().zip(self.1) {
            map.serialize_entry(name, &**value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{generate, test_model};
    use serde_json::json;

    #[test]
    fn the_export_lists_variants_with_skus_options_and_attributes() {
        let m = test_model();
        let doc = export(&m, &generate::variants(&m), 2);
        assert_eq!(doc["format"], FORMAT);
        assert_eq!(doc["version"], 2);
        let variants = doc["products"][0]["variants"].as_array().unwrap();
        assert_eq!(variants.len(), 5);
        assert_eq!(
            variants[0],
            json!({"sku": "TEE-S-BLACK", "options": {"Size": "S", "Colour": "Black"}, "attributes": {"weight": 150}})
        );
        assert_eq!(doc["products"][0]["options"], json!(["Size", "Colour"]));
    }
}
