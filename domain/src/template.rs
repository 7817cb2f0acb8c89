//! Engagement templates: a reusable plan ("Phased replatforming, 4 phases") of phases with
//! their dependencies, milestones, scope and estimated hours, all in days relative to a start.
//!
//! Creating an engagement from a template turns the offsets into dates ([`TemplateData::plan`]).
//! A template's dependencies name earlier phases only (by their 0-based index), so a template
//! can never hold a cycle, and the phases it produces can be added in order.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::engagement::{
    EngagementKind, FocusKind, Milestone, NewPhase, PhaseData, PhaseScopeItem,
};
use crate::hours::Hours;
use crate::ids::TemplateId;
use crate::{DomainError, DomainResult, Patch, text};

/// The most phases a template holds.
pub const MAX_PHASES: usize = 50;
/// The furthest an offset or a duration reaches, in days (ten years).
pub const MAX_DAYS: i32 = 3650;

/// A checkpoint inside a template phase, due `offset_days` after the phase starts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateMilestone {
    /// What is reached.
    pub name: String,
    /// Days after the phase's start (0 is its first day); within the phase.
    pub offset_days: i32,
}

/// One phase of a template.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplatePhase {
    /// A short name ("Catalog model").
    pub name: String,
    /// Whether the phase is organised around a product line or a problem.
    pub focus_kind: FocusKind,
    /// The product line or the problem.
    pub focus: String,
    /// What the phase sets out to do.
    pub objective: Option<String>,
    /// The value it should deliver.
    pub expected_value: Option<String>,
    /// Days after the engagement's start that the phase starts (0 or more).
    pub start_offset_days: i32,
    /// How many days the phase lasts, its first and last day included (1 or more).
    pub duration_days: i32,
    /// Its checkpoints.
    pub milestones: Vec<TemplateMilestone>,
    /// The 0-based indexes of the earlier phases it depends on.
    pub depends_on: Vec<usize>,
    /// Its deliverables and their estimated hours.
    pub scope: Vec<PhaseScopeItem>,
}

impl TemplatePhase {
    /// The hours the phase is planned to take: the sum of its scope items.
    pub fn planned_hours(&self) -> Hours {
        Hours(self.scope.iter().map(|s| s.estimated_hours.0).sum())
    }
}

/// The editable fields of a template.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateData {
    /// A name, unique among the templates in use.
    pub name: String,
    /// The kind of engagement it makes.
    pub kind: EngagementKind,
    /// What it is for and when to use it.
    pub description: Option<String>,
    /// Its phases, in order.
    pub phases: Vec<TemplatePhase>,
}

/// A template as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Its id.
    pub id: TemplateId,
    /// Its fields.
    pub data: TemplateData,
    /// Bumped on every change; engagements remember the version they were made from.
    pub version: i32,
    /// When it was archived: it then makes no more engagements.
    pub archived_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A new template as typed.
#[derive(Debug, Clone)]
pub struct NewTemplate {
    pub name: String,
    pub kind: EngagementKind,
    pub description: Option<String>,
    pub phases: Vec<TemplatePhase>,
}

/// A change to a template as typed; `phases`, when given, replaces the whole list.
#[derive(Debug, Clone, Default)]
pub struct TemplatePatch {
    pub name: Option<String>,
    pub kind: Option<EngagementKind>,
    pub description: Patch<String>,
    pub phases: Option<Vec<TemplatePhase>>,
}

fn days(field: &str, value: i32, min: i32) -> DomainResult<i32> {
    if value < min || value > MAX_DAYS {
        return Err(DomainError::invalid(
            field,
            format!("{value} is out of range; expected {min} to {MAX_DAYS} days"),
        ));
    }
    Ok(value)
}

