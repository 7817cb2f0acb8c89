//! Playbooks, tasks and webhooks in the API: the "act on it" half of customer success.

use async_graphql::{
    Context, Enum, ID, InputObject, MaybeUndefined, Object, OneofObject, SimpleObject,
};
use chrono::{DateTime, Utc};
use tandem_domain::auth::Action;
use tandem_domain::ids::{
    AccountId, PlaybookId, SegmentId, TaskId, TeamMemberId, WebhookDeliveryId, WebhookEndpointId,
};
use tandem_domain::playbook::{self as rules, Playbook, PlaybookChange, PlaybookData, Run};
use tandem_domain::webhook::{Attempt, Delivery, Endpoint};
use tandem_persistence::task::TaskQuery;
use tandem_persistence::webhook::DeliveryQuery;

use super::account::AccountNode;
use super::common::context::{Allowed, loaders, parts};
use super::common::input::patch;
use super::common::paging::first_or;
use super::enums::{EventKind, LifecycleStage, TouchTier};
use super::health::HealthStatus;
use super::ids::{self, Kind};
use super::scalars::Date;
use super::team_member::TeamMemberNode;
use crate::error::{ApiError, ApiResult};
use crate::service::automation as svc;

// ---------------------------------------------------------------------------------------------
// Playbooks

