//! Activities and the account timeline.

use tandem_domain::activity::{Activity, ActivityData, TimelineItem};
use tandem_domain::auth::{Action, Principal};
use tandem_domain::ids::{AccountId, ActivityId};
use tandem_persistence::activity::{self, TimelineQuery};

use super::Services;
use crate::error::{ApiError, ApiResult, Code};

/// Logs an activity.
#[tracing::instrument(level = "debug", name = "service::activity::log", skip_all)]
pub async fn log(
    s: &Services,
    who: &Principal,
    account: AccountId,
    data: ActivityData,
) -> ApiResult<Activity> {
    who.authorize(Action::LogActivity)?;
    let a = activity::create(&s.store, &who.subject, account, data).await?;
    Ok(s.committed(a))
}

/// Corrects (`Some`) or deletes (`None`) an activity still at `version`: its author's, or any
/// as an admin.
#[tracing::instrument(level = "debug", name = "service::activity::update", skip_all)]
pub async fn update(
    s: &Services,
    who: &Principal,
    id: ActivityId,
    version: i32,
    change: impl FnOnce(&Activity) -> tandem_domain::DomainResult<Option<ActivityData>>,
) -> ApiResult<Activity> {
    who.authorize(Action::LogActivity)?;
    // Its author never changes, so the check holds for the write that follows.
    if let Some(current) = activity::get_one(&s.store, id).await?
        && !current.may_be_changed_by(who)
    {
        return Err(ApiError::new(
            Code::Forbidden,
            format!(
                "only its author ({}) or an admin may change this activity",
                current.author
            ),
        ));
    }
    let a = activity::update(&s.store, &who.subject, id, version, change).await?;
    Ok(s.committed(a))
}

/// An account's timeline page.
#[tracing::instrument(level = "debug", name = "service::activity::timeline", skip_all)]
pub async fn timeline(
    s: &Services,
    who: &Principal,
    account: AccountId,
    query: &TimelineQuery,
) -> ApiResult<Vec<TimelineItem>> {
    who.authorize(Action::ReadInsights)?;
    Ok(activity::timeline(&s.store, account, query).await?)
}

/// One activity.
#[tracing::instrument(level = "debug", name = "service::activity::get", skip_all)]
pub async fn get(s: &Services, who: &Principal, id: ActivityId) -> ApiResult<Option<Activity>> {
    who.authorize(Action::ReadInsights)?;
    Ok(activity::get_one(&s.store, id).await?)
}
