//! Success plans: goals and business reviews.

use tandem_domain::auth::{Action, Principal};
use tandem_domain::ids::{AccountId, GoalId};
use tandem_domain::success::{Goal, GoalData, GoalStatus, Review, ReviewData};
use tandem_persistence::success;

use super::Services;
use crate::error::ApiResult;

/// Adds a goal to an account's success plan.
#[tracing::instrument(level = "debug", name = "service::success::create_goal", skip_all)]
pub async fn create_goal(
    s: &Services,
    who: &Principal,
    account: AccountId,
    data: GoalData,
    status: GoalStatus,
) -> ApiResult<Goal> {
    who.authorize(Action::WriteSuccessPlan)?;
    let data = data.validate()?;
    let goal = success::create_goal(&s.store, &who.subject, account, data, status).await?;
    Ok(s.committed(goal))
}

/// Changes a goal still at `version`.
#[tracing::instrument(level = "debug", name = "service::success::update_goal", skip_all)]
pub async fn update_goal(
    s: &Services,
    who: &Principal,
    id: GoalId,
    version: i32,
    patch: tandem_domain::success::GoalPatch,
    status: Option<GoalStatus>,
) -> ApiResult<Goal> {
    who.authorize(Action::WriteSuccessPlan)?;
    let goal = success::update_goal(&s.store, &who.subject, id, version, |g| {
        Ok((patch.apply(&g.data)?, status.unwrap_or(g.status)))
    })
    .await?;
    Ok(s.committed(goal))
}

/// Records a business review.
#[tracing::instrument(level = "debug", name = "service::success::record_review", skip_all)]
pub async fn record_review(
    s: &Services,
    who: &Principal,
    account: AccountId,
    data: ReviewData,
) -> ApiResult<Review> {
    who.authorize(Action::WriteSuccessPlan)?;
    let data = data.validate()?;
    let review = success::record_review(&s.store, &who.subject, account, data).await?;
    Ok(s.committed(review))
}

/// One goal.
#[tracing::instrument(level = "debug", name = "service::success::goal", skip_all)]
pub async fn goal(s: &Services, who: &Principal, id: GoalId) -> ApiResult<Option<Goal>> {
    who.authorize(Action::ReadInsights)?;
    Ok(success::goal(&s.store, id).await?)
}
