//! A made-up but reproducible history of closed renewals for the outlook's tests.

use chrono::NaiveDate;
use uuid::Uuid;

use super::backtest::ClosedRenewal;
use super::features::{Features, RiskCounts};
use super::logistic::sigmoid;
use crate::account::TouchTier;
use crate::ids::RenewalId;
use crate::renewal::Likelihood;

/// `offset` days after 1 January 2025.
pub(crate) fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(offset as u64)
}

/// A fixed pseudo-random sequence in [0, 1): the same numbers on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = (1_664_525 * self.0 + 1_013_904_223) % (1 << 32);
        self.0 as f64 / (1u64 << 32) as f64
    }
}

/// Features for one made-up account.
pub(crate) fn features(rng_seed: u64, tier: TouchTier) -> Features {
    let mut rng = Lcg(rng_seed);
    let mut f = Features::new(tier, (3.0 + 48.0 * rng.next()).floor());
    f.health_score = Some((20.0 + 75.0 * rng.next()).round());
    f.health_change_90 = Some((20.0 * rng.next() - 10.0).round());
    f.nps = Some((140.0 * rng.next() - 60.0).round());
    f.open_risks = RiskCounts {
        high: (3.0 * rng.next()).floor() as i64,
        ..RiskCounts::default()
    };
    f
}

/// `n` closed renewals, read in an order that is not their date order. Renewals with better
/// health, rising health and fewer high risks renew more often; every sixth has no manager's
/// call.
pub(crate) fn history(n: usize) -> Vec<ClosedRenewal> {
    let mut rng = Lcg(20_261_204);
    (0..n)
        .map(|i| {
            let tier = TouchTier::ALL[i % 4];
            let f = features((rng.next() * 4_294_967_296.0) as u64, tier);
            let health = f.health_score.unwrap_or(50.0);
            let eta = 0.08 * (health - 55.0) + 0.1 * f.health_change_90.unwrap_or(0.0)
                - 0.8 * f.open_risks.high as f64;
            let renewed = rng.next() < sigmoid(eta);
            let call = match health {
                h if h >= 70.0 => Likelihood::Committed,
                h if h >= 55.0 => Likelihood::Probable,
                h if h >= 35.0 => Likelihood::AtRisk,
                _ => Likelihood::Lost,
            };
            ClosedRenewal {
                renewal_id: RenewalId(Uuid::from_u128(i as u128 + 1)),
                decided_on: day(((i * 37) % n) as i64 * 3),
                features: f,
                renewed,
                manager_call: (i % 6 != 0).then_some(call),
            }
        })
        .collect()
}
