//! Importing products from CSV, as a merchant's spreadsheet exports them. Every row is checked
//! and every problem is reported with its line; nothing is imported unless every row is good.
//!
//! Columns (header row required, any order): `key`, `name`, `productType`, `productLine`,
//! `axes` (axis keys separated by `|`), `skuPattern`, optionally `excluded` (combinations
//! separated by `|`, each `axis=value;axis=value`), and `attr:<key>` for product-level attribute
//! values (numbers and true/false are read as such for NUMBER and BOOLEAN attributes).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{AttributeKind, CatalogModel, Product};
use crate::{DomainError, DomainResult};

/// The most rows one import takes.
pub const MAX_ROWS: usize = 10_000;

/// Splits CSV text into records (RFC 4180: quoted fields may hold commas, quotes and newlines).
pub fn records(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut line = 1;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut record));
                line += 1;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(format!(
            "a quoted field opened before line {line} is never closed"
        ));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push(record);
    }
    out.retain(|r| !(r.len() == 1 && r[0].trim().is_empty()));
    Ok(out)
}

/// The products a CSV describes, checked against `model` (product types and axes must exist).
pub fn products(model: &CatalogModel, text: &str) -> DomainResult<Vec<Product>> {
    let rows = records(text).map_err(|e| DomainError::invalid("csv", e))?;
    let Some((header, rows)) = rows.split_first() else {
        return Err(DomainError::invalid(
            "csv",
            "is empty: expected a header row and product rows",
        ));
    };
    if rows.len() > MAX_ROWS {
        return Err(DomainError::invalid(
            "csv",
            format!("has {} rows; at most {MAX_ROWS} per import", rows.len()),
        ));
    }
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let required = ["key", "name", "productType", "productLine", "skuPattern"];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(DomainError::invalid(
            "csv",
            format!("the header lacks the column(s) {}", missing.join(", ")),
        ));
    }
    let (key, name, ty, line_col, pattern) = (
        col("key"),
        col("name"),
        col("productType"),
        col("productLine"),
        col("skuPattern"),
    );
    let (axes_col, excluded_col) = (col("axes"), col("excluded"));
    let attrs: Vec<(usize, &str)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.trim().strip_prefix("attr:").map(|k| (i, k)))
        .collect();
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (n, row) in rows.iter().enumerate() {
        let line = n + 2;
        let cell = |c: Option<usize>| c.and_then(|i| row.get(i)).map(|s| s.trim()).unwrap_or("");
        let mut problems = Vec::new();
        for (c, label) in [
            (key, "key"),
            (name, "name"),
            (ty, "productType"),
            (line_col, "productLine"),
            (pattern, "skuPattern"),
        ] {
            if cell(c).is_empty() {
                problems.push(format!("{label} is empty"));
            }
        }
        let type_key = cell(ty);
        let product_type = model.product_types.iter().find(|t| t.key == type_key);
        if !type_key.is_empty() && product_type.is_none() {
            problems.push(format!("product type '{type_key}' is not in the model"));
        }
        let axes: Vec<String> = cell(axes_col)
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        for a in &axes {
            if !model.axes.iter().any(|x| &x.key == a) {
                problems.push(format!("axis '{a}' is not in the model"));
            }
        }
        let mut excluded = Vec::new();
        for combo in cell(excluded_col)
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let mut rule = BTreeMap::new();
            for pair in combo.split(';') {
                match pair.split_once('=') {
                    Some((a, v)) => {
                        rule.insert(a.trim().to_owned(), v.trim().to_owned());
                    }
                    None => problems.push(format!(
                        "excluded combination '{combo}' is not axis=value;axis=value"
                    )),
                }
            }
            excluded.push(rule);
        }
        let mut attributes = BTreeMap::new();
        for (i, attr) in &attrs {
            let raw = row.get(*i).map(|s| s.trim()).unwrap_or("");
            if raw.is_empty() {
                continue;
            }
            let kind = product_type
                .and_then(|t| t.attributes.iter().find(|a| a.key == *attr))
                .map(|a| a.kind);
            let value = match kind {
                Some(AttributeKind::Number) => match raw.parse::<f64>() {
                    Ok(n) => serde_json::Number::from_f64(n)
                        .map(Value::Number)
                        .unwrap_or(Value::Null),
                    Err(_) => {
                        problems.push(format!("attr:{attr} '{raw}' is not a number"));
                        continue;
                    }
                },
                Some(AttributeKind::Boolean) => match raw.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => Value::Bool(true),
                    "false" | "no" | "0" => Value::Bool(false),
                    _ => {
                        problems.push(format!("attr:{attr} '{raw}' is not true or false"));
                        continue;
                    }
                },
                _ => Value::String(raw.to_owned()),
            };
            attributes.insert((*attr).to_owned(), value);
        }
        if problems.is_empty() {
            out.push(Product {
                key: cell(key).to_owned(),
                name: cell(name).to_owned(),
                product_type: type_key.to_owned(),
                product_line: cell(line_col).to_owned(),
                axes,
                excluded,
                attributes,
                variant_values: Vec::new(),
                sku_pattern: cell(pattern).to_owned(),
            });
        } else {
            errors.push(format!("line {line}: {}", problems.join("; ")));
        }
    }
    if !errors.is_empty() {
        let shown: Vec<&str> = errors.iter().take(20).map(String::as_str).collect();
        let more = errors.len().saturating_sub(20);
        return Err(DomainError::invalid(
            "csv",
            format!(
                "{} row(s) have problems, so nothing was imported: {}{}",
                errors.len(),
                shown.join(" | "),
                if more > 0 {
                    format!(" | and {more} more")
                } else {
                    String::new()
                }
            ),
        ));
    }
    Ok(out)
}

