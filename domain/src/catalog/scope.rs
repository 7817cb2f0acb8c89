//! A phase's catalog scope: the part of a published catalog-model version a replatforming phase
//! moves — whole product lines, whole product types, or single products — and what follows from
//! it: which products and variants the phase moves, how many of them are marked migrated on the
//! target platform, and what a newer version of the model changes inside the scope.
//!
//! A product is in scope when its line, its type or its key is named. Product keys are stable
//! across the versions of one account's model, so the marks "migrated" belong to the account
//! and the product key, not to a version.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::diff::{self, Changed};
use super::generate::{self, Variant};
use super::{CatalogModel, OptionAxis};
use crate::ids::{AccountId, CatalogVersionId, PhaseId};
use crate::{DomainError, DomainResult, text};

/// The most names one list of a scope (lines, types or products) may hold.
pub const MAX_PARTS: usize = 500;

/// The most product keys one call may mark migrated (or not).
pub const MAX_MARKS: usize = 1_000;

/// The longest name or key a scope may hold, in characters.
const MAX_NAME: usize = 200;

/// The parts of a model version a phase moves. Each list is sorted and without repeats once it
/// has passed [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogScope {
    /// Product lines: every product of these lines is in scope.
    pub product_lines: Vec<String>,
    /// Product type keys: every product of these types is in scope.
    pub product_types: Vec<String>,
    /// Product keys: these products are in scope.
    pub products: Vec<String>,
}

impl CatalogScope {
    /// Whether the scope names nothing.
    pub fn is_empty(&self) -> bool {
        self.product_lines.is_empty() && self.product_types.is_empty() && self.products.is_empty()
    }

