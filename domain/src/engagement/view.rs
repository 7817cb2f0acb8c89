//! Partial views of a phase: what a list of phases shows at a glance, read without the rest.
//!
//! A dashboard lists hundreds of phases and most lists show a name and a status, perhaps the
//! dates; reading each phase whole (its long texts, its milestones and scope, its timestamps)
//! to show that costs more than the list itself. These types are those reads: a view holds
//! exactly the fields it was read with, so nothing that reads one can mistake a field left out
//! for an empty one.

use chrono::NaiveDate;

use super::phase::Phase;
use super::status::{FocusKind, PhaseStatus};
use crate::ids::{EngagementId, PhaseId};

/// A phase's head: who it is, where it sits and where it stands — what a list of phases shows
/// at a glance.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseHead {
    /// Its id.
    pub id: PhaseId,
    /// The engagement it belongs to.
    pub engagement_id: EngagementId,
    /// Its place in the engagement's order, from 1.
    pub position: i32,
    /// A short name.
    pub name: String,
    /// Its status.
    pub status: PhaseStatus,
    /// Bumped on every change.
    pub version: i32,
}

/// A phase's outline: its head, what it is about and its dates — what a plan or a timeline of
/// phases shows. Without its objective, values, milestones, scope, goals or dependencies.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseOutline {
    /// Its head.
    pub head: PhaseHead,
    /// Whether it is organised around a product line or a problem.
    pub focus_kind: FocusKind,
    /// The product line or the problem.
    pub focus: String,
    /// When work is planned to start.
    pub planned_start: Option<NaiveDate>,
    /// When delivery is planned.
    pub planned_end: Option<NaiveDate>,
    /// When work started.
    pub actual_start: Option<NaiveDate>,
    /// When it was delivered.
    pub actual_end: Option<NaiveDate>,
    /// When the customer accepted it.
    pub accepted_on: Option<NaiveDate>,
}

impl From<&Phase> for PhaseHead {
    fn from(p: &Phase) -> Self {
        PhaseHead {
            id: p.id,
            engagement_id: p.engagement_id,
            position: p.position,
            name: p.data.name.clone(),
            status: p.status,
            version: p.version,
        }
    }
}

impl From<&Phase> for PhaseOutline {
    fn from(p: &Phase) -> Self {
        PhaseOutline {
            head: PhaseHead::from(p),
            focus_kind: p.data.focus_kind,
            focus: p.data.focus.clone(),
            planned_start: p.data.planned_start,
            planned_end: p.data.planned_end,
            actual_start: p.actual_start,
            actual_end: p.actual_end,
            accepted_on: p.accepted_on,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{day, phase};
    use super::*;

    #[test]
    fn an_outline_holds_the_phase_s_head_and_dates() {
        let mut p = phase("Apparel", 2, PhaseStatus::Accepted, vec![]);
        (p.actual_start, p.actual_end, p.accepted_on) =
            (Some(day(1, 6)), Some(day(1, 30)), Some(day(2, 2)));
        let o = PhaseOutline::from(&p);
        assert_eq!(o.head, PhaseHead::from(&p));
        assert_eq!(
            (
                o.head.id,
                o.head.position,
                o.head.name.as_str(),
                o.head.status
            ),
            (p.id, 2, "Apparel", PhaseStatus::Accepted)
        );
        assert_eq!(
            (
                o.planned_start,
                o.planned_end,
                o.actual_start,
                o.actual_end,
                o.accepted_on
            ),
            (
                Some(day(1, 1)),
                Some(day(2, 1)),
                Some(day(1, 6)),
                Some(day(1, 30)),
                Some(day(2, 2))
            )
        );
    }
}