/// Validates a template's phase list. Each dependency must name an earlier phase, which keeps
/// the graph acyclic by construction; duplicates are dropped.
pub fn validate_phases(list: Vec<TemplatePhase>) -> DomainResult<Vec<TemplatePhase>> {
    if list.is_empty() {
        return Err(DomainError::invalid(
            "phases",
            "a template needs at least one phase",
        ));
    }
    if list.len() > MAX_PHASES {
        return Err(DomainError::invalid(
            "phases",
            format!("at most {MAX_PHASES} phases per template"),
        ));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, p)| {
            let at = |field: &str| format!("phases[{i}].{field}");
            let duration_days = days(&at("durationDays"), p.duration_days, 1)?;
            if p.milestones.len() > 50 {
                return Err(DomainError::invalid(
                    at("milestones"),
                    "at most 50 milestones per phase",
                ));
            }
            let milestones = p
                .milestones
                .into_iter()
                .enumerate()
                .map(|(j, m)| {
                    let field = at(&format!("milestones[{j}].offsetDays"));
                    if m.offset_days < 0 || m.offset_days >= duration_days {
                        return Err(DomainError::invalid(
                            field,
                            format!(
                                "{} is outside the phase; expected 0 to {} (the phase lasts {duration_days} days)",
                                m.offset_days,
                                duration_days - 1
                            ),
                        ));
                    }
                    Ok(TemplateMilestone {
                        name: text::required(&at(&format!("milestones[{j}].name")), &m.name, 200)?,
                        offset_days: m.offset_days,
                    })
                })
                .collect::<DomainResult<Vec<_>>>()?;
            let mut depends_on = Vec::with_capacity(p.depends_on.len());
            for (j, dep) in p.depends_on.iter().enumerate() {
                if *dep >= i {
                    return Err(DomainError::invalid(
                        at(&format!("dependsOn[{j}]")),
                        if i == 0 {
                            "the first phase cannot depend on another".to_owned()
                        } else {
                            format!(
                                "{dep} is not an earlier phase; a phase depends only on phases before it (0 to {})",
                                i - 1
                            )
                        },
                    ));
                }
                if !depends_on.contains(dep) {
                    depends_on.push(*dep);
                }
            }
            depends_on.sort_unstable();
            Ok(TemplatePhase {
                name: text::required(&at("name"), &p.name, 200)?,
                focus_kind: p.focus_kind,
                focus: text::required(&at("focus"), &p.focus, 200)?,
                objective: text::optional(&at("objective"), p.objective.as_deref(), 4000)?,
                expected_value: text::optional(
                    &at("expectedValue"),
                    p.expected_value.as_deref(),
                    4000,
                )?,
                start_offset_days: days(&at("startOffsetDays"), p.start_offset_days, 0)?,
                duration_days,
                milestones,
                depends_on,
                scope: crate::engagement::scope(&at("scope"), p.scope)?,
            })
        })
        .collect()
}

impl NewTemplate {
    /// Validates every field.
    pub fn validate(self) -> DomainResult<TemplateData> {
        Ok(TemplateData {
            name: text::required("name", &self.name, 200)?,
            kind: self.kind,
            description: text::optional("description", self.description.as_deref(), 4000)?,
            phases: validate_phases(self.phases)?,
        })
    }
}

impl Template {
    /// Refuses to use or change an archived template.
    pub fn ensure_active(&self) -> DomainResult<()> {
        if self.archived_at.is_some() {
            return Err(DomainError::Conflict(format!(
                "template '{}' is archived",
                self.data.name
            )));
        }
        Ok(())
    }

    /// The template's fields after `patch`.
    pub fn patched(&self, patch: TemplatePatch) -> DomainResult<TemplateData> {
        self.ensure_active()?;
        let d = self.data.clone();
        Ok(TemplateData {
            name: match patch.name {
                Some(n) => text::required("name", &n, 200)?,
                None => d.name,
            },
            kind: patch.kind.unwrap_or(d.kind),
            description: match patch.description {
                Patch::Keep => d.description,
                Patch::Clear => None,
                Patch::Set(v) => text::optional("description", Some(&v), 4000)?,
            },
            phases: match patch.phases {
                Some(p) => validate_phases(p)?,
                None => d.phases,
            },
        })
    }
}

/// A phase a template produces for an engagement starting on a given day: its validated fields
/// and the indexes (into the same plan) of the phases it depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedPhase {
    /// Its fields, with dates.
    pub data: PhaseData,
    /// The 0-based indexes of the earlier planned phases it depends on.
    pub depends_on: Vec<usize>,
}

impl TemplateData {
    /// The hours the template plans: the sum over its phases.
    pub fn planned_hours(&self) -> Hours {
        Hours(self.phases.iter().map(|p| p.planned_hours().0).sum())
    }

