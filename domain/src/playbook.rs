//! Playbooks and tasks: the "act on it" half of customer success.
//!
//! A playbook has a [`Trigger`] (an account-change event, or a figure crossing a threshold), a
//! [`Condition`] on the account, and ordered [`Action`]s. Threshold triggers fire on the
//! *crossing*: once when an account comes to satisfy them, and again only after it has stopped
//! satisfying them and crossed back. Events that playbooks themselves cause never trigger
//! playbooks, so no playbook can set off itself or another in a loop.

use chrono::{DateTime, NaiveDate, Utc};

use crate::account::{LifecycleStage, TouchTier};
use crate::event::EventKind;
use crate::health::HealthStatus;
use crate::ids::{AccountId, PlaybookId, PlaybookRunId, SegmentId, TaskId, TeamMemberId};
use crate::{DomainError, DomainResult, Patch, text};

/// The most actions one playbook may take.
pub const MAX_ACTIONS: usize = 10;

/// The actor recorded on events a playbook causes: `playbook:<id>`.
pub fn actor(id: PlaybookId) -> String {
    format!("{ACTOR_PREFIX}{id}")
}

/// Events whose actor starts with this were caused by a playbook and trigger none.
pub const ACTOR_PREFIX: &str = "playbook:";

/// Whether an event with this actor was caused by a playbook.
pub fn caused_by_playbook(actor: &str) -> bool {
    actor.starts_with(ACTOR_PREFIX)
}

/// What sets a playbook off.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Trigger {
    /// An account-change event of this kind (not one a playbook caused).
    Event {
        /// The kind.
        kind: EventKind,
    },
    /// The account's current health score falls below this (0–100).
    HealthScoreBelow {
        /// The threshold.
        score: f64,
    },
    /// The account's health status becomes this.
    HealthStatus {
        /// The status.
        status: HealthStatus,
    },
    /// The account's renewal date comes within this many days.
    RenewalWithinDays {
        /// Days from today, 0 to 365.
        days: u32,
    },
    /// A signed or delivering SOW of the account has used more than this share of its T&M
    /// budget (by amount where it has an amount cap, else by hours).
    TmBurnAbove {
        /// Percent, above 0.
        percent: f64,
    },
}

impl Trigger {
    /// Whether this trigger is a threshold (evaluated over every account) rather than an event.
    pub fn is_threshold(&self) -> bool {
        !matches!(self, Trigger::Event { .. })
    }

    /// Checks the trigger's numbers.
    pub fn validate(self) -> DomainResult<Trigger> {
        match &self {
            Trigger::Event { kind } => {
                if matches!(kind, EventKind::PlaybookFired | EventKind::Custom) {
                    return Err(DomainError::invalid(
                        "trigger.event",
                        format!(
                            "only playbooks cause {kind} events, and events caused by playbooks \
                             trigger none, so this playbook would never fire; pick another kind"
                        ),
                    ));
                }
            }
            Trigger::HealthScoreBelow { score } => {
                if !score.is_finite() || *score <= 0.0 || *score > 100.0 {
                    return Err(DomainError::invalid(
                        "trigger.healthScoreBelow",
                        "must be a score above 0 and at most 100",
                    ));
                }
            }
            Trigger::HealthStatus { .. } => {}
            Trigger::RenewalWithinDays { days } => {
                if *days > 365 {
                    return Err(DomainError::invalid(
                        "trigger.renewalWithinDays",
                        "must be 0 to 365 days",
                    ));
                }
            }
            Trigger::TmBurnAbove { percent } => {
                if !percent.is_finite() || *percent <= 0.0 || *percent > 1000.0 {
                    return Err(DomainError::invalid(
                        "trigger.tmBurnAbovePercent",
                        "must be a percentage above 0 and at most 1000",
                    ));
                }
            }
        }
        Ok(self)
    }
}

