//! Baselines: an engagement's planned dates and hours frozen at a moment, so that the current
//! plan can be held against what was promised (slip in days, hours over or under).
//!
//! The comparison is pure: a baseline's snapshot against the engagement's phases now.
//!
//! A phase's **current** dates are what is known best today: its actual start once work has
//! started, else its planned start; its actual end once it is delivered (or accepted), else its
//! planned end. Its current hours are its planned hours (the sum of its scope items) — logged
//! time is a SOW figure, not a plan.

use chrono::{DateTime, NaiveDate, Utc};

use crate::engagement::{Engagement, Phase};
use crate::hours::Hours;
use crate::ids::{BaselineId, EngagementId, PhaseId};
use crate::{DomainError, DomainResult, text};

/// One phase as a baseline froze it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaselinePhase {
    /// The phase.
    pub phase_id: PhaseId,
    /// Its name then.
    pub name: String,
    /// Its planned start then.
    pub planned_start: Option<NaiveDate>,
    /// Its planned end then.
    pub planned_end: Option<NaiveDate>,
    /// Its planned hours then.
    pub planned_hours: Hours,
}

/// A baseline as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// Its id.
    pub id: BaselineId,
    /// The engagement it freezes.
    pub engagement_id: EngagementId,
    /// A name ("Signed plan", "Re-plan after CR-2").
    pub name: String,
    /// When it was taken.
    pub taken_at: DateTime<Utc>,
    /// Who took it: the subject of their token.
    pub taken_by: String,
    /// The phases as they were planned, in their order then.
    pub phases: Vec<BaselinePhase>,
}

/// Checks that a baseline of `engagement` with `phases` may be taken, and names it.
pub fn validate_new(engagement: &Engagement, phases: &[Phase], name: &str) -> DomainResult<String> {
    let name = text::required("name", name, 200)?;
    engagement.ensure_open()?;
    if phases.is_empty() {
        return Err(DomainError::invalid(
            "engagementId",
            format!(
                "engagement '{}' has no phases yet; add phases before taking a baseline",
                engagement.data.name
            ),
        ));
    }
    Ok(name)
}

/// The phases' planned dates and hours now, to freeze.
pub fn snapshot(phases: &[Phase]) -> Vec<BaselinePhase> {
    phases
        .iter()
        .map(|p| BaselinePhase {
            phase_id: p.id,
            name: p.data.name.clone(),
            planned_start: p.data.planned_start,
            planned_end: p.data.planned_end,
            planned_hours: p.data.planned_hours(),
        })
        .collect()
}

/// A phase's dates and hours as known today (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Current {
    /// Actual start once started, else planned start.
    pub start: Option<NaiveDate>,
    /// Actual end once delivered, else planned end.
    pub end: Option<NaiveDate>,
    /// Planned hours.
    pub hours: Hours,
}

/// The current figures of `phase`.
pub fn current(phase: &Phase) -> Current {
    let delivered = phase.status.unblocks_dependents();
    Current {
        start: phase.actual_start.or(phase.data.planned_start),
        end: if delivered {
            phase.actual_end.or(phase.data.planned_end)
        } else {
            phase.data.planned_end
        },
        hours: phase.data.planned_hours(),
    }
}

/// One phase held against a baseline. A phase added after the baseline has no baseline
/// figures (`added`); one removed since has no current figures (`removed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseVariance {
    /// The phase, when it still exists.
    pub phase_id: Option<PhaseId>,
    /// Its current name, or its name in the baseline when it was removed.
    pub name: String,
    /// What the baseline froze.
    pub baseline: Option<BaselinePhase>,
    /// What is known today.
    pub current: Option<Current>,
    /// Current start minus baseline start, in days (positive: later).
    pub start_slip_days: Option<i64>,
    /// Current end minus baseline end, in days (positive: later).
    pub end_slip_days: Option<i64>,
    /// Current hours minus baseline hours (positive: over).
    pub hours_variance: Option<Hours>,
}

impl PhaseVariance {
    /// Whether the phase was added after the baseline.
    pub fn added(&self) -> bool {
        self.baseline.is_none()
    }

    /// Whether the phase was removed since the baseline.
    pub fn removed(&self) -> bool {
        self.current.is_none()
    }
}

/// An engagement's current plan held against one baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variance {
    /// Each phase: the current ones in their order, then those removed since.
    pub phases: Vec<PhaseVariance>,
    /// The baseline's planned hours, over all its phases.
    pub baseline_hours: Hours,
    /// The current planned hours, over all current phases.
    pub current_hours: Hours,
    /// The latest current end minus the latest baseline end, in days (positive: later); `None`
    /// when either has no dates.
    pub end_slip_days: Option<i64>,
}

impl Variance {
    /// Current planned hours minus baseline planned hours (positive: over).
    pub fn hours_variance(&self) -> Hours {
        Hours(self.current_hours.0 - self.baseline_hours.0)
    }
}

fn days_between(later: Option<NaiveDate>, earlier: Option<NaiveDate>) -> Option<i64> {
    Some((later? - earlier?).num_days())
}

