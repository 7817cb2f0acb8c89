//! Success plans in the API: goals and business reviews.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::ids::{AccountId, GoalId};
use tandem_domain::success::{Goal, GoalData, GoalPatch, Review, ReviewData};

use super::common::context::parts;
use super::common::input::patch;
use super::ids::{self, Kind};
use super::scalars::Date;
use crate::service;

/// Where a goal stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::success::GoalStatus")]
pub enum GoalStatus {
    /// Agreed, not begun.
    NotStarted,
    /// Progressing as planned.
    OnTrack,
    /// Progressing, but the due date is in doubt.
    AtRisk,
    /// Reached.
    Achieved,
    /// Not reached by its due date.
    Missed,
}

/// A goal in an account's success plan.
pub struct GoalNode(pub Goal);

#[Object(name = "Goal")]
impl GoalNode {
    /// The goal's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Goal, self.0.id.0)
    }
    /// Bumped on every change; pass it back to `updateGoal`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What the customer wants to achieve.
    async fn title(&self) -> &str {
        &self.0.data.title
    }
    /// How success is measured.
    async fn target(&self) -> Option<&str> {
        self.0.data.target.as_deref()
    }
    /// When it should be reached.
    async fn due_on(&self) -> Option<Date> {
        self.0.data.due_on.map(Date)
    }
    /// Where it stands.
    async fn status(&self) -> GoalStatus {
        self.0.status.into()
    }
    /// The day it was achieved.
    async fn achieved_on(&self) -> Option<Date> {
        self.0.achieved_on.map(Date)
    }
    /// When it was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A business review held with an account.
#[derive(SimpleObject)]
pub struct BusinessReview {
    /// The review's opaque global id.
    pub id: ID,
    /// The day it was held.
    pub held_on: Date,
    /// Who attended.
    pub attendees: Vec<String>,
    /// What was discussed.
    pub summary: String,
    /// What was agreed.
    pub outcomes: Vec<String>,
    /// Who recorded it.
    pub recorded_by: String,
}

impl From<Review> for BusinessReview {
    fn from(r: Review) -> Self {
        BusinessReview {
            id: ids::encode(Kind::BusinessReview, r.id.0),
            held_on: Date(r.data.held_on),
            attendees: r.data.attendees,
            summary: r.data.summary,
            outcomes: r.data.outcomes,
            recorded_by: r.recorded_by,
        }
    }
}

/// A new goal.
#[derive(InputObject)]
pub struct CreateGoalInput {
    /// The account whose plan it joins.
    pub account_id: ID,
    /// What the customer wants to achieve.
    pub title: String,
    /// How success is measured.
    pub target: Option<String>,
    /// When it should be reached.
    pub due_on: Option<Date>,
    /// Where it stands; NOT_STARTED when left out.
    pub status: Option<GoalStatus>,
}

/// A change to a goal; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateGoalInput {
    /// The goal.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new title.
    pub title: Option<String>,
    /// A new target; `null` clears it.
    pub target: MaybeUndefined<String>,
    /// A new due date; `null` clears it.
    pub due_on: MaybeUndefined<Date>,
    /// A new status (an account-change event).
    pub status: Option<GoalStatus>,
}

/// A business review to record.
#[derive(InputObject)]
pub struct RecordBusinessReviewInput {
    /// The account.
    pub account_id: ID,
    /// The day it was held.
    pub held_on: Date,
    /// Who attended.
    pub attendees: Vec<String>,
    /// What was discussed.
    pub summary: String,
    /// What was agreed.
    #[graphql(default)]
    pub outcomes: Vec<String>,
}

/// What a goal mutation returns.
#[derive(SimpleObject)]
pub struct GoalPayload {
    /// The goal after the change.
    pub goal: GoalNode,
}

#[derive(Default)]
pub struct SuccessQuery;

#[Object]
impl SuccessQuery {
    /// The goal with this id, or `null`.
    async fn goal(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<GoalNode>> {
        let (s, who) = parts(ctx)?;
        let id = GoalId(ids::decode(Kind::Goal, &id, "id")?);
        Ok(service::success::goal(s, who, id).await?.map(GoalNode))
    }
}

#[derive(Default)]
pub struct SuccessMutation;

#[Object]
impl SuccessMutation {
    /// Adds a goal to an account's success plan (ADMIN, CS_MANAGER, SERVICES).
    async fn create_goal(
        &self,
        ctx: &Context<'_>,
        input: CreateGoalInput,
    ) -> async_graphql::Result<GoalPayload> {
        let (s, who) = parts(ctx)?;
        let account = AccountId(ids::decode(
            Kind::Account,
            &input.account_id,
            "input.accountId",
        )?);
        let goal = service::success::create_goal(
            s,
            who,
            account,
            GoalData {
                title: input.title,
                target: input.target,
                due_on: input.due_on.map(|d| d.0),
            },
            input
                .status
                .map(Into::into)
                .unwrap_or(tandem_domain::success::GoalStatus::NotStarted),
        )
        .await?;
        Ok(GoalPayload {
            goal: GoalNode(goal),
        })
    }
    /// Changes a goal still at `version`; a status change is a `GOAL_STATUS_CHANGED` event
    /// (ADMIN, CS_MANAGER, SERVICES).
    async fn update_goal(
        &self,
        ctx: &Context<'_>,
        input: UpdateGoalInput,
    ) -> async_graphql::Result<GoalPayload> {
        let (s, who) = parts(ctx)?;
        let id = GoalId(ids::decode(Kind::Goal, &input.id, "input.id")?);
        let change = GoalPatch {
            title: input.title,
            target: patch(input.target, Ok)?,
            due_on: patch(input.due_on, |d| Ok(d.0))?,
        };
        let goal = service::success::update_goal(
            s,
            who,
            id,
            input.version,
            change,
            input.status.map(Into::into),
        )
        .await?;
        Ok(GoalPayload {
            goal: GoalNode(goal),
        })
    }
    /// Records a business review (ADMIN, CS_MANAGER, SERVICES).
    async fn record_business_review(
        &self,
        ctx: &Context<'_>,
        input: RecordBusinessReviewInput,
    ) -> async_graphql::Result<BusinessReview> {
        let (s, who) = parts(ctx)?;
        let account = AccountId(ids::decode(
            Kind::Account,
            &input.account_id,
            "input.accountId",
        )?);
        let review = service::success::record_review(
            s,
            who,
            account,
            ReviewData {
                held_on: input.held_on.0,
                attendees: input.attendees,
                summary: input.summary,
                outcomes: input.outcomes,
            },
        )
        .await?;
        Ok(review.into())
    }
}
