//! Edits a facilitator makes to a draft model during a session. Each checks what it is given
//! and refuses to leave dangling references; the rest (duplicate SKUs, missing attributes…) is
//! for [`super::validate`] to report, since a model under construction is allowed to be wrong.

use super::{CatalogModel, MAX_VARIANTS_LIMIT, OptionAxis, PlatformLimits, Product, ProductType};
use crate::{DomainError, DomainResult, text};

/// The most products one bulk call adds or replaces.
pub const MAX_BULK: usize = 1000;

fn key(field: &str, value: &str) -> DomainResult<String> {
    let k = text::required(field, value, 100)?;
    if k.chars().any(|c| c.is_whitespace() || c == '{' || c == '}') {
        return Err(DomainError::invalid(
            field,
            format!("'{k}' may not contain spaces or braces"),
        ));
    }
    Ok(k)
}

impl CatalogModel {
    /// Adds a product type, or replaces the one with the same key.
    pub fn put_product_type(&mut self, mut t: ProductType) -> DomainResult<String> {
        t.key = key("productType.key", &t.key)?;
        t.name = text::required("productType.name", &t.name, 200)?;
        for (i, a) in t.attributes.iter_mut().enumerate() {
            a.key = key(&format!("productType.attributes[{i}].key"), &a.key)?;
            a.name = text::required(&format!("productType.attributes[{i}].name"), &a.name, 200)?;
        }
        let summary = format!("product type '{}' saved", t.key);
        match self.product_types.iter_mut().find(|x| x.key == t.key) {
            Some(existing) => *existing = t,
            None => self.product_types.push(t),
        }
        Ok(summary)
    }

    /// Removes a product type no product uses.
    pub fn remove_product_type(&mut self, key: &str) -> DomainResult<String> {
        let users = self
            .products
            .iter()
            .filter(|p| p.product_type == key)
            .count();
        if users > 0 {
            return Err(DomainError::Conflict(format!(
                "product type '{key}' is used by {users} product(s)"
            )));
        }
        let before = self.product_types.len();
        self.product_types.retain(|t| t.key != key);
        if before == self.product_types.len() {
            return Err(DomainError::invalid(
                "key",
                format!("no product type has the key '{key}'"),
            ));
        }
        Ok(format!("product type '{key}' removed"))
    }

    /// Adds an option axis, or replaces the one with the same key.
    pub fn put_axis(&mut self, mut axis: OptionAxis) -> DomainResult<String> {
        axis.key = key("axis.key", &axis.key)?;
        axis.name = key("axis.name", &axis.name)?;
        for (i, v) in axis.values.iter_mut().enumerate() {
            *v = text::required(&format!("axis.values[{i}]"), v, 100)?;
        }
        let summary = format!(
            "axis '{}' saved with {} values",
            axis.key,
            axis.values.len()
        );
        match self.axes.iter_mut().find(|a| a.key == axis.key) {
            Some(existing) => *existing = axis,
            None => self.axes.push(axis),
        }
        Ok(summary)
    }

    /// Removes an axis no product varies on.
    pub fn remove_axis(&mut self, key: &str) -> DomainResult<String> {
        let users = self
            .products
            .iter()
            .filter(|p| p.axes.iter().any(|a| a == key))
            .count();
        if users > 0 {
            return Err(DomainError::Conflict(format!(
                "axis '{key}' is used by {users} product(s)"
            )));
        }
        let before = self.axes.len();
        self.axes.retain(|a| a.key != key);
        if before == self.axes.len() {
            return Err(DomainError::invalid(
                "key",
                format!("no axis has the key '{key}'"),
            ));
        }
        Ok(format!("axis '{key}' removed"))
    }

    /// Adds products, replacing those with the same keys; all or nothing.
    pub fn put_products(&mut self, products: Vec<Product>) -> DomainResult<String> {
        if products.len() > MAX_BULK {
            return Err(DomainError::invalid(
                "products",
                format!("at most {MAX_BULK} products per call"),
            ));
        }
        let mut checked = Vec::with_capacity(products.len());
        for (i, mut p) in products.into_iter().enumerate() {
            p.key = key(&format!("products[{i}].key"), &p.key)?;
            p.name = text::required(&format!("products[{i}].name"), &p.name, 300)?;
            p.product_line =
                text::required(&format!("products[{i}].productLine"), &p.product_line, 200)?;
            p.sku_pattern =
                text::required(&format!("products[{i}].skuPattern"), &p.sku_pattern, 200)?;
            checked.push(p);
        }
        let (mut added, mut replaced) = (0, 0);
        for p in checked {
            match self.products.iter_mut().find(|x| x.key == p.key) {
                Some(existing) => {
                    *existing = p;
                    replaced += 1;
                }
                None => {
                    self.products.push(p);
                    added += 1;
                }
            }
        }
        Ok(format!("{added} product(s) added, {replaced} replaced"))
    }

