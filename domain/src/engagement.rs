//! Engagements and their phases: a piece of services work for an account, run phase by phase.
//!
//! The rules here are pure: the status machines, the phase dependency graph (no cycles; a phase
//! starts only when what it depends on is delivered), dense ordering, and the derived figures
//! (progress, next startable phases, slippage).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::hours::Hours;
use crate::ids::{AccountId, EngagementId, PhaseId, TeamMemberId, TemplateId};
use crate::{DomainError, DomainResult, Patch, text};

crate::text_enum! {
    /// What kind of services work an engagement is.
    pub enum EngagementKind {
        /// Moving a merchant off a legacy platform, phase by phase.
        Replatforming = "REPLATFORMING",
        /// Getting a new customer live.
        Onboarding = "ONBOARDING",
        /// Improving how an existing customer uses the product.
        Optimization = "OPTIMIZATION",
    }
}

crate::text_enum! {
    /// Where an engagement stands.
    pub enum EngagementStatus {
        /// Scoped, not started.
        Planned = "PLANNED",
        /// Work is under way.
        Active = "ACTIVE",
        /// Paused; can resume.
        OnHold = "ON_HOLD",
        /// Every phase accepted; closed.
        Completed = "COMPLETED",
        /// Stopped for good.
        Cancelled = "CANCELLED",
    }
}

impl EngagementStatus {
    /// The statuses this one may move to.
    pub fn next(self) -> &'static [EngagementStatus] {
        use EngagementStatus::*;
        match self {
            Planned => &[Active, Cancelled],
            Active => &[OnHold, Completed, Cancelled],
            OnHold => &[Active, Cancelled],
            Completed | Cancelled => &[],
        }
    }

    /// Whether the engagement is closed to changes.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            EngagementStatus::Completed | EngagementStatus::Cancelled
        )
    }
}

crate::text_enum! {
    /// Where a phase stands.
    pub enum PhaseStatus {
        /// Not started.
        Planned = "PLANNED",
        /// Work is under way.
        InProgress = "IN_PROGRESS",
        /// Handed over; awaiting the customer's acceptance.
        Delivered = "DELIVERED",
        /// Accepted by the customer: its value counts.
        Accepted = "ACCEPTED",
    }
}

impl PhaseStatus {
    /// The statuses this one may move to. A delivery the customer rejects goes back to work.
    pub fn next(self) -> &'static [PhaseStatus] {
        use PhaseStatus::*;
        match self {
            Planned => &[InProgress],
            InProgress => &[Delivered],
            Delivered => &[Accepted, InProgress],
            Accepted => &[],
        }
    }

    /// Whether phases that depend on this one may start.
    pub fn unblocks_dependents(self) -> bool {
        matches!(self, PhaseStatus::Delivered | PhaseStatus::Accepted)
    }
}

/// Checks a status change against a machine's allowed moves; the error names both statuses and
/// what is allowed instead.
pub(crate) fn transition<S: Copy + PartialEq + std::fmt::Display>(
    what: &str,
    current: S,
    requested: S,
    allowed: &[S],
) -> DomainResult<()> {
    if allowed.contains(&requested) {
        return Ok(());
    }
    let options = if allowed.is_empty() {
        "none: it is final".to_owned()
    } else {
        allowed
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(DomainError::invalid(
        "status",
        format!(
            "a {what} cannot move from {current} to {requested}; from {current} it can move to {options}"
        ),
    ))
}

crate::text_enum! {
    /// What a phase is organised around.
    pub enum FocusKind {
        /// One product line (for example "Apparel").
        ProductLine = "PRODUCT_LINE",
        /// One problem (for example "Slow checkout").
        Problem = "PROBLEM",
    }
}

/// The editable fields of an engagement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngagementData {
    /// A short name ("Replatforming to Tandem Commerce").
    pub name: String,
    /// What kind of work it is.
    pub kind: EngagementKind,
    /// The platform the merchant leaves.
    pub source_platform: Option<String>,
    /// The platform the merchant moves to.
    pub target_platform: Option<String>,
    /// The services lead.
    pub lead_id: Option<TeamMemberId>,
    /// What the engagement is for.
    pub description: Option<String>,
    /// When work is planned to start.
    pub planned_start: Option<NaiveDate>,
}

