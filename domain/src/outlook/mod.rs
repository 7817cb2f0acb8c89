//! The revenue outlook's likelihood to renew: a logistic model fitted on the vendor's own closed
//! renewals, which always says why (the features that moved a score) and how well it called the
//! past (a backtest beside the manager's own calls).
//!
//! - [`features`]: what the model looks at, with labels and readings in words;
//! - [`logistic`]: the model and its fit (L2-regularised logistic regression, Newton's method);
//! - [`metrics`]: AUC, Brier score and calibration, for the model and the manager alike.
//!
//! The fit is checked against scikit-learn on a fixture (`tests/reference/outlook.py`, asserted
//! in this module's `reference` tests).

pub mod features;
pub mod logistic;
pub mod metrics;

#[cfg(test)]
mod reference;