impl CatalogModel {
    /// Imports the products of a CSV, replacing those with the same keys; all or nothing.
    pub fn import_csv(&mut self, text: &str) -> DomainResult<String> {
        let products = products(self, text)?;
        let count = products.len();
        let (mut added, mut replaced) = (0, 0);
        for p in products {
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
        Ok(format!(
            "{count} CSV row(s) imported: {added} product(s) added, {replaced} replaced"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::test_model;

    #[test]
    fn quoted_fields_keep_commas_quotes_and_newlines() {
        let r = records("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\"x\ny\",z\n").unwrap();
        assert_eq!(r, vec![vec!["a", "b, c", "say \"hi\""], vec!["x\ny", "z"]]);
        assert!(records("a,\"open").is_err());
    }

    #[test]
    fn good_rows_import_with_typed_attributes_and_exclusions() {
        let mut m = test_model();
        let csv = "key,name,productType,productLine,axes,excluded,skuPattern,attr:material\n\
                   POLO,Polo,t-shirt,Apparel,size|colour,size=L;colour=Gold,{product}-{Size}-{Colour},Linen\n";
        let summary = m.import_csv(csv).unwrap();
        assert_eq!(
            summary,
            "1 CSV row(s) imported: 1 product(s) added, 0 replaced"
        );
        let polo = m.products.iter().find(|p| p.key == "POLO").unwrap();
        assert_eq!(polo.axes, vec!["size", "colour"]);
        assert_eq!(polo.excluded[0]["colour"], "Gold");
        assert_eq!(polo.attributes["material"], "Linen");
    }

    #[test]
    fn a_bad_row_imports_nothing_and_every_problem_names_its_line() {
        let mut m = test_model();
        let csv = "key,name,productType,productLine,axes,skuPattern\n\
                   OK,Fine,t-shirt,Apparel,size,{product}-{Size}\n\
                   ,No key,t-shirt,Apparel,size,X\n\
                   BAD,Bad,mug,Home,depth,Y\n";
        let err = m.import_csv(csv).unwrap_err().to_string();
        assert!(err.contains("2 row(s) have problems"), "{err}");
        assert!(err.contains("line 3: key is empty"), "{err}");
        assert!(
            err.contains(
                "line 4: product type 'mug' is not in the model; axis 'depth' is not in the model"
            ),
            "{err}"
        );
        assert_eq!(m.products.len(), 1, "nothing was imported");
    }

    #[test]
    fn a_missing_header_column_is_named() {
        let err = products(&test_model(), "key,name\nA,B\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("productType, productLine, skuPattern"),
            "{err}"
        );
    }
}
