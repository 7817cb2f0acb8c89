//! Engagements and their phases as tests arrange them.

use tandem_domain::engagement::{
    Engagement, EngagementKind, FocusKind, NewEngagement, NewPhase, Phase,
};
use tandem_domain::ids::{AccountId, EngagementId};
use tandem_persistence::Store;
use tandem_persistence::engagement::{self, phase};

/// A replatforming engagement on `a`, with nothing planned yet.
pub async fn replatforming(store: &Store, a: AccountId) -> Engagement {
    engagement::create(
        store,
        "t",
        a,
        NewEngagement {
            name: "Replatforming".into(),
            kind: EngagementKind::Replatforming,
            source_platform: None,
            target_platform: None,
            lead_id: None,
            description: None,
            planned_start: None,
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap()
}

/// A phase of `e` named `name` that works on the problem of that name, with nothing planned
/// and depending on no other phase.
pub async fn phase_on(store: &Store, e: EngagementId, name: &str) -> Phase {
    phase::create(
        store,
        "t",
        e,
        NewPhase {
            name: name.into(),
            focus_kind: FocusKind::Problem,
            focus: name.into(),
            objective: None,
            expected_value: None,
            planned_start: None,
            planned_end: None,
            milestones: vec![],
            scope: vec![],
        }
        .validate()
        .unwrap(),
        vec![],
    )
    .await
    .unwrap()
}