/// An engagement as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Engagement {
    /// Its id.
    pub id: EngagementId,
    /// The account it serves.
    pub account_id: AccountId,
    /// Its fields.
    pub data: EngagementData,
    /// Its status.
    pub status: EngagementStatus,
    /// The template it was made from, if any; it never changes afterwards.
    pub template: Option<TemplateRef>,
    /// Bumped on every change.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The template (and the version of it) an engagement was made from: later edits to the
/// template do not change the engagement, so the version says which plan it started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateRef {
    /// The template.
    pub id: TemplateId,
    /// Its version when the engagement was made.
    pub version: i32,
}

/// A new engagement as typed.
#[derive(Debug, Clone)]
pub struct NewEngagement {
    pub name: String,
    pub kind: EngagementKind,
    pub source_platform: Option<String>,
    pub target_platform: Option<String>,
    pub lead_id: Option<TeamMemberId>,
    pub description: Option<String>,
    pub planned_start: Option<NaiveDate>,
}

/// A change to an engagement's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct EngagementPatch {
    pub name: Option<String>,
    pub kind: Option<EngagementKind>,
    pub source_platform: Patch<String>,
    pub target_platform: Patch<String>,
    pub lead_id: Patch<TeamMemberId>,
    pub description: Patch<String>,
    pub planned_start: Patch<NaiveDate>,
}

fn patch_text(
    field: &str,
    patch: Patch<String>,
    current: Option<String>,
    max: usize,
) -> DomainResult<Option<String>> {
    match patch {
        Patch::Keep => Ok(current),
        Patch::Clear => Ok(None),
        Patch::Set(v) => text::optional(field, Some(&v), max),
    }
}

impl NewEngagement {
    /// Validates every field.
    pub fn validate(self) -> DomainResult<EngagementData> {
        Ok(EngagementData {
            name: text::required("name", &self.name, 200)?,
            kind: self.kind,
            source_platform: text::optional(
                "sourcePlatform",
                self.source_platform.as_deref(),
                100,
            )?,
            target_platform: text::optional(
                "targetPlatform",
                self.target_platform.as_deref(),
                100,
            )?,
            lead_id: self.lead_id,
            description: text::optional("description", self.description.as_deref(), 4000)?,
            planned_start: self.planned_start,
        })
    }
}

impl Engagement {
    /// Refuses changes to a completed or cancelled engagement.
    pub fn ensure_open(&self) -> DomainResult<()> {
        if self.status.is_closed() {
            return Err(DomainError::Conflict(format!(
                "engagement '{}' is {}; a closed engagement cannot change",
                self.data.name, self.status
            )));
        }
        Ok(())
    }

    /// The engagement's fields after `patch`.
    pub fn patched(&self, patch: EngagementPatch) -> DomainResult<EngagementData> {
        self.ensure_open()?;
        let d = self.data.clone();
        Ok(EngagementData {
            name: match patch.name {
                Some(n) => text::required("name", &n, 200)?,
                None => d.name,
            },
            kind: patch.kind.unwrap_or(d.kind),
            source_platform: patch_text(
                "sourcePlatform",
                patch.source_platform,
                d.source_platform,
                100,
            )?,
            target_platform: patch_text(
                "targetPlatform",
                patch.target_platform,
                d.target_platform,
                100,
            )?,
            lead_id: patch.lead_id.apply(d.lead_id),
            description: patch_text("description", patch.description, d.description, 4000)?,
            planned_start: patch.planned_start.apply(d.planned_start),
        })
    }

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
            objective: patch_text("objective", patch.objective, d.objective, 4000)?,
            expected_value: patch_text(
                "expectedValue",
                patch.expected_value,
                d.expected_value,
                4000,
            )?,
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

/// The phases `phase` depends on that are not delivered yet, in engagement order.
pub fn blockers<'a>(phase: &Phase, phases: &'a [Phase]) -> Vec<&'a Phase> {
    let mut out: Vec<&Phase> = phases
        .iter()
        .filter(|p| phase.depends_on.contains(&p.id) && !p.status.unblocks_dependents())
        .collect();
    out.sort_by_key(|p| p.position);
    out
}