/// What sets a playbook off: exactly one of these.
#[derive(OneofObject, Clone)]
pub enum PlaybookTriggerInput {
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
    fn into_domain(self) -> ApiResult<rules::Trigger> {
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
pub struct PlaybookConditionInput {
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
    fn into_domain(self) -> ApiResult<rules::Condition> {
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
pub struct CreateTaskActionInput {
    /// The task's title.
    pub title: String,
    /// Due this many days after the playbook fires (0–365).
    #[graphql(default = 3)]
    pub due_in_days: i32,
}

/// One thing a playbook does: exactly one of these.
#[derive(OneofObject, Clone)]
pub enum PlaybookActionInput {
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

fn actions(input: Vec<PlaybookActionInput>) -> ApiResult<Vec<rules::Action>> {
    input
        .into_iter()
        .enumerate()
        .map(|(i, a)| a.into_domain(i))
        .collect()
}

/// A new playbook.
#[derive(InputObject)]
pub struct CreatePlaybookInput {
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
pub struct UpdatePlaybookInput {
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

/// The kind of a trigger.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PlaybookTriggerKind {
    /// An account-change event.
    Event,
    /// Health score below a threshold.
    HealthScoreBelow,
    /// Health status becoming a value.
    HealthStatus,
    /// Renewal within a number of days.
    RenewalWithinDays,
    /// T&M burn above a percentage.
    TmBurnAbovePercent,
}

/// What sets a playbook off: `kind`, and the field of that kind.
#[derive(SimpleObject)]
pub struct PlaybookTrigger {
    /// Which trigger this is.
    pub kind: PlaybookTriggerKind,
    /// For EVENT: the event kind.
    pub event: Option<EventKind>,
    /// For HEALTH_SCORE_BELOW: the threshold.
    pub health_score_below: Option<f64>,
    /// For HEALTH_STATUS: the status.
    pub health_status: Option<HealthStatus>,
    /// For RENEWAL_WITHIN_DAYS: the days.
    pub renewal_within_days: Option<i32>,
    /// For TM_BURN_ABOVE_PERCENT: the percentage.
    pub tm_burn_above_percent: Option<f64>,
}

impl From<&rules::Trigger> for PlaybookTrigger {
    fn from(t: &rules::Trigger) -> Self {
        let mut out = PlaybookTrigger {
            kind: PlaybookTriggerKind::Event,
            event: None,
            health_score_below: None,
            health_status: None,
            renewal_within_days: None,
            tm_burn_above_percent: None,
        };
        match t {
            rules::Trigger::Event { kind } => out.event = Some((*kind).into()),
            rules::Trigger::HealthScoreBelow { score } => {
                out.kind = PlaybookTriggerKind::HealthScoreBelow;
                out.health_score_below = Some(*score);
            }
            rules::Trigger::HealthStatus { status } => {
                out.kind = PlaybookTriggerKind::HealthStatus;
                out.health_status = Some((*status).into());
            }
            rules::Trigger::RenewalWithinDays { days } => {
                out.kind = PlaybookTriggerKind::RenewalWithinDays;
                out.renewal_within_days = Some(*days as i32);
            }
            rules::Trigger::TmBurnAbove { percent } => {
                out.kind = PlaybookTriggerKind::TmBurnAbovePercent;
                out.tm_burn_above_percent = Some(*percent);
            }
        }
        out
    }
}

/// The kind of an action.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PlaybookActionKind {
    /// Create a task for the owner.
    CreateTask,
    /// Add a tag.
    AddTag,
    /// Remove a tag.
    RemoveTag,
    /// Set the lifecycle stage.
    SetLifecycleStage,
    /// Emit a custom event.
    EmitEvent,
}

/// One thing a playbook does: `kind`, and the fields of that kind.
#[derive(SimpleObject)]
pub struct PlaybookAction {
    /// Which action this is.
    pub kind: PlaybookActionKind,
    /// CREATE_TASK: the task's title.
    pub title: Option<String>,
    /// CREATE_TASK: due this many days after firing.
    pub due_in_days: Option<i32>,
    /// ADD_TAG / REMOVE_TAG: the tag.
    pub tag: Option<String>,
    /// SET_LIFECYCLE_STAGE: the stage.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// EMIT_EVENT: the event's name.
    pub event_name: Option<String>,
}

impl From<&rules::Action> for PlaybookAction {
    fn from(a: &rules::Action) -> Self {
        let empty = |kind| PlaybookAction {
            kind,
            title: None,
            due_in_days: None,
            tag: None,
            lifecycle_stage: None,
            event_name: None,
        };
        match a {
            rules::Action::CreateTask { title, due_in_days } => PlaybookAction {
                title: Some(title.clone()),
                due_in_days: Some(*due_in_days as i32),
                ..empty(PlaybookActionKind::CreateTask)
            },
            rules::Action::AddTag { tag } => PlaybookAction {
                tag: Some(tag.clone()),
                ..empty(PlaybookActionKind::AddTag)
            },
            rules::Action::RemoveTag { tag } => PlaybookAction {
                tag: Some(tag.clone()),
                ..empty(PlaybookActionKind::RemoveTag)
            },
            rules::Action::SetLifecycleStage { stage } => PlaybookAction {
                lifecycle_stage: Some((*stage).into()),
                ..empty(PlaybookActionKind::SetLifecycleStage)
            },
            rules::Action::EmitEvent { name } => PlaybookAction {
                event_name: Some(name.clone()),
                ..empty(PlaybookActionKind::EmitEvent)
            },
        }
    }
}

/// Which accounts a playbook acts on.
#[derive(SimpleObject)]
pub struct PlaybookCondition {
    /// Only members of this segment.
    pub segment_id: Option<ID>,
    /// Only these touch tiers (all when empty).
    pub touch_tiers: Vec<TouchTier>,
    /// Only these lifecycle stages (all when empty).
    pub lifecycle_stages: Vec<LifecycleStage>,
}

/// An automation: when its trigger fires on an account that meets its condition, it takes its
/// actions in order and records `PLAYBOOK_FIRED`. Threshold triggers fire once per crossing.
/// Events that playbooks cause trigger no playbook, so playbooks cannot loop.
pub struct PlaybookNode(pub Playbook);

#[Object(name = "Playbook")]
impl PlaybookNode {
    /// The playbook's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Playbook, self.0.id.0)
    }
    /// Bumped on every change; pass it back to `updatePlaybook`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.data.name
    }
    /// What it is for.
    async fn description(&self) -> Option<&str> {
        self.0.data.description.as_deref()
    }
    /// Whether it fires.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// What sets it off.
    async fn trigger(&self) -> PlaybookTrigger {
        (&self.0.data.trigger).into()
    }
    /// Which accounts it acts on.
    async fn condition(&self) -> PlaybookCondition {
        let c = &self.0.data.condition;
        PlaybookCondition {
            segment_id: c.segment_id.map(|s| ids::encode(Kind::Segment, s.0)),
            touch_tiers: c.touch_tiers.iter().map(|t| (*t).into()).collect(),
            lifecycle_stages: c.lifecycle_stages.iter().map(|t| (*t).into()).collect(),
        }
    }
    /// What it does, in order.
    async fn actions(&self) -> Vec<PlaybookAction> {
        self.0.data.actions.iter().map(Into::into).collect()
    }
    /// The accounts it would act on now: for a threshold playbook, those past its threshold
    /// that meet its condition; for an event playbook, those that meet its condition.
    async fn dry_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many accounts to list (0–100), by name.")] first: i32,
    ) -> async_graphql::Result<PlaybookDryRun> {
        let (s, who) = parts(ctx)?;
        let limit = first_or(Some(first), 20)?;
        let (accounts, count) = svc::dry_run(s, who, &self.0, limit).await?;
        let found = loaders(ctx)?.accounts().load_many(accounts.clone()).await?;
        Ok(PlaybookDryRun {
            count: count as i32,
            accounts: accounts
                .iter()
                .filter_map(|a| found.get(a).cloned().map(AccountNode))
                .collect(),
        })
    }
    /// Its latest firings, newest first.
    async fn runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many (0–100).")] first: i32,
    ) -> async_graphql::Result<Vec<PlaybookRunNode>> {
        let (s, who) = parts(ctx)?;
        let limit = first_or(Some(first), 20)?;
        Ok(svc::runs(s, who, self.0.id, limit)
            .await?
            .into_iter()
            .map(PlaybookRunNode)
            .collect())
    }
    /// Who defined it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// When it was defined.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

/// The accounts a playbook would act on now.
#[derive(SimpleObject)]
pub struct PlaybookDryRun {
    /// How many accounts match.
    pub count: i32,
    /// The first of them, by name.
    pub accounts: Vec<AccountNode>,
}

/// What one action did.
#[derive(SimpleObject)]
pub struct PlaybookActionOutcome {
    /// The action's position in the playbook (0-based).
    pub index: i32,
    /// Whether it took effect.
    pub ok: bool,
    /// What happened.
    pub detail: String,
}

/// One firing of a playbook on an account.
pub struct PlaybookRunNode(pub Run);

#[Object(name = "PlaybookRun")]
impl PlaybookRunNode {
    /// The account it fired on.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AccountNode>> {
        Ok(loaders(ctx)?
            .accounts()
            .load_one(self.0.account_id)
            .await?
            .map(AccountNode))
    }
    /// The cursor of the event that set it off; `null` for a threshold crossing.
    async fn event_cursor(&self) -> Option<String> {
        self.0.event_cursor.map(|c| c.to_string())
    }
    /// When it fired.
    async fn fired_at(&self) -> DateTime<Utc> {
        self.0.fired_at
    }
    /// What each action did.
    async fn outcomes(&self) -> Vec<PlaybookActionOutcome> {
        self.0
            .outcomes
            .iter()
            .map(|o| PlaybookActionOutcome {
                index: o.index as i32,
                ok: o.ok,
                detail: o.detail.clone(),
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Tasks

/// Where a task stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::playbook::TaskStatus")]
pub enum TaskStatus {
    /// To do.
    Open,
    /// Done.
    Done,
    /// Decided not to do.
    Dismissed,
}

/// A to-do for a team member about an account, made by a person or a playbook.
pub struct TaskNode(pub rules::Task);

#[Object(name = "Task")]
impl TaskNode {
    /// The task's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Task, self.0.id.0)
    }
    /// Bumped on every change; pass it back to `updateTask`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What to do.
    async fn title(&self) -> &str {
        &self.0.data.title
    }
    /// More about it.
    async fn notes(&self) -> Option<&str> {
        self.0.data.notes.as_deref()
    }
    /// Where it stands.
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }
    /// By when.
    async fn due_on(&self) -> Option<Date> {
        self.0.data.due_on.map(Date)
    }
    /// The account it concerns.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AccountNode>> {
        Ok(loaders(ctx)?
            .accounts()
            .load_one(self.0.account_id)
            .await?
            .map(AccountNode))
    }
    /// Who should do it; `null` when unassigned.
    async fn assignee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(id) = self.0.data.assignee_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(id)
            .await?
            .map(TeamMemberNode))
    }
    /// The risk it mitigates.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn risk(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::renewal::RiskNode>> {
        let Some(id) = self.0.risk_id else {
            return Ok(None);
        };
        // Through the account's risks: one batched read for a whole list of tasks.
        Ok(loaders(ctx)?
            .risks()
            .load_one(self.0.account_id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.id == id)
            .map(super::renewal::RiskNode))
    }
    /// The playbook that created it; `null` when a person did.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn playbook(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PlaybookNode>> {
        let Some(id) = self.0.playbook_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .playbooks()
            .load_one(id)
            .await?
            .map(PlaybookNode))
    }
    /// Who created it: a token subject, or `playbook:<id>`.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was done or dismissed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
}

