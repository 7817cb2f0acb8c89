//! L2-regularised logistic regression, fitted by Newton's method: the model behind the
//! likelihood to renew.
//!
//! Features are standardised with the training set's mean and population standard deviation,
//! which the model keeps so that scoring standardises the same way. The fit minimises
//!
//! ```text
//! 0.5 · ‖w‖² + C · Σᵢ logloss(yᵢ, b + w·zᵢ)
//! ```
//!
//! over the coefficients `w` and the intercept `b` (not penalised), with `zᵢ` the standardised
//! row: the objective of scikit-learn's `LogisticRegression(C=C)` with an L2 penalty, so its
//! figures serve as the reference (`tests/reference/outlook.py`, checked in
//! `outlook::reference`). Newton's method is deterministic and, on this convex objective,
//! converges to machine precision in a handful of steps; a backtracking line search keeps it
//! safe far from the minimum.

use crate::{DomainError, DomainResult};

/// How hard to regularise and how long to try.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FitOptions {
    /// Inverse regularisation strength (scikit-learn's `C`): smaller pulls coefficients harder
    /// towards zero, which matters when a vendor has few closed renewals and many features.
    pub c: f64,
    /// Newton steps before giving up; a well-posed fit needs fewer than 30.
    pub max_iterations: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            c: 1.0,
            max_iterations: 100,
        }
    }
}

/// A fitted model, kept whole so that it can be stored (as JSON) and scored later as it was
/// fitted (JSON may round a figure by one unit in its last binary place, far below anything a
/// probability shows).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    /// The features, in the order of every vector the model reads.
    pub feature_names: Vec<String>,
    /// Each feature's mean over the training set.
    pub means: Vec<f64>,
    /// Each feature's population standard deviation over the training set; 0 for a feature
    /// that never varied, which the model then reads as carrying no information.
    pub stds: Vec<f64>,
    /// Each feature's coefficient on the standardised scale: the change in log-odds for one
    /// standard deviation.
    pub coefficients: Vec<f64>,
    /// The log-odds of a row at the training means.
    pub intercept: f64,
    /// The regularisation it was fitted with.
    pub c: f64,
    /// How many rows it was fitted on.
    pub rows: usize,
    /// Newton steps the fit took.
    pub iterations: usize,
}

/// One feature's part in a row's log-odds.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    /// The feature's name.
    pub feature: String,
    /// Its value in the row, as given.
    pub value: f64,
    /// Its value in standard deviations from the training mean.
    pub standardised: f64,
    /// Coefficient × standardised value: what it adds to (or takes from) the log-odds.
    pub log_odds: f64,
}

/// Fits a model to `rows` (one vector of feature values per row, in `feature_names` order) and
/// their outcomes.
///
/// Refuses rows of the wrong length, values that are not finite, fewer than two rows, or
/// outcomes that are all the same (there is nothing to tell apart).
pub fn fit(
    feature_names: &[String],
    rows: &[Vec<f64>],
    outcomes: &[bool],
    options: FitOptions,
) -> DomainResult<Model> {
    check_options(options)?;
    check_rows(feature_names.len(), rows)?;
    if outcomes.len() != rows.len() {
        return Err(DomainError::invalid(
            "outcomes",
            format!(
                "{} outcomes for {} rows; each row needs one",
                outcomes.len(),
                rows.len()
            ),
        ));
    }
    if rows.len() < 2 {
        return Err(DomainError::invalid(
            "rows",
            "a model needs at least two rows to learn from",
        ));
    }
    let positives = outcomes.iter().filter(|o| **o).count();
    if positives == 0 || positives == outcomes.len() {
        return Err(DomainError::invalid(
            "outcomes",
            format!(
                "every one of the {} outcomes is {}; a model needs both kinds to tell them apart",
                outcomes.len(),
                positives > 0
            ),
        ));
    }

    let (means, stds) = standardisation(feature_names.len(), rows);
    let z: Vec<Vec<f64>> = rows.iter().map(|r| standardise(r, &means, &stds)).collect();
    let y: Vec<f64> = outcomes.iter().map(|o| f64::from(u8::from(*o))).collect();
    let (theta, iterations) = newton(&z, &y, options)?;

    Ok(Model {
        feature_names: feature_names.to_vec(),
        means,
        stds,
        intercept: theta[0],
        coefficients: theta[1..].to_vec(),
        c: options.c,
        rows: rows.len(),
        iterations,
    })
}