/// The planned phases whose dependencies are all delivered: what can start next.
pub fn next_startable(phases: &[Phase]) -> Vec<&Phase> {
    let mut out: Vec<&Phase> = phases
        .iter()
        .filter(|p| p.status == PhaseStatus::Planned && blockers(p, phases).is_empty())
        .collect();
    out.sort_by_key(|p| p.position);
    out
}

/// Checks a new dependency set for `phase`: only phases of the same engagement, not itself, and
/// no cycle. On a cycle, the error walks it by name.
pub fn check_dependencies(
    phase: &Phase,
    depends_on: &[PhaseId],
    phases: &[Phase],
) -> DomainResult<()> {
    let by_id: HashMap<PhaseId, &Phase> = phases.iter().map(|p| (p.id, p)).collect();
    for (i, dep) in depends_on.iter().enumerate() {
        if *dep == phase.id {
            return Err(DomainError::invalid(
                format!("dependsOn[{i}]"),
                "a phase cannot depend on itself",
            ));
        }
        if !by_id.contains_key(dep) {
            return Err(DomainError::invalid(
                format!("dependsOn[{i}]"),
                "is not a phase of the same engagement",
            ));
        }
    }
    // Would any new dependency reach back to `phase`? Walk from each along depends_on edges.
    let edges = |id: PhaseId| -> Vec<PhaseId> {
        if id == phase.id {
            depends_on.to_vec()
        } else {
            by_id
                .get(&id)
                .map(|p| p.depends_on.clone())
                .unwrap_or_default()
        }
    };
    for start in depends_on {
        let mut path = vec![phase.id, *start];
        let mut seen = HashSet::new();
        if let Some(cycle) = reaches(*start, phase.id, &edges, &mut seen, &mut path) {
            let names: Vec<&str> = cycle
                .iter()
                .filter_map(|id| by_id.get(id).map(|p| p.data.name.as_str()))
                .collect();
            return Err(DomainError::invalid(
                "dependsOn",
                format!("that would make a cycle: {}", names.join(" → ")),
            ));
        }
    }
    Ok(())
}

fn reaches(
    from: PhaseId,
    target: PhaseId,
    edges: &dyn Fn(PhaseId) -> Vec<PhaseId>,
    seen: &mut HashSet<PhaseId>,
    path: &mut Vec<PhaseId>,
) -> Option<Vec<PhaseId>> {
    if !seen.insert(from) {
        return None;
    }
    for next in edges(from) {
        path.push(next);
        if next == target {
            return Some(path.clone());
        }
        if let Some(found) = reaches(next, target, edges, seen, path) {
            return Some(found);
        }
        path.pop();
    }
    None
}

/// The order after moving `moved` to `position` (1-based, clamped to the ends).
pub fn reorder(order: &[PhaseId], moved: PhaseId, position: usize) -> Vec<PhaseId> {
    let mut out: Vec<PhaseId> = order.iter().copied().filter(|id| *id != moved).collect();
    let index = position.saturating_sub(1).min(out.len());
    out.insert(index, moved);
    out
}

/// Accepted phases against all phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Phases accepted.
    pub accepted: usize,
    /// All phases.
    pub total: usize,
}

/// Accepted phases as a share of all phases, weighted by each phase's budget (`weight`, for
/// example its estimated in-scope hours); `None` when no phase carries any weight.
pub fn weighted_progress(phases: &[Phase], weight: impl Fn(&Phase) -> i64) -> Option<f64> {
    let total: i64 = phases.iter().map(&weight).sum();
    let accepted: i64 = phases
        .iter()
        .filter(|p| p.status == PhaseStatus::Accepted)
        .map(&weight)
        .sum();
    (total > 0).then(|| accepted as f64 / total as f64)
}

