//! Health models and scores: a named, versioned set of weighted components whose scores (each
//! 0–100) combine into a 0–100 health score, mapped to HEALTHY, AT_RISK or CRITICAL.
//!
//! Weights are kept in basis points (10,000 = 100 %) so that validation is exact. A component
//! without data for an account is left out and the others' weights are scaled up to fill its
//! place, so a missing survey neither drags a score down nor props it up; the breakdown says
//! which components counted.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::account::TouchTier;
use crate::ids::{AccountId, HealthModelId, HealthScoreId, SegmentId};
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

/// What is known about an account on the day its health is computed: the inputs of the
/// components. `None` means "no data", which leaves the component out of the score.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    /// Days with any usage among the last 30; `None` when the account never reported usage.
    pub active_days_30: Option<i64>,
    /// Configured key features used in the last 30 days.
    pub key_features_used_30: i64,
    /// Configured key features (0 leaves adoption breadth out).
    pub key_features: i64,
    /// NPS answers in the last 180 days: promoters, passives, detractors.
    pub nps: Option<(i64, i64, i64)>,
    /// The average CSAT (1–5) in the last 180 days.
    pub csat_average: Option<f64>,
    /// Open tickets weighed by priority (1 low … 8 urgent); 0 with none open.
    pub open_ticket_weight: i64,
    /// The latest billing status, if one was ever recorded.
    pub billing: Option<crate::signals::BillingStatus>,
    /// Days since the team last engaged (a business review or logged services time).
    pub days_since_engaged: Option<i64>,
    /// Goals by status: on track, at risk, achieved, missed (not-started goals do not count).
    pub goals: GoalCounts,
}

/// An account's goals that have started, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GoalCounts {
    /// ON_TRACK.
    pub on_track: i64,
    /// AT_RISK.
    pub at_risk: i64,
    /// ACHIEVED.
    pub achieved: i64,
    /// MISSED.
    pub missed: i64,
}

impl Signals {
    /// Each component's 0–100 score, for the components with data:
    ///
    /// - usage: 5 points per active day in the last 30 (20 active days is full marks);
    /// - adoption breadth: the share of the key features used in the last 30 days;
    /// - NPS: the account's NPS (−100…100) mapped onto 0–100;
    /// - CSAT: the average (1–5) mapped onto 0–100;
    /// - support load: 100 less 10 per weighed open ticket (an urgent ticket costs 80);
    /// - billing: CURRENT 100, OVERDUE 40, DELINQUENT 0;
    /// - engagement recency: 100 within 30 days, falling linearly to 0 at 120 days;
    /// - goal attainment: achieved and on-track goals count fully, at-risk ones half, missed
    ///   ones not at all.
    pub fn component_scores(&self) -> HashMap<Component, f64> {
        let mut out = HashMap::new();
        if let Some(days) = self.active_days_30 {
            out.insert(Component::Usage, (days as f64 * 5.0).min(100.0));
        }
        if self.key_features > 0 {
            out.insert(
                Component::AdoptionBreadth,
                (self.key_features_used_30 as f64 * 100.0 / self.key_features as f64).min(100.0),
            );
        }
        if let Some((p, n, d)) = self.nps
            && let Some(nps) = crate::metrics::nps(p, n, d)
        {
            out.insert(Component::Nps, (nps + 100.0) / 2.0);
        }
        if let Some(avg) = self.csat_average {
            out.insert(Component::Csat, ((avg - 1.0) * 25.0).clamp(0.0, 100.0));
        }
        out.insert(
            Component::SupportLoad,
            (100.0 - 10.0 * self.open_ticket_weight as f64).max(0.0),
        );
        if let Some(billing) = self.billing {
            use crate::signals::BillingStatus::*;
            out.insert(
                Component::BillingStatus,
                match billing {
                    Current => 100.0,
                    Overdue => 40.0,
                    Delinquent => 0.0,
                },
            );
        }
        if let Some(days) = self.days_since_engaged {
            let score = if days <= 30 {
                100.0
            } else {
                (100.0 - (days - 30) as f64 * 100.0 / 90.0).max(0.0)
            };
            out.insert(Component::EngagementRecency, score);
        }
        let g = self.goals;
        let counted = g.on_track + g.at_risk + g.achieved + g.missed;
        if counted > 0 {
            let points = (g.on_track + g.achieved) as f64 + g.at_risk as f64 * 0.5;
            out.insert(Component::GoalAttainment, points * 100.0 / counted as f64);
        }
        out
    }
}