/// A new task.
#[derive(InputObject)]
pub struct CreateTaskInput {
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
pub struct UpdateTaskInput {
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

/// A team member's id from a global id, naming `field` when it is not one.
pub(crate) fn member(id: &ID, field: &str) -> ApiResult<TeamMemberId> {
    ids::decode(Kind::TeamMember, id, field).map(TeamMemberId)
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// Where an integration wants events pushed. Each delivery is a POST of JSON
/// `{deliveryId, event}` signed in the `Tandem-Signature` header (`t=<unix seconds>,v1=<hex
/// HMAC-SHA256 of "<t>.<body>" keyed by the secret>`), with `Tandem-Delivery`,
/// `Tandem-Event-Cursor` and `Tandem-Event-Kind` headers. A 2xx answer delivers it; anything
/// else is retried with exponential backoff. An endpoint that fails for too long is disabled,
/// with the reason in `disabledReason`.
pub struct WebhookEndpointNode {
    endpoint: Endpoint,
    /// Shown once, in the answer to `registerWebhookEndpoint`.
    reveal_secret: bool,
}

#[Object(name = "WebhookEndpoint")]
impl WebhookEndpointNode {
    /// The endpoint's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookEndpoint, self.endpoint.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.endpoint.version
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        self.endpoint.data.url.as_str()
    }
    /// What it is for.
    async fn description(&self) -> Option<&str> {
        self.endpoint.data.description.as_deref()
    }
    /// The event kinds it receives; every kind when empty.
    async fn event_kinds(&self) -> Vec<EventKind> {
        self.endpoint
            .data
            .event_kinds
            .iter()
            .map(|k| (*k).into())
            .collect()
    }
    /// The signing secret: only in the answer to `registerWebhookEndpoint`, `null` ever after.
    /// Keep it where the receiver can read it.
    async fn secret(&self) -> Option<&str> {
        self.reveal_secret.then_some(self.endpoint.secret.as_str())
    }
    /// Whether deliveries are made.
    async fn enabled(&self) -> bool {
        self.endpoint.enabled
    }
    /// Why the server disabled it, when it did.
    async fn disabled_reason(&self) -> Option<&str> {
        self.endpoint.disabled_reason.as_deref()
    }
    /// Since when every attempt has failed; `null` while deliveries succeed.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.endpoint.failing_since
    }
    /// Failed attempts in a row.
    async fn consecutive_failures(&self) -> i32 {
        self.endpoint.consecutive_failures
    }
    /// Its deliveries, newest first.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many (0–100).")] first: i32,
        #[graphql(default, desc = "Only these statuses; all when empty.")] statuses: Vec<
            WebhookDeliveryStatus,
        >,
    ) -> async_graphql::Result<Vec<WebhookDeliveryNode>> {
        let (s, who) = parts(ctx)?;
        let limit = first_or(Some(first), 20)?;
        let query = DeliveryQuery {
            statuses: statuses.into_iter().map(Into::into).collect(),
            limit,
        };
        let deliveries = svc::deliveries(s, who, &self.endpoint, &query).await?;
        let ids: Vec<WebhookDeliveryId> = deliveries.iter().map(|d| d.id).collect();
        let mut attempts = svc::attempts(s, who, &ids).await?;
        Ok(deliveries
            .into_iter()
            .map(|d| {
                let mine: Vec<_> = attempts.extract_if(.., |a| a.delivery_id == d.id).collect();
                WebhookDeliveryNode(d, mine)
            })
            .collect())
    }
    /// Who registered it.
    async fn created_by(&self) -> &str {
        &self.endpoint.created_by
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.endpoint.created_at
    }
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::webhook::DeliveryStatus")]
pub enum WebhookDeliveryStatus {
    /// Not delivered yet; another attempt is due.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up: every attempt failed, or the endpoint was deleted.
    Failed,
}

/// One event owed to one endpoint, and every attempt at it.
pub struct WebhookDeliveryNode(Delivery, Vec<Attempt>);

/// One attempt at a delivery.
#[derive(SimpleObject)]
pub struct WebhookAttempt {
    /// 1 for the first.
    pub attempt: i32,
    /// When it was made.
    pub attempted_at: DateTime<Utc>,
    /// The HTTP status the endpoint answered, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: i32,
}

#[Object(name = "WebhookDelivery")]
impl WebhookDeliveryNode {
    /// The delivery's id, also sent as `Tandem-Delivery`: a receiver that sees it twice has
    /// seen a retry.
    async fn id(&self) -> ID {
        ids::encode(Kind::WebhookDelivery, self.0.id.0)
    }
    /// The cursor of the event delivered.
    async fn event_cursor(&self) -> String {
        self.0.event_cursor.to_string()
    }
    /// Where it stands.
    async fn status(&self) -> WebhookDeliveryStatus {
        self.0.status.into()
    }
    /// Attempts made.
    async fn attempt_count(&self) -> i32 {
        self.0.attempts
    }
    /// When the next attempt is due.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }
    /// What went wrong last.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the endpoint accepted it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// Every attempt, in order.
    async fn attempts(&self) -> Vec<WebhookAttempt> {
        self.1
            .iter()
            .map(|a| WebhookAttempt {
                attempt: a.attempt,
                attempted_at: a.attempted_at,
                status_code: a.status_code,
                error: a.error.clone(),
                duration_ms: a.duration_ms.min(i64::from(i32::MAX)) as i32,
            })
            .collect()
    }
}

/// A new webhook endpoint.
#[derive(InputObject)]
pub struct RegisterWebhookEndpointInput {
    /// Where to POST deliveries: http or https. Loopback and link-local addresses are refused
    /// unless the server's `TANDEM_WEBHOOK_ALLOWED_NETWORKS` allows them.
    pub url: String,
    /// What it is for.
    pub description: Option<String>,
    /// The event kinds it wants; every kind when empty.
    #[graphql(default)]
    pub event_kinds: Vec<EventKind>,
}

/// A change to a webhook endpoint; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
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
    /// Enable (its failure record is cleared and pending deliveries resume) or disable it.
    pub enabled: Option<bool>,
}

