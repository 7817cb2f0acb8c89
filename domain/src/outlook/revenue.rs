//! The revenue outlook of a period: the MRR a book of accounts is expected to keep and to add,
//! weighed by how likely each renewal and each open opportunity is, with GRR and NRR forecasts,
//! their bands, and the accounts that move the number most.
//!
//! How it is reckoned (the same for the manager's calls and for the model, which differ only in
//! the probability of each renewal):
//! - An account whose renewal falls in the period keeps its MRR with the renewal's probability
//!   and loses all of it otherwise (churn). Accounts without a renewal in the period keep theirs.
//! - An open UPSELL, CROSS_SELL or RENEWAL with an uplift adds its MRR delta with its probability
//!   (its own override, else its stage's default); a DOWNSELL takes its delta away with its
//!   probability. On an account that may churn in the period, an opportunity counts only if the
//!   account stays: its probability is multiplied by the renewal's.
//! - SERVICES_FOLLOW_ON opportunities are one-off revenue, outside GRR and NRR; their expected
//!   value is reported beside them.
//! - Every renewal and opportunity is an independent yes-or-no, so the expected MRR is a sum and
//!   its variance the sum of `amount² · p · (1 − p)`. The band is the 10th to the 90th percentile
//!   of the normal distribution with that mean and variance, as GRR and NRR (clamped at 0, and
//!   GRR at 1).

use std::collections::HashMap;

use crate::ids::{AccountId, RenewalId};
use crate::opportunity::{OpenOpportunity, OpportunityKind};
use crate::renewal::Likelihood;
use crate::{DomainError, DomainResult};

use super::backtest::CallProbabilities;

/// The z-score of the 90th percentile of the standard normal distribution: the band runs from
/// `mean − Z·σ` to `mean + Z·σ`, the 10th to the 90th percentile.
pub const BAND_Z: f64 = 1.281_551_565_545;

/// A renewal that falls in the period, as the outlook weighs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RenewalAtStake {
    /// The renewal.
    pub renewal_id: RenewalId,
    /// Its account.
    pub account_id: AccountId,
    /// The account's MRR at the start of the period, in minor units: what churn would lose.
    pub mrr_minor: i64,
    /// The manager's call.
    pub manager_call: Likelihood,
    /// The model's probability of renewing, when a model scored it.
    pub model_probability: Option<f64>,
}

/// Whose probabilities of renewing an outlook uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// The manager's calls, read as [`CallProbabilities`].
    Manager,
    /// The model's likelihood to renew.
    Model,
}

/// What an outlook reckons from.
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    /// The MRR of the slice's live accounts at the start of the period, in minor units.
    pub starting_mrr_minor: i64,
    /// The renewals in play that fall in the period.
    pub renewals: Vec<RenewalAtStake>,
    /// The open opportunities expected to close in the period.
    pub opportunities: Vec<OpenOpportunity>,
}

/// An expectation with its band (the 10th to the 90th percentile).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Band {
    /// The expected value.
    pub expected: f64,
    /// The 10th percentile.
    pub low: f64,
    /// The 90th percentile.
    pub high: f64,
}

/// One account's part in an outlook.
#[derive(Debug, Clone, PartialEq)]
pub struct Mover {
    /// The account.
    pub account_id: AccountId,
    /// What it is expected to add to the period's MRR (negative: churn and contraction
    /// outweigh expansion), in minor units.
    pub expected_change_minor: f64,
    /// The MRR its churn would lose, when its renewal falls in the period.
    pub at_stake_minor: i64,
    /// The probability of its renewal, when one falls in the period.
    pub renewal_probability: Option<f64>,
    /// The standard deviation it adds to the period's MRR, in minor units.
    pub spread_minor: f64,
}

