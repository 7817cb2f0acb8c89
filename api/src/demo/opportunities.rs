//! The demo's pipeline: open upsells, cross-sells, downsells and services follow-ons on about a
//! third of the live accounts, spread over the pipeline's stages and the next half year, so that
//! the revenue outlook weighs expansion and contraction beside the renewals.

use chrono::Duration;
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_domain::opportunity::{OpportunityData, OpportunityKind};
use tandem_persistence::{PersistenceResult, Store};

use super::seed::{ACTOR, Rng};

/// Opens the demo's opportunities on `accounts` (live ones), owned by the `cs` team.
pub(super) async fn load(
    store: &Store,
    rng: &mut Rng,
    accounts: &[AccountId],
    cs: &[TeamMemberId],
) -> PersistenceResult<usize> {
    use OpportunityKind::*;
    let today = chrono::Utc::now().date_naive();
    let stages = tandem_persistence::opportunity::stages(store).await?;
    let mrr = tandem_persistence::revenue::mrr_on(store, accounts, today).await?;
    let mut opened = 0;
    for (i, account) in accounts.iter().enumerate() {
        let current = mrr.get(account).copied().unwrap_or(0);
        if i % 3 != 0 || current <= 0 || stages.is_empty() {
            continue;
        }
        let kind = *rng.pick(&[Upsell, Upsell, CrossSell, Downsell, ServicesFollowOn]);
        let (title, delta, services) = match kind {
            Upsell => (
                "More seats for the next season",
                current * (5 + rng.below(16) as i64) / 100,
                0,
            ),
            CrossSell => (
                "Add the marketplace connector",
                current * (5 + rng.below(11) as i64) / 100,
                0,
            ),
            Downsell => (
                "Fewer stores after the merger",
                -(current * (10 + rng.below(16) as i64) / 100),
                0,
            ),
            _ => (
                "Replatforming, phase two",
                0,
                (20_000 + rng.below(60_000) as i64) * 100,
            ),
        };
        if delta == 0 && kind != ServicesFollowOn {
            continue;
        }
        let data = OpportunityData {
            kind,
            title: title.to_owned(),
            mrr_delta_minor: delta,
            services_value_minor: services,
            // Most take their stage's default; some carry the owner's own read.
            probability: rng.chance(25).then(|| (20 + rng.below(70)) as f64 / 100.0),
            expected_close_on: today + Duration::days(10 + rng.below(170) as i64),
            owner_id: cs.get(rng.below(cs.len().max(1))).copied(),
            goal_id: None,
            phase_id: None,
        }
        .validate()?;
        let stage = stages[rng.below(stages.len())].id;
        tandem_persistence::opportunity::create(store, ACTOR, *account, Some(stage), data).await?;
        opened += 1;
    }
    Ok(opened)
}
