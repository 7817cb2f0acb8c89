//! Health models and scores: a named, versioned set of weighted components whose scores (each
//! 0–100) combine into a 0–100 health score, mapped to HEALTHY, AT_RISK or CRITICAL.
//!
//! Weights are kept in basis points (10,000 = 100 %) so that validation is exact. A component
//! without data for an account is left out and the others' weights are scaled up to fill its
//! place, so a missing survey neither drags a score down nor props it up; the breakdown says
//! which components counted.

use std::collections::HashMap;

use crate::{DomainError, DomainResult, text};

crate::text_enum! {
    /// A signal a health model can weigh.
    pub enum Component {
        /// How much the product is used.
        Usage = "USAGE",
        /// How many of the key features are used.
        AdoptionBreadth = "ADOPTION_BREADTH",
        /// Net promoter score.
        Nps = "NPS",
        /// Customer satisfaction.
        Csat = "CSAT",
        /// Support tickets, weighed by priority (fewer is healthier).
        SupportLoad = "SUPPORT_LOAD",
        /// Whether invoices are paid.
        BillingStatus = "BILLING_STATUS",
        /// How recently the team engaged with the account.
        EngagementRecency = "ENGAGEMENT_RECENCY",
        /// Share of success-plan goals on track or achieved.
        GoalAttainment = "GOAL_ATTAINMENT",
    }
}

crate::text_enum! {
    /// What a score means.
    pub enum HealthStatus {
        /// At or above the healthy threshold.
        Healthy = "HEALTHY",
        /// Between the two thresholds.
        AtRisk = "AT_RISK",
        /// Below the at-risk threshold.
        Critical = "CRITICAL",
    }
}

/// A component and its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Weight {
    /// The component.
    pub component: Component,
    /// Its weight in basis points (2,500 = 25 %).
    pub basis_points: u32,
}

/// A health model's definition.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthModelDef {
    /// Its name.
    pub name: String,
    /// Its components and their weights; they sum to 10,000 basis points.
    pub weights: Vec<Weight>,
    /// Scores at or above this are HEALTHY.
    pub healthy_from: u32,
    /// Scores at or above this (and below `healthy_from`) are AT_RISK; below, CRITICAL.
    pub at_risk_from: u32,
}

impl HealthModelDef {
    /// Checks the definition: a name, known components at most once, non-negative weights
    /// summing to exactly 100 %, and thresholds with 0 < at-risk < healthy ≤ 100.
    pub fn validate(mut self) -> DomainResult<HealthModelDef> {
        self.name = text::required("name", &self.name, 200)?;
        if self.weights.is_empty() {
            return Err(DomainError::invalid(
                "weights",
                "a model needs at least one component",
            ));
        }
        let mut seen = Vec::new();
        for (i, w) in self.weights.iter().enumerate() {
            if seen.contains(&w.component) {
                return Err(DomainError::invalid(
                    format!("weights[{i}]"),
                    format!("{} appears twice", w.component),
                ));
            }
            seen.push(w.component);
        }
        let total: u32 = self.weights.iter().map(|w| w.basis_points).sum();
        if total != 10_000 {
            return Err(DomainError::invalid(
                "weights",
                format!(
                    "the weights add up to {}.{:02} %; they must add up to 100 %",
                    total / 100,
                    total % 100
                ),
            ));
        }
        if !(0 < self.at_risk_from
            && self.at_risk_from < self.healthy_from
            && self.healthy_from <= 100)
        {
            return Err(DomainError::invalid(
                "thresholds",
                format!(
                    "need 0 < atRiskFrom < healthyFrom ≤ 100, got atRiskFrom {} and healthyFrom {}",
                    self.at_risk_from, self.healthy_from
                ),
            ));
        }
        Ok(self)
    }

    /// The status of a score.
    pub fn status(&self, score: f64) -> HealthStatus {
        if score >= self.healthy_from as f64 {
            HealthStatus::Healthy
        } else if score >= self.at_risk_from as f64 {
            HealthStatus::AtRisk
        } else {
            HealthStatus::Critical
        }
    }

    /// The score from component scores (each 0–100; absent components are left out and the
    /// others' weights scaled to fill their place). `None` when no weighted component has data.
    pub fn score(&self, inputs: &HashMap<Component, f64>) -> Option<Score> {
        let present: Vec<(&Weight, f64)> = self
            .weights
            .iter()
            .filter(|w| w.basis_points > 0)
            .filter_map(|w| inputs.get(&w.component).map(|s| (w, s.clamp(0.0, 100.0))))
            .collect();
        let counted: u32 = present.iter().map(|(w, _)| w.basis_points).sum();
        if counted == 0 {
            return None;
        }
        let breakdown: Vec<Part> = present
            .iter()
            .map(|(w, s)| {
                let effective = w.basis_points as f64 / counted as f64;
                Part {
                    component: w.component,
                    score: *s,
                    weight: effective,
                    contribution: s * effective,
                }
            })
            .collect();
        let total = (breakdown.iter().map(|p| p.contribution).sum::<f64>() * 10.0).round() / 10.0;
        Some(Score {
            value: total,
            status: self.status(total),
            breakdown,
        })
    }
}

