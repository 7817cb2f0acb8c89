//! The revenue outlook's likelihood to renew: a logistic model fitted on the vendor's own closed
//! renewals, which always says why (the features that moved a score) and how well it called the
//! past (a backtest beside the manager's own calls).
//!
//! - [`features`]: what the model looks at, with labels and readings in words;
//! - [`logistic`]: the model and its fit (L2-regularised logistic regression, Newton's method);
//! - [`metrics`]: AUC, Brier score and calibration, for the model and the manager alike;
//! - [`backtest`]: the split by date, the fit on the older renewals and the grading;
//! - [`revenue`]: the revenue outlook of a period, probability-weighted, with GRR/NRR bands.
//!
//! Here: the settings, [`train`] (backtest, then fit on all history) and [`likelihood`] (one
//! renewal's score and reasons, or "not enough history").
//!
//! The fit is checked against scikit-learn on a fixture (`tests/reference/outlook.py`, asserted
//! in this module's `reference` tests).

pub mod backtest;
pub mod features;
pub mod logistic;
pub mod metrics;
pub mod revenue;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod reference;

use backtest::{Backtest, CallProbabilities, ClosedRenewal, Holdout};
use features::{Feature, Features};
use logistic::{FitOptions, Model};

use crate::{DomainError, DomainResult};

/// Closed renewals a vendor needs before the model answers with a number. With 24 features and a
/// fifth held out, fewer leaves a backtest of under ten renewals, whose AUC says little; the
/// regularisation keeps the fit itself sane well below that.
pub const MIN_CLOSED_RENEWALS: usize = 50;

/// How many reasons a score gives.
pub const TOP_REASONS: usize = 5;

/// How the outlook is fitted and read; one per vendor, with [`Default`] as a start.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Closed renewals needed before a likelihood is a number.
    pub min_closed: usize,
    /// How many of the most recent closed renewals the backtest holds out.
    pub holdout: Holdout,
    /// The fit's regularisation and step limit.
    pub fit: FitOptions,
    /// What the manager's calls stand for, to grade them beside the model.
    pub calls: CallProbabilities,
    /// How many reasons a score gives.
    pub top: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            min_closed: MIN_CLOSED_RENEWALS,
            holdout: Holdout::default(),
            fit: FitOptions::default(),
            calls: CallProbabilities::default(),
            top: TOP_REASONS,
        }
    }
}

/// One feature's part in a score, in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    /// The feature.
    pub feature: Feature,
    /// Its value for this renewal.
    pub value: f64,
    /// What it adds to the log-odds of renewing: positive helps, negative hurts.
    pub log_odds: f64,
    /// The value in a reader's words ("health fell 12 points in 90 days").
    pub reading: String,
}

/// A renewal's likelihood to renew, as the model sees it.
///
/// Named apart from [`crate::renewal::Likelihood`], the manager's own call, which it stands
/// beside and does not replace.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LikelihoodToRenew {
    /// A probability and the reasons that moved it most.
    #[serde(rename_all = "camelCase")]
    Score {
        /// The probability of renewing, 0–1.
        probability: f64,
        /// The features that moved it most, the largest first; features at their average
        /// (or without data) move nothing and are not listed.
        top: Vec<Reason>,
        /// The version of the model that scored it.
        model_version: i32,
    },
    /// Too few closed renewals to learn from: a number would be a guess.
    #[serde(rename_all = "camelCase")]
    NotEnoughHistory {
        /// Closed renewals so far.
        closed: usize,
        /// Closed renewals needed.
        needed: usize,
    },
}

/// A model fitted on a vendor's history, with its backtest.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fitted {
    /// The model, fitted on every closed renewal (the backtest's model saw only the older
    /// ones; refitting on all of them uses the most recent evidence, and the backtest tells how
    /// well this way of fitting called renewals it had not seen).
    pub model: Model,
    /// How the same fit, on the older renewals, called the most recent ones.
    pub backtest: Backtest,
}