/// The outlook of a period as one caller sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlook {
    /// The MRR at the start, in minor units.
    pub starting_mrr_minor: i64,
    /// Expected MRR lost to churn.
    pub expected_churn_minor: f64,
    /// Expected MRR lost to downsells.
    pub expected_contraction_minor: f64,
    /// Expected MRR added by upsells, cross-sells and renewal uplifts.
    pub expected_expansion_minor: f64,
    /// Expected one-off services value won.
    pub expected_services_minor: f64,
    /// The MRR kept of the starting MRR (before expansion), with its band.
    pub retained_mrr: Band,
    /// The MRR at the end (kept plus expansion), with its band.
    pub ending_mrr: Band,
    /// Gross revenue retention: kept over starting MRR. `None` when nothing was paying.
    pub grr: Option<Band>,
    /// Net revenue retention: ending over starting MRR. `None` when nothing was paying.
    pub nrr: Option<Band>,
    /// Renewals weighed.
    pub renewals: usize,
    /// Renewals weighed without a probability from this caller (the model had none for them):
    /// they count at the manager's call.
    pub renewals_without_score: usize,
    /// Opportunities weighed.
    pub opportunities: usize,
    /// The accounts that move the number most, largest expected change (either way) first.
    pub movers: Vec<Mover>,
}

/// Sums of one side of the ledger: expectation and variance.
#[derive(Default, Clone, Copy)]
struct Moments {
    mean: f64,
    variance: f64,
}

impl Moments {
    /// Adds a yes-or-no of `amount` with probability `p`.
    fn add(&mut self, amount: f64, p: f64) {
        self.mean += amount * p;
        self.variance += amount * amount * p * (1.0 - p);
    }
}

fn probability(p: f64, what: &str) -> DomainResult<f64> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(DomainError::invalid(
            what,
            format!("must be a probability between 0 and 1, got {p}"),
        ))
    }
}

fn band(mean: f64, variance: f64) -> Band {
    let sd = variance.max(0.0).sqrt();
    Band {
        expected: mean,
        low: (mean - BAND_Z * sd).max(0.0),
        high: mean + BAND_Z * sd,
    }
}

fn ratio(b: Band, start: f64, cap: Option<f64>) -> Band {
    let cap = |x: f64| cap.map_or(x, |c| x.min(c));
    Band {
        expected: cap(b.expected / start),
        low: cap(b.low / start),
        high: cap(b.high / start),
    }
}