impl Model {
    /// The row's log-odds of the positive outcome.
    pub fn log_odds(&self, features: &[f64]) -> DomainResult<f64> {
        check_row("features", self.feature_names.len(), features)?;
        let z = standardise(features, &self.means, &self.stds);
        Ok(self.intercept + dot(&self.coefficients, &z))
    }

    /// The probability of the positive outcome for a row of feature values.
    pub fn predict(&self, features: &[f64]) -> DomainResult<f64> {
        Ok(sigmoid(self.log_odds(features)?))
    }

    /// Each feature's signed part in the row's log-odds, the largest in size first; with the
    /// intercept they add up to [`log_odds`](Self::log_odds). This is the model's "why".
    pub fn contributions(&self, features: &[f64]) -> DomainResult<Vec<Contribution>> {
        check_row("features", self.feature_names.len(), features)?;
        let z = standardise(features, &self.means, &self.stds);
        let mut out: Vec<Contribution> = self
            .feature_names
            .iter()
            .zip(features)
            .zip(z.iter().zip(&self.coefficients))
            .map(|((name, value), (z, w))| Contribution {
                feature: name.clone(),
                value: *value,
                standardised: *z,
                log_odds: w * z,
            })
            .collect();
        out.sort_by(|a, b| {
            b.log_odds
                .abs()
                .total_cmp(&a.log_odds.abs())
                .then_with(|| a.feature.cmp(&b.feature))
        });
        Ok(out)
    }
}

/// The logistic function, computed without overflow at either end.
pub fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

fn check_options(options: FitOptions) -> DomainResult<()> {
    if !(options.c.is_finite() && options.c > 0.0) {
        return Err(DomainError::invalid(
            "c",
            format!(
                "the regularisation C must be a positive number, got {}",
                options.c
            ),
        ));
    }
    if options.max_iterations == 0 {
        return Err(DomainError::invalid(
            "maxIterations",
            "a fit needs at least one step",
        ));
    }
    Ok(())
}