/// A fitted model as stored: numbered like health model versions, so that a score names the
/// fit that gave it and every fit's backtest stays readable.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlookModel {
    /// The model's id (the subject of its `OUTLOOK_MODEL_FITTED` event).
    pub id: uuid::Uuid,
    /// 1 for the first fit, then one more for each refit.
    pub version: i32,
    /// When it was fitted.
    pub fitted_at: chrono::DateTime<chrono::Utc>,
    /// Who fitted it: a caller's subject, or `system` for the schedule.
    pub fitted_by: String,
    /// How many closed renewals it learned from.
    pub closed_renewals: usize,
    /// The model and its backtest.
    pub fitted: Fitted,
    /// The settings it was fitted with.
    pub settings: Settings,
}

/// What fitting on a vendor's history gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Training {
    /// A model and its backtest.
    Fitted(Box<Fitted>),
    /// Too few closed renewals.
    NotEnoughHistory {
        /// Closed renewals so far.
        closed: usize,
        /// Closed renewals needed.
        needed: usize,
    },
}

/// Backtests, then fits the model on all of `closed`; answers "not enough history" below the
/// settings' minimum, and refuses a history with only one outcome.
pub fn train(closed: &[ClosedRenewal], settings: &Settings) -> DomainResult<Training> {
    if closed.len() < settings.min_closed {
        return Ok(Training::NotEnoughHistory {
            closed: closed.len(),
            needed: settings.min_closed,
        });
    }
    let renewed = closed.iter().filter(|r| r.renewed).count();
    if renewed == 0 || renewed == closed.len() {
        return Err(DomainError::Conflict(format!(
            "all {} closed renewals {}; the model needs renewals and churns to learn from",
            closed.len(),
            if renewed == 0 { "churned" } else { "renewed" }
        )));
    }
    let backtest = backtest::backtest(closed, settings.holdout, settings.fit, &settings.calls)?;
    let all: Vec<&ClosedRenewal> = closed.iter().collect();
    let model = backtest::fit_closed(&all, settings.fit)?;
    Ok(Training::Fitted(Box::new(Fitted { model, backtest })))
}