// ---------------------------------------------------------------------------------------------
// Root fields

#[derive(Default)]
pub struct AutomationQuery;

#[Object]
impl AutomationQuery {
    /// The live playbooks, by name.
    async fn playbooks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PlaybookNode>> {
        let (s, who) = parts(ctx)?;
        Ok(svc::playbooks(s, who)
            .await?
            .into_iter()
            .map(PlaybookNode)
            .collect())
    }

    /// One playbook, archived or not.
    async fn playbook(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<PlaybookNode>> {
        let (s, who) = parts(ctx)?;
        let id = PlaybookId(ids::decode(Kind::Playbook, &id, "id")?);
        Ok(svc::playbook(s, who, id).await?.map(PlaybookNode))
    }

    /// The signed-in team member's tasks (the token's subject is their id), by due date.
    async fn my_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "vec![TaskStatus::Open]",
            desc = "Only these statuses; OPEN when left out, all when empty."
        )]
        statuses: Vec<TaskStatus>,
        #[graphql(default = 50, desc = "How many (0–100).")] first: i32,
    ) -> async_graphql::Result<Vec<TaskNode>> {
        let (s, who) = parts(ctx)?;
        let query = TaskQuery {
            statuses: statuses.into_iter().map(Into::into).collect(),
            limit: first_or(Some(first), 50)?,
            ..TaskQuery::default()
        };
        Ok(svc::my_tasks(s, who, query)
            .await?
            .into_iter()
            .map(TaskNode)
            .collect())
    }

    /// Tasks by due date, filtered.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only tasks on this account.")] account_id: Option<ID>,
        #[graphql(desc = "Only tasks assigned to this team member.")] assignee_id: Option<ID>,
        #[graphql(desc = "Only tasks this playbook made.")] playbook_id: Option<ID>,
        #[graphql(default, desc = "Only these statuses; all when empty.")] statuses: Vec<
            TaskStatus,
        >,
        #[graphql(default = 50, desc = "How many (0–100).")] first: i32,
    ) -> async_graphql::Result<Vec<TaskNode>> {
        let (s, who) = parts(ctx)?;
        let query = TaskQuery {
            account_id: account_id
                .map(|id| ids::decode(Kind::Account, &id, "accountId").map(AccountId))
                .transpose()?,
            assignee_id: assignee_id
                .map(|id| member(&id, "assigneeId"))
                .transpose()?,
            playbook_id: playbook_id
                .map(|id| ids::decode(Kind::Playbook, &id, "playbookId").map(PlaybookId))
                .transpose()?,
            statuses: statuses.into_iter().map(Into::into).collect(),
            due_by: None,
            limit: first_or(Some(first), 50)?,
        };
        Ok(svc::tasks(s, who, &query)
            .await?
            .into_iter()
            .map(TaskNode)
            .collect())
    }

    /// One task.
    async fn task(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<TaskNode>> {
        let (s, who) = parts(ctx)?;
        let id = TaskId(ids::decode(Kind::Task, &id, "id")?);
        Ok(svc::task(s, who, id).await?.map(TaskNode))
    }

    /// The webhook endpoints the caller may see: an integration its own, an admin all.
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<WebhookEndpointNode>> {
        let (s, who) = parts(ctx)?;
        Ok(svc::webhook_endpoints(s, who)
            .await?
            .into_iter()
            .map(|endpoint| WebhookEndpointNode {
                endpoint,
                reveal_secret: false,
            })
            .collect())
    }

    /// One webhook endpoint, when the caller may see it.
    async fn webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<WebhookEndpointNode>> {
        let (s, who) = parts(ctx)?;
        let id = WebhookEndpointId(ids::decode(Kind::WebhookEndpoint, &id, "id")?);
        Ok(svc::webhook_endpoint(s, who, id)
            .await?
            .map(|endpoint| WebhookEndpointNode {
                endpoint,
                reveal_secret: false,
            }))
    }
}

