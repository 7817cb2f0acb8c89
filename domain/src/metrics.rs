//! The customer-success figures, as defined in the domain: retention (GRR, NRR), logo churn,
//! expansion revenue, LTV and NPS. Storage sums the movements in SQL; these functions turn the
//! sums into figures, so the definitions live in one place and are tested against hand-computed
//! numbers.

/// A cohort's revenue movements over a period: the accounts with MRR > 0 at its start, and what
/// happened to their MRR during it (amounts in minor units, all non-negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeriodMovements {
    /// The cohort's MRR at the period's start.
    pub start_mrr: i64,
    /// Accounts in the cohort.
    pub accounts_at_start: i64,
    /// MRR added by expansions.
    pub expansion: i64,
    /// MRR won back by reactivations (an account that churned and came back).
    pub reactivation: i64,
    /// MRR lost to contractions.
    pub contraction: i64,
    /// MRR lost to churn.
    pub churn: i64,
    /// Cohort accounts that churned during the period (and did not come back within it).
    pub churned_accounts: i64,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Gross revenue retention: (start − contraction − churn) / start, never below 0; `None` for
/// an empty cohort.
pub fn grr(m: &PeriodMovements) -> Option<f64> {
    ratio((m.start_mrr - m.contraction - m.churn).max(0), m.start_mrr)
}

/// Net revenue retention: (start + expansion − contraction − churn) / start, where money won
/// back from a cohort account that churned and reactivated within the period counts as
/// expansion — the account is still a customer, and its MRR is back; `None` for an empty cohort.
pub fn nrr(m: &PeriodMovements) -> Option<f64> {
    ratio(
        (m.start_mrr + m.expansion + m.reactivation - m.contraction - m.churn).max(0),
        m.start_mrr,
    )
}

/// Logo churn: accounts that churned in the period / accounts at its start.
pub fn logo_churn(m: &PeriodMovements) -> Option<f64> {
    ratio(m.churned_accounts, m.accounts_at_start)
}

/// Goal attainment: achieved goals / goals counted; `None` without goals.
pub fn attainment(achieved: i64, goals: i64) -> Option<f64> {
    ratio(achieved, goals)
}

/// Expansion revenue: expansion + reactivation in the period.
pub fn expansion_revenue(m: &PeriodMovements) -> i64 {
    m.expansion + m.reactivation
}

/// Lifetime value in minor units: ARPA × gross margin / monthly revenue churn rate, capped at
/// `cap_months` of margin (the cap also answers when churn is zero).
pub fn ltv(arpa: i64, gross_margin: f64, monthly_churn_rate: f64, cap_months: u32) -> i64 {
    let margin = arpa as f64 * gross_margin.clamp(0.0, 1.0);
    let capped = margin * cap_months as f64;
    let value = if monthly_churn_rate > 0.0 {
        (margin / monthly_churn_rate).min(capped)
    } else {
        capped
    };
    value.round() as i64
}

/// Net promoter score: % promoters (9–10) − % detractors (0–6), from −100 to 100; `None`
/// without responses.
pub fn nps(promoters: i64, passives: i64, detractors: i64) -> Option<f64> {
    let total = promoters + passives + detractors;
    (total > 0).then(|| ((promoters - detractors) as f64 * 1000.0 / total as f64).round() / 10.0)
}

/// The length of the average month in days: a Julian year over twelve, 30.4375.
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// The monthly revenue churn rate of a period: MRR lost to churn and contraction over the
/// cohort's starting MRR, spread over the period's length in months ([`DAYS_PER_MONTH`] days
/// each); `None` for an empty cohort.
pub fn monthly_churn_rate(m: &PeriodMovements, days: i64) -> Option<f64> {
    let months = (days.max(1) as f64) / DAYS_PER_MONTH;
    ratio(m.churn + m.contraction, m.start_mrr).map(|r| r / months)
}

/// Average revenue per account of the cohort at the period's start, in minor units.
pub fn arpa(m: &PeriodMovements) -> Option<i64> {
    (m.accounts_at_start > 0).then(|| m.start_mrr / m.accounts_at_start)
}

/// A period of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day.
    pub from: chrono::NaiveDate,
    /// The last day.
    pub to: chrono::NaiveDate,
}

