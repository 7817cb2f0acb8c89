//! The inputs of automation's mutations, and their conversion into domain values: a playbook's
//! trigger, condition and actions, a task's fields, a webhook endpoint's.

use async_graphql::{ID, InputObject, MaybeUndefined, OneofObject};
use tandem_domain::ids::SegmentId;
use tandem_domain::playbook as rules;

use super::task::TaskStatus;
use super::webhook::{WebhookEnvelope, WebhookSignatureScheme};
use crate::error::{ApiError, ApiResult};
use crate::graphql::enums::{EventKind, LifecycleStage, TouchTier};
use crate::graphql::health::HealthStatus;
use crate::graphql::ids::{self, Kind};
use crate::graphql::scalars::Date;

// ---------------------------------------------------------------------------------------------
// Playbooks

/// What sets a playbook off: exactly one of these.
#[derive(OneofObject, Clone)]
pub(super) enum PlaybookTriggerInput {
    /// An account-change event of this kind (not one a playbook caused).
    Event(EventKind),
    /// The account's health score falls below this (0–100).
    HealthScoreBelow(f64),
    /// The account's health status becomes this.
    HealthStatus(HealthStatus),
    /// The account's renewal date comes within this many days (0–365).
    RenewalWithinDays(i32),
    /// A signed or delivering SOW has used more than this percentage of its T&M budget.
    TmBurnAbovePercent(f64),
}

impl PlaybookTriggerInput {
    pub(super) fn into_domain(self) -> ApiResult<rules::Trigger> {
        Ok(match self {
            PlaybookTriggerInput::Event(kind) => rules::Trigger::Event { kind: kind.into() },
            PlaybookTriggerInput::HealthScoreBelow(score) => {
                rules::Trigger::HealthScoreBelow { score }
            }
            PlaybookTriggerInput::HealthStatus(status) => rules::Trigger::HealthStatus {
                status: status.into(),
            },
            PlaybookTriggerInput::RenewalWithinDays(days) => rules::Trigger::RenewalWithinDays {
                days: u32::try_from(days).map_err(|_| {
                    ApiError::invalid("trigger.renewalWithinDays", "must be 0 to 365 days")
                })?,
            },
            PlaybookTriggerInput::TmBurnAbovePercent(percent) => {
                rules::Trigger::TmBurnAbove { percent }
            }
        })
    }
}

/// Which accounts a playbook acts on; leave a part out to match every account on it.
#[derive(InputObject, Clone, Default)]
pub(super) struct PlaybookConditionInput {
    /// Only members of this segment.
    pub segment_id: Option<ID>,
    /// Only accounts on these touch tiers.
    #[graphql(default)]
    pub touch_tiers: Vec<TouchTier>,
    /// Only accounts in these lifecycle stages.
    #[graphql(default)]
    pub lifecycle_stages: Vec<LifecycleStage>,
}

impl PlaybookConditionInput {
    pub(super) fn into_domain(self) -> ApiResult<rules::Condition> {
        Ok(rules::Condition {
            segment_id: self
                .segment_id
                .map(|id| ids::decode(Kind::Segment, &id, "condition.segmentId").map(SegmentId))
                .transpose()?,
            touch_tiers: self.touch_tiers.into_iter().map(Into::into).collect(),
            lifecycle_stages: self.lifecycle_stages.into_iter().map(Into::into).collect(),
        })
    }
}

/// A task a playbook creates for the account's owner.
#[derive(InputObject, Clone)]
pub(super) struct CreateTaskActionInput {
    /// The task's title.
    pub title: String,
    /// Due this many days after the playbook fires (0–365).
    #[graphql(default = 3)]
    pub due_in_days: i32,
}

/// One thing a playbook does: exactly one of these.
#[derive(OneofObject, Clone)]
pub(super) enum PlaybookActionInput {
    /// Create a task for the account's owner (unassigned when it has none).
    CreateTask(CreateTaskActionInput),
    /// Add this tag to the account.
    AddTag(String),
    /// Remove this tag from the account.
    RemoveTag(String),
    /// Move the account to this lifecycle stage.
    SetLifecycleStage(LifecycleStage),
    /// Emit a CUSTOM event with this name to integrations.
    EmitEvent(String),
}

impl PlaybookActionInput {
    fn into_domain(self, i: usize) -> ApiResult<rules::Action> {
        Ok(match self {
            PlaybookActionInput::CreateTask(t) => rules::Action::CreateTask {
                title: t.title,
                due_in_days: u32::try_from(t.due_in_days).map_err(|_| {
                    ApiError::invalid(
                        format!("actions[{i}].createTask.dueInDays"),
                        "must be 0 to 365 days",
                    )
                })?,
            },
            PlaybookActionInput::AddTag(tag) => rules::Action::AddTag { tag },
            PlaybookActionInput::RemoveTag(tag) => rules::Action::RemoveTag { tag },
            PlaybookActionInput::SetLifecycleStage(stage) => rules::Action::SetLifecycleStage {
                stage: stage.into(),
            },
            PlaybookActionInput::EmitEvent(name) => rules::Action::EmitEvent { name },
        })
    }
}