/// A renewal's likelihood to renew: "not enough history" while the vendor has fewer than the
/// minimum of `closed` renewals, otherwise the stored `model` (with its version) scores
/// `features` and names the features that moved the score most.
///
/// Refuses a model fitted on another set of features (it must be fitted again), and answers a
/// conflict when the history suffices but no model has been fitted yet.
pub fn likelihood(
    closed: usize,
    model: Option<(&Model, i32)>,
    features: &Features,
    settings: &Settings,
) -> DomainResult<LikelihoodToRenew> {
    if closed < settings.min_closed {
        return Ok(LikelihoodToRenew::NotEnoughHistory {
            closed,
            needed: settings.min_closed,
        });
    }
    let Some((model, model_version)) = model else {
        return Err(DomainError::Conflict(format!(
            "no renewal model has been fitted yet; fit one from the {closed} closed renewals"
        )));
    };
    if model.feature_names != Feature::names() {
        return Err(DomainError::Conflict(format!(
            "renewal model version {model_version} was fitted on other features; fit it again"
        )));
    }
    let row = features.scoring_row(&model.means)?;
    let probability = model.predict(&row)?;
    let top = model
        .contributions(&row)?
        .into_iter()
        .filter(|c| c.log_odds != 0.0)
        .take(settings.top)
        .filter_map(|c| {
            let feature = c.feature.parse::<Feature>().ok()?;
            Some(Reason {
                feature,
                value: c.value,
                log_odds: c.log_odds,
                reading: feature.reading(c.value),
            })
        })
        .collect();
    Ok(LikelihoodToRenew::Score {
        probability,
        top,
        model_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::TouchTier;
    use fixtures::history;

    fn fitted(closed: &[ClosedRenewal]) -> Model {
        match train(closed, &Settings::default()).unwrap() {
            Training::Fitted(f) => f.model,
            other => panic!("expected a fit, got {other:?}"),
        }
    }

    #[test]
    fn too_few_closed_renewals_answer_not_enough_history() {
        let closed = history(MIN_CLOSED_RENEWALS - 1);
        let settings = Settings::default();
        assert_eq!(
            train(&closed, &settings).unwrap(),
            Training::NotEnoughHistory {
                closed: MIN_CLOSED_RENEWALS - 1,
                needed: MIN_CLOSED_RENEWALS
            }
        );
        let f = Features::new(TouchTier::High, 12.0);
        assert_eq!(
            likelihood(12, None, &f, &settings).unwrap(),
            LikelihoodToRenew::NotEnoughHistory {
                closed: 12,
                needed: MIN_CLOSED_RENEWALS
            }
        );
    }

    #[test]
    fn the_minimum_is_configurable() {
        let closed = history(30);
        let settings = Settings {
            min_closed: 30,
            ..Settings::default()
        };
        assert!(matches!(
            train(&closed, &settings).unwrap(),
            Training::Fitted(_)
        ));
        let model = fitted(&history(60));
        let f = Features::new(TouchTier::High, 12.0);
        assert!(matches!(
            likelihood(30, Some((&model, 1)), &f, &settings).unwrap(),
            LikelihoodToRenew::Score { .. }
        ));
        assert!(matches!(
            likelihood(29, Some((&model, 1)), &f, &settings).unwrap(),
            LikelihoodToRenew::NotEnoughHistory { needed: 30, .. }
        ));
    }

    #[test]
    fn a_score_names_its_version_and_its_reasons_largest_first() {
        let closed = history(80);
        let model = fitted(&closed);
        let mut f = closed[0].features.clone();
        f.health_score = Some(25.0);
        f.health_change_90 = Some(-12.0);
        let LikelihoodToRenew::Score {
            probability,
            top,
            model_version,
        } = likelihood(80, Some((&model, 7)), &f, &Settings::default()).unwrap()
        else {
            panic!("expected a score");
        };
        assert_eq!(model_version, 7);
        assert!((0.0..1.0).contains(&probability));
        assert!(!top.is_empty() && top.len() <= TOP_REASONS);
        for pair in top.windows(2) {
            assert!(pair[0].log_odds.abs() >= pair[1].log_odds.abs());
        }
        // Poor, falling health is the main reason, and it hurts.
        assert_eq!(top[0].feature, Feature::HealthScore);
        assert!(top[0].log_odds < 0.0);
        let fell = top
            .iter()
            .find(|r| r.feature == Feature::HealthChange90)
            .unwrap();
        assert_eq!(fell.reading, "health fell 12 points in 90 days");
    }

    #[test]
    fn a_feature_without_data_is_not_a_reason() {
        let closed = history(80);
        let model = fitted(&closed);
        let mut f = closed[0].features.clone();
        f.health_score = None;
        let LikelihoodToRenew::Score { top, .. } =
            likelihood(80, Some((&model, 1)), &f, &Settings::default()).unwrap()
        else {
            panic!("expected a score");
        };
        assert!(top.iter().all(|r| r.feature != Feature::HealthScore));
    }

    #[test]
    fn a_model_of_other_features_or_none_at_all_is_refused() {
        let mut model = fitted(&history(60));
        let f = Features::new(TouchTier::High, 12.0);
        assert!(matches!(
            likelihood(60, None, &f, &Settings::default()),
            Err(DomainError::Conflict(_))
        ));
        model.feature_names[0] = "SOMETHING_ELSE".into();
        let err = likelihood(60, Some((&model, 3)), &f, &Settings::default()).unwrap_err();
        assert!(err.to_string().contains("version 3"), "{err}");
    }

    #[test]
    fn a_history_of_one_outcome_is_refused() {
        let mut closed = history(60);
        for r in &mut closed {
            r.renewed = false;
        }
        let err = train(&closed, &Settings::default()).unwrap_err();
        assert!(
            err.to_string().contains("all 60 closed renewals churned"),
            "{err}"
        );
    }

    #[test]
    fn training_backtests_on_the_latest_and_fits_on_everything() {
        let closed = history(60);
        let Training::Fitted(f) = train(&closed, &Settings::default()).unwrap() else {
            panic!("expected a fit");
        };
        assert_eq!(f.model.rows, 60);
        assert_eq!((f.backtest.trained_on, f.backtest.held_out), (48, 12));
        // The held-out twelve are the latest: they start at the 49th date.
        let mut dates: Vec<_> = closed.iter().map(|r| r.decided_on).collect();
        dates.sort();
        assert_eq!(f.backtest.held_out_from, dates[48]);
        assert!(dates[47] < dates[48]);
    }

    #[test]
    fn a_score_serialises_with_its_kind() {
        let json = serde_json::to_value(LikelihoodToRenew::NotEnoughHistory {
            closed: 3,
            needed: 50,
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "NOT_ENOUGH_HISTORY", "closed": 3, "needed": 50})
        );
    }
}