#[derive(Default)]
pub struct AutomationMutation;

#[Object]
impl AutomationMutation {
    /// Defines a playbook (ADMIN, CS_MANAGER).
    async fn create_playbook(
        &self,
        ctx: &Context<'_>,
        input: CreatePlaybookInput,
    ) -> async_graphql::Result<PlaybookNode> {
        let (s, who) = parts(ctx)?;
        let data = (|| -> ApiResult<PlaybookData> {
            Ok(PlaybookData::validate(
                &input.name,
                input.description.as_deref(),
                input.trigger.into_domain()?,
                input.condition.unwrap_or_default().into_domain()?,
                actions(input.actions)?,
            )?)
        })()
        .map_err(|e| e.under("input"))?;
        Ok(PlaybookNode(
            svc::create_playbook(s, who, data, input.enabled)
                .await
                .map_err(|e| e.under("input"))?,
        ))
    }

    /// Changes, enables or disables a playbook (ADMIN, CS_MANAGER).
    async fn update_playbook(
        &self,
        ctx: &Context<'_>,
        input: UpdatePlaybookInput,
    ) -> async_graphql::Result<PlaybookNode> {
        let (s, who) = parts(ctx)?;
        let id = PlaybookId(ids::decode(Kind::Playbook, &input.id, "id")?);
        let under = |e: ApiError| e.under("input");
        let trigger = input
            .trigger
            .map(|t| t.into_domain())
            .transpose()
            .map_err(under)?;
        let condition = input
            .condition
            .map(|c| c.into_domain())
            .transpose()
            .map_err(under)?;
        let new_actions = input.actions.map(actions).transpose().map_err(under)?;
        let description = patch(input.description, Ok)?;
        Ok(PlaybookNode(
            svc::update_playbook(s, who, id, input.version, |current| {
                let d = &current.data;
                let data = PlaybookData::validate(
                    input.name.as_deref().unwrap_or(&d.name),
                    description.apply(d.description.clone()).as_deref(),
                    trigger.unwrap_or_else(|| d.trigger.clone()),
                    condition.unwrap_or_else(|| d.condition.clone()),
                    new_actions.unwrap_or_else(|| d.actions.clone()),
                )?;
                Ok(PlaybookChange {
                    data,
                    enabled: input.enabled.unwrap_or(current.enabled),
                    archive: false,
                })
            })
            .await
            .map_err(under)?,
        ))
    }

