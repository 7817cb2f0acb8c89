//! Demo outcomes: each engagement's accepted phases serve the account's first success-plan goal
//! (its most pressing one) and record the value they realised, so that `Phase.outcome` has
//! goals and a realised value to show beside the health and revenue that followed.

use tandem_domain::engagement::PhaseStatus;
use tandem_persistence::engagement::{self, EngagementFilter, phase};
use tandem_persistence::page::Window;
use tandem_persistence::{PersistenceResult, Store, success};

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
    for e in &engagements {
        let goal = goals
            .get(&e.account_id)
            .and_then(|g| g.first())
            .map(|g| g.id);
        for p in phases.get(&e.id).into_iter().flatten() {
            if p.status != PhaseStatus::Accepted {
                continue;
            }
            let mut version = p.version;
            if let Some(goal) = goal {
                version = phase::link_goals(store, super::ACTOR, p.id, version, vec![goal])
                    .await?
                    .version;
            }
            let value = format!(
                "{} live on the target platform; the merchant signed it off",
                p.data.name
            );
            phase::record_realised_value(store, super::ACTOR, p.id, version, value).await?;
        }
    }
    Ok(())
}