/// One component's part in a score.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    /// The component.
    pub component: Component,
    /// Its score, 0–100.
    pub score: f64,
    /// Its effective weight, 0–1 (after leaving out components without data).
    pub weight: f64,
    /// `score × weight`: the points it adds.
    pub contribution: f64,
}

/// A computed health score.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    /// 0–100, to one decimal.
    pub value: f64,
    /// What it means under the model's thresholds.
    pub status: HealthStatus,
    /// How it was made.
    pub breakdown: Vec<Part>,
}

/// Which components moved a score since the previous one, and by how many points, largest move
/// first: the answer to "why did this account drop?".
pub fn explain(previous: &Score, current: &Score) -> Vec<(Component, f64)> {
    let before: HashMap<Component, f64> = previous
        .breakdown
        .iter()
        .map(|p| (p.component, p.contribution))
        .collect();
    let after: HashMap<Component, f64> = current
        .breakdown
        .iter()
        .map(|p| (p.component, p.contribution))
        .collect();
    let mut components: Vec<Component> = before.keys().chain(after.keys()).copied().collect();
    components.sort();
    components.dedup();
    let mut moves: Vec<(Component, f64)> = components
        .into_iter()
        .map(|c| {
            let delta =
                after.get(&c).copied().unwrap_or(0.0) - before.get(&c).copied().unwrap_or(0.0);
            (c, (delta * 10.0).round() / 10.0)
        })
        .filter(|(_, d)| *d != 0.0)
        .collect();
    moves.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    moves
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> HealthModelDef {
        HealthModelDef {
            name: "Default".into(),
            weights: vec![
                Weight {
                    component: Component::Usage,
                    basis_points: 4_000,
                },
                Weight {
                    component: Component::Nps,
                    basis_points: 3_000,
                },
                Weight {
                    component: Component::SupportLoad,
                    basis_points: 3_000,
                },
            ],
            healthy_from: 70,
            at_risk_from: 40,
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn weights_must_add_up_to_exactly_one_hundred_percent() {
        let mut m = model();
        m.weights[0].basis_points = 3_999;
        let err = m.validate().unwrap_err().to_string();
        assert!(err.contains("99.99 %"), "{err}");
    }

    #[test]
    fn a_component_may_appear_once_and_thresholds_must_be_ordered() {
        let mut m = model();
        m.weights[1].component = Component::Usage;
        assert!(
            m.validate()
                .unwrap_err()
                .to_string()
                .contains("USAGE appears twice")
        );
        let mut m = model();
        m.at_risk_from = 80;
        assert!(m.validate().is_err());
    }

    #[test]
    fn the_score_is_the_weighted_sum_with_a_breakdown() {
        let s = model()
            .score(&HashMap::from([
                (Component::Usage, 80.0),
                (Component::Nps, 50.0),
                (Component::SupportLoad, 90.0),
            ]))
            .unwrap();
        // 0.4 × 80 + 0.3 × 50 + 0.3 × 90 = 32 + 15 + 27
        assert_eq!(s.value, 74.0);
        assert_eq!(s.status, HealthStatus::Healthy);
        assert_eq!(s.breakdown.len(), 3);
        assert!((s.breakdown[0].contribution - 32.0).abs() < 1e-9);
    }

    #[test]
    fn a_component_without_data_is_left_out_and_the_rest_scaled_up() {
        let s = model()
            .score(&HashMap::from([
                (Component::Usage, 80.0),
                (Component::SupportLoad, 20.0),
            ]))
            .unwrap();
        // Usage 4/7 and support 3/7 of the score: 45.71 + 8.57
        assert_eq!(s.value, 54.3);
        assert_eq!(s.status, HealthStatus::AtRisk);
        assert!(model().score(&HashMap::new()).is_none());
    }

    #[test]
    fn statuses_follow_the_thresholds() {
        let m = model();
        assert_eq!(m.status(70.0), HealthStatus::Healthy);
        assert_eq!(m.status(69.9), HealthStatus::AtRisk);
        assert_eq!(m.status(40.0), HealthStatus::AtRisk);
        assert_eq!(m.status(39.9), HealthStatus::Critical);
    }

    #[test]
    fn an_explanation_lists_the_biggest_moves_first() {
        let m = model();
        let before = m
            .score(&HashMap::from([
                (Component::Usage, 80.0),
                (Component::Nps, 50.0),
                (Component::SupportLoad, 90.0),
            ]))
            .unwrap();
        let after = m
            .score(&HashMap::from([
                (Component::Usage, 40.0),
                (Component::Nps, 60.0),
                (Component::SupportLoad, 90.0),
            ]))
            .unwrap();
        assert_eq!(
            explain(&before, &after),
            vec![(Component::Usage, -16.0), (Component::Nps, 3.0)]
        );
    }
}