    /// The indexes, in model order, of the products of `model` the scope selects.
    pub fn selected(&self, model: &CatalogModel) -> Vec<usize> {
        let lines: HashSet<&str> = self.product_lines.iter().map(String::as_str).collect();
        let types: HashSet<&str> = self.product_types.iter().map(String::as_str).collect();
        let keys: HashSet<&str> = self.products.iter().map(String::as_str).collect();
        model
            .products
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                lines.contains(p.product_line.as_str())
                    || types.contains(p.product_type.as_str())
                    || keys.contains(p.key.as_str())
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// Checks one list of names as typed: each 1 to 200 printable characters, at most
/// [`MAX_PARTS`], each known to `known`; the first wrong one is named `field[index]`. Returns
/// the list sorted and without repeats.
fn names(
    field: &str,
    given: &[String],
    known: &HashSet<&str>,
    what: &str,
    number: i32,
) -> DomainResult<Vec<String>> {
    if given.len() > MAX_PARTS {
        return Err(DomainError::invalid(
            field,
            format!(
                "names {} {what}s; a scope names at most {MAX_PARTS}",
                given.len()
            ),
        ));
    }
    let mut out = BTreeSet::new();
    for (i, name) in given.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let name = text::required(&at, name, MAX_NAME)?;
        if !known.contains(name.as_str()) {
            return Err(DomainError::invalid(
                at,
                format!("version {number} of the catalog model has no {what} '{name}'"),
            ));
        }
        out.insert(name);
    }
    Ok(out.into_iter().collect())
}

/// Checks a scope against version `number` of a model: at least one part named, every product
/// line, product type key and product key present in the model, no list longer than
/// [`MAX_PARTS`]. Errors name the field and index as typed (`products[2]`). Returns the scope
/// with each list trimmed, sorted and without repeats.
pub fn validate(
    scope: &CatalogScope,
    model: &CatalogModel,
    number: i32,
) -> DomainResult<CatalogScope> {
    let lines: HashSet<&str> = model
        .products
        .iter()
        .map(|p| p.product_line.as_str())
        .collect();
    let types: HashSet<&str> = model.product_types.iter().map(|t| t.key.as_str()).collect();
    let keys: HashSet<&str> = model.products.iter().map(|p| p.key.as_str()).collect();
    let checked = CatalogScope {
        product_lines: names(
            "productLines",
            &scope.product_lines,
            &lines,
            "product line",
            number,
        )?,
        product_types: names(
            "productTypes",
            &scope.product_types,
            &types,
            "product type",
            number,
        )?,
        products: names("products", &scope.products, &keys, "product", number)?,
    };
    if checked.is_empty() {
        return Err(DomainError::invalid(
            "productLines",
            "name at least one product line, product type or product",
        ));
    }
    Ok(checked)
}

/// The names of a scope that version `number` of a model no longer has, as one sentence for a
/// person, or `None` when it has them all: a scope moves onto a newer version only whole.
pub fn missing_in(scope: &CatalogScope, model: &CatalogModel, number: i32) -> Option<String> {
    let lines: HashSet<&str> = model
        .products
        .iter()
        .map(|p| p.product_line.as_str())
        .collect();
    let types: HashSet<&str> = model.product_types.iter().map(|t| t.key.as_str()).collect();
    let keys: HashSet<&str> = model.products.iter().map(|p| p.key.as_str()).collect();
    let mut missing: Vec<String> = Vec::new();
    let mut check = |list: &[String], known: &HashSet<&str>, what: &str| {
        missing.extend(
            list.iter()
                .filter(|n| !known.contains(n.as_str()))
                .map(|n| format!("{what} '{n}'")),
        );
    };
    check(&scope.product_lines, &lines, "product line");
    check(&scope.product_types, &types, "product type");
    check(&scope.products, &keys, "product");
    (!missing.is_empty()).then(|| {
        format!(
            "version {number} of the catalog model has no {}",
            missing.join(", ")
        )
    })
}

/// Checks the product keys to mark migrated (or not) as typed: 1 to [`MAX_MARKS`] of them,
/// each 1 to 200 printable characters. Returns them sorted and without repeats.
pub fn product_keys(field: &str, given: &[String]) -> DomainResult<Vec<String>> {
    if given.is_empty() {
        return Err(DomainError::invalid(field, "name at least one product key"));
    }
    if given.len() > MAX_MARKS {
        return Err(DomainError::invalid(
            field,
            format!(
                "names {} products; one call marks at most {MAX_MARKS}",
                given.len()
            ),
        ));
    }
    let mut out = BTreeSet::new();
    for (i, key) in given.iter().enumerate() {
        out.insert(text::required(&format!("{field}[{i}]"), key, MAX_NAME)?);
    }
    Ok(out.into_iter().collect())
}

/// One product in scope, with what the phase's figures need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedProduct {
    /// Its index in the model.
    pub index: usize,
    /// How many variants it yields.
    pub variants: usize,
    /// Whether it is marked migrated on the target platform.
    pub migrated: bool,
}

/// What a phase moves and how far it has got: products and variants in scope, and those of
/// them marked migrated.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScopeProgress {
    /// The products in scope, in model order.
    pub products: Vec<ScopedProduct>,
    /// How many variants they yield together.
    pub variants: usize,
    /// How many of the products are marked migrated.
    pub migrated_products: usize,
    /// How many variants the migrated products yield.
    pub migrated_variants: usize,
}

impl ScopeProgress {
    /// Migrated products over products in scope, 0 to 1; 0 for a scope that selects nothing.
    pub fn fraction(&self) -> f64 {
        if self.products.is_empty() {
            0.0
        } else {
            self.migrated_products as f64 / self.products.len() as f64
        }
    }
}

/// The products of `model` that `scope` selects, their variant counts (the model's variant
/// generation, without building the variants) and which of them `migrated` names.
pub fn progress(
    scope: &CatalogScope,
    model: &CatalogModel,
    migrated: impl Fn(&str) -> bool,
) -> ScopeProgress {
    let axes = generate::axes_by_key(model);
    let mut out = ScopeProgress::default();
    for index in scope.selected(model) {
        let product = &model.products[index];
        let variants = generate::variant_count(product, &axes);
        let done = migrated(&product.key);
        out.variants += variants;
        if done {
            out.migrated_products += 1;
            out.migrated_variants += variants;
        }
        out.products.push(ScopedProduct {
            index,
            variants,
            migrated: done,
        });
    }
    out
}

