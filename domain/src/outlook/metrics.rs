//! How well probabilities foretold outcomes: AUC, Brier score and calibration by decile.
//!
//! The same figures grade the model's scores and the manager's own calls (mapped to
//! probabilities), so the two can be set side by side on the same renewals.

use crate::{DomainError, DomainResult};

/// A probability given beforehand, and what happened.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prediction {
    /// The probability that the renewal would renew, 0–1.
    pub probability: f64,
    /// Whether it did.
    pub renewed: bool,
}

/// One tenth of the probability range, and how the predictions that fell in it turned out.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bin {
    /// Which tenth: 0 holds probabilities from 0 up to (not including) 0.1, …, 9 holds those
    /// from 0.9 up to and including 1.
    pub decile: u8,
    /// How many predictions fell in it (never 0: empty bins are left out).
    pub count: usize,
    /// Their mean probability.
    pub mean_predicted: f64,
    /// The share of them that renewed. A well-calibrated forecaster's is close to
    /// `mean_predicted` in every bin.
    pub observed_rate: f64,
}

/// A set of predictions graded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// How many predictions.
    pub count: usize,
    /// How many of them renewed.
    pub renewed: usize,
    /// The chance that a renewal that renewed was given a higher probability than one that did
    /// not (ties count half): 0.5 is a coin, 1 is perfect ranking. `None` unless both outcomes
    /// occur.
    pub auc: Option<f64>,
    /// The mean squared distance between probability and outcome (0 is perfect; always saying
    /// 0.5 scores 0.25). `None` without predictions.
    pub brier: Option<f64>,
    /// Calibration by decile of probability, non-empty bins only.
    pub calibration: Vec<Bin>,
}

/// Grades `predictions`, after checking that every probability lies in 0–1.
pub fn metrics(predictions: &[Prediction]) -> DomainResult<Metrics> {
    for (i, p) in predictions.iter().enumerate() {
        if !(0.0..=1.0).contains(&p.probability) {
            return Err(DomainError::invalid(
                format!("predictions[{i}].probability"),
                format!("must lie between 0 and 1, got {}", p.probability),
            ));
        }
    }
    Ok(Metrics {
        count: predictions.len(),
        renewed: predictions.iter().filter(|p| p.renewed).count(),
        auc: auc(predictions),
        brier: brier(predictions),
        calibration: calibration(predictions),
    })
}

/// The area under the ROC curve, computed as the Mann–Whitney statistic: over every pair of one
/// renewed and one lost renewal, the share where the renewed one had the higher probability,
/// ties counting half. `None` unless both outcomes occur.
///
/// Probabilities are expected to be numbers (see [`metrics`], which checks them).
pub fn auc(predictions: &[Prediction]) -> Option<f64> {
    let positives = predictions.iter().filter(|p| p.renewed).count();
    let negatives = predictions.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut sorted: Vec<&Prediction> = predictions.iter().collect();
    sorted.sort_by(|a, b| a.probability.total_cmp(&b.probability));
    // Sum of the renewed ones' ranks (1-based), tied values sharing their mean rank.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < sorted.len() {
        let mut end = start;
        while end + 1 < sorted.len() && sorted[end + 1].probability == sorted[start].probability {
            end += 1;
        }
        let mean_rank = (start + end) as f64 / 2.0 + 1.0;
        let renewed = sorted[start..=end].iter().filter(|p| p.renewed).count();
        rank_sum += mean_rank * renewed as f64;
        start = end + 1;
    }
    let (pos, neg) = (positives as f64, negatives as f64);
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// The Brier score: the mean of (probability − outcome)², with outcome 1 for renewed and 0 for
/// lost. `None` without predictions.
pub fn brier(predictions: &[Prediction]) -> Option<f64> {
    if predictions.is_empty() {
        return None;
    }
    let total: f64 = predictions
        .iter()
        .map(|p| (p.probability - f64::from(u8::from(p.renewed))).powi(2))
        .sum();
    Some(total / predictions.len() as f64)
}

/// Calibration by decile: predictions grouped into ten equal-width bins of probability, each
/// bin's count, mean probability and observed renewal rate; empty bins are left out.
///
/// Bins are closed on the left (0.1 falls in decile 1), as a reader of "10–20 %" expects;
/// scikit-learn's `calibration_curve` closes them on the right, so the two differ only for a
/// probability exactly on a tenth.
pub fn calibration(predictions: &[Prediction]) -> Vec<Bin> {
    let mut count = [0usize; 10];
    let mut predicted = [0.0f64; 10];
    let mut renewed = [0usize; 10];
    for p in predictions {
        let d = decile(p.probability);
        count[d] += 1;
        predicted[d] += p.probability;
        renewed[d] += usize::from(p.renewed);
    }
    (0..10)
        .filter(|d| count[*d] > 0)
        .map(|d| Bin {
            decile: d as u8,
            count: count[d],
            mean_predicted: predicted[d] / count[d] as f64,
            observed_rate: renewed[d] as f64 / count[d] as f64,
        })
        .collect()
}