/// Which accounts a playbook acts on; every part left empty matches every live account.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    /// Only members of this segment.
    pub segment_id: Option<SegmentId>,
    /// Only accounts on these touch tiers.
    pub touch_tiers: Vec<TouchTier>,
    /// Only accounts in these lifecycle stages.
    pub lifecycle_stages: Vec<LifecycleStage>,
}

/// One thing a playbook does to the account it fires on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Create a task for the account's owner (unassigned when it has none).
    CreateTask {
        /// The task's title.
        title: String,
        /// Due this many days after the playbook fires.
        due_in_days: u32,
    },
    /// Add a tag to the account.
    AddTag {
        /// The tag.
        tag: String,
    },
    /// Remove a tag from the account.
    RemoveTag {
        /// The tag.
        tag: String,
    },
    /// Move the account to a lifecycle stage.
    SetLifecycleStage {
        /// The stage.
        stage: LifecycleStage,
    },
    /// Emit a `CUSTOM` event to integrations.
    EmitEvent {
        /// The event's name, for integrations to switch on.
        name: String,
    },
}

impl Action {
    fn validate(self, field: &str) -> DomainResult<Action> {
        Ok(match self {
            Action::CreateTask { title, due_in_days } => {
                if due_in_days > 365 {
                    return Err(DomainError::invalid(
                        format!("{field}.createTask.dueInDays"),
                        "must be 0 to 365 days",
                    ));
                }
                Action::CreateTask {
                    title: text::required(&format!("{field}.createTask.title"), &title, 200)?,
                    due_in_days,
                }
            }
            Action::AddTag { tag } => Action::AddTag {
                tag: one_tag(&format!("{field}.addTag"), &tag)?,
            },
            Action::RemoveTag { tag } => Action::RemoveTag {
                tag: one_tag(&format!("{field}.removeTag"), &tag)?,
            },
            Action::SetLifecycleStage { stage } => Action::SetLifecycleStage { stage },
            Action::EmitEvent { name } => {
                let name = text::required(&format!("{field}.emitEvent"), &name, 100)?;
                if !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'))
                {
                    return Err(DomainError::invalid(
                        format!("{field}.emitEvent"),
                        "an event name may hold only ASCII letters, digits, '_', '.', '-' and ':'",
                    ));
                }
                Action::EmitEvent { name }
            }
        })
    }
}

fn one_tag(field: &str, tag: &str) -> DomainResult<String> {
    let mut tags = text::tags(field, &[tag.to_owned()]).map_err(|e| match e {
        DomainError::Invalid { message, .. } => DomainError::invalid(field, message),
        other => other,
    })?;
    Ok(tags.pop().unwrap_or_default())
}

/// A playbook's definition, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaybookData {
    /// Its name, unique among live playbooks.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// What sets it off.
    pub trigger: Trigger,
    /// Which accounts it acts on.
    pub condition: Condition,
    /// What it does, in order.
    pub actions: Vec<Action>,
}

impl PlaybookData {
    /// Validates every part; the first error names its field.
    pub fn validate(
        name: &str,
        description: Option<&str>,
        trigger: Trigger,
        condition: Condition,
        actions: Vec<Action>,
    ) -> DomainResult<PlaybookData> {
        if actions.is_empty() || actions.len() > MAX_ACTIONS {
            return Err(DomainError::invalid(
                "actions",
                format!("a playbook takes 1 to {MAX_ACTIONS} actions"),
            ));
        }
        Ok(PlaybookData {
            name: text::required("name", name, 200)?,
            description: text::optional("description", description, 2000)?,
            trigger: trigger.validate()?,
            condition,
            actions: actions
                .into_iter()
                .enumerate()
                .map(|(i, a)| a.validate(&format!("actions[{i}]")))
                .collect::<DomainResult<_>>()?,
        })
    }
}

/// What one action did when a playbook fired.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionOutcome {
    /// The action's position in the playbook.
    pub index: usize,
    /// Whether it took effect (a tag already present, say, is `true` with a note).
    pub ok: bool,
    /// What happened, for a person.
    pub detail: String,
}