fn check_rows(width: usize, rows: &[Vec<f64>]) -> DomainResult<()> {
    if width == 0 {
        return Err(DomainError::invalid(
            "featureNames",
            "a model needs at least one feature",
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        check_row(&format!("rows[{i}]"), width, row)?;
    }
    Ok(())
}

fn check_row(field: &str, width: usize, row: &[f64]) -> DomainResult<()> {
    if row.len() != width {
        return Err(DomainError::invalid(
            field,
            format!("{} values for {width} features", row.len()),
        ));
    }
    if let Some(j) = row.iter().position(|v| !v.is_finite()) {
        return Err(DomainError::invalid(
            format!("{field}[{j}]"),
            format!("must be a finite number, got {}", row[j]),
        ));
    }
    Ok(())
}

/// Each column's mean and population standard deviation (two passes, for accuracy). A column
/// whose values are all equal gets a deviation of exactly 0, whatever rounding the mean picked
/// up.
fn standardisation(width: usize, rows: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len() as f64;
    let mut means = vec![0.0; width];
    let mut stds = vec![0.0; width];
    for j in 0..width {
        let first = rows[0][j];
        if rows.iter().all(|r| r[j] == first) {
            means[j] = first;
            continue;
        }
        let mean = rows.iter().map(|r| r[j]).sum::<f64>() / n;
        let var = rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n;
        means[j] = mean;
        stds[j] = var.sqrt();
    }
    (means, stds)
}

fn standardise(row: &[f64], means: &[f64], stds: &[f64]) -> Vec<f64> {
    row.iter()
        .zip(means.iter().zip(stds))
        .map(|(x, (m, s))| if *s > 0.0 { (x - m) / s } else { 0.0 })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `ln(1 + eᵗ)` without overflow.
fn softplus(t: f64) -> f64 {
    t.max(0.0) + (-t.abs()).exp().ln_1p()
}

/// The objective at `theta` = (intercept, coefficients…).
fn objective(z: &[Vec<f64>], y: &[f64], c: f64, theta: &[f64]) -> f64 {
    let penalty = 0.5 * dot(&theta[1..], &theta[1..]);
    let loss: f64 = z
        .iter()
        .zip(y)
        .map(|(row, yi)| {
            let eta = theta[0] + dot(&theta[1..], row);
            softplus(eta) - yi * eta
        })
        .sum();
    penalty + c * loss
}

/// Newton's method from zero; returns the parameters and the steps taken.
///
/// Stops once the full Newton step moves no parameter by more than 1e-12 (relative to the
/// largest), or the gradient is negligible against the size of the loss: quadratic convergence
/// has then reached the limit of double precision. Near the minimum the objective changes by
/// less than its own rounding, so a step that does not raise it beyond rounding is taken whole;
/// requiring a strict fall there would stall the fit a few digits short (about 1e-9 on the
/// reference fixture).
fn newton(z: &[Vec<f64>], y: &[f64], options: FitOptions) -> DomainResult<(Vec<f64>, usize)> {
    let dim = z[0].len() + 1;
    let c = options.c;
    let loss_scale = c * z.len() as f64;
    let mut theta = vec![0.0; dim];
    let mut value = objective(z, y, c, &theta);
    for iteration in 1..=options.max_iterations {
        let (gradient, hessian) = derivatives(z, y, c, &theta);
        let step = solve_cholesky(hessian, &gradient)?;
        let largest = theta.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        let step_size = step.iter().fold(0.0f64, |m, s| m.max(s.abs()));
        let gradient_size = gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        if step_size <= 1e-12 * largest || gradient_size <= 1e-13 * loss_scale {
            for (v, s) in theta.iter_mut().zip(&step) {
                *v -= s;
            }
            return Ok((theta, iteration));
        }
        // The Newton direction is −step; backtrack until the objective falls enough (Armijo),
        // or stays within rounding of where it was.
        let slope = -dot(&gradient, &step);
        let noise = 16.0 * f64::EPSILON * value.abs().max(1.0);
        let mut t = 1.0;
        loop {
            let next: Vec<f64> = theta.iter().zip(&step).map(|(v, s)| v - t * s).collect();
            let next_value = objective(z, y, c, &next);
            if next_value <= value + 1e-4 * t * slope || next_value <= value + noise {
                theta = next;
                value = next_value;
                break;
            }
            t *= 0.5;
            if t < 1e-10 {
                return Err(not_settled());
            }
        }
    }
    Err(not_settled())
}

fn not_settled() -> DomainError {
    DomainError::Conflict(
        "the renewal model did not settle; the outcomes may be perfectly separated by the \
         features, which a smaller C (stronger regularisation) cures"
            .to_owned(),
    )
}

/// The objective's gradient and Hessian at `theta`.
fn derivatives(z: &[Vec<f64>], y: &[f64], c: f64, theta: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let dim = theta.len();
    let mut gradient = vec![0.0; dim];
    let mut hessian = vec![vec![0.0; dim]; dim];
    for (row, yi) in z.iter().zip(y) {
        let p = sigmoid(theta[0] + dot(&theta[1..], row));
        let weight = c * p * (1.0 - p);
        let residual = c * (p - yi);
        for a in 0..dim {
            let xa = if a == 0 { 1.0 } else { row[a - 1] };
            gradient[a] += residual * xa;
            for (b, cell) in hessian[a].iter_mut().enumerate() {
                let xb = if b == 0 { 1.0 } else { row[b - 1] };
                *cell += weight * xa * xb;
            }
        }
    }
    for a in 1..dim {
        gradient[a] += theta[a];
        hessian[a][a] += 1.0;
    }
    (gradient, hessian)
}

/// Solves `a · x = b` for a symmetric positive-definite `a`.
fn solve_cholesky(mut a: Vec<Vec<f64>>, b: &[f64]) -> DomainResult<Vec<f64>> {
    let n = b.len();
    for j in 0..n {
        let diagonal = a[j][j] - (0..j).map(|k| a[j][k] * a[j][k]).sum::<f64>();
        if !(diagonal > 0.0 && diagonal.is_finite()) {
            return Err(DomainError::Conflict(
                "the fit became numerically singular; the outcomes may be perfectly separated \
                 by the features, which a smaller C (stronger regularisation) cures"
                    .to_owned(),
            ));
        }
        let root = diagonal.sqrt();
        a[j][j] = root;
        for i in j + 1..n {
            let s = a[i][j] - (0..j).map(|k| a[i][k] * a[j][k]).sum::<f64>();
            a[i][j] = s / root;
        }
    }
    let mut x = b.to_vec();
    for i in 0..n {
        x[i] = (x[i] - (0..i).map(|k| a[i][k] * x[k]).sum::<f64>()) / a[i][i];
    }
    for i in (0..n).rev() {
        x[i] = (x[i] - (i + 1..n).map(|k| a[k][i] * x[k]).sum::<f64>()) / a[i][i];
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("f{i}")).collect()
    }

    /// Two overlapping groups: the second feature is constant.
    fn small() -> (Vec<Vec<f64>>, Vec<bool>) {
        let rows = vec![
            vec![1.0, 5.0],
            vec![2.0, 5.0],
            vec![3.0, 5.0],
            vec![4.0, 5.0],
            vec![5.0, 5.0],
            vec![6.0, 5.0],
        ];
        let outcomes = vec![false, false, true, false, true, true];
        (rows, outcomes)
    }

    #[test]
    fn a_training_set_of_one_class_is_refused() {
        let (rows, _) = small();
        let err = fit(&names(2), &rows, &[true; 6], FitOptions::default()).unwrap_err();
        assert!(err.to_string().contains("needs both kinds"), "{err}");
        let err = fit(&names(2), &rows, &[false; 6], FitOptions::default()).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "outcomes"));
    }

    #[test]
    fn rows_and_outcomes_must_line_up() {
        let (mut rows, outcomes) = small();
        assert!(fit(&names(2), &rows, &outcomes[..5], FitOptions::default()).is_err());
        rows[3] = vec![1.0];
        let err = fit(&names(2), &rows, &outcomes, FitOptions::default()).unwrap_err();
        assert_eq!(
            err,
            DomainError::invalid("rows[3]", "1 values for 2 features")
        );
    }

    #[test]
    fn values_that_are_not_finite_are_refused() {
        let (mut rows, outcomes) = small();
        rows[2][0] = f64::NAN;
        let err = fit(&names(2), &rows, &outcomes, FitOptions::default()).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "rows[2][0]"));
        let (rows, outcomes) = small();
        let model = fit(&names(2), &rows, &outcomes, FitOptions::default()).unwrap();
        assert!(model.predict(&[f64::INFINITY, 5.0]).is_err());
        assert!(model.predict(&[1.0]).is_err());
    }

    #[test]
    fn the_regularisation_must_be_positive() {
        let (rows, outcomes) = small();
        for c in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let options = FitOptions {
                c,
                ..FitOptions::default()
            };
            assert!(
                fit(&names(2), &rows, &outcomes, options).is_err(),
                "C = {c}"
            );
        }
    }

    #[test]
    fn a_constant_feature_gets_no_weight_and_no_division_by_zero() {
        let (rows, outcomes) = small();
        let model = fit(&names(2), &rows, &outcomes, FitOptions::default()).unwrap();
        assert_eq!(model.stds[1], 0.0);
        assert_eq!(model.means[1], 5.0);
        assert_eq!(model.coefficients[1], 0.0);
        // A value the training set never saw still scores, and moves nothing.
        let at_five = model.predict(&[3.5, 5.0]).unwrap();
        let at_ninety = model.predict(&[3.5, 90.0]).unwrap();
        assert_eq!(at_five, at_ninety);
        assert!(at_five.is_finite());
    }

    #[test]
    fn a_constant_column_with_an_inexact_mean_still_has_no_spread() {
        // 0.1 × 3 / 3 is not exactly 0.1 in binary; the column is constant all the same.
        let rows = vec![vec![0.1, 1.0], vec![0.1, 2.0], vec![0.1, 3.0]];
        let (means, stds) = standardisation(2, &rows);
        assert_eq!((means[0], stds[0]), (0.1, 0.0));
        assert!(stds[1] > 0.0);
    }

    #[test]
    fn contributions_add_up_with_the_intercept_to_the_log_odds() {
        let rows: Vec<Vec<f64>> = (0..12)
            .map(|i| vec![i as f64, (i * 7 % 5) as f64, 3.0, (i % 3) as f64])
            .collect();
        let outcomes: Vec<bool> = (0..12).map(|i| i % 4 != 0 && i > 3).collect();
        let model = fit(&names(4), &rows, &outcomes, FitOptions::default()).unwrap();
        let row = [4.0, 1.0, 3.0, 2.0];
        let parts = model.contributions(&row).unwrap();
        let sum: f64 = model.intercept + parts.iter().map(|p| p.log_odds).sum::<f64>();
        let log_odds = model.log_odds(&row).unwrap();
        assert!((sum - log_odds).abs() < 1e-12, "{sum} vs {log_odds}");
        assert!((sigmoid(log_odds) - model.predict(&row).unwrap()).abs() < 1e-15);
        // Largest in size first, and signed.
        for pair in parts.windows(2) {
            assert!(pair[0].log_odds.abs() >= pair[1].log_odds.abs());
        }
        let first = &parts[0];
        let j = model
            .feature_names
            .iter()
            .position(|n| *n == first.feature)
            .unwrap();
        assert_eq!(first.value, row[j]);
        assert!((first.log_odds - model.coefficients[j] * first.standardised).abs() < 1e-15);
    }

    #[test]
    fn stronger_regularisation_shrinks_the_coefficients() {
        let (rows, outcomes) = small();
        let loose = fit(&names(2), &rows, &outcomes, FitOptions::default()).unwrap();
        let tight = fit(
            &names(2),
            &rows,
            &outcomes,
            FitOptions {
                c: 0.01,
                ..FitOptions::default()
            },
        )
        .unwrap();
        assert!(loose.coefficients[0] > 0.0);
        assert!(tight.coefficients[0] > 0.0);
        assert!(tight.coefficients[0] < loose.coefficients[0]);
    }

    #[test]
    fn perfectly_separated_outcomes_still_settle_under_the_penalty() {
        // Unpenalised, the coefficient would grow without end; the penalty holds it.
        let rows: Vec<Vec<f64>> = (0..8).map(|i| vec![i as f64]).collect();
        let outcomes: Vec<bool> = (0..8).map(|i| i >= 4).collect();
        let options = FitOptions {
            c: 100.0,
            ..FitOptions::default()
        };
        let model = fit(&names(1), &rows, &outcomes, options).unwrap();
        assert!(model.coefficients[0].is_finite());
        assert!(model.predict(&[7.0]).unwrap() > 0.99);
        assert!(model.predict(&[0.0]).unwrap() < 0.01);
        assert!(model.iterations < 30, "{} steps", model.iterations);
    }

    #[test]
    fn a_model_survives_a_round_trip_through_json() {
        let (rows, outcomes) = small();
        let model = fit(&names(2), &rows, &outcomes, FitOptions::default()).unwrap();
        let json = serde_json::to_string(&model).unwrap();
        assert!(json.contains("\"featureNames\""), "{json}");
        let back: Model = serde_json::from_str(&json).unwrap();
        assert_eq!(back.feature_names, model.feature_names);
        // JSON keeps every digit serde prints; parsing may land one unit in the last place off.
        let drift =
            (back.predict(&[2.0, 5.0]).unwrap() - model.predict(&[2.0, 5.0]).unwrap()).abs();
        assert!(drift < 1e-15, "{drift}");
        assert!((back.coefficients[0] - model.coefficients[0]).abs() < 1e-15);
    }

    #[test]
    fn the_logistic_function_does_not_overflow() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() < 1e-15);
        assert!((softplus(-800.0)).abs() < 1e-300);
        assert_eq!(softplus(800.0), 800.0);
    }
}
