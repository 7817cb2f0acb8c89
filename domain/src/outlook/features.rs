//! What the likelihood to renew looks at: one vector of features per renewal, each with a label
//! and a phrase in a reader's words, so that a score can say why.
//!
//! The features are taken at a snapshot before the renewal is decided (the service picks the
//! moment; the model only needs every renewal, closed or open, read the same way). A feature
//! without data is `None`; the model reads it as the training set's average, so a missing survey
//! neither drags a likelihood down nor props it up, and never shows among the reasons.

use std::collections::HashMap;

use crate::account::TouchTier;
use crate::health::Component;
use crate::{DomainError, DomainResult};

crate::text_enum! {
    /// One feature of a renewal, in the order of the model's vectors.
    pub enum Feature {
        /// The account's health score, 0–100.
        HealthScore = "HEALTH_SCORE",
        /// Its change over the last 30 days, in points.
        HealthChange30 = "HEALTH_CHANGE_30",
        /// Its change over the last 90 days, in points.
        HealthChange90 = "HEALTH_CHANGE_90",
        /// The usage component, 0–100.
        Usage = "USAGE",
        /// The adoption-breadth component, 0–100.
        AdoptionBreadth = "ADOPTION_BREADTH",
        /// The CSAT component, 0–100.
        Csat = "CSAT",
        /// The billing component, 0–100.
        Billing = "BILLING",
        /// The engagement-recency component, 0–100.
        EngagementRecency = "ENGAGEMENT_RECENCY",
        /// The goal-attainment component, 0–100.
        GoalAttainment = "GOAL_ATTAINMENT",
        /// NPS, −100–100.
        Nps = "NPS",
        /// Open tickets weighed by priority (low 1 … urgent 8).
        SupportLoad = "SUPPORT_LOAD",
        /// Active days in the last 30 less those in the 30 before: the usage trend.
        UsageTrend = "USAGE_TREND",
        /// Open low risks.
        OpenRisksLow = "OPEN_RISKS_LOW",
        /// Open medium risks.
        OpenRisksMedium = "OPEN_RISKS_MEDIUM",
        /// Open high risks.
        OpenRisksHigh = "OPEN_RISKS_HIGH",
        /// Open critical risks.
        OpenRisksCritical = "OPEN_RISKS_CRITICAL",
        /// Engagement phases the customer accepted in the last year.
        PhasesAccepted = "PHASES_ACCEPTED",
        /// How late engagement phases end against plan, in days on average (negative: early).
        PhaseSlipDays = "PHASE_SLIP_DAYS",
        /// T&M hours as a percentage of approved services hours.
        TmShare = "TM_SHARE",
        /// Months since the account started.
        TenureMonths = "TENURE_MONTHS",
        /// 1 when served at the HIGH touch tier.
        TierHigh = "TIER_HIGH",
        /// 1 when served at the MEDIUM touch tier.
        TierMedium = "TIER_MEDIUM",
        /// 1 when served at the LOW touch tier.
        TierLow = "TIER_LOW",
        /// 1 when served at the TECH touch tier.
        TierTech = "TIER_TECH",
    }
}

impl Feature {
    /// The names the model stores, in vector order.
    pub fn names() -> Vec<String> {
        Feature::ALL.iter().map(|f| f.as_str().to_owned()).collect()
    }