/// The decile a probability falls in, exact at the tenths as written in decimal (0.3 is in
/// decile 3 even though 0.3 × 10 is not exactly 3 in binary).
fn decile(probability: f64) -> usize {
    let guess = (probability * 10.0).floor().clamp(0.0, 9.0) as usize;
    if guess > 0 && probability < guess as f64 / 10.0 {
        guess - 1
    } else if guess < 9 && probability >= (guess + 1) as f64 / 10.0 {
        guess + 1
    } else {
        guess
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preds(list: &[(f64, bool)]) -> Vec<Prediction> {
        list.iter()
            .map(|(probability, renewed)| Prediction {
                probability: *probability,
                renewed: *renewed,
            })
            .collect()
    }

    #[test]
    fn perfect_ranking_scores_one_and_reversed_scores_zero() {
        let good = preds(&[(0.9, true), (0.8, true), (0.3, false), (0.1, false)]);
        assert_eq!(auc(&good), Some(1.0));
        let bad = preds(&[(0.1, true), (0.2, true), (0.7, false), (0.9, false)]);
        assert_eq!(auc(&bad), Some(0.0));
    }

    #[test]
    fn ties_between_outcomes_count_half() {
        // Pairs (renewed, lost): (0.7,0.7) tie → ½, (0.7,0.2) → 1, (0.4,0.7) → 0,
        // (0.4,0.2) → 1: 2.5 of 4.
        let p = preds(&[(0.7, true), (0.4, true), (0.7, false), (0.2, false)]);
        assert_eq!(auc(&p), Some(0.625));
        // Everyone given the same probability: no better than a coin.
        let flat = preds(&[(0.5, true), (0.5, false), (0.5, false)]);
        assert_eq!(auc(&flat), Some(0.5));
    }

    #[test]
    fn auc_needs_both_outcomes() {
        assert_eq!(auc(&preds(&[(0.3, true), (0.6, true)])), None);
        assert_eq!(auc(&[]), None);
    }

    #[test]
    fn brier_is_the_mean_squared_error() {
        // (0.8 − 1)² + (0.4 − 0)² = 0.04 + 0.16; over 2.
        let p = preds(&[(0.8, true), (0.4, false)]);
        assert!((brier(&p).unwrap() - 0.1).abs() < 1e-15);
        assert_eq!(brier(&preds(&[(1.0, true), (0.0, false)])), Some(0.0));
        assert_eq!(brier(&[]), None);
    }

    #[test]
    fn calibration_bins_by_tenth_and_leaves_out_empty_bins() {
        let p = preds(&[
            (0.05, false),
            (0.1, true), // on the edge: decile 1
            (0.15, false),
            (0.3, true), // 0.3 × 10 is 3.0000000000000004 in binary; still decile 3
            (0.95, true),
            (1.0, false), // the top edge belongs to decile 9
        ]);
        let bins = calibration(&p);
        let deciles: Vec<u8> = bins.iter().map(|b| b.decile).collect();
        assert_eq!(deciles, vec![0, 1, 3, 9]);
        assert_eq!(bins[1].count, 2);
        assert!((bins[1].mean_predicted - 0.125).abs() < 1e-15);
        assert_eq!(bins[1].observed_rate, 0.5);
        assert_eq!(bins[3].count, 2);
        assert_eq!(bins[3].observed_rate, 0.5);
        assert!((bins[3].mean_predicted - 0.975).abs() < 1e-15);
    }

    #[test]
    fn deciles_are_exact_at_every_tenth() {
        for k in 0..10 {
            let tenth = k as f64 / 10.0;
            assert_eq!(decile(tenth), k, "{tenth}");
            if k > 0 {
                assert_eq!(decile(tenth - 1e-12), k - 1, "just below {tenth}");
            }
        }
        assert_eq!(decile(1.0), 9);
        // Decimal literals too, which are not always k / 10 to the last bit.
        for (p, d) in [(0.3, 3), (0.6, 6), (0.7, 7), (0.9, 9)] {
            assert_eq!(decile(p), d, "{p}");
        }
    }

    #[test]
    fn metrics_refuse_a_probability_outside_zero_to_one() {
        let err = metrics(&preds(&[(0.2, true), (1.2, false)])).unwrap_err();
        assert!(
            matches!(err, DomainError::Invalid { ref field, .. } if field == "predictions[1].probability")
        );
        assert!(metrics(&preds(&[(f64::NAN, true)])).is_err());
    }

    #[test]
    fn metrics_gather_the_figures() {
        let m = metrics(&preds(&[(0.9, true), (0.2, false), (0.6, true)])).unwrap();
        assert_eq!((m.count, m.renewed), (3, 2));
        assert_eq!(m.auc, Some(1.0));
        assert_eq!(m.calibration.len(), 3);
        let empty = metrics(&[]).unwrap();
        assert_eq!((empty.auc, empty.brier), (None, None));
        assert!(empty.calibration.is_empty());
    }
}
