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

#[cfg(test)]
mod tests {
    use super::*;

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
}