/// A health model as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthModel {
    /// Its id.
    pub id: HealthModelId,
    /// Its current definition.
    pub def: HealthModelDef,
    /// The touch tier it scores, when it is scoped to one.
    pub touch_tier: Option<TouchTier>,
    /// The segment it scores, when it is scoped to one.
    pub segment_id: Option<SegmentId>,
    /// Its version: 1 when created, one more with every change of definition.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was archived.
    pub archived_at: Option<DateTime<Utc>>,
}

/// A computed score as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRecord {
    /// Its id.
    pub id: HealthScoreId,
    /// The account.
    pub account_id: AccountId,
    /// The model it came from.
    pub model_id: HealthModelId,
    /// The model's version then.
    pub model_version: i32,
    /// The score, its status and its breakdown.
    pub score: Score,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
}

impl ScoreRecord {
    /// The score without its breakdown, and the breakdown.
    pub fn into_parts(self) -> (ScoreOutline, Vec<Part>) {
        (
            ScoreOutline {
                id: self.id,
                account_id: self.account_id,
                model_id: self.model_id,
                model_version: self.model_version,
                value: self.score.value,
                status: self.score.status,
                computed_at: self.computed_at,
            },
            self.score.breakdown,
        )
    }
}

/// A computed score without its breakdown: what a list of accounts shows (a dashboard reads 50
/// at a time), read without casting, sending or parsing the breakdown's JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreOutline {
    /// Its id.
    pub id: HealthScoreId,
    /// The account.
    pub account_id: AccountId,
    /// The model it came from.
    pub model_id: HealthModelId,
    /// The model's version then.
    pub model_version: i32,
    /// 0–100, to one decimal.
    pub value: f64,
    /// What it means under the model's thresholds.
    pub status: HealthStatus,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
}

/// What a batch run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecomputeReport {
    /// Live accounts looked at.
    pub accounts: usize,
    /// Accounts that got a new score.
    pub scored: usize,
    /// Accounts whose status changed (a `HEALTH_STATUS_CHANGED` event each).
    pub status_changes: usize,
    /// Accounts no model applied to, or with no signal any model weighs.
    pub skipped: usize,
}

/// A score from elsewhere — a former tool's history, demo or benchmark data — stored as if
/// computed at `computed_at`.
#[derive(Debug, Clone)]
pub struct ImportedScore {
    /// The account.
    pub account_id: AccountId,
    /// The model it is attributed to.
    pub model_id: HealthModelId,
    /// The model's version then.
    pub model_version: i32,
    /// The score, its status and its breakdown.
    pub score: Score,
    /// When it was computed.
    pub computed_at: DateTime<Utc>,
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

    #[test]
    fn signals_become_component_scores() {
        let s = Signals {
            active_days_30: Some(10),
            key_features_used_30: 3,
            key_features: 4,
            nps: Some((2, 1, 1)),
            csat_average: Some(4.0),
            open_ticket_weight: 3,
            billing: Some(crate::signals::BillingStatus::Overdue),
            days_since_engaged: Some(75),
            goals: GoalCounts {
                on_track: 1,
                at_risk: 1,
                achieved: 1,
                missed: 1,
            },
        };
        let c = s.component_scores();
        assert_eq!(c[&Component::Usage], 50.0);
        assert_eq!(c[&Component::AdoptionBreadth], 75.0);
        // NPS (2 − 1) / 4 = 25 → 62.5 on the 0–100 scale.
        assert_eq!(c[&Component::Nps], 62.5);
        assert_eq!(c[&Component::Csat], 75.0);
        assert_eq!(c[&Component::SupportLoad], 70.0);
        assert_eq!(c[&Component::BillingStatus], 40.0);
        assert_eq!(c[&Component::EngagementRecency], 50.0);
        assert_eq!(c[&Component::GoalAttainment], 62.5);
        // Without data, only support load (no open tickets: no load) is known.
        let empty = Signals::default().component_scores();
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[&Component::SupportLoad], 100.0);
    }
}
