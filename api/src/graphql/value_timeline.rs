//! An account's value timeline in the API: one dated list of phases delivered and accepted,
//! goals achieved or missed, health status changes, revenue movements and catalog versions
//! published, newest first.

use async_graphql::{Context, Enum, Object, SimpleObject, Union};
use tandem_domain::auth::Action;
use tandem_domain::ids::{AccountId, EngagementId, GoalId, PhaseId};
use tandem_domain::value_timeline::{ValueDetail, ValueEvent};

use super::common::context::{loaders, parts};
use super::engagement::{EngagementNode, PhaseNode};
use super::health::HealthStatus;
use super::money::MoneyValue;
use super::scalars::Date;
use super::signals::RevenueKind;
use super::success::GoalNode;
use crate::service;

/// What kind of entry a value timeline holds.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::value_timeline::ValueEventKind")]
pub enum ValueEventKind {
    /// A phase was delivered (on its actual end).
    PhaseDelivered,
    /// The customer accepted a phase.
    PhaseAccepted,
    /// A success-plan goal was achieved (on the day it was marked ACHIEVED).
    GoalAchieved,
    /// A success-plan goal was missed (on the day it was marked MISSED).
    GoalMissed,
    /// The account's health score moved to another status, or it was scored for the first
    /// time (on the day the score was computed, UTC).
    HealthStatusChanged,
    /// An MRR movement took effect.
    RevenueMovement,
    /// A version of the account's catalog model was published (UTC day).
    CatalogVersionPublished,
}

impl ValueEventNode {
    /// The value timeline of `account`, for `Account.valueTimeline`.
    pub(crate) async fn of_account(
        ctx: &Context<'_>,
        account: AccountId,
        from: Option<Date>,
        to: Option<Date>,
        first: Option<i32>,
        kinds: Vec<ValueEventKind>,
    ) -> async_graphql::Result<Vec<ValueEventNode>> {
        let (s, who) = parts(ctx)?;
        let kinds = kinds.into_iter().map(Into::into).collect();
        let entries = service::value_timeline::read(
            s,
            who,
            account,
            from.map(|d| d.0),
            to.map(|d| d.0),
            first,
            kinds,
        )
        .await?;
        let see_money = who.can(Action::SeeMoney);
        Ok(entries
            .into_iter()
            .map(|e| ValueEventNode {
                event: e,
                see_money,
            })
            .collect())
    }
}

/// One entry of an account's value timeline.
pub struct ValueEventNode {
    event: ValueEvent,
    see_money: bool,
}

/// One entry of an account's value timeline: something the account received, or something that
/// happened to it, on a day. Entries stand side by side in time; the timeline does not claim
/// that one caused another.
#[Object(name = "ValueEvent")]
impl ValueEventNode {
    /// The day it happened (UTC for what is stored as a time: health scores, goal status
    /// changes, catalog publications).
    async fn on(&self) -> Date {
        Date(self.event.on)
    }
    /// What kind of entry it is.
    async fn kind(&self) -> ValueEventKind {
        self.event.kind.into()
    }
    /// One line for a person, the same for every role: it never names an amount of money.
    async fn summary(&self) -> String {
        self.event.summary()
    }
    /// What it is about, by kind.
    async fn detail(&self) -> ValueEventDetail {
        match &self.event.detail {
            ValueDetail::Phase {
                phase_id,
                name,
                engagement_id,
                engagement_name,
                realised_value,
            } => ValueEventDetail::Phase(PhaseValueDetail {
                phase_id: PhaseId(*phase_id),
                name: name.clone(),
                engagement_id: EngagementId(*engagement_id),
                engagement_name: engagement_name.clone(),
                realised_value: realised_value.clone(),
            }),
            ValueDetail::Goal { goal_id, title } => ValueEventDetail::Goal(GoalValueDetail {
                goal_id: GoalId(*goal_id),
                title: title.clone(),
            }),
            ValueDetail::Health { from, to, score } => {
                ValueEventDetail::Health(HealthValueDetail {
                    from: from.map(Into::into),
                    to: (*to).into(),
                    score: *score,
                })
            }
            ValueDetail::Revenue { kind, amount } => {
                ValueEventDetail::Revenue(RevenueValueDetail {
                    kind: (*kind).into(),
                    amount: self.see_money.then(|| (*amount).into()),
                })
            }
            ValueDetail::Catalog { number } => {
                ValueEventDetail::Catalog(CatalogValueDetail { number: *number })
            }
        }
    }
}

/// What a value timeline entry is about.
#[derive(Union)]
pub enum ValueEventDetail {
    /// A phase delivered or accepted.
    Phase(PhaseValueDetail),
    /// A goal achieved or missed.
    Goal(GoalValueDetail),
    /// A health status change.
    Health(HealthValueDetail),
    /// An MRR movement.
    Revenue(RevenueValueDetail),
    /// A published catalog version.
    Catalog(CatalogValueDetail),
}

/// A phase delivered or accepted.
pub struct PhaseValueDetail {
    phase_id: PhaseId,
    name: String,
    engagement_id: EngagementId,
    engagement_name: String,
    realised_value: Option<String>,
}

/// A phase delivered or accepted: the phase and engagement as they are now, with the names they
/// carry and, on acceptance, the value the team recorded.
#[Object]
impl PhaseValueDetail {
    /// The phase, as it is now.
    async fn phase(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PhaseNode>> {
        Ok(loaders(ctx)?
            .phase_by_id()
            .load_one(self.phase_id)
            .await?
            .map(PhaseNode::from))
    }
    /// Its name.
    async fn phase_name(&self) -> &str {
        &self.name
    }
    /// Its engagement, as it is now.
    async fn engagement(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<EngagementNode>> {
        Ok(loaders(ctx)?
            .engagements()
            .load_one(self.engagement_id)
            .await?
            .map(EngagementNode))
    }
    /// The engagement's name.
    async fn engagement_name(&self) -> &str {
        &self.engagement_name
    }
    /// On acceptance: the value the phase realised, as the team recorded it; null on delivery
    /// or when none was recorded.
    async fn realised_value(&self) -> Option<&str> {
        self.realised_value.as_deref()
    }
}

/// A success-plan goal achieved or missed.
pub struct GoalValueDetail {
    goal_id: GoalId,
    title: String,
}

/// A success-plan goal achieved or missed, and the goal as it is now.
#[Object]
impl GoalValueDetail {
    /// The goal, as it is now.
    async fn goal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<GoalNode>> {
        Ok(loaders(ctx)?
            .goal()
            .load_one(self.goal_id)
            .await?
            .map(GoalNode))
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.title
    }
}

/// The account's health moved to another status.
#[derive(SimpleObject)]
pub struct HealthValueDetail {
    /// The status before; null for the account's first score.
    pub from: Option<HealthStatus>,
    /// The status after.
    pub to: HealthStatus,
    /// The score that brought the change, 0 to 100.
    pub score: f64,
}

/// An MRR movement of the account.
#[derive(SimpleObject)]
pub struct RevenueValueDetail {
    /// What kind of movement.
    pub kind: RevenueKind,
    /// The signed change in MRR (negative for contraction and churn). Null, without an error,
    /// for PRODUCT and VIEWER, who see no money.
    pub amount: Option<MoneyValue>,
}

/// A published version of the account's catalog model.
#[derive(SimpleObject)]
pub struct CatalogValueDetail {
    /// The version's number, from 1.
    pub number: i32,
}
