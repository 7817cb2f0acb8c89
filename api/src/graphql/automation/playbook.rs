//! A playbook as the API shows it: its trigger, condition and actions, the accounts it would act
//! on now, and its firings.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::playbook::{self as rules, Playbook, Run};

use crate::graphql::account::AccountNode;
use crate::graphql::common::context::{loaders, parts};
use crate::graphql::common::paging::first_or;
use crate::graphql::enums::{EventKind, LifecycleStage, TouchTier};
use crate::graphql::health::HealthStatus;
use crate::graphql::ids::{self, Kind};
use crate::service::automation as svc;

/// The kind of a trigger.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub(super) enum PlaybookTriggerKind {
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
pub(super) struct PlaybookTrigger {
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
pub(super) enum PlaybookActionKind {
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
pub(super) struct PlaybookAction {
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
pub(super) struct PlaybookCondition {
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
pub(super) struct PlaybookNode(pub Playbook);

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
                .filter_map(|a| found.get(a).cloned().map(AccountNode::from))
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
pub(super) struct PlaybookDryRun {
    /// How many accounts match.
    pub count: i32,
    /// The first of them, by name.
    pub accounts: Vec<AccountNode>,
}

/// What one action did.
#[derive(SimpleObject)]
pub(super) struct PlaybookActionOutcome {
    /// The action's position in the playbook (0-based).
    pub index: i32,
    /// Whether it took effect.
    pub ok: bool,
    /// What happened.
    pub detail: String,
}

/// One firing of a playbook on an account.
pub(super) struct PlaybookRunNode(pub Run);

#[Object(name = "PlaybookRun")]
impl PlaybookRunNode {
    /// The account it fired on.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AccountNode>> {
        Ok(AccountNode::load(ctx, self.0.account_id).await?)
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