    /// The phases of an engagement starting on `start`: a phase starts `startOffsetDays` after
    /// `start` and ends `durationDays - 1` days after its own start (both days included); a
    /// milestone is due `offsetDays` after its phase's start. Each phase goes through the same
    /// validation as a phase typed in by hand.
    pub fn plan(&self, start: NaiveDate) -> DomainResult<Vec<PlannedPhase>> {
        self.phases
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let shift = |base: NaiveDate, offset: i32, field: &str| {
                    base.checked_add_signed(Duration::days(i64::from(offset)))
                        .ok_or_else(|| {
                            DomainError::invalid(field, "the dates run past the calendar's end")
                        })
                };
                let phase_start = shift(start, p.start_offset_days, "startOn")?;
                let phase_end = shift(phase_start, p.duration_days - 1, "startOn")?;
                let milestones = p
                    .milestones
                    .iter()
                    .map(|m| {
                        Ok(Milestone {
                            name: m.name.clone(),
                            due: Some(shift(phase_start, m.offset_days, "startOn")?),
                            done_on: None,
                        })
                    })
                    .collect::<DomainResult<Vec<_>>>()?;
                let data = NewPhase {
                    name: p.name.clone(),
                    focus_kind: p.focus_kind,
                    focus: p.focus.clone(),
                    objective: p.objective.clone(),
                    expected_value: p.expected_value.clone(),
                    planned_start: Some(phase_start),
                    planned_end: Some(phase_end),
                    milestones,
                    scope: p.scope.clone(),
                }
                .validate()
                .map_err(|e| match e {
                    DomainError::Invalid { field, message } => {
                        DomainError::invalid(format!("template.phases[{i}].{field}"), message)
                    }
                    other => other,
                })?;
                Ok(PlannedPhase {
                    data,
                    depends_on: p.depends_on.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn phase(name: &str, start: i32, duration: i32, depends_on: Vec<usize>) -> TemplatePhase {
        TemplatePhase {
            name: name.into(),
            focus_kind: FocusKind::ProductLine,
            focus: name.into(),
            objective: None,
            expected_value: None,
            start_offset_days: start,
            duration_days: duration,
            milestones: vec![TemplateMilestone {
                name: "Kick-off".into(),
                offset_days: 0,
            }],
            depends_on,
            scope: vec![PhaseScopeItem {
                deliverable: format!("{name} migrated"),
                estimated_hours: Hours(4000),
            }],
        }
    }

    fn replatforming() -> NewTemplate {
        NewTemplate {
            name: " Phased replatforming, 4 phases ".into(),
            kind: EngagementKind::Replatforming,
            description: None,
            phases: vec![
                phase("Catalog model", 0, 28, vec![]),
                phase("Apparel", 28, 30, vec![0]),
                phase("Footwear", 28, 30, vec![0, 0]),
                phase("Checkout", 58, 21, vec![1, 2]),
            ],
        }
    }

    fn field_of(err: DomainError) -> String {
        match err {
            DomainError::Invalid { field, .. } => field,
            other => panic!("expected an invalid field, got {other}"),
        }
    }

    #[test]
    fn a_valid_template_is_trimmed_and_its_dependencies_deduplicated() {
        let t = replatforming().validate().unwrap();
        assert_eq!(t.name, "Phased replatforming, 4 phases");
        assert_eq!(t.phases[2].depends_on, vec![0]);
        assert_eq!(t.planned_hours(), Hours(16000));
    }

    #[test]
    fn bad_phases_are_refused_naming_the_field() {
        type Break = fn(&mut TemplatePhase);
        let cases: [(usize, Break, &str); 8] = [
            (1, |p| p.depends_on = vec![1], "phases[1].dependsOn[0]"),
            (1, |p| p.depends_on = vec![3], "phases[1].dependsOn[0]"),
            (0, |p| p.depends_on = vec![0], "phases[0].dependsOn[0]"),
            (2, |p| p.name = "  ".into(), "phases[2].name"),
            (3, |p| p.duration_days = 0, "phases[3].durationDays"),
            (1, |p| p.start_offset_days = -1, "phases[1].startOffsetDays"),
            (
                0,
                |p| p.milestones[0].offset_days = 28,
                "phases[0].milestones[0].offsetDays",
            ),
            (
                2,
                |p| p.scope[0].estimated_hours = Hours(0),
                "phases[2].scope[0].estimatedHours",
            ),
        ];
        for (index, break_it, field) in cases {
            let mut t = replatforming();
            break_it(&mut t.phases[index]);
            assert_eq!(field_of(t.validate().unwrap_err()), field);
        }
        let mut blank = replatforming();
        blank.name = "".into();
        assert_eq!(field_of(blank.validate().unwrap_err()), "name");
        let mut empty = replatforming();
        empty.phases.clear();
        assert_eq!(field_of(empty.validate().unwrap_err()), "phases");
    }

    #[test]
    fn a_forward_dependency_says_which_phases_it_may_name() {
        let mut t = replatforming();
        t.phases[1].depends_on = vec![2];
        let err = t.validate().unwrap_err().to_string();
        assert!(err.contains("only on phases before it (0 to 0)"), "{err}");
    }

    #[test]
    fn planning_turns_offsets_into_dates_from_the_start() {
        let t = replatforming().validate().unwrap();
        let plan = t.plan(day(3, 1)).unwrap();
        assert_eq!(plan.len(), 4);
        assert_eq!(plan[0].data.planned_start, Some(day(3, 1)));
        assert_eq!(plan[0].data.planned_end, Some(day(3, 28)));
        assert_eq!(plan[1].data.planned_start, Some(day(3, 29)));
        assert_eq!(plan[1].data.planned_end, Some(day(4, 27)));
        assert_eq!(plan[3].data.planned_start, Some(day(4, 28)));
        assert_eq!(plan[3].data.planned_end, Some(day(5, 18)));
        assert_eq!(plan[1].data.milestones[0].due, Some(day(3, 29)));
        assert_eq!(plan[3].depends_on, vec![1, 2]);
        assert_eq!(plan[2].data.planned_hours(), Hours(4000));
    }

    #[test]
    fn a_one_day_phase_starts_and_ends_on_the_same_day() {
        let mut t = replatforming();
        t.phases = vec![phase("Workshop", 3, 1, vec![])];
        let plan = t.validate().unwrap().plan(day(1, 1)).unwrap();
        assert_eq!(plan[0].data.planned_start, Some(day(1, 4)));
        assert_eq!(plan[0].data.planned_end, Some(day(1, 4)));
    }

    #[test]
    fn an_archived_template_refuses_changes() {
        let t = Template {
            id: TemplateId::new(),
            data: replatforming().validate().unwrap(),
            version: 1,
            archived_at: Some(Utc::now()),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert!(matches!(
            t.patched(TemplatePatch::default()),
            Err(DomainError::Conflict(_))
        ));
    }
}