    /// A short human name, for a legend or a column heading.
    pub fn label(self) -> &'static str {
        use Feature::*;
        match self {
            HealthScore => "Health score",
            HealthChange30 => "Health change over 30 days",
            HealthChange90 => "Health change over 90 days",
            Usage => "Usage score",
            AdoptionBreadth => "Adoption breadth",
            Csat => "CSAT score",
            Billing => "Billing score",
            EngagementRecency => "Engagement recency",
            GoalAttainment => "Goal attainment",
            Nps => "NPS",
            SupportLoad => "Support load",
            UsageTrend => "Usage trend (active days)",
            OpenRisksLow => "Open low risks",
            OpenRisksMedium => "Open medium risks",
            OpenRisksHigh => "Open high risks",
            OpenRisksCritical => "Open critical risks",
            PhasesAccepted => "Phases accepted in the last year",
            PhaseSlipDays => "Phase slip (days)",
            TmShare => "T&M share of services hours",
            TenureMonths => "Tenure (months)",
            TierHigh => "HIGH touch tier",
            TierMedium => "MEDIUM touch tier",
            TierLow => "LOW touch tier",
            TierTech => "TECH touch tier",
        }
    }

    /// The feature's value put in words, as a reason reads: "health fell 12 points in 90 days".
    pub fn reading(self, value: f64) -> String {
        use Feature::*;
        match self {
            HealthScore => format!("health score {}", number(value)),
            HealthChange30 => change("health", value, "points", 30),
            HealthChange90 => change("health", value, "points", 90),
            Usage => format!("usage score {} of 100", number(value)),
            AdoptionBreadth => format!("adoption breadth {} of 100", number(value)),
            Csat => format!("CSAT score {} of 100", number(value)),
            Billing => format!("billing score {} of 100", number(value)),
            EngagementRecency => format!("engagement recency {} of 100", number(value)),
            GoalAttainment => format!("goal attainment {} of 100", number(value)),
            Nps => format!("NPS {}", number(value)),
            SupportLoad if value == 0.0 => "no open tickets".to_owned(),
            SupportLoad => format!("open tickets weighing {}", number(value)),
            UsageTrend if value > 0.0 => {
                format!("{} more active days than in the 30 before", number(value))
            }
            UsageTrend if value < 0.0 => {
                format!("{} fewer active days than in the 30 before", number(-value))
            }
            UsageTrend => "as many active days as in the 30 before".to_owned(),
            OpenRisksLow => count(value, "open low risk"),
            OpenRisksMedium => count(value, "open medium risk"),
            OpenRisksHigh => count(value, "open high risk"),
            OpenRisksCritical => count(value, "open critical risk"),
            PhasesAccepted => format!("{} in the last year", count(value, "phase accepted")),
            PhaseSlipDays if value > 0.0 => {
                format!("phases ending {} days late on average", number(value))
            }
            PhaseSlipDays if value < 0.0 => {
                format!("phases ending {} days early on average", number(-value))
            }
            PhaseSlipDays => "phases ending on time on average".to_owned(),
            TmShare => format!("T&M {} % of services hours", number(value)),
            TenureMonths => format!("a customer for {} months", number(value)),
            TierHigh => tier(value, TouchTier::High),
            TierMedium => tier(value, TouchTier::Medium),
            TierLow => tier(value, TouchTier::Low),
            TierTech => tier(value, TouchTier::Tech),
        }
    }
}

/// A whole number as one, anything else to one decimal.
fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

fn change(what: &str, value: f64, unit: &str, days: u32) -> String {
    if value > 0.0 {
        format!("{what} rose {} {unit} in {days} days", number(value))
    } else if value < 0.0 {
        format!("{what} fell {} {unit} in {days} days", number(-value))
    } else {
        format!("{what} held steady over {days} days")
    }
}

fn count(value: f64, what: &str) -> String {
    if value == 0.0 {
        format!("no {}", plural(what))
    } else if value == 1.0 {
        format!("1 {what}")
    } else {
        format!("{} {}", number(value), plural(what))
    }
}

fn plural(what: &str) -> String {
    match what.strip_suffix("phase accepted") {
        Some(head) => format!("{head}phases accepted"),
        None => format!("{what}s"),
    }
}

fn tier(value: f64, tier: TouchTier) -> String {
    if value > 0.0 {
        format!("served at the {tier} touch tier")
    } else {
        format!("not served at the {tier} touch tier")
    }
}

/// Months of tenure after `days` as a customer, to a tenth, in the month length every figure
/// uses ([`crate::metrics::DAYS_PER_MONTH`]).
pub fn tenure_months(days: i64) -> f64 {
    (days.max(0) as f64 / crate::metrics::DAYS_PER_MONTH * 10.0).round() / 10.0
}

/// Open risks by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskCounts {
    /// LOW.
    pub low: i64,
    /// MEDIUM.
    pub medium: i64,
    /// HIGH.
    pub high: i64,
    /// CRITICAL.
    pub critical: i64,
}

/// A renewal's features at its snapshot. `None` means "no data".
///
/// The health components come from [`crate::health::Signals::component_scores`] (see
/// [`Features::set_components`]); NPS and support load enter in their own units rather than as
/// the components made from them, so that a reason reads "NPS −20", not a score out of 100.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Features {
    /// The health score, 0–100.
    pub health_score: Option<f64>,
    /// Its change over 30 days, in points.
    pub health_change_30: Option<f64>,
    /// Its change over 90 days, in points.
    pub health_change_90: Option<f64>,
    /// The usage component.
    pub usage: Option<f64>,
    /// The adoption-breadth component.
    pub adoption_breadth: Option<f64>,
    /// The CSAT component.
    pub csat: Option<f64>,
    /// The billing component.
    pub billing: Option<f64>,
    /// The engagement-recency component.
    pub engagement_recency: Option<f64>,
    /// The goal-attainment component.
    pub goal_attainment: Option<f64>,
    /// NPS over the health window, −100–100.
    pub nps: Option<f64>,
    /// Open tickets weighed by priority; 0 with none open.
    pub support_load: f64,
    /// Active days in the last 30 less those in the 30 before.
    pub usage_trend: Option<f64>,
    /// Open risks by severity.
    pub open_risks: RiskCounts,
    /// Engagement phases accepted in the last year.
    pub phases_accepted: i64,
    /// Mean end slip of engagement phases against plan, in days; `None` without a planned end.
    pub phase_slip_days: Option<f64>,
    /// T&M share of approved services hours, in percent; `None` without approved hours.
    pub tm_share: Option<f64>,
    /// Months since the account started.
    pub tenure_months: f64,
    /// The touch tier, read as four 0/1 features.
    pub touch_tier: TouchTier,
}

