//! Customers' goals as tests arrange them.

use chrono::NaiveDate;
use tandem_domain::ids::{AccountId, GoalId};
use tandem_domain::success::{GoalData, GoalStatus};
use tandem_persistence::{Store, success};

/// A goal of `a` in `status`, due on `due_on`.
pub async fn goal_due(
    store: &Store,
    a: AccountId,
    due_on: Option<NaiveDate>,
    status: GoalStatus,
) -> GoalId {
    success::create_goal(
        store,
        "t",
        a,
        GoalData {
            title: "Goal".into(),
            target: None,
            due_on,
        },
        status,
    )
    .await
    .unwrap()
    .id
}

/// A goal of `a` in `status`, without a due date.
pub async fn goal(store: &Store, a: AccountId, status: GoalStatus) -> GoalId {
    goal_due(store, a, None, status).await
}