    /// Removes products by key; unknown keys are refused.
    pub fn remove_products(&mut self, keys: &[String]) -> DomainResult<String> {
        for (i, k) in keys.iter().enumerate() {
            if !self.products.iter().any(|p| &p.key == k) {
                return Err(DomainError::invalid(
                    format!("keys[{i}]"),
                    format!("no product has the key '{k}'"),
                ));
            }
        }
        self.products.retain(|p| !keys.contains(&p.key));
        Ok(format!("{} product(s) removed", keys.len()))
    }

    /// Sets the target platform's limits (variants up to [`MAX_VARIANTS_LIMIT`]).
    pub fn set_limits(&mut self, limits: PlatformLimits) -> DomainResult<String> {
        if limits.max_axes == 0 || limits.max_axes > 10 {
            return Err(DomainError::invalid("maxAxes", "must be 1 to 10"));
        }
        if limits.max_variants == 0 || limits.max_variants > MAX_VARIANTS_LIMIT {
            return Err(DomainError::invalid(
                "maxVariants",
                format!("must be 1 to {MAX_VARIANTS_LIMIT}"),
            ));
        }
        self.limits = limits;
        Ok(format!(
            "limits set to {} axes and {} variants",
            limits.max_axes, limits.max_variants
        ))
    }

    /// Renames a value of an axis everywhere; refused when the axis lacks it or already has the
    /// new one.
    pub fn rename_value(&mut self, axis: &str, from: &str, to: &str) -> DomainResult<String> {
        let to = text::required("to", to, 100)?;
        let a =
            self.axes.iter().find(|a| a.key == axis).ok_or_else(|| {
                DomainError::invalid("axis", format!("no axis has the key '{axis}'"))
            })?;
        if !a.values.iter().any(|v| v == from) {
            return Err(DomainError::invalid(
                "from",
                format!("axis '{axis}' has no value '{from}'"),
            ));
        }
        if a.values.contains(&to) {
            return Err(DomainError::invalid(
                "to",
                format!("axis '{axis}' already has a value '{to}'"),
            ));
        }
        let places = self.rename_axis_value(axis, from, &to);
        Ok(format!(
            "'{from}' renamed to '{to}' on axis '{axis}' in {places} place(s)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::test_model;

    #[test]
    fn a_used_type_or_axis_cannot_be_removed() {
        let mut m = test_model();
        assert!(matches!(
            m.remove_product_type("t-shirt"),
            Err(DomainError::Conflict(_))
        ));
        assert!(matches!(
            m.remove_axis("size"),
            Err(DomainError::Conflict(_))
        ));
        m.products.clear();
        assert!(m.remove_axis("size").is_ok());
    }

    #[test]
    fn renaming_a_value_reaches_exclusions_and_rules() {
        let mut m = test_model();
        let summary = m.rename_value("size", "L", "Large").unwrap();
        assert!(summary.contains("3 place(s)"), "{summary}");
        assert_eq!(m.products[0].excluded[0]["size"], "Large");
        assert_eq!(m.products[0].variant_values[1].when["size"], "Large");
        assert!(m.rename_value("size", "L", "X").is_err());
        assert!(m.rename_value("size", "S", "M").is_err());
    }

    #[test]
    fn bulk_products_are_all_or_nothing() {
        let mut m = test_model();
        let mut good = m.products[0].clone();
        good.key = "TEE-2".into();
        let mut bad = good.clone();
        bad.key = "has space".into();
        assert!(m.put_products(vec![good.clone(), bad]).is_err());
        assert_eq!(m.products.len(), 1);
        assert_eq!(
            m.put_products(vec![good]).unwrap(),
            "1 product(s) added, 0 replaced"
        );
    }

    #[test]
    fn limits_are_bounded() {
        let mut m = test_model();
        assert!(
            m.set_limits(PlatformLimits {
                max_axes: 3,
                max_variants: 4096
            })
            .is_err()
        );
        assert!(
            m.set_limits(PlatformLimits {
                max_axes: 3,
                max_variants: 2048
            })
            .is_ok()
        );
    }
}
