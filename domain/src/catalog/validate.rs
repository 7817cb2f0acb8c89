//! Validation: what is wrong with a model and where, so the facilitator can fix it in the
//! session. Errors block publishing; warnings do not.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::generate::{self, Variant};
use super::{AttributeDef, AttributeKind, AttributeLevel, CatalogModel, MAX_VARIANTS_LIMIT};

crate::text_enum! {
    /// How serious an issue is.
    pub enum Severity {
        /// Blocks publishing.
        Error = "ERROR",
        /// Worth a look; does not block.
        Warning = "WARNING",
    }
}

/// One thing wrong with the model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    /// How serious.
    pub severity: Severity,
    /// A stable code (`DUPLICATE_SKU`).
    pub code: &'static str,
    /// What is wrong, for a person.
    pub message: String,
    /// Where: `products[3].attributes.material`, `axes[1].values[2]`…
    pub path: String,
}

struct Issues(Vec<Issue>);

impl Issues {
    fn error(&mut self, code: &'static str, path: String, message: String) {
        self.0.push(Issue {
            severity: Severity::Error,
            code,
            message,
            path,
        });
    }
    fn warning(&mut self, code: &'static str, path: String, message: String) {
        self.0.push(Issue {
            severity: Severity::Warning,
            code,
            message,
            path,
        });
    }
}

/// Checks a value against its attribute definition; the message says what was expected.
fn check_value(def: &AttributeDef, value: &Value) -> Option<String> {
    let ok = match def.kind {
        AttributeKind::Text => value.is_string(),
        AttributeKind::Number => value.is_number(),
        AttributeKind::Boolean => value.is_boolean(),
        AttributeKind::Enum => {
            return match value.as_str() {
                Some(v) if def.allowed.iter().any(|a| a == v) => None,
                Some(v) => Some(format!("'{v}' is not one of {}", def.allowed.join(", "))),
                None => Some("expected one of the allowed values as text".into()),
            };
        }
        AttributeKind::Money => {
            value.get("minor").is_some_and(Value::is_i64)
                && value
                    .get("currency")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.len() == 3)
        }
    };
    (!ok).then(|| {
        format!(
            "expected {}",
            match def.kind {
                AttributeKind::Text => "text",
                AttributeKind::Number => "a number",
                AttributeKind::Boolean => "true or false",
                AttributeKind::Money => "money as {\"minor\": 1999, \"currency\": \"USD\"}",
                AttributeKind::Enum => "an allowed value",
            }
        )
    })
}

fn duplicates<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<(usize, &'a str)> {
    let mut seen = HashSet::new();
    keys.enumerate().filter(|(_, k)| !seen.insert(*k)).collect()
}