crate::text_enum! {
    /// Where a task stands.
    pub enum TaskStatus {
        /// To do.
        Open = "OPEN",
        /// Done.
        Done = "DONE",
        /// Decided not to do.
        Dismissed = "DISMISSED",
    }
}

impl TaskStatus {
    /// Checks a move from `self` to `next`: an open task is done or dismissed; a closed one can
    /// be reopened (a person closed it by mistake, or the problem came back).
    pub fn check_move(self, next: TaskStatus) -> DomainResult<()> {
        use TaskStatus::*;
        match (self, next) {
            (Open, Done | Dismissed) | (Done | Dismissed, Open) => Ok(()),
            (a, b) if a == b => Err(DomainError::Conflict(format!("the task is already {a}"))),
            (a, b) => Err(DomainError::Conflict(format!(
                "a {a} task cannot become {b}; reopen it first"
            ))),
        }
    }
}

/// A task's editable fields, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskData {
    /// What to do.
    pub title: String,
    /// More about it.
    pub notes: Option<String>,
    /// Who should do it.
    pub assignee_id: Option<TeamMemberId>,
    /// By when.
    pub due_on: Option<NaiveDate>,
}

impl TaskData {
    /// Validates a new task's fields.
    pub fn validate(
        title: &str,
        notes: Option<&str>,
        assignee_id: Option<TeamMemberId>,
        due_on: Option<NaiveDate>,
    ) -> DomainResult<TaskData> {
        Ok(TaskData {
            title: text::required("title", title, 200)?,
            notes: text::optional("notes", notes, 5000)?,
            assignee_id,
            due_on,
        })
    }

    /// Applies a change as a person typed it.
    pub fn patch(
        &self,
        title: Option<&str>,
        notes: Patch<String>,
        assignee_id: Patch<TeamMemberId>,
        due_on: Patch<NaiveDate>,
    ) -> DomainResult<TaskData> {
        let title = match title {
            Some(t) => text::required("title", t, 200)?,
            None => self.title.clone(),
        };
        let notes = match notes {
            Patch::Set(n) => text::optional("notes", Some(&n), 5000)?,
            Patch::Clear => None,
            Patch::Keep => self.notes.clone(),
        };
        Ok(TaskData {
            title,
            notes,
            assignee_id: assignee_id.apply(self.assignee_id),
            due_on: due_on.apply(self.due_on),
        })
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Its id.
    pub id: TaskId,
    /// The account it concerns.
    pub account_id: AccountId,
    /// Its fields.
    pub data: TaskData,
    /// Where it stands.
    pub status: TaskStatus,
    /// The playbook that created it; `None` when a person did.
    pub playbook_id: Option<PlaybookId>,
    /// The risk it mitigates, if any.
    pub risk_id: Option<crate::ids::RiskId>,
    /// Who created it: a token subject, or `playbook:<id>`.
    pub created_by: String,
    /// Bumped on every change.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was done or dismissed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// A playbook as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Playbook {
    /// Its id.
    pub id: PlaybookId,
    /// Its definition.
    pub data: PlaybookData,
    /// Whether it fires.
    pub enabled: bool,
    /// Bumped on every change.
    pub version: i32,
    /// Who defined it.
    pub created_by: String,
    /// When it was defined.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was archived.
    pub archived_at: Option<DateTime<Utc>>,
}

/// A change to a playbook.
#[derive(Debug, Clone)]
pub struct PlaybookChange {
    /// Its new definition.
    pub data: PlaybookData,
    /// Whether it fires.
    pub enabled: bool,
    /// Archive it (it stops firing and its name is free again).
    pub archive: bool,
}

/// One firing of a playbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Its id.
    pub id: PlaybookRunId,
    /// The playbook.
    pub playbook_id: PlaybookId,
    /// The account it fired on.
    pub account_id: AccountId,
    /// The cursor of the event that set it off; `None` for a threshold crossing.
    pub event_cursor: Option<i64>,
    /// When it fired.
    pub fired_at: DateTime<Utc>,
    /// What each action did.
    pub outcomes: Vec<ActionOutcome>,
}

