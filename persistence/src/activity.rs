//! Activities, and an account's timeline: its activities and its account-change events merged
//! into one list, newest first.

use chrono::Utc;
use sea_orm::{ConnectionTrait, QueryResult};
use tandem_domain::DomainError;
use tandem_domain::activity::{
    Activity, ActivityData, ActivityKind, ActivityLinks, TimelineItem, TimelineKey,
};
use tandem_domain::event::{self, EventKind, FieldChange, NewEvent, SubjectKind};
use tandem_domain::ids::{
    AccountId, ActivityId, BusinessReviewId, ContactId, EngagementId, GoalId, PhaseId, TeamMemberId,
};
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store, versioned};

const COLUMNS: &str = "id, account_id, kind, occurred_at, title, body, contact_ids, \
                       team_member_ids, engagement_id, phase_id, goal_id, business_review_id, \
                       author, version, created_at, updated_at";

fn row(r: &QueryResult) -> PersistenceResult<Activity> {
    let kind: String = get(r, "kind")?;
    let ids = |name: &str| -> PersistenceResult<Vec<Uuid>> {
        serde_json::from_value(get(r, name)?).map_err(|e| corrupt("activity participants", e))
    };
    Ok(Activity {
        id: ActivityId(get(r, "id")?),
        account_id: AccountId(get(r, "account_id")?),
        data: ActivityData {
            kind: kind.parse().map_err(|e| corrupt("activity kind", e))?,
            occurred_at: get(r, "occurred_at")?,
            title: get(r, "title")?,
            body: get(r, "body")?,
            contact_ids: ids("contact_ids")?.into_iter().map(ContactId).collect(),
            team_member_ids: ids("team_member_ids")?
                .into_iter()
                .map(TeamMemberId)
                .collect(),
            links: ActivityLinks {
                engagement_id: get::<Option<Uuid>>(r, "engagement_id")?.map(EngagementId),
                phase_id: get::<Option<Uuid>>(r, "phase_id")?.map(PhaseId),
                goal_id: get::<Option<Uuid>>(r, "goal_id")?.map(GoalId),
                business_review_id: get::<Option<Uuid>>(r, "business_review_id")?
                    .map(BusinessReviewId),
            },
        },
        author: get(r, "author")?,
        version: get(r, "version")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

/// Refuses participants and links that do not belong to `account`, naming the field.
async fn check_refs(
    conn: &impl ConnectionTrait,
    account: AccountId,
    data: &ActivityData,
) -> PersistenceResult<()> {
    async fn count(conn: &impl ConnectionTrait, q: Sql) -> PersistenceResult<i64> {
        match q.all(conn).await?.first() {
            Some(r) => get(r, "n"),
            None => Ok(0),
        }
    }
    if !data.contact_ids.is_empty() {
        let mut q = Sql::new(
            "SELECT COUNT(*) AS n FROM contacts WHERE archived_at IS NULL AND account_id = ",
        );
        q.bind(account.0)
            .push(" AND id IN ")
            .bind_list(data.contact_ids.iter().map(|c| c.0));
        if count(conn, q).await? != data.contact_ids.len() as i64 {
            return Err(DomainError::invalid(
                "contactIds",
                "every contact must be a current contact of this account",
            )
            .into());
        }
    }
    if !data.team_member_ids.is_empty() {
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM team_members WHERE id IN ");
        q.bind_list(data.team_member_ids.iter().map(|c| c.0));
        if count(conn, q).await? != data.team_member_ids.len() as i64 {
            return Err(DomainError::invalid(
                "teamMemberIds",
                "no team member has one of these ids",
            )
            .into());
        }
    }
    let links = &data.links;
    let checks: [(&str, Option<Uuid>, &str); 4] = [
        (
            "engagementId",
            links.engagement_id.map(|e| e.0),
            "SELECT COUNT(*) AS n FROM engagements WHERE account_id = ",
        ),
        (
            "phaseId",
            links.phase_id.map(|e| e.0),
            "SELECT COUNT(*) AS n FROM phases p JOIN engagements e ON e.id = p.engagement_id WHERE e.account_id = ",
        ),
        (
            "goalId",
            links.goal_id.map(|e| e.0),
            "SELECT COUNT(*) AS n FROM goals WHERE account_id = ",
        ),
        (
            "businessReviewId",
            links.business_review_id.map(|e| e.0),
            "SELECT COUNT(*) AS n FROM business_reviews WHERE account_id = ",
        ),
    ];
    for (field, id, sql) in checks {
        let Some(id) = id else { continue };
        let mut q = Sql::new(sql);
        let column = if field == "phaseId" {
            " AND p.id = "
        } else {
            " AND id = "
        };
        q.bind(account.0).push(column).bind(id);
        if count(conn, q).await? != 1 {
            return Err(DomainError::invalid(
                field,
                "must name one of this account's own; it names another account's or none",
            )
            .into());
        }
    }
    Ok(())
}

fn snapshot(data: &ActivityData) -> serde_json::Value {
    serde_json::to_value(data).unwrap_or_default()
}

/// Logs an activity on a live account and records `ACTIVITY_LOGGED`.
pub async fn create(
    store: &Store,
    author: &str,
    account: AccountId,
    data: ActivityData,
) -> PersistenceResult<Activity> {
    let tx = store.begin_write().await?;
    crate::account::ensure_live(&tx, account, "activities cannot be logged on it").await?;
    check_refs(&tx, account, &data).await?;
    let now = Utc::now();
    let activity = Activity {
        id: ActivityId::new(),
        account_id: account,
        data,
        author: author.to_owned(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut q = Sql::new(&format!("INSERT INTO activities ({COLUMNS}) VALUES ("));
    q.bind(activity.id.0).push(", ").bind(account.0).push(", ");
    bind_data(&mut q, &activity.data)?;
    q.push(", ")
        .bind(author)
        .push(", 1, ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    q.execute(&tx).await?;
    crate::event::append(
        store,
        &tx,
        NewEvent {
            account_id: Some(account),
            subject_kind: SubjectKind::Activity,
            subject_id: activity.id.0,
            kind: EventKind::ActivityLogged,
            actor: author.to_owned(),
            changes: event::created(&snapshot(&activity.data)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(activity)
}

fn bind_data(q: &mut Sql, d: &ActivityData) -> PersistenceResult<()> {
    let ids = |v: Vec<Uuid>| serde_json::to_value(v).map_err(|e| corrupt("participants", e));
    q.bind(d.kind.as_str())
        .push(", ")
        .bind(d.occurred_at)
        .push(", ")
        .bind(d.title.clone())
        .push(", ")
        .bind(d.body.as_str())
        .push(", ")
        .bind(ids(d.contact_ids.iter().map(|c| c.0).collect())?)
        .push(", ")
        .bind(ids(d.team_member_ids.iter().map(|c| c.0).collect())?)
        .push(", ")
        .bind(d.links.engagement_id.map(|x| x.0))
        .push(", ")
        .bind(d.links.phase_id.map(|x| x.0))
        .push(", ")
        .bind(d.links.goal_id.map(|x| x.0))
        .push(", ")
        .bind(d.links.business_review_id.map(|x| x.0));
    Ok(())
}

/// Corrects an activity still at `version` (`change` gets the current one), or deletes it
/// when `change` answers `None`.
pub async fn update(
    store: &Store,
    actor: &str,
    id: ActivityId,
    version: i32,
    change: impl FnOnce(&Activity) -> tandem_domain::DomainResult<Option<ActivityData>>,
) -> PersistenceResult<Activity> {
    let tx = store.begin_write().await?;
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM activities WHERE deleted_at IS NULL AND id = "
    ));
    q.bind(id.0);
    let found = q.all(&tx).await?.first().map(row).transpose()?;
    let current = versioned::read(found, "activity", id, version, |a| a.version)?;
    let now = Utc::now();
    let next = change(&current)?;
    let (updated, kind, changes) = match next {
        Some(data) => {
            check_refs(&tx, current.account_id, &data).await?;
            let changes = event::diff(&snapshot(&current.data), &snapshot(&data));
            if changes.is_empty() {
                return Ok(current);
            }
            let mut q = Sql::new(
                "UPDATE activities SET (kind, occurred_at, title, body, contact_ids, team_member_ids, engagement_id, phase_id, goal_id, business_review_id) = (",
            );
            bind_data(&mut q, &data)?;
            q.push("), version = ")
                .bind(version + 1)
                .push(", updated_at = ")
                .bind(now)
                .push(" WHERE id = ")
                .bind(id.0);
            versioned::save_sql(&tx, q, version, "activity").await?;
            (
                Activity {
                    data,
                    version: version + 1,
                    updated_at: now,
                    ..current.clone()
                },
                EventKind::ActivityUpdated,
                changes,
            )
        }
        None => {
            let mut q = Sql::new("UPDATE activities SET deleted_at = ");
            q.bind(now)
                .push(", version = ")
                .bind(version + 1)
                .push(" WHERE id = ")
                .bind(id.0);
            versioned::save_sql(&tx, q, version, "activity").await?;
            (
                Activity {
                    version: version + 1,
                    updated_at: now,
                    ..current.clone()
                },
                EventKind::ActivityDeleted,
                vec![FieldChange::set("deletedAt", now)],
            )
        }
    };
    crate::event::record(
        store,
        &tx,
        actor,
        current.account_id,
        SubjectKind::Activity,
        id.0,
        kind,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// One live activity.
pub async fn get_one(store: &Store, id: ActivityId) -> PersistenceResult<Option<Activity>> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM activities WHERE deleted_at IS NULL AND id = "
    ));
    q.bind(id.0);
    q.all(store.conn()).await?.first().map(row).transpose()
}

/// What a timeline shows.
#[derive(Debug, Clone, Default)]
pub struct TimelineQuery {
    /// Only activities of these kinds; all when empty (unless `activities` is false).
    pub activity_kinds: Vec<ActivityKind>,
    /// Whether activities show.
    pub activities: bool,
    /// Whether account-change events show.
    pub events: bool,
    /// Items after this one.
    pub after: Option<TimelineKey>,
    /// At most this many.
    pub limit: u64,
}

/// An account's timeline page, newest first: its activities and its account-change events
/// (except the `ACTIVITY_*` events, whose activities show themselves). Each source is read
/// with the page's limit from its own index, and the two are merged.
pub async fn timeline(
    store: &Store,
    account: AccountId,
    query: &TimelineQuery,
) -> PersistenceResult<Vec<TimelineItem>> {
    let conn = store.conn();
    let mut items: Vec<TimelineItem> = Vec::new();
    if query.activities {
        let mut q = Sql::new(&format!(
            "SELECT {COLUMNS} FROM activities WHERE deleted_at IS NULL AND account_id = "
        ));
        q.bind(account.0);
        if !query.activity_kinds.is_empty() {
            q.push(" AND kind IN ")
                .bind_list(query.activity_kinds.iter().map(|k| k.as_str()));
        }
        if let Some(after) = query.after {
            if after.source > 0 {
                q.push(" AND occurred_at <= ").bind(after.at);
            } else {
                q.push(" AND (occurred_at < ")
                    .bind(after.at)
                    .push(" OR (occurred_at = ")
                    .bind(after.at)
                    .push(" AND id < ")
                    .bind(Uuid::from_u128(after.key))
                    .push("))");
            }
        }
        q.push(" ORDER BY occurred_at DESC, id DESC LIMIT ")
            .bind(query.limit as i64);
        for r in q.all(conn).await? {
            items.push(TimelineItem::Activity(row(&r)?));
        }
    }
    if query.events {
        let cursors: Vec<i64> = {
            let mut q = Sql::new("SELECT cursor FROM account_events WHERE account_id = ");
            q.bind(account.0).push(" AND kind NOT IN ").bind_list(
                [
                    EventKind::ActivityLogged,
                    EventKind::ActivityUpdated,
                    EventKind::ActivityDeleted,
                ]
                .iter()
                .map(|k| k.as_str()),
            );
            if let Some(after) = query.after {
                if after.source > 0 {
                    q.push(" AND (occurred_at < ")
                        .bind(after.at)
                        .push(" OR (occurred_at = ")
                        .bind(after.at)
                        .push(" AND cursor < ")
                        .bind(i64::try_from(after.key).unwrap_or(i64::MAX))
                        .push("))");
                } else {
                    q.push(" AND occurred_at < ").bind(after.at);
                }
            }
            q.push(" ORDER BY occurred_at DESC, cursor DESC LIMIT ")
                .bind(query.limit as i64);
            q.all(conn)
                .await?
                .iter()
                .map(|r| get(r, "cursor"))
                .collect::<PersistenceResult<_>>()?
        };
        for e in crate::event::by_cursors(store, &cursors).await? {
            items.push(TimelineItem::Event(e));
        }
    }
    items.sort_by(|a, b| {
        let (a, b) = (a.key(), b.key());
        (b.at, b.source, b.key).cmp(&(a.at, a.source, a.key))
    });
    items.truncate(query.limit as usize);
    Ok(items)
}
