//! How far an engagement has come: its accepted phases by count, and weighted by the hours its
//! statements of work scope to each phase, so that a large phase accepted counts for more than
//! a small one.

use crate::engagement::{Phase, progress, weighted_progress};
use crate::ids::PhaseId;
use crate::sow::{Sow, SowStatus};

/// Accepted phases against all phases, by count and by scoped hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngagementProgress {
    /// Phases the customer has accepted.
    pub accepted_phases: usize,
    /// All phases.
    pub total_phases: usize,
    /// Accepted phases as a share of all phases, 0 to 1 (0 without phases).
    pub by_count: f64,
    /// Accepted phases as a share of all phases weighted by their estimated in-scope hours,
    /// 0 to 1; `None` while no scope item is booked to a phase.
    pub by_budget_weight: Option<f64>,
}

/// The estimated hours (in hundredths) the scope items of `sows` book to `phase`; a cancelled
/// statement of work no longer scopes anything.
pub fn scoped_hours(phase: PhaseId, sows: &[Sow]) -> i64 {
    sows.iter()
        .filter(|s| s.status != SowStatus::Cancelled)
        .flat_map(|s| s.data.scope.iter())
        .filter(|item| item.phase_id == Some(phase))
        .map(|item| item.estimated_hours.0)
        .sum()
}

/// How far an engagement with these phases and statements of work has come.
pub fn engagement_progress(phases: &[Phase], sows: &[Sow]) -> EngagementProgress {
    let p = progress(phases);
    EngagementProgress {
        accepted_phases: p.accepted,
        total_phases: p.total,
        by_count: if p.total == 0 {
            0.0
        } else {
            p.accepted as f64 / p.total as f64
        },
        by_budget_weight: weighted_progress(phases, |phase| scoped_hours(phase.id, sows)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::engagement::PhaseStatus;
    use crate::hours::Hours;
    use crate::ids::{AccountId, SowId};
    use crate::money::Currency;
    use crate::sow::{ScopeItem, SowData};

    /// A phase in `status` (the engagement rules' fixture).
    fn phase(status: PhaseStatus) -> Phase {
        crate::engagement::fixtures::phase("Apparel", 1, status, vec![])
    }

    /// A statement of work scoping `hours` (whole hours) to each phase of `items`.
    fn sow(status: SowStatus, items: &[(PhaseId, i64)]) -> Sow {
        Sow {
            id: SowId::new(),
            account_id: AccountId::new(),
            engagement_id: None,
            data: SowData {
                title: "Replatforming".into(),
                currency: Currency::USD,
                fixed_price: 0,
                rate_card: vec![],
                scope: items
                    .iter()
                    .map(|(phase, hours)| ScopeItem {
                        deliverable: "Work".into(),
                        estimated_hours: Hours(hours * 100),
                        phase_id: Some(*phase),
                    })
                    .collect(),
                tm_hours_cap: None,
                tm_amount_cap: None,
            },
            status,
            baseline: None,
            signed_on: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn progress_counts_accepted_phases_and_weighs_them_by_scoped_hours() {
        use PhaseStatus::{Accepted, InProgress, Planned};
        use SowStatus::{Cancelled, Draft, Signed};
        // (phase statuses, SOWs as (status, [(phase index, hours)]), accepted, by count,
        // by budget weight)
        type Case<'a> = (
            &'a [PhaseStatus],
            &'a [(SowStatus, &'a [(usize, i64)])],
            usize,
            f64,
            Option<f64>,
        );
        let cases: &[Case] = &[
            (&[], &[], 0, 0.0, None),
            (&[Planned, Accepted], &[], 1, 0.5, None),
            (
                &[Accepted, Planned],
                &[(Signed, &[(0, 30), (1, 10)])],
                1,
                0.5,
                Some(0.75),
            ),
            (
                &[Accepted, InProgress, Planned, Accepted],
                &[(Signed, &[(0, 10), (1, 10)]), (Draft, &[(2, 10), (3, 10)])],
                2,
                0.5,
                Some(0.5),
            ),
            // A cancelled SOW scopes nothing.
            (
                &[Accepted, Planned],
                &[(Signed, &[(0, 10)]), (Cancelled, &[(1, 90)])],
                1,
                0.5,
                Some(1.0),
            ),
            (&[Planned], &[(Cancelled, &[(0, 10)])], 0, 0.0, None),
        ];
        for (i, (statuses, sows, accepted, by_count, by_weight)) in cases.iter().enumerate() {
            let phases: Vec<Phase> = statuses.iter().map(|s| phase(*s)).collect();
            let sows: Vec<Sow> = sows
                .iter()
                .map(|(status, items)| {
                    let items: Vec<(PhaseId, i64)> =
                        items.iter().map(|(p, h)| (phases[*p].id, *h)).collect();
                    sow(*status, &items)
                })
                .collect();
            let p = engagement_progress(&phases, &sows);
            assert_eq!(p.accepted_phases, *accepted, "case {i}");
            assert_eq!(p.total_phases, phases.len(), "case {i}");
            assert_eq!(p.by_count, *by_count, "case {i}");
            assert_eq!(p.by_budget_weight, *by_weight, "case {i}");
        }
    }

    #[test]
    fn scoped_hours_add_up_every_live_sow_booking_the_phase() {
        let a = phase(PhaseStatus::Planned);
        let b = phase(PhaseStatus::Planned);
        let sows = [
            sow(SowStatus::Signed, &[(a.id, 5), (b.id, 7), (a.id, 2)]),
            sow(SowStatus::Proposed, &[(a.id, 1)]),
            sow(SowStatus::Cancelled, &[(a.id, 100)]),
        ];
        assert_eq!(scoped_hours(a.id, &sows), 800);
        assert_eq!(scoped_hours(b.id, &sows), 700);
        assert_eq!(scoped_hours(PhaseId::new(), &sows), 0);
    }
}