/// A change to a task.
#[derive(Debug, Clone)]
pub enum TaskChange {
    /// New field values.
    Fields(TaskData),
    /// A move to another status.
    Status(TaskStatus),
}

/// What one batch of the automation worker did: the events it passed and what they set off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Batch {
    /// Events passed.
    pub events: usize,
    /// The cursor after the batch.
    pub position: i64,
    /// Playbook firings.
    pub fired: usize,
    /// Webhook deliveries owed.
    pub deliveries: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task_action(title: &str, days: u32) -> Action {
        Action::CreateTask {
            title: title.into(),
            due_in_days: days,
        }
    }

    #[test]
    fn a_playbook_needs_actions_and_sane_thresholds() {
        let ok = PlaybookData::validate(
            " At risk ",
            None,
            Trigger::HealthScoreBelow { score: 50.0 },
            Condition::default(),
            vec![
                task_action("Call them", 3),
                Action::AddTag {
                    tag: " At-Risk ".into(),
                },
            ],
        )
        .unwrap();
        assert_eq!(ok.name, "At risk");
        assert_eq!(
            ok.actions[1],
            Action::AddTag {
                tag: "at-risk".into()
            }
        );
        let none = PlaybookData::validate(
            "x",
            None,
            Trigger::RenewalWithinDays { days: 30 },
            Condition::default(),
            vec![],
        );
        assert!(matches!(none, Err(DomainError::Invalid { field, .. }) if field == "actions"));
        let score = Trigger::HealthScoreBelow { score: 120.0 }.validate();
        assert!(score.is_err());
        let burn = Trigger::TmBurnAbove { percent: f64::NAN }.validate();
        assert!(burn.is_err());
        let late = PlaybookData::validate(
            "x",
            None,
            Trigger::RenewalWithinDays { days: 30 },
            Condition::default(),
            vec![task_action("a", 400)],
        );
        assert!(
            matches!(late, Err(DomainError::Invalid { field, .. }) if field == "actions[0].createTask.dueInDays")
        );
    }

    #[test]
    fn a_playbook_cannot_wait_for_what_only_playbooks_cause() {
        for kind in [EventKind::PlaybookFired, EventKind::Custom] {
            assert!(Trigger::Event { kind }.validate().is_err(), "{kind}");
        }
        assert!(
            Trigger::Event {
                kind: EventKind::HealthStatusChanged
            }
            .validate()
            .is_ok()
        );
        assert!(caused_by_playbook(&actor(PlaybookId::new())));
        assert!(!caused_by_playbook("0193a000-0000-7000-8000-000000000001"));
    }

    #[test]
    fn custom_event_names_are_plain() {
        let bad = Action::EmitEvent {
            name: "renewal risk!".into(),
        }
        .validate("actions[0]");
        assert!(bad.is_err());
        let good = Action::EmitEvent {
            name: "renewal.risk".into(),
        }
        .validate("actions[0]");
        assert!(good.is_ok());
    }

    #[test]
    fn tasks_close_and_reopen() {
        use TaskStatus::*;
        assert!(Open.check_move(Done).is_ok());
        assert!(Open.check_move(Dismissed).is_ok());
        assert!(Done.check_move(Open).is_ok());
        assert!(Done.check_move(Dismissed).is_err());
        assert!(Open.check_move(Open).is_err());
    }

    #[test]
    fn triggers_round_trip_as_json() {
        let t = Trigger::HealthStatus {
            status: HealthStatus::AtRisk,
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"healthStatus":{"status":"AT_RISK"}}"#);
        assert_eq!(serde_json::from_str::<Trigger>(&json).unwrap(), t);
    }
}