/// A playbook's actions, each checked; an error names the action by its index (`actions[2]…`).
pub(super) fn actions(input: Vec<PlaybookActionInput>) -> ApiResult<Vec<rules::Action>> {
    input
        .into_iter()
        .enumerate()
        .map(|(i, a)| a.into_domain(i))
        .collect()
}

/// A new playbook.
#[derive(InputObject)]
pub(super) struct CreatePlaybookInput {
    /// Its name, unique among live playbooks.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// What sets it off.
    pub trigger: PlaybookTriggerInput,
    /// Which accounts it acts on; every live account when left out.
    pub condition: Option<PlaybookConditionInput>,
    /// What it does, in order (1 to 10 actions).
    pub actions: Vec<PlaybookActionInput>,
    /// Whether it fires; true when left out. A threshold playbook fires for accounts that cross
    /// its threshold after it is enabled, not for those already past it (see `dryRun`).
    #[graphql(default = true)]
    pub enabled: bool,
}

/// A change to a playbook; absent fields stay as they are.
#[derive(InputObject)]
pub(super) struct UpdatePlaybookInput {
    /// The playbook.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new description; `null` clears it.
    pub description: MaybeUndefined<String>,
    /// A new trigger.
    pub trigger: Option<PlaybookTriggerInput>,
    /// A new condition.
    pub condition: Option<PlaybookConditionInput>,
    /// New actions.
    pub actions: Option<Vec<PlaybookActionInput>>,
    /// Enable or disable it. Enabling (or changing the trigger or condition) starts it afresh
    /// from the accounts that satisfy it then.
    pub enabled: Option<bool>,
}

// ---------------------------------------------------------------------------------------------
// Tasks

/// A new task.
#[derive(InputObject)]
pub(super) struct CreateTaskInput {
    /// The account it concerns.
    pub account_id: ID,
    /// What to do.
    pub title: String,
    /// More about it.
    pub notes: Option<String>,
    /// Who should do it.
    pub assignee_id: Option<ID>,
    /// By when.
    pub due_on: Option<Date>,
    /// The risk it mitigates (a risk of the same account).
    pub risk_id: Option<ID>,
}

/// A change to a task: its fields, or its status (not both at once).
#[derive(InputObject)]
pub(super) struct UpdateTaskInput {
    /// The task.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new title.
    pub title: Option<String>,
    /// New notes; `null` clears them.
    pub notes: MaybeUndefined<String>,
    /// A new assignee; `null` unassigns it.
    pub assignee_id: MaybeUndefined<ID>,
    /// A new due date; `null` clears it.
    pub due_on: MaybeUndefined<Date>,
    /// DONE or DISMISSED closes it; OPEN reopens it.
    pub status: Option<TaskStatus>,
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// A new webhook endpoint.
#[derive(InputObject)]
pub(super) struct RegisterWebhookEndpointInput {
    /// Where to POST deliveries: http or https. Loopback and link-local addresses are refused
    /// unless the server's `TANDEM_WEBHOOK_ALLOWED_NETWORKS` allows them.
    pub url: String,
    /// What it is for.
    pub description: Option<String>,
    /// The event kinds it wants; every kind when empty.
    #[graphql(default)]
    pub event_kinds: Vec<EventKind>,
    /// How deliveries are signed.
    #[graphql(default_with = "WebhookSignatureScheme::StandardWebhooks")]
    pub signature_scheme: WebhookSignatureScheme,
    /// What deliveries look like.
    #[graphql(default_with = "WebhookEnvelope::Tandem")]
    pub envelope: WebhookEnvelope,
    /// The most deliveries sent to it in any one second (1–1000); more wait for the next
    /// second. Unlimited when left out.
    pub rate_limit_per_second: Option<i32>,
}

/// A change to a webhook endpoint; absent fields stay as they are.
#[derive(InputObject)]
pub(super) struct UpdateWebhookEndpointInput {
    /// The endpoint.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new URL.
    pub url: Option<String>,
    /// A new description; `null` clears it.
    pub description: MaybeUndefined<String>,
    /// New event kinds (empty: every kind).
    pub event_kinds: Option<Vec<EventKind>>,
    /// A new signature scheme (from the next delivery on; switching to STANDARD_WEBHOOKS keeps
    /// the secret, whose base64 part becomes the key).
    pub signature_scheme: Option<WebhookSignatureScheme>,
    /// A new envelope (from the next delivery on).
    pub envelope: Option<WebhookEnvelope>,
    /// A new rate limit (1–1000 deliveries a second); `null` lifts it.
    pub rate_limit_per_second: MaybeUndefined<i32>,
    /// Enable (its failure record is cleared and pending deliveries resume) or disable it.
    pub enabled: Option<bool>,
}

/// A new signing secret for a webhook endpoint.
#[derive(InputObject)]
pub(super) struct RotateWebhookSecretInput {
    /// The endpoint.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// How long the old secret keeps signing beside the new one, in seconds: 0 to 604800 (a
    /// week), 86400 (a day) when left out; 0 retires it at once.
    pub overlap_seconds: Option<i32>,
}
