//! The moves that involve both an engagement and its phases: an engagement completes only when
//! every phase is accepted; a phase starts only while its engagement is active and what it
//! depends on is delivered.

use super::aggregate::Engagement;
use super::phase::Phase;
use super::plan::blockers;
use super::status::{EngagementStatus, PhaseStatus};
use crate::machine::transition;
use crate::{DomainError, DomainResult};

impl Engagement {
    /// Checks a move to `next`. Completing needs every phase accepted.
    pub fn check_transition(&self, next: EngagementStatus, phases: &[Phase]) -> DomainResult<()> {
        transition("engagement", self.status, next, self.status.next())?;
        if next == EngagementStatus::Completed {
            let open: Vec<&str> = phases
                .iter()
                .filter(|p| p.status != PhaseStatus::Accepted)
                .map(|p| p.data.name.as_str())
                .collect();
            if !open.is_empty() {
                return Err(DomainError::invalid(
                    "status",
                    format!(
                        "engagement '{}' cannot complete while phases are not accepted: {}",
                        self.data.name,
                        open.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Phase {
    /// Checks a move to `next` against the status machine, the engagement's status and, when
    /// starting, the phases this one depends on (`phases` are all of the engagement's).
    pub fn check_transition(
        &self,
        next: PhaseStatus,
        engagement: &Engagement,
        phases: &[Phase],
    ) -> DomainResult<()> {
        engagement.ensure_open()?;
        transition("phase", self.status, next, self.status.next())?;
        if next == PhaseStatus::InProgress && self.status == PhaseStatus::Planned {
            if engagement.status != EngagementStatus::Active {
                return Err(DomainError::invalid(
                    "status",
                    format!(
                        "phase '{}' cannot start while engagement '{}' is {}; activate the engagement first",
                        self.data.name, engagement.data.name, engagement.status
                    ),
                ));
            }
            if let Some(blocker) = blockers(self, phases).first() {
                return Err(DomainError::invalid(
                    "status",
                    format!(
                        "phase '{}' depends on '{}', which is not delivered yet",
                        self.data.name, blocker.data.name
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engagement::fixtures::{day, engagement, phase};

    #[test]
    fn engagement_moves_follow_the_machine() {
        use EngagementStatus::*;
        let table = [
            (Planned, Active, true),
            (Planned, Completed, false),
            (Active, OnHold, true),
            (OnHold, Active, true),
            (OnHold, Completed, false),
            (Active, Completed, true),
            (Active, Cancelled, true),
            (Completed, Active, false),
            (Cancelled, Planned, false),
        ];
        for (from, to, ok) in table {
            assert_eq!(
                engagement(from).check_transition(to, &[]).is_ok(),
                ok,
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn an_illegal_move_names_both_statuses_and_the_options() {
        let err = engagement(EngagementStatus::Planned)
            .check_transition(EngagementStatus::Completed, &[])
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("from PLANNED to COMPLETED"), "{text}");
        assert!(text.contains("ACTIVE, CANCELLED"), "{text}");
    }

    #[test]
    fn an_engagement_completes_only_when_every_phase_is_accepted() {
        let e = engagement(EngagementStatus::Active);
        let open = vec![
            phase("A", 1, PhaseStatus::Accepted, vec![]),
            phase("B", 2, PhaseStatus::Delivered, vec![]),
        ];
        let err = e
            .check_transition(EngagementStatus::Completed, &open)
            .unwrap_err();
        assert!(err.to_string().contains("B"), "{err}");
        let done = vec![phase("A", 1, PhaseStatus::Accepted, vec![])];
        assert!(
            e.check_transition(EngagementStatus::Completed, &done)
                .is_ok()
        );
    }

    #[test]
    fn a_phase_cannot_start_before_its_dependencies_are_delivered() {
        let e = engagement(EngagementStatus::Active);
        let catalog = phase("Catalog model", 1, PhaseStatus::InProgress, vec![]);
        let apparel = phase("Apparel", 2, PhaseStatus::Planned, vec![catalog.id]);
        let phases = vec![catalog.clone(), apparel.clone()];
        let err = apparel
            .check_transition(PhaseStatus::InProgress, &e, &phases)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "status: phase 'Apparel' depends on 'Catalog model', which is not delivered yet"
        );
        let delivered = vec![
            catalog.moved(PhaseStatus::Delivered, day(1, 20)),
            apparel.clone(),
        ];
        assert!(
            apparel
                .check_transition(PhaseStatus::InProgress, &e, &delivered)
                .is_ok()
        );
    }

    #[test]
    fn a_phase_starts_only_in_an_active_engagement() {
        let e = engagement(EngagementStatus::Planned);
        let p = phase("A", 1, PhaseStatus::Planned, vec![]);
        let err = p
            .check_transition(PhaseStatus::InProgress, &e, std::slice::from_ref(&p))
            .unwrap_err();
        assert!(err.to_string().contains("activate the engagement"), "{err}");
    }

    #[test]
    fn phase_moves_follow_the_machine_and_record_dates() {
        use PhaseStatus::*;
        for (from, to, ok) in [
            (Planned, InProgress, true),
            (Planned, Delivered, false),
            (InProgress, Delivered, true),
            (Delivered, Accepted, true),
            (Delivered, InProgress, true),
            (Accepted, InProgress, false),
        ] {
            let e = engagement(EngagementStatus::Active);
            let p = phase("A", 1, from, vec![]);
            assert_eq!(
                p.check_transition(to, &e, std::slice::from_ref(&p)).is_ok(),
                ok,
                "{from} → {to}"
            );
        }
        let p = phase("A", 1, Planned, vec![]);
        let started = p.moved(InProgress, day(1, 3));
        let delivered = started.moved(Delivered, day(2, 4));
        let accepted = delivered.moved(Accepted, day(2, 6));
        assert_eq!(accepted.actual_start, Some(day(1, 3)));
        assert_eq!(accepted.actual_end, Some(day(2, 4)));
        assert_eq!(accepted.accepted_on, Some(day(2, 6)));
        let reworked = delivered.moved(InProgress, day(2, 5));
        assert_eq!(reworked.actual_end, None);
        assert_eq!(reworked.actual_start, Some(day(1, 3)));
    }
}