/// What a newer version of the model changes inside a scope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScopeImpact {
    /// Product keys the scope selects in the newer version but not in the older: new products,
    /// or products moved into a named line or type.
    pub added: Vec<String>,
    /// Product keys the scope selected in the older version but not in the newer.
    pub removed: Vec<String>,
    /// Products selected in both whose content differs, with the fields that differ
    /// (`variants` when the variants they yield differ, for example after a new axis value).
    pub changed: Vec<Changed>,
}

impl ScopeImpact {
    /// Whether the newer version changes nothing inside the scope.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// `model` with only the products at `selected`.
fn restricted(model: &CatalogModel, selected: &[usize]) -> CatalogModel {
    CatalogModel {
        product_types: model.product_types.clone(),
        axes: model.axes.clone(),
        products: selected
            .iter()
            .map(|i| model.products[*i].clone())
            .collect(),
        limits: model.limits,
    }
}

/// Whether two generated variant lists of one product differ in options, SKU or attributes.
fn variants_differ(old: &[Variant], new: &[Variant]) -> bool {
    old.len() != new.len()
        || old.iter().zip(new).any(|(o, n)| {
            o.sku != n.sku
                || o.attributes != n.attributes
                || o.options.len() != n.options.len()
                || o.options
                    .iter()
                    .zip(&n.options)
                    .any(|(a, b)| a.0 != b.0 || a.1 != b.1)
        })
}

/// What `new` changes inside `scope`, compared with `old`, the version the scope was planned
/// on: products the scope selects in one and not the other, and products selected in both whose
/// content or variants differ. Products are compared with the catalog diff; variants product by
/// product, only for the products in scope.
pub fn impact(scope: &CatalogScope, old: &CatalogModel, new: &CatalogModel) -> ScopeImpact {
    let old_sel = scope.selected(old);
    let new_sel = scope.selected(new);
    let before = restricted(old, &old_sel);
    let after = restricted(new, &new_sel);
    // Variants are compared below, per product in both, so the diff compares products only.
    let products = diff::diff(&before, &[], &after, &[]).products;
    let mut changed: HashMap<String, Vec<String>> = products
        .changed
        .into_iter()
        .map(|c| (c.key, c.fields))
        .collect();
    let old_axes: HashMap<&str, &OptionAxis> = generate::axes_by_key(&before);
    let new_axes: HashMap<&str, &OptionAxis> = generate::axes_by_key(&after);
    let old_index: HashMap<&str, usize> = before
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.as_str(), i))
        .collect();
    for (n, product) in after.products.iter().enumerate() {
        let Some(&o) = old_index.get(product.key.as_str()) else {
            continue;
        };
        let was = generate::product_variants(&before, o, &old_axes);
        let is = generate::product_variants(&after, n, &new_axes);
        if variants_differ(&was, &is) {
            changed
                .entry(product.key.clone())
                .or_default()
                .push("variants".into());
        }
    }
    // In the newer version's product order, like the rest of the impact.
    let changed = after
        .products
        .iter()
        .filter_map(|p| {
            changed.remove(&p.key).map(|fields| Changed {
                key: p.key.clone(),
                fields,
            })
        })
        .collect();
    ScopeImpact {
        added: in_order(&products.added, &after),
        removed: in_order(&products.removed, &before),
        changed,
    }
}

/// `keys` in `model`'s product order (the diff lists them by key).
fn in_order(keys: &[String], model: &CatalogModel) -> Vec<String> {
    let wanted: HashSet<&str> = keys.iter().map(String::as_str).collect();
    model
        .products
        .iter()
        .filter(|p| wanted.contains(p.key.as_str()))
        .map(|p| p.key.clone())
        .collect()
}