/// The outlook of `book` as `caller` sees it, with the `movers` accounts that move it most.
/// The model's side counts a renewal it did not score at the manager's call, and says how many.
pub fn outlook(
    book: &Book,
    caller: Caller,
    calls: &CallProbabilities,
    movers: usize,
) -> DomainResult<Outlook> {
    let start = book.starting_mrr_minor as f64;
    let mut churn = Moments::default();
    let mut contraction = Moments::default();
    let mut expansion = Moments::default();
    let mut services = 0.0;
    let mut unscored = 0;
    // Per account: expected change, variance, MRR at stake, renewal probability.
    let mut accounts: HashMap<AccountId, (f64, f64, i64, Option<f64>)> = HashMap::new();
    let mut stays: HashMap<AccountId, f64> = HashMap::new();
    for r in &book.renewals {
        let manager = calls.probability(r.manager_call);
        let p = match (caller, r.model_probability) {
            (Caller::Model, Some(p)) => probability(p, "modelProbability")?,
            (Caller::Model, None) => {
                unscored += 1;
                manager
            }
            (Caller::Manager, _) => manager,
        };
        let lost = r.mrr_minor.max(0) as f64;
        churn.add(lost, 1.0 - p);
        let a = accounts.entry(r.account_id).or_default();
        a.0 -= lost * (1.0 - p);
        a.1 += lost * lost * p * (1.0 - p);
        a.2 += r.mrr_minor;
        a.3 = Some(p);
        stays.insert(r.account_id, p);
    }
    for o in &book.opportunities {
        let p =
            probability(o.probability, "probability")? * stays.get(&o.account_id).unwrap_or(&1.0);
        let delta = o.mrr_delta_minor as f64;
        let a = accounts.entry(o.account_id).or_default();
        match o.kind {
            OpportunityKind::ServicesFollowOn => {
                services += o.services_value_minor as f64 * p;
                continue;
            }
            OpportunityKind::Downsell => contraction.add(-delta, p),
            _ if delta > 0.0 => expansion.add(delta, p),
            _ => continue,
        }
        a.0 += delta * p;
        a.1 += delta * delta * p * (1.0 - p);
    }
    let retained = band(
        start - churn.mean - contraction.mean,
        churn.variance + contraction.variance,
    );
    let ending = band(
        retained.expected + expansion.mean,
        churn.variance + contraction.variance + expansion.variance,
    );
    let (grr, nrr) = if start > 0.0 {
        (
            Some(ratio(retained, start, Some(1.0))),
            Some(ratio(ending, start, None)),
        )
    } else {
        (None, None)
    };
    let mut ranked: Vec<Mover> = accounts
        .into_iter()
        .filter(|(_, a)| a.0 != 0.0 || a.1 != 0.0)
        .map(|(account_id, (change, variance, at_stake, p))| Mover {
            account_id,
            expected_change_minor: change,
            at_stake_minor: at_stake,
            renewal_probability: p,
            spread_minor: variance.sqrt(),
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.expected_change_minor
            .abs()
            .total_cmp(&a.expected_change_minor.abs())
            .then(b.spread_minor.total_cmp(&a.spread_minor))
            .then(a.account_id.0.cmp(&b.account_id.0))
    });
    ranked.truncate(movers);
    Ok(Outlook {
        starting_mrr_minor: book.starting_mrr_minor,
        expected_churn_minor: churn.mean,
        expected_contraction_minor: contraction.mean,
        expected_expansion_minor: expansion.mean,
        expected_services_minor: services,
        retained_mrr: retained,
        ending_mrr: ending,
        grr,
        nrr,
        renewals: book.renewals.len(),
        renewals_without_score: if caller == Caller::Model { unscored } else { 0 },
        opportunities: book.opportunities.len(),
        movers: ranked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OpportunityId;
    use chrono::NaiveDate;
    use uuid::Uuid;

    fn account(n: u128) -> AccountId {
        AccountId(Uuid::from_u128(n))
    }

    fn renewal(n: u128, mrr: i64, call: Likelihood, model: Option<f64>) -> RenewalAtStake {
        RenewalAtStake {
            renewal_id: RenewalId(Uuid::from_u128(1000 + n)),
            account_id: account(n),
            mrr_minor: mrr,
            manager_call: call,
            model_probability: model,
        }
    }

    fn opportunity(n: u128, kind: OpportunityKind, delta: i64, p: f64) -> OpenOpportunity {
        OpenOpportunity {
            id: OpportunityId(Uuid::from_u128(2000 + n)),
            account_id: account(n),
            kind,
            mrr_delta_minor: delta,
            services_value_minor: if kind == OpportunityKind::ServicesFollowOn {
                50_000
            } else {
                0
            },
            probability: p,
            expected_close_on: NaiveDate::from_ymd_opt(2027, 2, 1).unwrap(),
        }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn a_book_with_nothing_at_stake_keeps_everything_with_no_spread() {
        let book = Book {
            starting_mrr_minor: 100_000,
            renewals: vec![],
            opportunities: vec![],
        };
        let o = outlook(&book, Caller::Manager, &CallProbabilities::default(), 5).unwrap();
        let grr = o.grr.unwrap();
        close(grr.expected, 1.0);
        close(grr.low, 1.0);
        close(o.nrr.unwrap().high, 1.0);
        assert!(o.movers.is_empty());
    }

    #[test]
    fn churn_contraction_and_expansion_are_weighed_by_their_probabilities() {
        // Start 10,000. Account 1 (MRR 1,000) renews, COMMITTED = 0.9 → loses 100 expected.
        // Account 2: an upsell of +500 at 0.5 → +250. Account 3: a downsell of −200 at 0.25 →
        // −50. Account 4: services follow-on worth 50,000 at 0.8 → 40,000 one-off.
        let book = Book {
            starting_mrr_minor: 10_000,
            renewals: vec![renewal(1, 1_000, Likelihood::Committed, Some(0.6))],
            opportunities: vec![
                opportunity(2, OpportunityKind::Upsell, 500, 0.5),
                opportunity(3, OpportunityKind::Downsell, -200, 0.25),
                opportunity(4, OpportunityKind::ServicesFollowOn, 0, 0.8),
            ],
        };
        let calls = CallProbabilities::default();
        let m = outlook(&book, Caller::Manager, &calls, 10).unwrap();
        close(m.expected_churn_minor, 100.0);
        close(m.expected_contraction_minor, 50.0);
        close(m.expected_expansion_minor, 250.0);
        close(m.expected_services_minor, 40_000.0);
        close(m.retained_mrr.expected, 9_850.0);
        close(m.ending_mrr.expected, 10_100.0);
        close(m.grr.unwrap().expected, 0.985);
        close(m.nrr.unwrap().expected, 1.01);
        // Variance: 1000²·0.9·0.1 + 200²·0.25·0.75 (+ 500²·0.5·0.5 for the ending MRR).
        let retained_sd = (90_000.0f64 + 7_500.0).sqrt();
        close(m.retained_mrr.low, 9_850.0 - BAND_Z * retained_sd);
        let ending_sd = (90_000.0f64 + 7_500.0 + 62_500.0).sqrt();
        close(m.ending_mrr.high, 10_100.0 + BAND_Z * ending_sd);
        // The model says 0.6 for the same renewal: 400 expected churn.
        let model = outlook(&book, Caller::Model, &calls, 10).unwrap();
        close(model.expected_churn_minor, 400.0);
        assert_eq!(model.renewals_without_score, 0);
        // Movers, largest expected change first: the upsell (+250), the renewal (−100), the
        // downsell (−50); the services follow-on moves no MRR.
        let order: Vec<AccountId> = m.movers.iter().map(|x| x.account_id).collect();
        assert_eq!(order, vec![account(2), account(1), account(3)]);
        assert_eq!(m.movers[1].renewal_probability, Some(0.9));
        assert_eq!(m.movers[1].at_stake_minor, 1_000);
    }

    #[test]
    fn an_upsell_on_an_account_that_may_churn_counts_only_if_it_stays() {
        let book = Book {
            starting_mrr_minor: 2_000,
            renewals: vec![renewal(1, 1_000, Likelihood::AtRisk, None)],
            opportunities: vec![opportunity(1, OpportunityKind::CrossSell, 300, 0.5)],
        };
        let m = outlook(&book, Caller::Manager, &CallProbabilities::default(), 3).unwrap();
        // AT_RISK = 0.4: expansion 300 · 0.5 · 0.4 = 60, churn 1000 · 0.6 = 600.
        close(m.expected_expansion_minor, 60.0);
        close(m.expected_churn_minor, 600.0);
        assert_eq!(m.movers.len(), 1);
        close(m.movers[0].expected_change_minor, -540.0);
    }

    #[test]
    fn the_model_side_counts_unscored_renewals_at_the_managers_call_and_says_so() {
        let book = Book {
            starting_mrr_minor: 3_000,
            renewals: vec![
                renewal(1, 1_000, Likelihood::Lost, Some(0.5)),
                renewal(2, 1_000, Likelihood::Probable, None),
            ],
            opportunities: vec![],
        };
        let m = outlook(&book, Caller::Model, &CallProbabilities::default(), 3).unwrap();
        assert_eq!(m.renewals_without_score, 1);
        close(m.expected_churn_minor, 500.0 + 300.0);
    }

    #[test]
    fn bands_stay_within_what_retention_can_be() {
        let book = Book {
            starting_mrr_minor: 1_000,
            renewals: vec![renewal(1, 1_000, Likelihood::AtRisk, None)],
            opportunities: vec![],
        };
        let m = outlook(&book, Caller::Manager, &CallProbabilities::default(), 3).unwrap();
        let grr = m.grr.unwrap();
        assert!(grr.low >= 0.0 && grr.high <= 1.0, "{grr:?}");
        close(grr.expected, 0.4);
    }

    #[test]
    fn an_empty_book_has_no_retention_and_a_bad_probability_is_refused() {
        let empty = Book {
            starting_mrr_minor: 0,
            renewals: vec![],
            opportunities: vec![],
        };
        let o = outlook(&empty, Caller::Manager, &CallProbabilities::default(), 3).unwrap();
        assert!(o.grr.is_none() && o.nrr.is_none());
        let bad = Book {
            starting_mrr_minor: 10,
            renewals: vec![renewal(1, 10, Likelihood::Lost, Some(1.5))],
            opportunities: vec![],
        };
        assert!(outlook(&bad, Caller::Model, &CallProbabilities::default(), 3).is_err());
    }
}
