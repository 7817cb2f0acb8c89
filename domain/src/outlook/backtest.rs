//! Backtesting: fit on the older closed renewals, score the most recent ones the model never
//! saw, and grade those scores, and the manager's own calls on the same renewals, the same way.
//!
//! Holding out by date rather than at random asks the question a vendor cares about: had this
//! model been fitted a few months ago, how well would it have called the renewals since?

use chrono::NaiveDate;

use super::features::{Feature, Features, training_rows};
use super::logistic::{self, FitOptions, Model};
use super::metrics::{self, Metrics, Prediction};
use crate::ids::RenewalId;
use crate::renewal::{Likelihood, RenewalOutcome};
use crate::{DomainError, DomainResult};

/// A decided renewal as the model learns from it.
///
/// `features` and `manager_call` are taken at the same snapshot before the decision (the
/// service picks it, say 90 days before the renewal date). The manager's call is the one that
/// stood then, not the last one before the decision, which usually is the answer already.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedRenewal {
    /// The renewal.
    pub renewal_id: RenewalId,
    /// The day it was decided; the holdout takes the latest.
    pub decided_on: NaiveDate,
    /// Its features at the snapshot.
    pub features: Features,
    /// Whether the account stayed (see [`renews`]).
    pub renewed: bool,
    /// The manager's likelihood at the snapshot, if one was set.
    pub manager_call: Option<Likelihood>,
}

/// Whether an outcome counts as renewing: RENEWED and DOWNGRADED do (the account stayed, at
/// whatever ARR), CHURNED does not. The model answers "will they stay?"; how much they renew
/// for is a separate question.
pub fn renews(outcome: RenewalOutcome) -> bool {
    !matches!(outcome, RenewalOutcome::Churned)
}

/// How many of the most recent closed renewals to hold out.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Holdout {
    /// A share of them (0.2 holds out the latest fifth), rounded, at least one.
    Fraction(f64),
    /// A number of them.
    Count(usize),
}

impl Default for Holdout {
    fn default() -> Self {
        Holdout::Fraction(0.2)
    }
}

impl Holdout {
    /// How many of `closed` renewals to hold out; refuses a split that leaves fewer than two to
    /// fit on or none to score.
    pub fn count(self, closed: usize) -> DomainResult<usize> {
        let held = match self {
            Holdout::Fraction(f) if f > 0.0 && f < 1.0 => {
                ((f * closed as f64).round() as usize).max(1)
            }
            Holdout::Fraction(f) => {
                return Err(DomainError::invalid(
                    "holdout",
                    format!("the share held out must lie strictly between 0 and 1, got {f}"),
                ));
            }
            Holdout::Count(0) => {
                return Err(DomainError::invalid(
                    "holdout",
                    "hold out at least one renewal",
                ));
            }
            Holdout::Count(n) => n,
        };
        if held + 2 > closed {
            return Err(DomainError::invalid(
                "holdout",
                format!(
                    "holding out {held} of {closed} closed renewals leaves fewer than two to fit on"
                ),
            ));
        }
        Ok(held)
    }
}

/// Closed renewals split by date.
#[derive(Debug, Clone, PartialEq)]
pub struct Split<'a> {
    /// The older ones, to fit on, oldest first.
    pub earlier: Vec<&'a ClosedRenewal>,
    /// The most recent ones, held out, oldest first.
    pub recent: Vec<&'a ClosedRenewal>,
}

/// Splits `closed` by decision date: the most recent ones (as many as `holdout` says) held out,
/// the rest to fit on. Renewals decided the same day are ordered by id, so the split does not
/// depend on the order they were read in.
pub fn split_by_date(closed: &[ClosedRenewal], holdout: Holdout) -> DomainResult<Split<'_>> {
    let held = holdout.count(closed.len())?;
    let mut sorted: Vec<&ClosedRenewal> = closed.iter().collect();
    sorted.sort_by_key(|r| (r.decided_on, r.renewal_id));
    let recent = sorted.split_off(sorted.len() - held);
    Ok(Split {
        earlier: sorted,
        recent,
    })
}

/// The probability each of the manager's calls stands for, so the calls can be graded like the
/// model's scores.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallProbabilities {
    /// COMMITTED.
    pub committed: f64,
    /// PROBABLE.
    pub probable: f64,
    /// AT_RISK.
    pub at_risk: f64,
    /// LOST.
    pub lost: f64,
}