impl Features {
    /// Features with no data beyond the tier and tenure, for a caller to fill in.
    pub fn new(touch_tier: TouchTier, tenure_months: f64) -> Self {
        Self {
            health_score: None,
            health_change_30: None,
            health_change_90: None,
            usage: None,
            adoption_breadth: None,
            csat: None,
            billing: None,
            engagement_recency: None,
            goal_attainment: None,
            nps: None,
            support_load: 0.0,
            usage_trend: None,
            open_risks: RiskCounts::default(),
            phases_accepted: 0,
            phase_slip_days: None,
            tm_share: None,
            tenure_months,
            touch_tier,
        }
    }

    /// Takes the component scores a health computation produced; components without data stay
    /// `None`. NPS and support load are read from the signals in their own units instead.
    pub fn set_components(&mut self, scores: &HashMap<Component, f64>) {
        let get = |c| scores.get(&c).copied();
        self.usage = get(Component::Usage);
        self.adoption_breadth = get(Component::AdoptionBreadth);
        self.csat = get(Component::Csat);
        self.billing = get(Component::BillingStatus);
        self.engagement_recency = get(Component::EngagementRecency);
        self.goal_attainment = get(Component::GoalAttainment);
    }

    /// One feature's value.
    pub fn value(&self, feature: Feature) -> Option<f64> {
        use Feature::*;
        let one_hot = |t: TouchTier| Some(if self.touch_tier == t { 1.0 } else { 0.0 });
        match feature {
            HealthScore => self.health_score,
            HealthChange30 => self.health_change_30,
            HealthChange90 => self.health_change_90,
            Usage => self.usage,
            AdoptionBreadth => self.adoption_breadth,
            Csat => self.csat,
            Billing => self.billing,
            EngagementRecency => self.engagement_recency,
            GoalAttainment => self.goal_attainment,
            Nps => self.nps,
            SupportLoad => Some(self.support_load),
            UsageTrend => self.usage_trend,
            OpenRisksLow => Some(self.open_risks.low as f64),
            OpenRisksMedium => Some(self.open_risks.medium as f64),
            OpenRisksHigh => Some(self.open_risks.high as f64),
            OpenRisksCritical => Some(self.open_risks.critical as f64),
            PhasesAccepted => Some(self.phases_accepted as f64),
            PhaseSlipDays => self.phase_slip_days,
            TmShare => self.tm_share,
            TenureMonths => Some(self.tenure_months),
            TierHigh => one_hot(TouchTier::High),
            TierMedium => one_hot(TouchTier::Medium),
            TierLow => one_hot(TouchTier::Low),
            TierTech => one_hot(TouchTier::Tech),
        }
    }

    /// Every feature's value, in [`Feature::ALL`] order, after checking each is a number.
    pub fn values(&self) -> DomainResult<Vec<Option<f64>>> {
        Feature::ALL
            .iter()
            .map(|f| match self.value(*f) {
                Some(v) if !v.is_finite() => Err(DomainError::invalid(
                    format!("features.{}", f.as_str()),
                    format!("must be a finite number, got {v}"),
                )),
                v => Ok(v),
            })
            .collect()
    }

    /// The vector to score, a missing value read as the model's training mean for it.
    pub fn scoring_row(&self, means: &[f64]) -> DomainResult<Vec<f64>> {
        let values = self.values()?;
        if means.len() != values.len() {
            return Err(DomainError::invalid(
                "means",
                format!("{} means for {} features", means.len(), values.len()),
            ));
        }
        Ok(values
            .into_iter()
            .zip(means)
            .map(|(v, m)| v.unwrap_or(*m))
            .collect())
    }
}