impl Period {
    /// Checks that the period runs forwards and spans at most ten years.
    pub fn new(from: chrono::NaiveDate, to: chrono::NaiveDate) -> crate::DomainResult<Period> {
        if to < from {
            return Err(crate::DomainError::invalid(
                "period.to",
                format!("{to} is before period.from {from}"),
            ));
        }
        if (to - from).num_days() > 3660 {
            return Err(crate::DomainError::invalid(
                "period",
                "a period spans at most ten years",
            ));
        }
        Ok(Period { from, to })
    }

    /// Its length in days, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// How the figures are configured for this installation: the key features adoption and
/// activation look at, what counts as a first value event, and the LTV assumptions.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AnalyticsSettings {
    /// The features that matter (adoption breadth and activation use them).
    pub key_features: Vec<String>,
    /// Usage of any of these features is a first value event (time to value).
    pub value_features: Vec<String>,
    /// Activation: at least this many key features used…
    pub activation_min_features: u32,
    /// …within this many days of the account's start.
    pub activation_days: u32,
    /// The gross margin LTV assumes, in percent.
    pub gross_margin_percent: u32,
    /// LTV's cap, in months of margin (what it answers when churn is zero).
    pub ltv_cap_months: u32,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        AnalyticsSettings {
            key_features: Vec::new(),
            value_features: Vec::new(),
            activation_min_features: 3,
            activation_days: 30,
            gross_margin_percent: 80,
            ltv_cap_months: 60,
        }
    }
}

impl AnalyticsSettings {
    /// Checks the settings: feature keys as usage events spell them (at most 100 of each),
    /// activation within 1–365 days and needing at most as many features as are configured,
    /// a margin of 0–100 % and a cap of 1–240 months.
    pub fn validate(mut self) -> crate::DomainResult<AnalyticsSettings> {
        use crate::DomainError;
        for (field, list) in [
            ("keyFeatures", &mut self.key_features),
            ("valueFeatures", &mut self.value_features),
        ] {
            if list.len() > 100 {
                return Err(DomainError::invalid(field, "at most 100 features"));
            }
            for (i, f) in list.iter_mut().enumerate() {
                *f = f.trim().to_lowercase();
                if f.is_empty()
                    || f.len() > 100
                    || !f
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-_:".contains(c))
                {
                    return Err(DomainError::invalid(
                        format!("{field}[{i}]"),
                        "a feature key is 1–100 letters, digits, '.', '_', '-' or ':'",
                    ));
                }
            }
            list.sort();
            list.dedup();
        }
        if !(1..=365).contains(&self.activation_days) {
            return Err(DomainError::invalid(
                "activationDays",
                "must be from 1 to 365",
            ));
        }
        if self.activation_min_features == 0
            || (!self.key_features.is_empty()
                && self.activation_min_features as usize > self.key_features.len())
        {
            return Err(DomainError::invalid(
                "activationMinFeatures",
                format!(
                    "must be from 1 to the number of key features ({})",
                    self.key_features.len()
                ),
            ));
        }
        if self.gross_margin_percent > 100 {
            return Err(DomainError::invalid(
                "grossMarginPercent",
                "must be from 0 to 100",
            ));
        }
        if !(1..=240).contains(&self.ltv_cap_months) {
            return Err(DomainError::invalid(
                "ltvCapMonths",
                "must be from 1 to 240",
            ));
        }
        Ok(self)
    }
}

/// How to split the accounts of a slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// By touch tier.
    TouchTier,
    /// By industry.
    Industry,
    /// By plan.
    Plan,
    /// By owner.
    Owner,
}

/// The sums behind one slice's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sums {
    /// The group's key (the touch tier, industry, plan or owner id as text); `None` for the
    /// whole slice or for accounts without a value.
    pub key: Option<String>,
    /// The period's cohort movements.
    pub movements: PeriodMovements,
    /// MRR at the end of the period, over every account of the slice.
    pub end_mrr: i64,
    /// Accounts paying at the end of the period.
    pub paying_at_end: i64,
    /// NPS answers in the period: promoters, passives, detractors.
    pub nps: (i64, i64, i64),
    /// Accounts that started (first NEW revenue) in the period.
    pub started: i64,
    /// Of those, how many activated.
    pub activated: i64,
    /// Of those, how many reached a first value event.
    pub reached_value: i64,
    /// The days to value summed over those that reached it.
    pub days_to_value: i64,
}

