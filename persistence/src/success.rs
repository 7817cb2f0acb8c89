//! Success plans: goals (versioned, with status changes as account-change events) and
//! business reviews.

use std::collections::HashMap;

use chrono::Utc;
use tandem_domain::event::{self, EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{AccountId, BusinessReviewId, GoalId};
use tandem_domain::success::{Goal, GoalData, GoalStatus, Review, ReviewData, achieved_on};
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store, versioned};

pub(crate) const GOAL_COLUMNS: &str =
    "id, account_id, title, target, due_on, status, achieved_on, version, created_at, updated_at";

pub(crate) fn goal_row(r: &sea_orm::QueryResult) -> PersistenceResult<Goal> {
    Ok(Goal {
        id: GoalId(get(r, "id")?),
        account_id: AccountId(get(r, "account_id")?),
        data: GoalData {
            title: get(r, "title")?,
            target: get(r, "target")?,
            due_on: get(r, "due_on")?,
        },
        status: get::<String>(r, "status")?
            .parse()
            .map_err(|e| corrupt("goal status", e))?,
        achieved_on: get(r, "achieved_on")?,
        version: get(r, "version")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

async fn ensure_live_account(
    conn: &impl sea_orm::ConnectionTrait,
    account: AccountId,
) -> PersistenceResult<()> {
    crate::account::ensure_live(conn, account, "its success plan is closed").await
}

/// Adds a goal (NOT_STARTED unless `status` says otherwise) and records `GOAL_CREATED`.
pub async fn create_goal(
    store: &Store,
    actor: &str,
    account: AccountId,
    data: GoalData,
    status: GoalStatus,
) -> PersistenceResult<Goal> {
    let tx = store.begin_write().await?;
    ensure_live_account(&tx, account).await?;
    let now = Utc::now();
    let goal = Goal {
        id: GoalId::new(),
        account_id: account,
        data,
        status,
        achieved_on: achieved_on(GoalStatus::NotStarted, status, None, now.date_naive()),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut q = Sql::new(&format!("INSERT INTO goals ({GOAL_COLUMNS}) VALUES ("));
    q.bind(goal.id.0)
        .push(", ")
        .bind(account.0)
        .push(", ")
        .bind(goal.data.title.as_str())
        .push(", ")
        .bind(goal.data.target.clone())
        .push(", ")
        .bind(goal.data.due_on)
        .push(", ")
        .bind(status.as_str())
        .push(", ")
        .bind(goal.achieved_on)
        .push(", 1, ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    q.execute(&tx).await?;
    let mut changes = event::created(&goal.data);
    changes.push(FieldChange::set("status", status.as_str()));
    crate::event::record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::Goal,
        goal.id.0,
        EventKind::GoalCreated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(goal)
}

/// Changes a goal still at `version`: its fields, its status, or both. A status change is
/// recorded as `GOAL_STATUS_CHANGED`, other changes as `GOAL_UPDATED`; a change that changes
/// nothing writes nothing.
pub async fn update_goal(
    store: &Store,
    actor: &str,
    id: GoalId,
    version: i32,
    change: impl FnOnce(&Goal) -> tandem_domain::DomainResult<(GoalData, GoalStatus)>,
) -> PersistenceResult<Goal> {
    let tx = store.begin_write().await?;
    let mut q = Sql::new(&format!(
        "SELECT {GOAL_COLUMNS}, archived_at IS NULL AS live FROM goals WHERE id = "
    ));
    q.bind(id.0);
    let found = q.all(&tx).await?.first().map(goal_row).transpose()?;
    let current = versioned::read(found, "goal", id, version, |g| g.version)?;
    ensure_live_account(&tx, current.account_id).await?;
    let (data, status) = change(&current)?;
    let field_changes = event::diff(&current.data, &data);
    let status_changed = status != current.status;
    if field_changes.is_empty() && !status_changed {
        return Ok(current);
    }
    let now = Utc::now();
    let updated = Goal {
        data,
        status,
        achieved_on: achieved_on(
            current.status,
            status,
            current.achieved_on,
            now.date_naive(),
        ),
        version: version + 1,
        updated_at: now,
        ..current.clone()
    };
    let mut q = Sql::new("UPDATE goals SET title = ");
    q.bind(updated.data.title.as_str())
        .push(", target = ")
        .bind(updated.data.target.clone())
        .push(", due_on = ")
        .bind(updated.data.due_on)
        .push(", status = ")
        .bind(status.as_str())
        .push(", achieved_on = ")
        .bind(updated.achieved_on)
        .push(", version = ")
        .bind(updated.version)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "goal").await?;
    let (kind, mut changes) = if status_changed {
        (
            EventKind::GoalStatusChanged,
            vec![FieldChange::new(
                "status",
                current.status.as_str(),
                status.as_str(),
            )],
        )
    } else {
        (EventKind::GoalUpdated, Vec::new())
    };
    changes.extend(field_changes);
    crate::event::record(
        store,
        &tx,
        actor,
        current.account_id,
        SubjectKind::Goal,
        id.0,
        kind,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// One goal by id.
pub async fn goal(store: &Store, id: GoalId) -> PersistenceResult<Option<Goal>> {
    let mut q = Sql::new(&format!("SELECT {GOAL_COLUMNS} FROM goals WHERE id = "));
    q.bind(id.0);
    q.all(store.conn()).await?.first().map(goal_row).transpose()
}

/// The goals of each of `accounts`, by due date (undated last), in one query per chunk.
pub async fn goals_of(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, Vec<Goal>>> {
    let mut out: HashMap<AccountId, Vec<Goal>> = HashMap::new();
    for chunk in accounts.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!(
            "SELECT {GOAL_COLUMNS} FROM goals WHERE archived_at IS NULL AND account_id IN "
        ));
        q.bind_list(chunk.iter().map(|a| a.0))
            .push(" ORDER BY CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, id");
        for r in q.all(store.conn()).await? {
            let g = goal_row(&r)?;
            out.entry(g.account_id).or_default().push(g);
        }
    }
    Ok(out)
}

/// The goals with these ids, in no order.
pub async fn goals_by_ids(store: &Store, ids: &[Uuid]) -> PersistenceResult<Vec<Goal>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!("SELECT {GOAL_COLUMNS} FROM goals WHERE id IN "));
        q.bind_list(chunk.iter().copied());
        for r in q.all(store.conn()).await? {
            out.push(goal_row(&r)?);
        }
    }
    Ok(out)
}

/// Records a business review and `BUSINESS_REVIEW_RECORDED`.
pub async fn record_review(
    store: &Store,
    actor: &str,
    account: AccountId,
    data: ReviewData,
) -> PersistenceResult<Review> {
    let tx = store.begin_write().await?;
    ensure_live_account(&tx, account).await?;
    let review = Review {
        id: BusinessReviewId::new(),
        account_id: account,
        data,
        recorded_by: actor.to_owned(),
    };
    let json = |v: &Vec<String>| serde_json::to_value(v).unwrap_or_default();
    let mut q = Sql::new(
        "INSERT INTO business_reviews (id, account_id, held_on, attendees, summary, outcomes, recorded_by, created_at) VALUES (",
    );
    q.bind(review.id.0)
        .push(", ")
        .bind(account.0)
        .push(", ")
        .bind(review.data.held_on)
        .push(", ")
        .bind(json(&review.data.attendees))
        .push(", ")
        .bind(review.data.summary.as_str())
        .push(", ")
        .bind(json(&review.data.outcomes))
        .push(", ")
        .bind(actor)
        .push(", ")
        .bind(Utc::now())
        .push(")");
    q.execute(&tx).await?;
    crate::event::record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::BusinessReview,
        review.id.0,
        EventKind::BusinessReviewRecorded,
        event::created(&review.data),
    )
    .await?;
    tx.commit().await?;
    Ok(review)
}

/// The business reviews of each of `accounts`, newest first.
pub async fn reviews_of(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, Vec<Review>>> {
    let mut out: HashMap<AccountId, Vec<Review>> = HashMap::new();
    for chunk in accounts.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(
            "SELECT id, account_id, held_on, CAST(attendees AS TEXT) AS attendees, summary, \
             CAST(outcomes AS TEXT) AS outcomes, recorded_by FROM business_reviews WHERE account_id IN ",
        );
        q.bind_list(chunk.iter().map(|a| a.0))
            .push(" ORDER BY held_on DESC, id DESC");
        for r in q.all(store.conn()).await? {
            let list = |name: &str| -> PersistenceResult<Vec<String>> {
                serde_json::from_str(&get::<String>(&r, name)?)
                    .map_err(|e| corrupt("review list", e))
            };
            let review = Review {
                id: BusinessReviewId(get(&r, "id")?),
                account_id: AccountId(get(&r, "account_id")?),
                data: ReviewData {
                    held_on: get(&r, "held_on")?,
                    attendees: list("attendees")?,
                    summary: get(&r, "summary")?,
                    outcomes: list("outcomes")?,
                },
                recorded_by: get(&r, "recorded_by")?,
            };
            out.entry(review.account_id).or_default().push(review);
        }
    }
    Ok(out)
}