impl Default for CallProbabilities {
    /// 0.9, 0.7, 0.4 and 0.1: what the words usually mean in a forecast call.
    fn default() -> Self {
        Self {
            committed: 0.9,
            probable: 0.7,
            at_risk: 0.4,
            lost: 0.1,
        }
    }
}

impl CallProbabilities {
    /// Checks that each call stands for a probability, 0–1.
    pub fn validate(self) -> DomainResult<CallProbabilities> {
        for (field, p) in [
            ("calls.committed", self.committed),
            ("calls.probable", self.probable),
            ("calls.atRisk", self.at_risk),
            ("calls.lost", self.lost),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(DomainError::invalid(
                    field,
                    format!("must be a probability between 0 and 1, got {p}"),
                ));
            }
        }
        Ok(self)
    }

    /// The probability a call stands for.
    pub fn probability(&self, call: Likelihood) -> f64 {
        match call {
            Likelihood::Committed => self.committed,
            Likelihood::Probable => self.probable,
            Likelihood::AtRisk => self.at_risk,
            Likelihood::Lost => self.lost,
        }
    }
}

/// Fits a model on closed renewals.
pub fn fit_closed(closed: &[&ClosedRenewal], options: FitOptions) -> DomainResult<Model> {
    let features: Vec<&Features> = closed.iter().map(|r| &r.features).collect();
    let rows = training_rows(&features)?;
    let outcomes: Vec<bool> = closed.iter().map(|r| r.renewed).collect();
    logistic::fit(&Feature::names(), &rows, &outcomes, options)
}

/// The model's probability that a renewal renews, a missing feature read as its training mean.
pub fn probability(model: &Model, features: &Features) -> DomainResult<f64> {
    model.predict(&features.scoring_row(&model.means)?)
}

/// What a backtest found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backtest {
    /// Closed renewals the backtest model was fitted on.
    pub trained_on: usize,
    /// Closed renewals held out and scored.
    pub held_out: usize,
    /// The earliest decision among the held-out renewals.
    pub held_out_from: NaiveDate,
    /// The model's scores on every held-out renewal, graded.
    pub model: Metrics,
    /// The manager's calls on the held-out renewals that had one, graded.
    pub manager: Metrics,
    /// The model's scores on exactly the renewals the manager called: the like-for-like
    /// comparison with `manager`.
    pub model_where_called: Metrics,
}

