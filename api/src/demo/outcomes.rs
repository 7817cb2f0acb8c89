//! Demo outcomes: each engagement's accepted phases serve the account's first success-plan goal
//! (its most pressing one) and record the value they realised, so that `Phase.outcome` has
//! goals and a realised value to show beside the health and revenue that followed.
//!
//! Two of every three engaged accounts then expand three to six weeks after their latest
//! acceptance (by a fifth of their MRR); the third does not. So the outcome comparison and each
//! phase's 90-day movements have a story to tell, and one that is not uniform.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, Utc};
use tandem_domain::engagement::PhaseStatus;
use tandem_domain::ids::AccountId;
use tandem_domain::money::Money;
use tandem_domain::signals::NewRevenueMovement;
use tandem_persistence::engagement::{self, EngagementFilter, phase};
use tandem_persistence::page::Window;
use tandem_persistence::revenue;
use tandem_persistence::{PersistenceResult, Store, account, success};

/// Links and records outcomes on every accepted demo phase.
pub(super) async fn load(store: &Store) -> PersistenceResult<()> {
    let window = Window {
        limit: 1_000,
        after: None,
        before: None,
        from_end: false,
    };
    let engagements = engagement::list(store, &EngagementFilter::default(), &window)
        .await?
        .items;
    let accounts: Vec<_> = engagements.iter().map(|e| e.account_id).collect();
    let goals = success::goals_of(store, &accounts).await?;
    let ids: Vec<_> = engagements.iter().map(|e| e.id).collect();
    let phases = phase::of_engagements(store, &ids).await?;
    let mut latest: HashMap<AccountId, NaiveDate> = HashMap::new();
    for e in &engagements {
        let goal = goals
            .get(&e.account_id)
            .and_then(|g| g.first())
            .map(|g| g.id);
        for p in phases.get(&e.id).into_iter().flatten() {
            if p.status != PhaseStatus::Accepted {
                continue;
            }
            if let Some(on) = p.accepted_on {
                let last = latest.entry(e.account_id).or_insert(on);
                *last = (*last).max(on);
            }
            let mut version = p.version;
            if let Some(goal) = goal {
                version = phase::link_goals(store, super::seed::ACTOR, p.id, version, vec![goal])
                    .await?
                    .version;
            }
            let value = format!(
                "{} live on the target platform; the merchant signed it off",
                p.data.name
            );
            phase::record_realised_value(store, super::seed::ACTOR, p.id, version, value).await?;
        }
    }
    expand_after_acceptance(store, latest).await
}

/// Two of every three accounts (by their order of acceptance) expand by a fifth of their MRR
/// 21 to 42 days after their latest acceptance, when that day has passed and they still pay.
async fn expand_after_acceptance(
    store: &Store,
    latest: HashMap<AccountId, NaiveDate>,
) -> PersistenceResult<()> {
    let today = Utc::now().date_naive();
    let mut accepted: Vec<(AccountId, NaiveDate)> = latest.into_iter().collect();
    accepted.sort_by_key(|(id, on)| (*on, *id));
    let ids: Vec<AccountId> = accepted.iter().map(|(id, _)| *id).collect();
    let currencies: HashMap<AccountId, _> = account::by_ids(store, &ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.data.currency))
        .collect();
    let mut movements = Vec::new();
    for (i, (id, on)) in accepted.into_iter().enumerate() {
        let day = on + Duration::days(21 + (i as i64 * 7) % 22);
        if i % 3 == 2 || day >= today {
            continue;
        }
        let mrr = revenue::mrr_on(store, &[id], day).await?;
        let (Some(&mrr), Some(&currency)) = (mrr.get(&id), currencies.get(&id)) else {
            continue;
        };
        if mrr > 0 {
            movements.push(NewRevenueMovement {
                account_id: id,
                kind: "EXPANSION",
                amount: Money::new(mrr / 5, currency),
                effective_on: day,
            });
        }
    }
    revenue::import(store, &movements).await
}
