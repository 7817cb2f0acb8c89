//! Variant generation: a product's axes multiplied out, minus its excluded combinations, in
//! axis order and value order, so the same model always yields the same variants.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use super::{CatalogModel, OptionAxis, Product};

/// A variant's value on one axis: the axis key and the value, shared between variants.
pub type OptionValue = (Arc<str>, Arc<str>);

/// One generated variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The index of its product in the model.
    pub product: usize,
    /// Its value on each of the product's axes (axis key, value), in the product's axis
    /// order. Shared strings: a model of 200,000 variants holds each key and value once.
    pub options: Vec<OptionValue>,
    /// Its SKU, from the product's pattern.
    pub sku: String,
    /// Its variant-level attribute values (later rules win).
    pub attributes: BTreeMap<String, Value>,
}

/// The axes a model defines, by key.
pub fn axes_by_key(model: &CatalogModel) -> HashMap<&str, &OptionAxis> {
    model.axes.iter().map(|a| (a.key.as_str(), a)).collect()
}

/// The value lists of a product's axes; axes the model does not define count as empty.
fn value_lists<'a>(
    product: &Product,
    axes: &HashMap<&str, &'a OptionAxis>,
) -> Vec<(&'a str, &'a str, &'a [String])> {
    product
        .axes
        .iter()
        .map(|k| match axes.get(k.as_str()) {
            Some(a) => (a.key.as_str(), a.name.as_str(), a.values.as_slice()),
            None => ("", "", &[][..]),
        })
        .collect()
}

fn excluded(product: &Product, options: &[(&str, &str)]) -> bool {
    product.excluded.iter().any(|rule| {
        !rule.is_empty()
            && rule
                .iter()
                .all(|(axis, value)| options.iter().any(|(a, v)| a == axis && v == value))
    })
}

/// How many variants a product yields, without building them.
pub fn variant_count(product: &Product, axes: &HashMap<&str, &OptionAxis>) -> usize {
    let mut count = 0;
    for_each_combination(product, axes, |_| count += 1);
    count
}

/// Calls `f` with every combination the product yields, in order.
fn for_each_combination(
    product: &Product,
    axes: &HashMap<&str, &OptionAxis>,
    mut f: impl FnMut(&[(&str, &str)]),
) {
    let lists = value_lists(product, axes);
    if lists.iter().any(|(_, _, values)| values.is_empty()) {
        return;
    }
    let mut index = vec![0usize; lists.len()];
    let mut options: Vec<(&str, &str)> = Vec::with_capacity(lists.len());
    loop {
        options.clear();
        options.extend(
            lists
                .iter()
                .zip(&index)
                .map(|((key, _, values), i)| (*key, values[*i].as_str())),
        );
        if !excluded(product, &options) {
            f(&options);
        }
        // Advance the odometer, last axis fastest.
        let mut pos = lists.len();
        loop {
            if pos == 0 {
                return;
            }
            pos -= 1;
            index[pos] += 1;
            if index[pos] < lists[pos].2.len() {
                break;
            }
            index[pos] = 0;
        }
    }
}

/// The SKU `pattern` gives for `product_key` and `options` (placeholders take an axis's name or
/// key; unknown placeholders stay as written).
pub fn sku(
    pattern: &str,
    product_key: &str,
    options: &[(&str, &str)],
    names: &[(&str, &str, &[String])],
) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let placeholder = &rest[start + 1..start + len];
        if placeholder == "product" {
            out.push_str(product_key);
        } else if let Some((_, value)) = options
            .iter()
            .zip(names)
            .find(|(_, (key, name, _))| *key == placeholder || *name == placeholder)
            .map(|(o, _)| *o)
        {
            out.extend(value.chars().map(|c| {
                if c.is_whitespace() {
                    '-'
                } else {
                    c.to_ascii_uppercase()
                }
            }));
        } else {
            out.push_str(&rest[start..=start + len]);
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The variants of one product.
pub fn product_variants(
    model: &CatalogModel,
    index: usize,
    axes: &HashMap<&str, &OptionAxis>,
) -> Vec<Variant> {
    let product = &model.products[index];
    let lists = value_lists(product, axes);
    // Each axis key and value as a shared string, made once per product.
    let shared: HashMap<(&str, &str), OptionValue> = lists
        .iter()
        .flat_map(|(key, _, values)| {
            let k: Arc<str> = Arc::from(*key);
            values
                .iter()
                .map(move |v| ((*key, v.as_str()), (k.clone(), Arc::from(v.as_str()))))
        })
        .collect();
    let mut out = Vec::new();
    for_each_combination(product, axes, |options| {
        let mut attributes = BTreeMap::new();
        for rule in &product.variant_values {
            if rule
                .when
                .iter()
                .all(|(a, v)| options.iter().any(|(oa, ov)| oa == a && ov == v))
            {
                attributes.extend(rule.values.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        out.push(Variant {
            product: index,
            options: options
                .iter()
                .filter_map(|key| shared.get(key).cloned())
                .collect(),
            sku: sku(&product.sku_pattern, &product.key, options, &lists),
            attributes,
        });
    });
    out
}

/// Every variant of the model, product by product.
pub fn variants(model: &CatalogModel) -> Vec<Variant> {
    let axes = axes_by_key(model);
    (0..model.products.len())
        .flat_map(|i| product_variants(model, i, &axes))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::test_model;

    #[test]
    fn variants_are_the_axes_multiplied_out_minus_exclusions_in_order() {
        let model = test_model();
        let v = product_variants(&model, 0, &axes_by_key(&model));
        let skus: Vec<&str> = v.iter().map(|v| v.sku.as_str()).collect();
        // Size × Colour = 3 × 2, minus (L, Gold).
        assert_eq!(
            skus,
            [
                "TEE-S-BLACK",
                "TEE-S-GOLD",
                "TEE-M-BLACK",
                "TEE-M-GOLD",
                "TEE-L-BLACK"
            ]
        );
        assert_eq!(variant_count(&model.products[0], &axes_by_key(&model)), 5);
    }

    #[test]
    fn variant_values_apply_by_rule() {
        let model = test_model();
        let v = product_variants(&model, 0, &axes_by_key(&model));
        assert_eq!(v[0].attributes["weight"], serde_json::json!(150));
        assert_eq!(v[4].attributes["weight"], serde_json::json!(210));
    }

    #[test]
    fn sku_placeholders_take_names_or_keys_and_leave_unknown_ones() {
        let values = vec!["X L".to_string()];
        let names = [("size", "Size", values.as_slice())];
        assert_eq!(
            sku("{product}-{Size}", "tee", &[("size", "X L")], &names),
            "tee-X-L"
        );
        assert_eq!(
            sku("{product}/{size}/{nope}", "tee", &[("size", "s")], &names),
            "tee/S/{nope}"
        );
    }

    #[test]
    fn a_product_on_an_unknown_axis_yields_nothing() {
        let mut model = test_model();
        model.products[0].axes.push("material".into());
        assert!(product_variants(&model, 0, &axes_by_key(&model)).is_empty());
    }
}
