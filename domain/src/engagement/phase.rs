//! A phase of an engagement: its editable fields (milestones, scope, planned dates), how they
//! are validated and patched, the dates a move records, and its slippage against plan.

use chrono::{DateTime, NaiveDate, Utc};

use super::status::{FocusKind, PhaseStatus};
use crate::hours::Hours;
use crate::ids::{EngagementId, PhaseId};
use crate::{DomainError, DomainResult, Patch, text};

/// A checkpoint inside a phase.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Milestone {
    /// What is reached.
    pub name: String,
    /// When it is due.
    pub due: Option<NaiveDate>,
    /// When it was reached.
    pub done_on: Option<NaiveDate>,
}

/// A deliverable of a phase with the hours it is planned to take: what a phase's planned hours
/// add up from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseScopeItem {
    /// What is delivered.
    pub deliverable: String,
    /// The hours it is estimated to take (more than 0).
    pub estimated_hours: Hours,
}

/// The editable fields of a phase.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseData {
    /// A short name ("Apparel catalog").
    pub name: String,
    /// Whether the phase is organised around a product line or a problem.
    pub focus_kind: FocusKind,
    /// The product line or the problem.
    pub focus: String,
    /// What the phase sets out to do.
    pub objective: Option<String>,
    /// The value it should deliver, in the customer's terms.
    pub expected_value: Option<String>,
    /// When work is planned to start.
    pub planned_start: Option<NaiveDate>,
    /// When delivery is planned.
    pub planned_end: Option<NaiveDate>,
    /// Checkpoints inside the phase.
    pub milestones: Vec<Milestone>,
    /// The deliverables and their estimated hours; the phase's planned hours are their sum.
    pub scope: Vec<PhaseScopeItem>,
}

impl PhaseData {
    /// The hours the phase is planned to take: the sum of its scope items.
    pub fn planned_hours(&self) -> Hours {
        Hours(self.scope.iter().map(|s| s.estimated_hours.0).sum())
    }
}

/// A phase as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// Its id.
    pub id: PhaseId,
    /// The engagement it belongs to.
    pub engagement_id: EngagementId,
    /// Its place in the engagement's order, from 1, dense and unique.
    pub position: i32,
    /// Its fields.
    pub data: PhaseData,
    /// Its status.
    pub status: PhaseStatus,
    /// When work started.
    pub actual_start: Option<NaiveDate>,
    /// When it was delivered.
    pub actual_end: Option<NaiveDate>,
    /// When the customer accepted it.
    pub accepted_on: Option<NaiveDate>,
    /// The phases of the same engagement it depends on.
    pub depends_on: Vec<PhaseId>,
    /// The first of the success-plan goals it serves (by goal id), when there is one; the
    /// whole set is stored beside the phase and read through its own loader.
    pub goal_id: Option<crate::ids::GoalId>,
    /// The value it realised, as the team recorded it on or after acceptance.
    pub realised_value: Option<String>,
    /// Bumped on every change.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new phase as typed.
#[derive(Debug, Clone)]
pub struct NewPhase {
    pub name: String,
    pub focus_kind: FocusKind,
    pub focus: String,
    pub objective: Option<String>,
    pub expected_value: Option<String>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub milestones: Vec<Milestone>,
    pub scope: Vec<PhaseScopeItem>,
}

/// A change to a phase's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct PhasePatch {
    pub name: Option<String>,
    pub focus_kind: Option<FocusKind>,
    pub focus: Option<String>,
    pub objective: Patch<String>,
    pub expected_value: Patch<String>,
    pub planned_start: Patch<NaiveDate>,
    pub planned_end: Patch<NaiveDate>,
    pub milestones: Option<Vec<Milestone>>,
    /// The full new scope list (replacing the old one).
    pub scope: Option<Vec<PhaseScopeItem>>,
}

/// Validates a phase's scope list: at most 200 items, each with a deliverable and more than 0
/// hours. `field` is the list's input path (`scope`, `phases[2].scope`).
pub(crate) fn scope(field: &str, list: Vec<PhaseScopeItem>) -> DomainResult<Vec<PhaseScopeItem>> {
    if list.len() > 200 {
        return Err(DomainError::invalid(
            field,
            "at most 200 scope items per phase",
        ));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, item)| {
            Ok(PhaseScopeItem {
                deliverable: text::required(
                    &format!("{field}[{i}].deliverable"),
                    &item.deliverable,
                    500,
                )?,
                estimated_hours: crate::hours::positive_hours(
                    &format!("{field}[{i}].estimatedHours"),
                    item.estimated_hours,
                )?,
            })
        })
        .collect()
}

fn milestones(list: Vec<Milestone>) -> DomainResult<Vec<Milestone>> {
    if list.len() > 50 {
        return Err(DomainError::invalid(
            "milestones",
            "at most 50 milestones per phase",
        ));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, m)| {
            Ok(Milestone {
                name: text::required(&format!("milestones[{i}].name"), &m.name, 200)?,
                ..m
            })
        })
        .collect()
}