    /// Archives a playbook: it stops firing for good and its name is free again.
    async fn archive_playbook(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<PlaybookNode> {
        let (s, who) = parts(ctx)?;
        let id = PlaybookId(ids::decode(Kind::Playbook, &id, "id")?);
        Ok(PlaybookNode(
            svc::update_playbook(s, who, id, version, |current| {
                Ok(PlaybookChange {
                    data: current.data.clone(),
                    enabled: false,
                    archive: true,
                })
            })
            .await?,
        ))
    }

    /// Creates a task (ADMIN, CS_MANAGER, SERVICES); `TASK_CREATED`.
    async fn create_task(
        &self,
        ctx: &Context<'_>,
        input: CreateTaskInput,
    ) -> async_graphql::Result<TaskNode> {
        let (s, who) = parts(ctx)?;
        let account = AccountId(ids::decode(Kind::Account, &input.account_id, "accountId")?);
        let under = |e: ApiError| e.under("input");
        let assignee = input
            .assignee_id
            .map(|id| member(&id, "assigneeId"))
            .transpose()
            .map_err(under)?;
        let data = rules::TaskData::validate(
            &input.title,
            input.notes.as_deref(),
            assignee,
            input.due_on.map(|d| d.0),
        )
        .map_err(|e| under(e.into()))?;
        let risk = input
            .risk_id
            .map(|id| ids::decode(Kind::Risk, &id, "riskId").map(tandem_domain::ids::RiskId))
            .transpose()
            .map_err(under)?;
        Ok(TaskNode(
            svc::create_task(s, who, account, data, risk)
                .await
                .map_err(under)?,
        ))
    }

    /// Changes a task: its fields (`TASK_UPDATED`) or its status (`TASK_STATUS_CHANGED`).
    async fn update_task(
        &self,
        ctx: &Context<'_>,
        input: UpdateTaskInput,
    ) -> async_graphql::Result<TaskNode> {
        let (s, who) = parts(ctx)?;
        let id = TaskId(ids::decode(Kind::Task, &input.id, "id")?);
        let edit = svc::TaskEdit {
            title: input.title,
            notes: patch(input.notes, Ok)?,
            assignee_id: patch(input.assignee_id, |id| member(&id, "assigneeId"))?,
            due_on: patch(input.due_on, |d| Ok(d.0))?,
            status: input.status.map(Into::into),
        };
        Ok(TaskNode(
            svc::update_task(s, who, id, input.version, edit)
                .await
                .map_err(|e| e.under("input"))?,
        ))
    }

    /// Registers a webhook endpoint (ADMIN, INTEGRATION). The answer carries the signing secret,
    /// shown this once.
    async fn register_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: RegisterWebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointNode> {
        let (s, who) = parts(ctx)?;
        let endpoint = svc::register_webhook(
            s,
            who,
            &input.url,
            input.description.as_deref(),
            input.event_kinds.into_iter().map(Into::into).collect(),
        )
        .await
        .map_err(|e| e.under("input"))?;
        Ok(WebhookEndpointNode {
            endpoint,
            reveal_secret: true,
        })
    }

    /// Changes, enables or disables a webhook endpoint.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookEndpointInput,
    ) -> async_graphql::Result<WebhookEndpointNode> {
        let (s, who) = parts(ctx)?;
        let id = WebhookEndpointId(ids::decode(Kind::WebhookEndpoint, &input.id, "id")?);
        let edit = svc::WebhookEdit {
            url: input.url,
            description: patch(input.description, Ok)?,
            event_kinds: input
                .event_kinds
                .map(|k| k.into_iter().map(Into::into).collect()),
            enabled: input.enabled,
            delete: false,
        };
        let endpoint = svc::update_webhook(s, who, id, input.version, edit)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(WebhookEndpointNode {
            endpoint,
            reveal_secret: false,
        })
    }

    /// Deletes a webhook endpoint: no more deliveries are made; pending ones are given up.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<WebhookEndpointNode> {
        let (s, who) = parts(ctx)?;
        let id = WebhookEndpointId(ids::decode(Kind::WebhookEndpoint, &id, "id")?);
        let edit = svc::WebhookEdit {
            delete: true,
            ..svc::WebhookEdit::default()
        };
        let endpoint = svc::update_webhook(s, who, id, version, edit).await?;
        Ok(WebhookEndpointNode {
            endpoint,
            reveal_secret: false,
        })
    }
}