/// The vectors to fit on: a missing value is filled with the mean of the values present for
/// that feature (which leaves that mean unchanged, so scoring reads a missing value as the same
/// number), or 0 where no row has the feature (a constant the model ignores).
pub fn training_rows(rows: &[&Features]) -> DomainResult<Vec<Vec<f64>>> {
    let values: Vec<Vec<Option<f64>>> = rows
        .iter()
        .map(|r| r.values())
        .collect::<DomainResult<_>>()?;
    let width = Feature::ALL.len();
    let fill: Vec<f64> = (0..width)
        .map(|j| {
            let present: Vec<f64> = values.iter().filter_map(|r| r[j]).collect();
            if present.is_empty() {
                0.0
            } else {
                present.iter().sum::<f64>() / present.len() as f64
            }
        })
        .collect();
    Ok(values
        .into_iter()
        .map(|r| {
            r.into_iter()
                .zip(&fill)
                .map(|(v, f)| v.unwrap_or(*f))
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_feature_has_a_label_and_a_value() {
        let f = Features::new(TouchTier::Medium, 14.0);
        assert_eq!(Feature::names().len(), Feature::ALL.len());
        assert_eq!(f.values().unwrap().len(), Feature::ALL.len());
        let mut labels: Vec<&str> = Feature::ALL.iter().map(|f| f.label()).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), Feature::ALL.len(), "labels are distinct");
    }

    #[test]
    fn the_touch_tier_is_one_hot() {
        let f = Features::new(TouchTier::Low, 3.0);
        let tiers: Vec<Option<f64>> = [
            Feature::TierHigh,
            Feature::TierMedium,
            Feature::TierLow,
            Feature::TierTech,
        ]
        .iter()
        .map(|t| f.value(*t))
        .collect();
        assert_eq!(tiers, vec![Some(0.0), Some(0.0), Some(1.0), Some(0.0)]);
    }

    #[test]
    fn readings_put_values_in_words() {
        use Feature::*;
        assert_eq!(
            HealthChange90.reading(-12.0),
            "health fell 12 points in 90 days"
        );
        assert_eq!(
            HealthChange30.reading(4.5),
            "health rose 4.5 points in 30 days"
        );
        assert_eq!(
            HealthChange30.reading(0.0),
            "health held steady over 30 days"
        );
        assert_eq!(OpenRisksHigh.reading(2.0), "2 open high risks");
        assert_eq!(OpenRisksCritical.reading(1.0), "1 open critical risk");
        assert_eq!(OpenRisksLow.reading(0.0), "no open low risks");
        assert_eq!(
            PhasesAccepted.reading(3.0),
            "3 phases accepted in the last year"
        );
        assert_eq!(
            PhaseSlipDays.reading(-3.0),
            "phases ending 3 days early on average"
        );
        assert_eq!(
            UsageTrend.reading(-4.0),
            "4 fewer active days than in the 30 before"
        );
        assert_eq!(SupportLoad.reading(0.0), "no open tickets");
        assert_eq!(TierHigh.reading(1.0), "served at the HIGH touch tier");
        assert_eq!(TierTech.reading(0.0), "not served at the TECH touch tier");
        assert_eq!(Nps.reading(-20.0), "NPS -20");
    }

    #[test]
    fn health_components_are_taken_from_a_health_computation() {
        let mut f = Features::new(TouchTier::High, 10.0);
        f.set_components(&HashMap::from([
            (Component::Usage, 50.0),
            (Component::BillingStatus, 40.0),
            (Component::Nps, 62.5),
        ]));
        assert_eq!(f.usage, Some(50.0));
        assert_eq!(f.billing, Some(40.0));
        assert_eq!(f.csat, None);
        // NPS enters in its own units, not as the component.
        assert_eq!(f.nps, None);
    }

    #[test]
    fn a_missing_value_is_filled_with_the_mean_of_the_others() {
        let mut a = Features::new(TouchTier::High, 10.0);
        let mut b = Features::new(TouchTier::High, 20.0);
        let c = Features::new(TouchTier::Tech, 30.0);
        a.nps = Some(10.0);
        b.nps = Some(30.0);
        let rows = training_rows(&[&a, &b, &c]).unwrap();
        let nps = Feature::ALL
            .iter()
            .position(|f| *f == Feature::Nps)
            .unwrap();
        let csat = Feature::ALL
            .iter()
            .position(|f| *f == Feature::Csat)
            .unwrap();
        assert_eq!(
            rows.iter().map(|r| r[nps]).collect::<Vec<_>>(),
            vec![10.0, 30.0, 20.0]
        );
        assert!(rows.iter().all(|r| r[csat] == 0.0));
        // Scoring reads a missing value as the model's mean.
        let means: Vec<f64> = (0..Feature::ALL.len()).map(|j| j as f64).collect();
        let row = c.scoring_row(&means).unwrap();
        assert_eq!(row[nps], nps as f64);
        assert_eq!(row[csat], csat as f64);
        assert!(c.scoring_row(&means[1..]).is_err());
    }

    #[test]
    fn a_value_that_is_not_a_number_is_refused_by_name() {
        let mut f = Features::new(TouchTier::High, 10.0);
        f.health_change_90 = Some(f64::NAN);
        let err = f.values().unwrap_err();
        assert!(
            matches!(err, DomainError::Invalid { ref field, .. } if field == "features.HEALTH_CHANGE_90"),
            "{err}"
        );
        assert!(training_rows(&[&f]).is_err());
    }
}
