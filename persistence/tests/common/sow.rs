//! Statements of work and the time logged against them as tests arrange them.

use chrono::NaiveDate;
use tandem_domain::hours::Hours;
use tandem_domain::ids::{SowId, TeamMemberId};
use tandem_domain::sow::{NewTimeEntry, Sow, SowStatus, WorkKind};
use tandem_persistence::{Store, sow};

/// Proposes the new SOW `s` on `proposed_on` and signs it on `signed_on`.
pub async fn sign(store: &Store, s: SowId, proposed_on: NaiveDate, signed_on: NaiveDate) -> Sow {
    sow::transition(store, "t", s, 1, SowStatus::Proposed, proposed_on)
        .await
        .unwrap();
    sow::transition(store, "t", s, 2, SowStatus::Signed, signed_on)
        .await
        .unwrap()
}

/// `hours` hundredths of an hour of `kind` that `who` worked as a Developer on `on`, on no
/// phase in particular.
pub fn time_entry(who: TeamMemberId, on: NaiveDate, hours: i64, kind: WorkKind) -> NewTimeEntry {
    NewTimeEntry {
        team_member_id: who,
        role: "Developer".into(),
        phase_id: None,
        worked_on: on,
        hours: Hours(hours),
        kind,
        note: None,
    }
}