/// Holds out the most recent closed renewals, fits on the rest, and grades the model's scores
/// and the manager's calls on the held-out ones.
pub fn backtest(
    closed: &[ClosedRenewal],
    holdout: Holdout,
    options: FitOptions,
    calls: &CallProbabilities,
) -> DomainResult<Backtest> {
    let calls = calls.validate()?;
    let split = split_by_date(closed, holdout)?;
    let renewed = split.earlier.iter().filter(|r| r.renewed).count();
    if renewed == 0 || renewed == split.earlier.len() {
        return Err(DomainError::Conflict(format!(
            "the {} renewals decided before the held-out ones all {}; the model needs renewals \
             and churns to learn from",
            split.earlier.len(),
            if renewed == 0 { "churned" } else { "renewed" }
        )));
    }
    let model = fit_closed(&split.earlier, options)?;
    let mut scored = Vec::with_capacity(split.recent.len());
    let mut called = Vec::new();
    let mut scored_where_called = Vec::new();
    for r in &split.recent {
        let p = Prediction {
            probability: probability(&model, &r.features)?,
            renewed: r.renewed,
        };
        scored.push(p);
        if let Some(call) = r.manager_call {
            called.push(Prediction {
                probability: calls.probability(call),
                renewed: r.renewed,
            });
            scored_where_called.push(p);
        }
    }
    Ok(Backtest {
        trained_on: split.earlier.len(),
        held_out: split.recent.len(),
        held_out_from: split.recent[0].decided_on,
        model: metrics::metrics(&scored)?,
        manager: metrics::metrics(&called)?,
        model_where_called: metrics::metrics(&scored_where_called)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outlook::fixtures::{day, history};

    #[test]
    fn the_holdout_takes_the_most_recent_renewals_whatever_the_input_order() {
        let closed = history(20);
        let split = split_by_date(&closed, Holdout::Count(5)).unwrap();
        assert_eq!((split.earlier.len(), split.recent.len()), (15, 5));
        let latest_fit = split.earlier.iter().map(|r| r.decided_on).max().unwrap();
        let earliest_held = split.recent.iter().map(|r| r.decided_on).min().unwrap();
        assert!(latest_fit <= earliest_held);
        // The five latest dates in the fixture, oldest first.
        let mut dates: Vec<NaiveDate> = closed.iter().map(|r| r.decided_on).collect();
        dates.sort();
        let held: Vec<NaiveDate> = split.recent.iter().map(|r| r.decided_on).collect();
        assert_eq!(held, dates[15..].to_vec());
        // Reading them in another order splits them the same way.
        let mut reversed = closed.clone();
        reversed.reverse();
        let again = split_by_date(&reversed, Holdout::Count(5)).unwrap();
        let ids = |s: &Split<'_>| s.recent.iter().map(|r| r.renewal_id).collect::<Vec<_>>();
        assert_eq!(ids(&again), ids(&split));
    }

    #[test]
    fn renewals_decided_the_same_day_are_split_by_id() {
        let mut closed = history(4);
        for r in &mut closed {
            r.decided_on = day(0);
        }
        let split = split_by_date(&closed, Holdout::Count(1)).unwrap();
        let max_id = closed.iter().map(|r| r.renewal_id).max().unwrap();
        assert_eq!(split.recent[0].renewal_id, max_id);
    }

    #[test]
    fn a_fraction_is_rounded_and_never_empties_either_side() {
        assert_eq!(Holdout::Fraction(0.2).count(50), Ok(10));
        assert_eq!(Holdout::Fraction(0.2).count(12), Ok(2));
        assert_eq!(Holdout::Fraction(0.01).count(10), Ok(1));
        assert!(Holdout::Fraction(0.9).count(10).is_err());
        assert!(Holdout::Fraction(0.0).count(10).is_err());
        assert!(Holdout::Fraction(1.0).count(10).is_err());
        assert!(Holdout::Fraction(f64::NAN).count(10).is_err());
        assert!(Holdout::Count(0).count(10).is_err());
        assert_eq!(Holdout::Count(8).count(10), Ok(8));
        assert!(Holdout::Count(9).count(10).is_err());
    }

    #[test]
    fn a_downgrade_still_renews() {
        assert!(renews(RenewalOutcome::Renewed));
        assert!(renews(RenewalOutcome::Downgraded));
        assert!(!renews(RenewalOutcome::Churned));
    }

    #[test]
    fn the_manager_is_graded_on_the_renewals_they_called() {
        let mut closed = history(60);
        let bt = backtest(
            &closed,
            Holdout::Count(15),
            FitOptions::default(),
            &CallProbabilities::default(),
        )
        .unwrap();
        assert_eq!((bt.trained_on, bt.held_out), (45, 15));
        assert_eq!(bt.model.count, 15);
        let called = {
            let split = split_by_date(&closed, Holdout::Count(15)).unwrap();
            split
                .recent
                .iter()
                .filter(|r| r.manager_call.is_some())
                .count()
        };
        assert!(called < 15, "the fixture leaves some renewals uncalled");
        assert_eq!(bt.manager.count, called);
        assert_eq!(bt.model_where_called.count, called);
        // The held-out renewals have both outcomes, and the model ranks them better than a coin.
        assert!(bt.model.auc.unwrap() > 0.5, "{:?}", bt.model.auc);
        // Calls are graded at the probabilities they stand for.
        for r in &mut closed {
            r.manager_call = Some(Likelihood::Probable);
        }
        let flat = backtest(
            &closed,
            Holdout::Count(15),
            FitOptions::default(),
            &CallProbabilities::default(),
        )
        .unwrap();
        assert_eq!(flat.manager.auc, Some(0.5));
        assert_eq!(flat.manager.calibration.len(), 1);
        assert_eq!(flat.manager.calibration[0].decile, 7);
    }

    #[test]
    fn each_call_must_stand_for_a_probability() {
        assert!(CallProbabilities::default().validate().is_ok());
        let calls = CallProbabilities {
            at_risk: 1.4,
            ..CallProbabilities::default()
        };
        assert_eq!(
            calls.validate().unwrap_err(),
            DomainError::invalid(
                "calls.atRisk",
                "must be a probability between 0 and 1, got 1.4"
            )
        );
        assert!(
            backtest(
                &history(20),
                Holdout::Count(5),
                FitOptions::default(),
                &calls
            )
            .is_err()
        );
    }

    #[test]
    fn a_backtest_needs_both_outcomes_before_the_holdout() {
        let mut closed = history(20);
        for r in &mut closed {
            r.renewed = true;
        }
        let err = backtest(
            &closed,
            Holdout::Count(5),
            FitOptions::default(),
            &CallProbabilities::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("all renewed"), "{err}");
    }
}