/// Holds the engagement's `phases` (all of them, in order) against `baseline`.
pub fn compare(baseline: &Baseline, phases: &[Phase]) -> Variance {
    let mut out: Vec<PhaseVariance> = phases
        .iter()
        .map(|p| {
            let then = baseline.phases.iter().find(|b| b.phase_id == p.id).cloned();
            let now = current(p);
            PhaseVariance {
                phase_id: Some(p.id),
                name: p.data.name.clone(),
                start_slip_days: then
                    .as_ref()
                    .and_then(|b| days_between(now.start, b.planned_start)),
                end_slip_days: then
                    .as_ref()
                    .and_then(|b| days_between(now.end, b.planned_end)),
                hours_variance: then
                    .as_ref()
                    .map(|b| Hours(now.hours.0 - b.planned_hours.0)),
                baseline: then,
                current: Some(now),
            }
        })
        .collect();
    out.extend(
        baseline
            .phases
            .iter()
            .filter(|b| !phases.iter().any(|p| p.id == b.phase_id))
            .map(|b| PhaseVariance {
                phase_id: None,
                name: b.name.clone(),
                baseline: Some(b.clone()),
                current: None,
                start_slip_days: None,
                end_slip_days: None,
                hours_variance: None,
            }),
    );
    let current_end = phases.iter().filter_map(|p| current(p).end).max();
    let baseline_end = baseline.phases.iter().filter_map(|b| b.planned_end).max();
    Variance {
        phases: out,
        baseline_hours: Hours(baseline.phases.iter().map(|b| b.planned_hours.0).sum()),
        current_hours: Hours(phases.iter().map(|p| p.data.planned_hours().0).sum()),
        end_slip_days: days_between(current_end, baseline_end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engagement::{FocusKind, NewPhase, PhaseScopeItem, PhaseStatus};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn phase(name: &str, start: NaiveDate, end: NaiveDate, hours: i64) -> Phase {
        Phase {
            id: PhaseId::new(),
            engagement_id: EngagementId::new(),
            position: 1,
            data: NewPhase {
                name: name.into(),
                focus_kind: FocusKind::Problem,
                focus: name.into(),
                objective: None,
                expected_value: None,
                planned_start: Some(start),
                planned_end: Some(end),
                milestones: vec![],
                scope: vec![PhaseScopeItem {
                    deliverable: "Work".into(),
                    estimated_hours: Hours(hours),
                }],
            }
            .validate()
            .unwrap(),
            status: PhaseStatus::Planned,
            actual_start: None,
            actual_end: None,
            accepted_on: None,
            depends_on: vec![],
            goal_id: None,
            realised_value: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn baseline_of(phases: &[Phase]) -> Baseline {
        Baseline {
            id: BaselineId::new(),
            engagement_id: EngagementId::new(),
            name: "Signed plan".into(),
            taken_at: Utc::now(),
            taken_by: "lead".into(),
            phases: snapshot(phases),
        }
    }

    #[test]
    fn an_unchanged_plan_has_no_slip_and_no_variance() {
        let phases = vec![phase("A", day(1, 1), day(1, 31), 4000)];
        let v = compare(&baseline_of(&phases), &phases);
        assert_eq!(v.end_slip_days, Some(0));
        assert_eq!(v.hours_variance(), Hours(0));
        assert_eq!(v.phases[0].start_slip_days, Some(0));
        assert!(!v.phases[0].added() && !v.phases[0].removed());
    }

    #[test]
    fn a_re_planned_phase_shows_its_slip_and_its_extra_hours() {
        let mut phases = vec![
            phase("A", day(1, 1), day(1, 31), 4000),
            phase("B", day(2, 1), day(2, 28), 6000),
        ];
        let baseline = baseline_of(&phases);
        phases[1].data.planned_start = Some(day(2, 11));
        phases[1].data.planned_end = Some(day(3, 14));
        phases[1].data.scope[0].estimated_hours = Hours(7550);
        let v = compare(&baseline, &phases);
        assert_eq!(v.phases[1].start_slip_days, Some(10));
        assert_eq!(v.phases[1].end_slip_days, Some(14));
        assert_eq!(v.phases[1].hours_variance, Some(Hours(1550)));
        assert_eq!(v.end_slip_days, Some(14));
        assert_eq!(v.hours_variance(), Hours(1550));
        assert_eq!(v.baseline_hours, Hours(10000));
    }

    #[test]
    fn a_delivered_phase_counts_its_actual_dates() {
        let mut phases = vec![phase("A", day(1, 1), day(1, 31), 4000)];
        let baseline = baseline_of(&phases);
        phases[0].status = PhaseStatus::Delivered;
        phases[0].actual_start = Some(day(1, 3));
        phases[0].actual_end = Some(day(1, 26));
        let v = compare(&baseline, &phases);
        assert_eq!(v.phases[0].start_slip_days, Some(2));
        assert_eq!(v.phases[0].end_slip_days, Some(-5));
        assert_eq!(v.end_slip_days, Some(-5));
        // Work under way keeps its planned end until it is delivered.
        phases[0].status = PhaseStatus::InProgress;
        phases[0].actual_end = None;
        assert_eq!(compare(&baseline, &phases).phases[0].end_slip_days, Some(0));
    }

    #[test]
    fn added_and_removed_phases_have_no_figures_on_the_missing_side() {
        let a = phase("A", day(1, 1), day(1, 31), 4000);
        let b = phase("B", day(2, 1), day(2, 28), 6000);
        let baseline = baseline_of(&[a.clone(), b]);
        let c = phase("C", day(3, 1), day(3, 31), 1000);
        let v = compare(&baseline, &[a, c]);
        let names: Vec<&str> = v.phases.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["A", "C", "B"]);
        assert!(v.phases[1].added() && v.phases[1].hours_variance.is_none());
        assert!(v.phases[2].removed() && v.phases[2].phase_id.is_none());
        assert_eq!(v.end_slip_days, Some(31));
        assert_eq!(v.hours_variance(), Hours(-5000));
    }
}