fn check_dates(start: Option<NaiveDate>, end: Option<NaiveDate>) -> DomainResult<()> {
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Err(DomainError::invalid(
            "plannedEnd",
            format!("{e} is before the planned start {s}"),
        ));
    }
    Ok(())
}

impl NewPhase {
    /// Validates every field.
    pub fn validate(self) -> DomainResult<PhaseData> {
        check_dates(self.planned_start, self.planned_end)?;
        Ok(PhaseData {
            name: text::required("name", &self.name, 200)?,
            focus_kind: self.focus_kind,
            focus: text::required("focus", &self.focus, 200)?,
            objective: text::optional("objective", self.objective.as_deref(), 4000)?,
            expected_value: text::optional("expectedValue", self.expected_value.as_deref(), 4000)?,
            planned_start: self.planned_start,
            planned_end: self.planned_end,
            milestones: milestones(self.milestones)?,
            scope: scope("scope", self.scope)?,
        })
    }
}

impl Phase {
    /// The phase's fields after `patch`. An accepted phase is history and no longer changes.
    pub fn patched(&self, patch: PhasePatch) -> DomainResult<PhaseData> {
        if self.status == PhaseStatus::Accepted {
            return Err(DomainError::Conflict(format!(
                "phase '{}' is accepted; an accepted phase cannot change",
                self.data.name
            )));
        }
        let d = self.data.clone();
        let data = PhaseData {
            name: match patch.name {
                Some(n) => text::required("name", &n, 200)?,
                None => d.name,
            },
            focus_kind: patch.focus_kind.unwrap_or(d.focus_kind),
            focus: match patch.focus {
                Some(f) => text::required("focus", &f, 200)?,
                None => d.focus,
            },
            objective: patch
                .objective
                .try_apply(d.objective, |v| text::optional("objective", Some(&v), 4000))?,
            expected_value: patch.expected_value.try_apply(d.expected_value, |v| {
                text::optional("expectedValue", Some(&v), 4000)
            })?,
            planned_start: patch.planned_start.apply(d.planned_start),
            planned_end: patch.planned_end.apply(d.planned_end),
            milestones: match patch.milestones {
                Some(m) => milestones(m)?,
                None => d.milestones,
            },
            scope: match patch.scope {
                Some(list) => scope("scope", list)?,
                None => d.scope,
            },
        };
        check_dates(data.planned_start, data.planned_end)?;
        Ok(data)
    }
    /// The phase after moving to `next` on `today`: the dates that the move records.
    pub fn moved(&self, next: PhaseStatus, today: NaiveDate) -> Phase {
        let mut p = self.clone();
        match next {
            PhaseStatus::InProgress if p.actual_start.is_none() => p.actual_start = Some(today),
            PhaseStatus::InProgress => p.actual_end = None,
            PhaseStatus::Delivered => p.actual_end = Some(today),
            PhaseStatus::Accepted => p.accepted_on = Some(today),
            PhaseStatus::Planned => {}
        }
        p.status = next;
        p
    }

    /// How many days late the phase started and ended (negative: early), judged against
    /// `today` while a planned date has passed without the event.
    pub fn slippage(&self, today: NaiveDate) -> Slippage {
        let slip = |planned: Option<NaiveDate>, actual: Option<NaiveDate>| match (planned, actual) {
            (Some(p), Some(a)) => Some((a - p).num_days()),
            (Some(p), None) if today > p => Some((today - p).num_days()),
            (Some(_), None) => Some(0),
            (None, _) => None,
        };
        Slippage {
            start_days: slip(self.data.planned_start, self.actual_start),
            end_days: slip(self.data.planned_end, self.actual_end),
        }
    }
}

/// Days late against plan: positive is late, negative early, `None` without a planned date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slippage {
    /// Start: actual (or today, if overdue) minus planned.
    pub start_days: Option<i64>,
    /// End: delivery (or today, if overdue) minus planned.
    pub end_days: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engagement::fixtures::{day, phase};

    #[test]
    fn slippage_compares_actual_or_today_with_plan() {
        let mut p = phase("A", 1, PhaseStatus::Planned, vec![]);
        assert_eq!(
            p.slippage(day(1, 1)),
            Slippage {
                start_days: Some(0),
                end_days: Some(0)
            }
        );
        assert_eq!(p.slippage(day(1, 10)).start_days, Some(9));
        p.actual_start = Some(day(1, 4));
        p.actual_end = Some(day(1, 30));
        assert_eq!(
            p.slippage(day(3, 1)),
            Slippage {
                start_days: Some(3),
                end_days: Some(-2)
            }
        );
    }

    #[test]
    fn planned_dates_must_be_in_order() {
        let err = NewPhase {
            name: "A".into(),
            focus_kind: FocusKind::Problem,
            focus: "Slow checkout".into(),
            objective: None,
            expected_value: None,
            planned_start: Some(day(3, 1)),
            planned_end: Some(day(2, 1)),
            milestones: vec![],
            scope: vec![],
        }
        .validate()
        .unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "plannedEnd"));
    }
}
