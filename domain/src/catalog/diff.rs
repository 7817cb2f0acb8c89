//! Comparing two versions of a model: what was added, removed or changed, by key.

use std::collections::{BTreeMap, HashMap};

use super::CatalogModel;
use super::generate::{OptionValue, Variant};

/// The differences of one kind of element.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    /// Keys only in the newer version.
    pub added: Vec<String>,
    /// Keys only in the older version.
    pub removed: Vec<String>,
    /// Keys in both whose content differs, each with the fields that differ.
    pub changed: Vec<Changed>,
}

/// One changed element.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Changed {
    /// Its key.
    pub key: String,
    /// The fields that differ.
    pub fields: Vec<String>,
}

/// What changed between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelDiff {
    /// Product types.
    pub product_types: Changes,
    /// Option axes.
    pub axes: Changes,
    /// Products.
    pub products: Changes,
    /// Variants, keyed `product:SKU`… by product and options: `TEE[S/Black]`.
    pub variants: Changes,
}

fn compare<T: serde::Serialize>(old: &[T], new: &[T], key: impl Fn(&T) -> &str) -> Changes {
    let old_by: BTreeMap<&str, &T> = old.iter().map(|t| (key(t), t)).collect();
    let new_by: BTreeMap<&str, &T> = new.iter().map(|t| (key(t), t)).collect();
    let mut changes = Changes::default();
    for (k, n) in &new_by {
        match old_by.get(k) {
            None => changes.added.push((*k).to_owned()),
            Some(o) => {
                let fields = crate::event::diff(o, n)
                    .into_iter()
                    .map(|c| c.field)
                    .collect::<Vec<_>>();
                if !fields.is_empty() {
                    changes.changed.push(Changed {
                        key: (*k).to_owned(),
                        fields,
                    });
                }
            }
        }
    }
    changes.removed = old_by
        .keys()
        .filter(|k| !new_by.contains_key(*k))
        .map(|k| (*k).to_owned())
        .collect();
    changes
}

fn variant_key(model: &CatalogModel, v: &Variant) -> String {
    let options: Vec<&str> = v.options.iter().map(|(_, value)| &**value).collect();
    format!("{}[{}]", model.products[v.product].key, options.join("/"))
}

/// Each product's variants, by product key (variants come grouped by product).
fn by_product<'a>(
    model: &'a CatalogModel,
    variants: &'a [Variant],
) -> HashMap<&'a str, &'a [Variant]> {
    let mut out = HashMap::with_capacity(model.products.len());
    let mut start = 0;
    while start < variants.len() {
        let product = variants[start].product;
        let end = variants[start..]
            .iter()
            .position(|v| v.product != product)
            .map_or(variants.len(), |n| start + n);
        out.insert(model.products[product].key.as_str(), &variants[start..end]);
        start = end;
    }
    out
}

/// The differences from `old` to `new`, given both models' generated variants. Variants are
/// compared product by product, keyed by their options, so the work stays proportional to the
/// model and allocates only for what differs.
pub fn diff(
    old: &CatalogModel,
    old_variants: &[Variant],
    new: &CatalogModel,
    new_variants: &[Variant],
) -> ModelDiff {
    let mut variants = Changes::default();
    let old_by = by_product(old, old_variants);
    let new_by = by_product(new, new_variants);
    for product in &new.products {
        let now: &[Variant] = new_by
            .get(product.key.as_str())
            .copied()
            .unwrap_or_default();
        let before: &[Variant] = old_by
            .get(product.key.as_str())
            .copied()
            .unwrap_or_default();
        let index: HashMap<&[OptionValue], &Variant> =
            before.iter().map(|v| (v.options.as_slice(), v)).collect();
        for v in now {
            match index.get(v.options.as_slice()) {
                None => variants.added.push(variant_key(new, v)),
                Some(o) => {
                    let mut fields = Vec::new();
                    if o.sku != v.sku {
                        fields.push("sku".to_owned());
                    }
                    if o.attributes != v.attributes {
                        fields.push("attributes".to_owned());
                    }
                    if !fields.is_empty() {
                        variants.changed.push(Changed {
                            key: variant_key(new, v),
                            fields,
                        });
                    }
                }
            }
        }
        let current: std::collections::HashSet<&[OptionValue]> =
            now.iter().map(|v| v.options.as_slice()).collect();
        variants.removed.extend(
            before
                .iter()
                .filter(|v| !current.contains(v.options.as_slice()))
                .map(|v| variant_key(old, v)),
        );
    }
    for product in old
        .products
        .iter()
        .filter(|p| !new_by.contains_key(p.key.as_str()))
    {
        if let Some(gone) = old_by.get(product.key.as_str()) {
            variants
                .removed
                .extend(gone.iter().map(|v| variant_key(old, v)));
        }
    }
    ModelDiff {
        product_types: compare(&old.product_types, &new.product_types, |t| &t.key),
        axes: compare(&old.axes, &new.axes, |a| &a.key),
        products: compare(&old.products, &new.products, |p| &p.key),
        variants,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{generate, test_model};

    #[test]
    fn a_new_axis_value_adds_variants_and_changes_the_axis() {
        let old = test_model();
        let mut new = old.clone();
        new.axes[0].values.push("XL".into());
        new.products[0].name = "Classic tee, organic".into();
        let d = diff(
            &old,
            &generate::variants(&old),
            &new,
            &generate::variants(&new),
        );
        assert_eq!(
            d.axes.changed,
            vec![Changed {
                key: "size".into(),
                fields: vec!["values".into()]
            }]
        );
        assert_eq!(
            d.products.changed,
            vec![Changed {
                key: "TEE".into(),
                fields: vec!["name".into()]
            }]
        );
        assert_eq!(
            d.variants.added,
            vec!["TEE[XL/Black]".to_string(), "TEE[XL/Gold]".to_string()]
        );
        assert!(d.variants.removed.is_empty());
    }

    #[test]
    fn identical_models_have_no_differences() {
        let m = test_model();
        let v = generate::variants(&m);
        assert_eq!(diff(&m, &v, &m, &v), ModelDiff::default());
    }
}