/// Progress by count.
pub fn progress(phases: &[Phase]) -> Progress {
    Progress {
        accepted: phases
            .iter()
            .filter(|p| p.status == PhaseStatus::Accepted)
            .count(),
        total: phases.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn engagement(status: EngagementStatus) -> Engagement {
        Engagement {
            id: EngagementId::new(),
            account_id: AccountId::new(),
            data: NewEngagement {
                name: "Replatforming".into(),
                kind: EngagementKind::Replatforming,
                source_platform: Some("Legacy".into()),
                target_platform: Some("Tandem".into()),
                lead_id: None,
                description: None,
                planned_start: None,
            }
            .validate()
            .unwrap(),
            status,
            template: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn phase(name: &str, position: i32, status: PhaseStatus, depends_on: Vec<PhaseId>) -> Phase {
        Phase {
            id: PhaseId::new(),
            engagement_id: EngagementId::new(),
            position,
            data: NewPhase {
                name: name.into(),
                focus_kind: FocusKind::ProductLine,
                focus: name.into(),
                objective: None,
                expected_value: None,
                planned_start: Some(day(1, 1)),
                planned_end: Some(day(2, 1)),
                milestones: vec![],
                scope: vec![],
            }
            .validate()
            .unwrap(),
            status,
            actual_start: None,
            actual_end: None,
            accepted_on: None,
            depends_on,
            goal_id: None,
            realised_value: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

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

    #[test]
    fn a_dependency_that_closes_a_cycle_is_refused_with_the_cycle_named() {
        let a = phase("A", 1, PhaseStatus::Planned, vec![]);
        let b = phase("B", 2, PhaseStatus::Planned, vec![a.id]);
        let c = phase("C", 3, PhaseStatus::Planned, vec![b.id]);
        let phases = vec![a.clone(), b.clone(), c.clone()];
        let err = check_dependencies(&a, &[c.id], &phases).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dependsOn: that would make a cycle: A → C → B → A"
        );
        assert!(check_dependencies(&a, &[a.id], &phases).is_err());
        assert!(check_dependencies(&c, &[a.id, b.id], &phases).is_ok());
        assert!(check_dependencies(&c, &[PhaseId::new()], &phases).is_err());
    }

    #[test]
    fn next_startable_phases_are_planned_with_dependencies_delivered() {
        let a = phase("A", 1, PhaseStatus::Delivered, vec![]);
        let b = phase("B", 2, PhaseStatus::Planned, vec![a.id]);
        let c = phase("C", 3, PhaseStatus::Planned, vec![b.id]);
        let d = phase("D", 4, PhaseStatus::Planned, vec![]);
        let phases = vec![a, b, c, d];
        let names: Vec<&str> = next_startable(&phases)
            .iter()
            .map(|p| p.data.name.as_str())
            .collect();
        assert_eq!(names, ["B", "D"]);
    }

    #[test]
    fn reordering_keeps_positions_dense() {
        let ids: Vec<PhaseId> = (0..4).map(|_| PhaseId::new()).collect();
        assert_eq!(
            reorder(&ids, ids[3], 1),
            vec![ids[3], ids[0], ids[1], ids[2]]
        );
        assert_eq!(
            reorder(&ids, ids[0], 99),
            vec![ids[1], ids[2], ids[3], ids[0]]
        );
        assert_eq!(
            reorder(&ids, ids[1], 0),
            vec![ids[1], ids[0], ids[2], ids[3]]
        );
    }

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
    fn weighted_progress_counts_each_phase_by_its_budget() {
        let a = phase("A", 1, PhaseStatus::Accepted, vec![]);
        let b = phase("B", 2, PhaseStatus::InProgress, vec![]);
        let weights = [(a.id, 100), (b.id, 300)];
        let weight = |p: &Phase| {
            weights
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |w| w.1)
        };
        assert_eq!(weighted_progress(&[a.clone(), b], weight), Some(0.25));
        assert_eq!(weighted_progress(&[a], |_| 0), None);
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