/// A phase's catalog scope as stored, with the number and account of the version it points at.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseCatalogScope {
    /// The phase.
    pub phase_id: PhaseId,
    /// The account whose catalog the scope is part of.
    pub account_id: AccountId,
    /// The published version the phase was planned on.
    pub catalog_version_id: CatalogVersionId,
    /// That version's number.
    pub catalog_version_number: i32,
    /// The named parts.
    pub scope: CatalogScope,
    /// Bumped on every change; pass it back to change the scope.
    pub version: i32,
    /// When the scope last changed.
    pub updated_at: DateTime<Utc>,
}

/// Who marked a product migrated, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationMark {
    /// When it was marked.
    pub migrated_at: DateTime<Utc>,
    /// Who marked it.
    pub migrated_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Product, test_model};

    /// The test model plus a one-axis product of another line and a product of another type.
    fn model() -> CatalogModel {
        let mut m = test_model();
        let mut knit = m.products[0].clone();
        knit.key = "KNIT".into();
        knit.name = "Knit".into();
        knit.axes = vec!["size".into()];
        knit.excluded = vec![];
        knit.sku_pattern = "{product}-{Size}".into();
        let mut mug = m.products[0].clone();
        mug.key = "MUG".into();
        mug.name = "Mug".into();
        mug.product_line = "Home".into();
        mug.product_type = "mug".into();
        mug.axes = vec![];
        mug.excluded = vec![];
        mug.sku_pattern = "MUG".into();
        m.product_types.push(crate::catalog::ProductType {
            key: "mug".into(),
            name: "Mug".into(),
            attributes: vec![],
        });
        m.products.push(knit);
        m.products.push(mug);
        m
    }

    fn scope(lines: &[&str], types: &[&str], products: &[&str]) -> CatalogScope {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        CatalogScope {
            product_lines: v(lines),
            product_types: v(types),
            products: v(products),
        }
    }

    fn keys(m: &CatalogModel, s: &CatalogScope) -> Vec<String> {
        s.selected(m)
            .into_iter()
            .map(|i| m.products[i].key.clone())
            .collect()
    }

    #[test]
    fn a_product_is_in_scope_by_its_line_its_type_or_its_key() {
        let m = model();
        let cases: [(CatalogScope, &[&str]); 5] = [
            (scope(&["Apparel"], &[], &[]), &["TEE", "KNIT"]),
            (scope(&[], &["mug"], &[]), &["MUG"]),
            (scope(&[], &[], &["KNIT"]), &["KNIT"]),
            (scope(&["Home"], &[], &["TEE"]), &["TEE", "MUG"]),
            (
                scope(&["Apparel"], &["t-shirt"], &["TEE"]),
                &["TEE", "KNIT"],
            ),
        ];
        for (s, expected) in cases {
            assert_eq!(keys(&m, &s), expected, "{s:?}");
        }
    }

    #[test]
    fn progress_counts_products_variants_and_the_migrated_ones() {
        let m = model();
        // TEE: 3 sizes × 2 colours − (L, Gold) = 5; KNIT: 3; MUG: no axes, 1.
        let p = progress(&scope(&["Apparel", "Home"], &[], &[]), &m, |k| k == "KNIT");
        assert_eq!(
            p.products.iter().map(|x| x.variants).collect::<Vec<_>>(),
            vec![5, 3, 1]
        );
        assert_eq!(p.variants, 9);
        assert_eq!((p.migrated_products, p.migrated_variants), (1, 3));
        assert!((p.fraction() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(ScopeProgress::default().fraction(), 0.0);
    }

    #[test]
    fn validation_names_the_unknown_part_by_field_and_index() {
        let m = model();
        let err = validate(&scope(&[], &[], &["TEE", "MUG", "NOPE"]), &m, 2).unwrap_err();
        assert_eq!(
            err,
            DomainError::invalid(
                "products[2]",
                "version 2 of the catalog model has no product 'NOPE'"
            )
        );
        assert!(matches!(
            validate(&scope(&["Garden"], &[], &[]), &m, 1),
            Err(DomainError::Invalid { field, .. }) if field == "productLines[0]"
        ));
        assert!(matches!(
            validate(&scope(&[], &["t-shirt", " "], &[]), &m, 1),
            Err(DomainError::Invalid { field, .. }) if field == "productTypes[1]"
        ));
        assert!(validate(&CatalogScope::default(), &m, 1).is_err());
        let many: Vec<String> = (0..=MAX_PARTS).map(|_| "TEE".to_string()).collect();
        assert!(
            validate(
                &CatalogScope {
                    products: many,
                    ..Default::default()
                },
                &m,
                1
            )
            .is_err()
        );
    }

    #[test]
    fn a_valid_scope_comes_back_trimmed_sorted_and_without_repeats() {
        let m = model();
        let s = validate(&scope(&[" Home "], &[], &["TEE", "KNIT", "TEE"]), &m, 1).unwrap();
        assert_eq!(s, scope(&["Home"], &[], &["KNIT", "TEE"]));
    }

    #[test]
    fn product_keys_to_mark_are_bounded_and_deduplicated() {
        let given = vec!["B".to_string(), "A".into(), "B".into()];
        assert_eq!(product_keys("productKeys", &given).unwrap(), vec!["A", "B"]);
        assert!(product_keys("productKeys", &[]).is_err());
        let many: Vec<String> = (0..=MAX_MARKS).map(|i| i.to_string()).collect();
        assert!(product_keys("productKeys", &many).is_err());
    }

    #[test]
    fn a_newer_version_adds_removes_and_changes_products_inside_the_scope_only() {
        let old = model();
        let mut new = old.clone();
        // KNIT leaves the model, MUG moves into Apparel, a new product joins Apparel, TEE gets
        // a new colour (its variants change) and a product outside the scope changes too.
        new.products.retain(|p| p.key != "KNIT");
        new.products
            .iter_mut()
            .find(|p| p.key == "MUG")
            .unwrap()
            .product_line = "Apparel".into();
        new.axes[1].values.push("Navy".into());
        let mut hoodie: Product = old.products[0].clone();
        hoodie.key = "HOODIE".into();
        new.products.push(hoodie);
        let mut outside = old.products[0].clone();
        outside.key = "SOCK".into();
        outside.product_line = "Socks".into();
        new.products.push(outside);
        let s = scope(&["Apparel"], &[], &[]);
        let i = impact(&s, &old, &new);
        assert_eq!(i.added, vec!["MUG", "HOODIE"]);
        assert_eq!(i.removed, vec!["KNIT"]);
        assert_eq!(
            i.changed,
            vec![Changed {
                key: "TEE".into(),
                fields: vec!["variants".into()]
            }]
        );
        assert!(!i.is_empty());
    }

    #[test]
    fn a_changed_product_field_shows_with_its_name() {
        let old = model();
        let mut new = old.clone();
        new.products[0].name = "Organic tee".into();
        new.products[0]
            .attributes
            .insert("material".into(), serde_json::json!("Linen"));
        let i = impact(&scope(&[], &[], &["TEE"]), &old, &new);
        assert_eq!(i.changed.len(), 1);
        let mut fields = i.changed[0].fields.clone();
        fields.sort();
        assert_eq!(fields, vec!["attributes", "name"]);
        assert!(impact(&scope(&[], &[], &["TEE"]), &old, &old).is_empty());
    }

    #[test]
    fn a_scope_missing_names_in_a_newer_version_says_which() {
        let old = model();
        let mut new = old.clone();
        new.products.retain(|p| p.key != "KNIT");
        let s = scope(&["Apparel"], &[], &["KNIT"]);
        assert_eq!(
            missing_in(&s, &new, 2).as_deref(),
            Some("version 2 of the catalog model has no product 'KNIT'")
        );
        assert_eq!(missing_in(&s, &old, 1), None);
    }
}