/// Every issue in the model, in model order. Takes the generated variants so that a caller
/// that already has them (publishing, stats) does not generate twice.
pub fn validate_with(model: &CatalogModel, variants: &[Variant]) -> Vec<Issue> {
    let mut issues = Issues(Vec::new());
    let limits = model.limits;
    if limits.max_variants == 0 || limits.max_variants > MAX_VARIANTS_LIMIT || limits.max_axes == 0
    {
        issues.error(
            "INVALID_LIMITS",
            "limits".into(),
            format!(
                "variant limit must be 1 to {MAX_VARIANTS_LIMIT} and the axis limit at least 1"
            ),
        );
    }
    for (i, key) in duplicates(model.product_types.iter().map(|t| t.key.as_str())) {
        issues.error(
            "DUPLICATE_KEY",
            format!("productTypes[{i}].key"),
            format!("product type key '{key}' is used twice"),
        );
    }
    for (i, key) in duplicates(model.axes.iter().map(|a| a.key.as_str())) {
        issues.error(
            "DUPLICATE_KEY",
            format!("axes[{i}].key"),
            format!("axis key '{key}' is used twice"),
        );
    }
    for (i, key) in duplicates(model.products.iter().map(|p| p.key.as_str())) {
        issues.error(
            "DUPLICATE_KEY",
            format!("products[{i}].key"),
            format!("product key '{key}' is used twice"),
        );
    }
    for (t, ty) in model.product_types.iter().enumerate() {
        for (i, key) in duplicates(ty.attributes.iter().map(|a| a.key.as_str())) {
            issues.error(
                "DUPLICATE_KEY",
                format!("productTypes[{t}].attributes[{i}].key"),
                format!("attribute '{key}' is defined twice on '{}'", ty.name),
            );
        }
        for (i, a) in ty.attributes.iter().enumerate() {
            if a.kind == AttributeKind::Enum && a.allowed.is_empty() {
                issues.error(
                    "ENUM_WITHOUT_VALUES",
                    format!("productTypes[{t}].attributes[{i}].allowed"),
                    format!("ENUM attribute '{}' lists no allowed values", a.name),
                );
            }
        }
    }
    for (a, axis) in model.axes.iter().enumerate() {
        for (i, value) in duplicates(axis.values.iter().map(String::as_str)) {
            issues.error(
                "DUPLICATE_OPTION_VALUE",
                format!("axes[{a}].values[{i}]"),
                format!("'{value}' appears twice on axis '{}', which would duplicate option combinations", axis.name),
            );
        }
        if axis.values.is_empty() {
            issues.error(
                "EMPTY_AXIS",
                format!("axes[{a}].values"),
                format!("axis '{}' has no values", axis.name),
            );
        }
    }

    let types: HashMap<&str, usize> = model
        .product_types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.key.as_str(), i))
        .collect();
    let axes = generate::axes_by_key(model);
    let mut used_values: HashSet<(&str, &str)> = HashSet::new();
    let mut per_product = vec![0usize; model.products.len()];
    for v in variants {
        per_product[v.product] += 1;
        for (axis, value) in &v.options {
            used_values.insert((&**axis, &**value));
        }
    }
    for (p, product) in model.products.iter().enumerate() {
        let here = |rest: &str| format!("products[{p}].{rest}");
        let ty = match types.get(product.product_type.as_str()) {
            Some(&t) => Some(&model.product_types[t]),
            None => {
                issues.error(
                    "UNKNOWN_PRODUCT_TYPE",
                    here("productType"),
                    format!(
                        "product '{}' names product type '{}', which the model does not define",
                        product.name, product.product_type
                    ),
                );
                None
            }
        };
        for (i, key) in duplicates(product.axes.iter().map(String::as_str)) {
            issues.error(
                "DUPLICATE_OPTION_COMBINATION",
                here(&format!("axes[{i}]")),
                format!(
                    "product '{}' varies on axis '{key}' twice, which duplicates every combination",
                    product.name
                ),
            );
        }
        for (i, key) in product.axes.iter().enumerate() {
            if !axes.contains_key(key.as_str()) {
                issues.error(
                    "UNKNOWN_AXIS",
                    here(&format!("axes[{i}]")),
                    format!(
                        "product '{}' varies on axis '{key}', which the model does not define",
                        product.name
                    ),
                );
            }
        }
        if product.axes.len() > limits.max_axes as usize {
            issues.error(
                "TOO_MANY_AXES",
                here("axes"),
                format!(
                    "product '{}' varies on {} axes; the target platform allows {}",
                    product.name,
                    product.axes.len(),
                    limits.max_axes
                ),
            );
        }
        if per_product[p] > limits.max_variants as usize {
            issues.error(
                "TOO_MANY_VARIANTS",
                here("axes"),
                format!(
                    "product '{}' yields {} variants; the target platform allows {}",
                    product.name, per_product[p], limits.max_variants
                ),
            );
        }
        if per_product[p] == 0 && product.axes.iter().all(|k| axes.contains_key(k.as_str())) {
            issues.warning(
                "NO_VARIANTS",
                here("excluded"),
                format!(
                    "every combination of product '{}' is excluded, so it has no variants",
                    product.name
                ),
            );
        }
        for (r, rule) in product.excluded.iter().enumerate() {
            for (axis, value) in rule {
                let known = axes
                    .get(axis.as_str())
                    .is_some_and(|a| a.values.contains(value))
                    && product.axes.contains(axis);
                if !known {
                    issues.error(
                        "UNKNOWN_AXIS_VALUE",
                        here(&format!("excluded[{r}].{axis}")),
                        format!("excluded combination names {axis} = '{value}', which product '{}' does not vary on", product.name),
                    );
                }
            }
        }
        let placeholders_missing: Vec<&str> = product
            .axes
            .iter()
            .filter_map(|k| axes.get(k.as_str()))
            .filter(|a| a.values.len() > 1)
            .filter(|a| {
                !product.sku_pattern.contains(&format!("{{{}}}", a.name))
                    && !product.sku_pattern.contains(&format!("{{{}}}", a.key))
            })
            .map(|a| a.name.as_str())
            .collect();
        if !placeholders_missing.is_empty() {
            issues.warning(
                "SKU_PATTERN_INCOMPLETE",
                here("skuPattern"),
                format!(
                    "SKU pattern '{}' has no placeholder for {}, so variants differing only there share a SKU",
                    product.sku_pattern,
                    placeholders_missing.join(", ")
                ),
            );
        }
        let Some(ty) = ty else { continue };
        let defs: HashMap<&str, &AttributeDef> =
            ty.attributes.iter().map(|a| (a.key.as_str(), a)).collect();
        for (key, value) in &product.attributes {
            match defs.get(key.as_str()) {
                Some(def) if def.level == AttributeLevel::Product => {
                    if let Some(problem) = check_value(def, value) {
                        let code = if def.kind == AttributeKind::Enum {
                            "ENUM_VALUE_NOT_ALLOWED"
                        } else {
                            "ATTRIBUTE_TYPE_MISMATCH"
                        };
                        issues.error(
                            code,
                            here(&format!("attributes.{key}")),
                            format!("{} on '{}': {problem}", def.name, product.name),
                        );
                    }
                }
                Some(def) => issues.error(
                    "WRONG_ATTRIBUTE_LEVEL",
                    here(&format!("attributes.{key}")),
                    format!(
                        "{} is a variant-level attribute; set it per variant",
                        def.name
                    ),
                ),
                None => issues.warning(
                    "UNKNOWN_ATTRIBUTE",
                    here(&format!("attributes.{key}")),
                    format!("'{key}' is not an attribute of product type '{}'", ty.name),
                ),
            }
        }
        for def in ty
            .attributes
            .iter()
            .filter(|d| d.required && d.level == AttributeLevel::Product)
        {
            if !product.attributes.contains_key(&def.key) {
                issues.error(
                    "MISSING_REQUIRED_ATTRIBUTE",
                    here(&format!("attributes.{}", def.key)),
                    format!(
                        "product '{}' has no {}, which its type requires",
                        product.name, def.name
                    ),
                );
            }
        }
    }

    // Variant-level checks and SKUs, across the whole model.
    let mut skus: HashMap<&str, usize> = HashMap::with_capacity(variants.len());
    for (n, v) in variants.iter().enumerate() {
        let product = &model.products[v.product];
        if let Some(first) = skus.insert(v.sku.as_str(), n) {
            let other = &model.products[variants[first].product];
            issues.error(
                "DUPLICATE_SKU",
                format!("products[{}].variants[{}]", v.product, describe(v)),
                format!(
                    "SKU '{}' of '{}' is also the SKU of a variant of '{}'",
                    v.sku, product.name, other.name
                ),
            );
        }
        let Some(&t) = types.get(product.product_type.as_str()) else {
            continue;
        };
        for def in model.product_types[t]
            .attributes
            .iter()
            .filter(|d| d.level == AttributeLevel::Variant)
        {
            match v.attributes.get(&def.key) {
                None if def.required => issues.error(
                    "MISSING_REQUIRED_ATTRIBUTE",
                    format!(
                        "products[{}].variants[{}].{}",
                        v.product,
                        describe(v),
                        def.key
                    ),
                    format!(
                        "variant {} of '{}' has no {}",
                        describe(v),
                        product.name,
                        def.name
                    ),
                ),
                Some(value) => {
                    if let Some(problem) = check_value(def, value) {
                        let code = if def.kind == AttributeKind::Enum {
                            "ENUM_VALUE_NOT_ALLOWED"
                        } else {
                            "ATTRIBUTE_TYPE_MISMATCH"
                        };
                        issues.error(
                            code,
                            format!(
                                "products[{}].variants[{}].{}",
                                v.product,
                                describe(v),
                                def.key
                            ),
                            format!("{} of variant {}: {problem}", def.name, describe(v)),
                        );
                    }
                }
                None => {}
            }
        }
    }

    for (a, axis) in model.axes.iter().enumerate() {
        let unused: Vec<&str> = axis
            .values
            .iter()
            .filter(|v| !used_values.contains(&(axis.key.as_str(), v.as_str())))
            .map(String::as_str)
            .collect();
        if unused.len() == axis.values.len() && !axis.values.is_empty() {
            issues.warning(
                "UNUSED_AXIS",
                format!("axes[{a}]"),
                format!("no product varies on axis '{}'", axis.name),
            );
        } else if !unused.is_empty() {
            issues.warning(
                "UNUSED_AXIS_VALUE",
                format!("axes[{a}].values"),
                format!(
                    "no product uses {} of axis '{}'",
                    unused.join(", "),
                    axis.name
                ),
            );
        }
    }
    issues.0
}

