//! Catalog-model speed at the scale the issue sets: 5,000 products and 200,000 variants must
//! generate, validate, diff and export within a second. Run with `cargo bench -p tandem-domain`;
//! it prints the median of several runs of each step and the process's peak memory.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;
use tandem_domain::catalog::{
    AttributeDef, AttributeKind, AttributeLevel, CatalogModel, OptionAxis, PlatformLimits, Product,
    ProductType, VariantValues, diff, export, generate, stats, validate,
};

fn model(products: usize) -> CatalogModel {
    let sizes: Vec<String> = ["XS", "S", "M", "L", "XL"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let colours: Vec<String> = (0..8).map(|i| format!("Colour {i}")).collect();
    CatalogModel {
        product_types: vec![ProductType {
            key: "apparel".into(),
            name: "Apparel".into(),
            attributes: vec![
                AttributeDef {
                    key: "material".into(),
                    name: "Material".into(),
                    kind: AttributeKind::Enum,
                    allowed: vec!["Cotton".into(), "Wool".into()],
                    required: true,
                    level: AttributeLevel::Product,
                },
                AttributeDef {
                    key: "weight".into(),
                    name: "Weight".into(),
                    kind: AttributeKind::Number,
                    allowed: vec![],
                    required: true,
                    level: AttributeLevel::Variant,
                },
            ],
        }],
        axes: vec![
            OptionAxis {
                key: "size".into(),
                name: "Size".into(),
                values: sizes,
            },
            OptionAxis {
                key: "colour".into(),
                name: "Colour".into(),
                values: colours,
            },
        ],
        products: (0..products)
            .map(|i| Product {
                key: format!("P{i:05}"),
                name: format!("Product {i}"),
                product_type: "apparel".into(),
                product_line: format!("Line {}", i % 12),
                axes: vec!["size".into(), "colour".into()],
                excluded: vec![],
                attributes: BTreeMap::from([("material".into(), json!("Cotton"))]),
                variant_values: vec![VariantValues {
                    when: BTreeMap::new(),
                    values: BTreeMap::from([("weight".into(), json!(200))]),
                }],
                sku_pattern: "{product}-{Size}-{Colour}".into(),
            })
            .collect(),
        limits: PlatformLimits::default(),
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f());
        times.push(start.elapsed());
    }
    let m = median(times);
    println!("{label:<28} median {:>8.1} ms", m.as_secs_f64() * 1000.0);
    m
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let old = model(5_000);
    let mut new = old.clone();
    new.axes[0].values.push("XXL".into());
    new.products[17].name = "Renamed".into();
    let old_variants = generate::variants(&old);
    let new_variants = generate::variants(&new);
    println!(
        "model: {} products, {} variants (new version: {})",
        old.products.len(),
        old_variants.len(),
        new_variants.len()
    );
    let runs = 7;
    let g = time("generate variants", runs, || generate::variants(&old));
    let v = time("validate (with variants)", runs, || {
        validate::validate_with(&old, &old_variants)
    });
    let s = time("stats", runs, || stats::stats(&old, &old_variants));
    let d = time("diff two versions", runs, || {
        diff::diff(&old, &old_variants, &new, &new_variants)
    });
    let e = time("export to JSON bytes", runs, || {
        export::export_bytes(&old, &old_variants, 1).len()
    });
    let total = g + v + s + d + e;
    println!(
        "{:<28} {:>15.1} ms (target: under 1000 ms)",
        "generate+validate+stats+diff+export",
        total.as_secs_f64() * 1000.0
    );
    if let Some(rss) = peak_rss_mib() {
        println!("peak RSS {rss:.0} MiB");
    }
    assert!(
        validate::validate_with(&old, &old_variants).is_empty(),
        "the benchmark model should be clean"
    );
}
