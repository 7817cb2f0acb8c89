//! Size and complexity: how big a model is and what makes it hard to move.

use super::CatalogModel;
use super::generate::Variant;

/// One part of the complexity figure: what is counted, how much each counts, what it adds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComplexityPart {
    /// What is counted.
    pub label: &'static str,
    /// How many there are.
    pub count: usize,
    /// Points per one.
    pub weight: f64,
    /// `count × weight`.
    pub points: f64,
}

/// A model's size and a complexity figure that explains itself.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelStats {
    /// Product types.
    pub product_types: usize,
    /// Attributes over all types.
    pub attributes: usize,
    /// Option axes.
    pub axes: usize,
    /// Axis values over all axes.
    pub axis_values: usize,
    /// Products.
    pub products: usize,
    /// Generated variants.
    pub variants: usize,
    /// Mean variants per product (0 without products).
    pub mean_variants_per_product: f64,
    /// The most variants of one product.
    pub max_variants_per_product: usize,
    /// The sum of the parts' points, rounded to one decimal.
    pub complexity: f64,
    /// What the complexity figure is made of.
    pub complexity_parts: Vec<ComplexityPart>,
}

/// Stats of `model`, whose generated variants are `variants`.
pub fn stats(model: &CatalogModel, variants: &[Variant]) -> ModelStats {
    let mut per_product = vec![0usize; model.products.len()];
    for v in variants {
        per_product[v.product] += 1;
    }
    let attributes: usize = model.product_types.iter().map(|t| t.attributes.len()).sum();
    let axis_values: usize = model.axes.iter().map(|a| a.values.len()).sum();
    let wide = per_product.iter().filter(|&&n| n > 50).count();
    let deep = model.products.iter().filter(|p| p.axes.len() >= 3).count();
    let exclusions: usize = model.products.iter().map(|p| p.excluded.len()).sum();
    let part = |label, count: usize, weight: f64| ComplexityPart {
        label,
        count,
        weight,
        points: count as f64 * weight,
    };
    let parts = vec![
        part("product types", model.product_types.len(), 5.0),
        part("attributes", attributes, 1.0),
        part("option axes", model.axes.len(), 3.0),
        part("axis values", axis_values, 0.5),
        part("products", model.products.len(), 0.2),
        part("variants", variants.len(), 0.02),
        part("excluded combinations", exclusions, 0.5),
        part("products on three or more axes", deep, 2.0),
        part("products with more than 50 variants", wide, 5.0),
    ];
    let complexity = (parts.iter().map(|p| p.points).sum::<f64>() * 10.0).round() / 10.0;
    ModelStats {
        product_types: model.product_types.len(),
        attributes,
        axes: model.axes.len(),
        axis_values,
        products: model.products.len(),
        variants: variants.len(),
        mean_variants_per_product: if per_product.is_empty() {
            0.0
        } else {
            variants.len() as f64 / per_product.len() as f64
        },
        max_variants_per_product: per_product.iter().copied().max().unwrap_or(0),
        complexity,
        complexity_parts: parts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{generate, test_model};

    #[test]
    fn stats_count_the_model_and_explain_the_complexity() {
        let model = test_model();
        let s = stats(&model, &generate::variants(&model));
        assert_eq!(
            (
                s.product_types,
                s.attributes,
                s.axes,
                s.axis_values,
                s.products,
                s.variants
            ),
            (1, 2, 2, 5, 1, 5)
        );
        assert_eq!(s.max_variants_per_product, 5);
        assert_eq!(s.mean_variants_per_product, 5.0);
        let sum: f64 = s.complexity_parts.iter().map(|p| p.points).sum();
        assert_eq!(s.complexity, (sum * 10.0).round() / 10.0);
        assert_eq!(s.complexity, 16.3);
    }
}