/// Every issue in the model.
pub fn validate(model: &CatalogModel) -> Vec<Issue> {
    validate_with(model, &generate::variants(model))
}

/// Whether any issue blocks publishing.
pub fn has_errors(issues: &[Issue]) -> bool {
    issues.iter().any(|i| i.severity == Severity::Error)
}

fn describe(v: &Variant) -> String {
    v.options
        .iter()
        .map(|(_, value)| &**value)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Product, test_model};
    use serde_json::json;
    use std::collections::BTreeMap;

    fn codes(model: &CatalogModel) -> Vec<&'static str> {
        validate(model).into_iter().map(|i| i.code).collect()
    }

    #[test]
    fn the_test_model_is_clean() {
        assert_eq!(validate(&test_model()), vec![]);
    }

    #[test]
    fn duplicate_skus_are_found_across_products() {
        let mut model = test_model();
        let mut copy = model.products[0].clone();
        copy.key = "TEE-2".into();
        copy.sku_pattern = "TEE-{Size}-{Colour}".into();
        model.products.push(copy);
        let issues = validate(&model);
        let dup: Vec<&Issue> = issues
            .iter()
            .filter(|i| i.code == "DUPLICATE_SKU")
            .collect();
        assert_eq!(dup.len(), 5);
        assert_eq!(dup[0].path, "products[1].variants[S/Black]");
        assert!(
            dup[0].message.contains("'TEE-S-BLACK'"),
            "{}",
            dup[0].message
        );
    }

    #[test]
    fn missing_and_wrong_attribute_values_are_named_with_their_place() {
        let mut model = test_model();
        model.products[0].attributes = BTreeMap::from([("material".into(), json!("Silk"))]);
        model.products[0].variant_values.truncate(0);
        let issues = validate(&model);
        let enum_issue = issues
            .iter()
            .find(|i| i.code == "ENUM_VALUE_NOT_ALLOWED")
            .unwrap();
        assert_eq!(enum_issue.path, "products[0].attributes.material");
        assert!(
            enum_issue
                .message
                .contains("'Silk' is not one of Cotton, Linen")
        );
        let missing = issues
            .iter()
            .filter(|i| i.code == "MISSING_REQUIRED_ATTRIBUTE")
            .count();
        assert_eq!(missing, 5, "every variant lacks its weight");
    }

    #[test]
    fn limits_on_axes_and_variants_are_enforced() {
        let mut model = test_model();
        model.limits.max_variants = 4;
        model.limits.max_axes = 1;
        let c = codes(&model);
        assert!(c.contains(&"TOO_MANY_VARIANTS"));
        assert!(c.contains(&"TOO_MANY_AXES"));
        model.limits.max_variants = 5000;
        assert!(codes(&model).contains(&"INVALID_LIMITS"));
    }

    #[test]
    fn unused_axes_and_values_are_warnings() {
        let mut model = test_model();
        model.axes[0].values.push("XL".into());
        model.products[0]
            .excluded
            .push(BTreeMap::from([("size".into(), "XL".into())]));
        model.axes.push(crate::catalog::OptionAxis {
            key: "material".into(),
            name: "Material".into(),
            values: vec!["Wool".into()],
        });
        let issues = validate(&model);
        assert!(!has_errors(&issues));
        let unused: Vec<&str> = issues.iter().map(|i| i.code).collect();
        assert_eq!(unused, ["UNUSED_AXIS_VALUE", "UNUSED_AXIS"]);
        assert!(issues[0].message.contains("XL"));
    }

    #[test]
    fn references_to_unknown_types_axes_and_values_are_errors() {
        let mut model = test_model();
        model.products.push(Product {
            key: "MUG".into(),
            name: "Mug".into(),
            product_type: "mug".into(),
            product_line: "Home".into(),
            axes: vec!["size".into(), "size".into()],
            excluded: vec![BTreeMap::from([("colour".into(), "Red".into())])],
            attributes: BTreeMap::new(),
            variant_values: vec![],
            sku_pattern: "MUG".into(),
        });
        let c = codes(&model);
        for code in [
            "UNKNOWN_PRODUCT_TYPE",
            "DUPLICATE_OPTION_COMBINATION",
            "UNKNOWN_AXIS_VALUE",
            "SKU_PATTERN_INCOMPLETE",
            "DUPLICATE_SKU",
        ] {
            assert!(c.contains(&code), "{code} missing from {c:?}");
        }
    }
}