/// One cohort: the accounts that started in one month, and their revenue month by month.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// The first day of the start month.
    pub month: chrono::NaiveDate,
    /// Accounts that started that month.
    pub accounts: i64,
    /// Per month since the start (0 = the start month's end): MRR and accounts still paying,
    /// for months that have ended by `until`.
    pub months: Vec<(i64, i64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_gives_the_month_the_code_uses() {
        let readme = include_str!("../../README.md");
        let days = format!("{DAYS_PER_MONTH}");
        assert_eq!(days, "30.4375");
        assert!(
            readme.contains(&format!("365.25 / 12 = {days} days")),
            "README's LTV formula names another month length than DAYS_PER_MONTH ({days})"
        );
        // A 30-day period is a little less than one average month.
        let m = PeriodMovements {
            start_mrr: 1000,
            churn: 100,
            ..PeriodMovements::default()
        };
        let rate = monthly_churn_rate(&m, 30).unwrap();
        assert!((rate - 0.1 * DAYS_PER_MONTH / 30.0).abs() < 1e-12, "{rate}");
    }

    #[test]
    fn shares_are_undefined_without_a_whole() {
        assert_eq!(attainment(0, 0), None);
        assert_eq!(attainment(2, 3), Some(2.0 / 3.0));
    }

    /// Three accounts at $100, $200 and $300 MRR at the start: the first expands by $50, the
    /// second contracts by $20, the third churns ($300) and comes back at $100 within the period.
    fn fixture() -> PeriodMovements {
        PeriodMovements {
            start_mrr: 60_000,
            accounts_at_start: 3,
            expansion: 5_000,
            reactivation: 10_000,
            contraction: 2_000,
            churn: 30_000,
            churned_accounts: 0,
        }
    }

    #[test]
    fn retention_matches_the_hand_computed_fixture() {
        let m = fixture();
        // GRR = (600 − 20 − 300) / 600 = 0.4667; NRR = (600 + 50 + 100 − 20 − 300) / 600 = 0.7167
        assert!((grr(&m).unwrap() - 280.0 / 600.0).abs() < 1e-12);
        assert!((nrr(&m).unwrap() - 430.0 / 600.0).abs() < 1e-12);
        assert_eq!(expansion_revenue(&m), 15_000);
        assert_eq!(logo_churn(&m), Some(0.0));
    }

    #[test]
    fn an_empty_cohort_has_no_retention() {
        let m = PeriodMovements::default();
        assert_eq!(grr(&m), None);
        assert_eq!(nrr(&m), None);
        assert_eq!(logo_churn(&m), None);
    }

    #[test]
    fn logo_churn_counts_accounts_not_money() {
        let m = PeriodMovements {
            accounts_at_start: 8,
            churned_accounts: 2,
            start_mrr: 1,
            ..Default::default()
        };
        assert_eq!(logo_churn(&m), Some(0.25));
    }

    #[test]
    fn ltv_is_margin_over_churn_capped() {
        // ARPA $1,000, 80 % margin, 2 % monthly churn: 800 / 0.02 = $40,000; cap 60 months = $48,000.
        assert_eq!(ltv(100_000, 0.8, 0.02, 60), 4_000_000);
        // 0.5 % churn would give $160,000: the cap answers instead.
        assert_eq!(ltv(100_000, 0.8, 0.005, 60), 4_800_000);
        assert_eq!(ltv(100_000, 0.8, 0.0, 60), 4_800_000);
    }

    #[test]
    fn nps_is_promoters_minus_detractors_in_percent() {
        assert_eq!(nps(50, 30, 20), Some(30.0));
        assert_eq!(nps(1, 1, 1), Some(0.0));
        assert_eq!(nps(0, 0, 3), Some(-100.0));
        assert_eq!(nps(0, 0, 0), None);
    }

    #[test]
    fn churn_rate_is_monthly_and_arpa_is_per_cohort_account() {
        let m = fixture();
        // (300 + 20) / 600 over a 30.4375-day month.
        let rate = monthly_churn_rate(&m, 30).unwrap();
        assert!((rate - (320.0 / 600.0) * 30.4375 / 30.0).abs() < 1e-12);
        assert_eq!(arpa(&m), Some(20_000));
        assert_eq!(monthly_churn_rate(&PeriodMovements::default(), 30), None);
    }

    #[test]
    fn settings_are_normalised_and_checked() {
        let s = AnalyticsSettings {
            key_features: vec![" Search ".into(), "search".into(), "import".into()],
            activation_min_features: 2,
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(s.key_features, ["import", "search"]);
        let bad = AnalyticsSettings {
            key_features: vec!["a".into()],
            activation_min_features: 2,
            ..Default::default()
        };
        assert!(bad.validate().is_err());
        assert!(
            Period::new(
                chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
            )
            .is_err()
        );
    }
}
