//! Playbooks: their definitions, which accounts each one matches, and the record of its firings.
//!
//! What a firing does is in [`crate::automation`]; this module stores playbooks and answers
//! "which accounts satisfy this trigger and condition", in SQL, for the sweep and the dry run.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use tandem_domain::event::FieldChange;
use tandem_domain::ids::{AccountId, PlaybookId, PlaybookRunId};
use tandem_domain::playbook::{
    ActionOutcome, Condition, Playbook, PlaybookChange, PlaybookData, Run, Trigger,
};
use tandem_domain::sow::{SowStatus, WorkKind};

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store, versioned};

const COLUMNS: &str = "id, name, description, enabled, trigger_def, condition_def, actions, version, \
                       created_by, created_at, updated_at, archived_at";

fn row(r: &QueryResult) -> PersistenceResult<Playbook> {
    let json = |name: &str| -> PersistenceResult<serde_json::Value> { get(r, name) };
    Ok(Playbook {
        id: PlaybookId(get(r, "id")?),
        data: PlaybookData {
            name: get(r, "name")?,
            description: get(r, "description")?,
            trigger: serde_json::from_value(json("trigger_def")?)
                .map_err(|e| corrupt("playbook trigger", e))?,
            condition: serde_json::from_value(json("condition_def")?)
                .map_err(|e| corrupt("playbook condition", e))?,
            actions: serde_json::from_value(json("actions")?)
                .map_err(|e| corrupt("playbook actions", e))?,
        },
        enabled: get(r, "enabled")?,
        version: get(r, "version")?,
        created_by: get(r, "created_by")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        archived_at: get(r, "archived_at")?,
    })
}

fn to_json<T: serde::Serialize>(what: &str, value: &T) -> PersistenceResult<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| corrupt(what, e))
}

/// Checks what storage must: a unique name among live playbooks and an existing segment.
async fn check(
    conn: &impl ConnectionTrait,
    data: &PlaybookData,
    except: Option<PlaybookId>,
) -> PersistenceResult<()> {
    let mut q = Sql::new("SELECT id FROM playbooks WHERE archived_at IS NULL AND LOWER(name) = ");
    q.bind(data.name.to_lowercase());
    if let Some(id) = except {
        q.push(" AND id <> ").bind(id.0);
    }
    if !q.all(conn).await?.is_empty() {
        return Err(PersistenceError::Conflict(format!(
            "a playbook named '{}' already exists; pick another name",
            data.name
        )));
    }
    if let Some(segment) = data.condition.segment_id {
        let mut q = Sql::new("SELECT id FROM segments WHERE archived_at IS NULL AND id = ");
        q.bind(segment.0);
        if q.all(conn).await?.is_empty() {
            return Err(tandem_domain::DomainError::invalid(
                "condition.segmentId",
                "no live segment has this id",
            )
            .into());
        }
    }
    Ok(())
}

/// Saves a new playbook. An enabled threshold playbook starts from the accounts that already
/// satisfy it: it fires for accounts that cross its threshold from now on.
pub async fn create(
    store: &Store,
    actor: &str,
    data: PlaybookData,
    enabled: bool,
) -> PersistenceResult<Playbook> {
    let tx = store.begin_write().await?;
    check(&tx, &data, None).await?;
    let now = Utc::now();
    let playbook = Playbook {
        id: PlaybookId::new(),
        data,
        enabled,
        version: 1,
        created_by: actor.to_owned(),
        created_at: now,
        updated_at: now,
        archived_at: None,
    };
    let mut q = Sql::new(&format!("INSERT INTO playbooks ({COLUMNS}) VALUES ("));
    q.bind(playbook.id.0)
        .push(", ")
        .bind(playbook.data.name.as_str())
        .push(", ")
        .bind(playbook.data.description.clone())
        .push(", ")
        .bind(enabled)
        .push(", ")
        .bind(to_json("trigger", &playbook.data.trigger)?)
        .push(", ")
        .bind(to_json("condition", &playbook.data.condition)?)
        .push(", ")
        .bind(to_json("actions", &playbook.data.actions)?)
        .push(", 1, ")
        .bind(actor)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(", NULL)");
    q.execute(&tx).await?;
    if enabled {
        baseline(&tx, &playbook, now).await?;
    }
    tx.commit().await?;
    Ok(playbook)
}

/// Changes a playbook still at `version`. Enabling it, or changing its trigger or condition,
/// starts it afresh from the accounts that satisfy it now.
pub async fn update(
    store: &Store,
    id: PlaybookId,
    version: i32,
    change: impl FnOnce(&Playbook) -> tandem_domain::DomainResult<PlaybookChange>,
) -> PersistenceResult<Playbook> {
    let tx = store.begin_write().await?;
    let current = one(&tx, id, true)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "playbook",
            id: id.to_string(),
        })?;
    if current.archived_at.is_some() {
        return Err(PersistenceError::Conflict(format!(
            "the playbook '{}' is archived and can no longer change",
            current.data.name
        )));
    }
    versioned::check("playbook", version, current.version)?;
    let change = change(&current)?;
    if !change.archive {
        check(&tx, &change.data, Some(id)).await?;
    }
    let now = Utc::now();
    let updated = Playbook {
        data: change.data,
        enabled: change.enabled && !change.archive,
        version: version + 1,
        updated_at: now,
        archived_at: change.archive.then_some(now),
        ..current.clone()
    };
    let mut q = Sql::new("UPDATE playbooks SET name = ");
    q.bind(updated.data.name.as_str())
        .push(", description = ")
        .bind(updated.data.description.clone())
        .push(", enabled = ")
        .bind(updated.enabled)
        .push(", trigger_def = ")
        .bind(to_json("trigger", &updated.data.trigger)?)
        .push(", condition_def = ")
        .bind(to_json("condition", &updated.data.condition)?)
        .push(", actions = ")
        .bind(to_json("actions", &updated.data.actions)?)
        .push(", version = ")
        .bind(updated.version)
        .push(", updated_at = ")
        .bind(now)
        .push(", archived_at = ")
        .bind(updated.archived_at)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "playbook").await?;
    let restart = updated.enabled
        && (!current.enabled
            || current.data.trigger != updated.data.trigger
            || current.data.condition != updated.data.condition);
    if !updated.enabled || restart {
        let mut q = Sql::new("DELETE FROM playbook_matches WHERE playbook_id = ");
        q.bind(id.0);
        q.execute(&tx).await?;
    }
    if restart {
        baseline(&tx, &updated, now).await?;
    }
    tx.commit().await?;
    Ok(updated)
}

/// Records the accounts a threshold playbook matches now, without firing on them.
async fn baseline(
    conn: &impl ConnectionTrait,
    playbook: &Playbook,
    now: DateTime<Utc>,
) -> PersistenceResult<()> {
    if !playbook.data.trigger.is_threshold() {
        return Ok(());
    }
    let today = now.date_naive();
    let Some(matching) = matching_sql(conn, playbook, today, None).await? else {
        return Ok(());
    };
    let mut q = Sql::new("INSERT INTO playbook_matches (playbook_id, account_id, since) SELECT ");
    q.bind(playbook.id.0)
        .push(", m.id, ")
        .bind(now)
        .push(" FROM (");
    q.append(matching).push(") m");
    q.execute(conn).await?;
    Ok(())
}

async fn one(
    conn: &impl ConnectionTrait,
    id: PlaybookId,
    for_update: bool,
) -> PersistenceResult<Option<Playbook>> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM playbooks WHERE id = "));
    q.bind(id.0);
    if for_update && conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        q.push(" FOR UPDATE");
    }
    q.all(conn).await?.first().map(row).transpose()
}

/// One playbook by id, archived or not.
pub async fn get_one(store: &Store, id: PlaybookId) -> PersistenceResult<Option<Playbook>> {
    one(store.conn(), id, false).await
}

/// The playbooks with these ids, archived or not.
pub async fn by_ids(store: &Store, ids: &[PlaybookId]) -> PersistenceResult<Vec<Playbook>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM playbooks WHERE id IN "));
        q.bind_list(chunk.iter().map(|p| p.0));
        for r in q.all(store.conn()).await? {
            out.push(row(&r)?);
        }
    }
    Ok(out)
}

/// The live playbooks, by name.
pub async fn list(store: &Store) -> PersistenceResult<Vec<Playbook>> {
    live(store.conn(), false).await
}

/// The live playbooks, by name; only the enabled ones when `enabled_only`.
pub(crate) async fn live(
    conn: &impl ConnectionTrait,
    enabled_only: bool,
) -> PersistenceResult<Vec<Playbook>> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM playbooks WHERE archived_at IS NULL"
    ));
    if enabled_only {
        q.push(" AND enabled = ").bind(true);
    }
    q.push(" ORDER BY LOWER(name), id");
    q.all(conn).await?.iter().map(row).collect()
}

/// A `SELECT accounts.id AS id …` of the live accounts that satisfy the playbook's trigger (when
/// it is a threshold) and condition — only `account` when given. `None` when nothing can match
/// (its segment has been archived).
pub(crate) async fn matching_sql(
    conn: &impl ConnectionTrait,
    playbook: &Playbook,
    today: NaiveDate,
    account: Option<AccountId>,
) -> PersistenceResult<Option<Sql>> {
    let mut q = Sql::new(
        "SELECT accounts.id AS id FROM accounts \
         LEFT JOIN health_current hc ON hc.account_id = accounts.id \
         WHERE accounts.archived_at IS NULL",
    );
    if let Some(a) = account {
        q.push(" AND accounts.id = ").bind(a.0);
    }
    match &playbook.data.trigger {
        Trigger::Event { .. } => {}
        Trigger::HealthScoreBelow { score } => {
            q.push(" AND hc.score < ").bind(*score);
        }
        Trigger::HealthStatus { status } => {
            q.push(" AND hc.status = ").bind(status.as_str());
        }
        Trigger::RenewalWithinDays { days } => {
            q.push(" AND accounts.renewal_date >= ")
                .bind(today)
                .push(" AND accounts.renewal_date <= ")
                .bind(today + chrono::Days::new(u64::from(*days)));
        }
        Trigger::TmBurnAbove { percent } => {
            let tm = WorkKind::TimeAndMaterials.as_str();
            q.push(" AND ")
                .push(include_str!("playbook.tm_burn_above.sql"))
                .bind_value(SowStatus::Signed.as_str())
                .bind_value(SowStatus::InDelivery.as_str())
                .bind_value(tm)
                .bind_value(*percent)
                .bind_value(tm)
                .bind_value(*percent);
        }
    }
    if !condition_sql(conn, &playbook.data.condition, today, &mut q).await? {
        return Ok(None);
    }
    Ok(Some(q))
}

/// Appends the condition to `q`; `false` when nothing can match.
async fn condition_sql(
    conn: &impl ConnectionTrait,
    condition: &Condition,
    today: NaiveDate,
    q: &mut Sql,
) -> PersistenceResult<bool> {
    if !condition.touch_tiers.is_empty() {
        q.push(" AND accounts.touch_tier IN ")
            .bind_list(condition.touch_tiers.iter().map(|t| t.as_str()));
    }
    if !condition.lifecycle_stages.is_empty() {
        q.push(" AND accounts.lifecycle_stage IN ")
            .bind_list(condition.lifecycle_stages.iter().map(|t| t.as_str()));
    }
    if let Some(segment) = condition.segment_id {
        let mut s = Sql::new("SELECT filter FROM segments WHERE archived_at IS NULL AND id = ");
        s.bind(segment.0);
        let Some(r) = s.all(conn).await?.into_iter().next() else {
            return Ok(false);
        };
        let filter =
            serde_json::from_value(get(&r, "filter")?).map_err(|e| corrupt("segment filter", e))?;
        q.push(" AND ")
            .append(crate::segment::condition(&filter, today));
    }
    Ok(true)
}

/// The live accounts a playbook would act on now: for a threshold playbook, those satisfying
/// its trigger and condition; for an event playbook, those satisfying its condition. At most
/// `limit`, by name.
pub async fn dry_run(
    store: &Store,
    playbook: &Playbook,
    limit: u64,
) -> PersistenceResult<(Vec<AccountId>, u64)> {
    let conn = store.conn();
    let Some(matching) = matching_sql(conn, playbook, Utc::now().date_naive(), None).await? else {
        return Ok((Vec::new(), 0));
    };
    let mut count = Sql::new("SELECT COUNT(*) AS n FROM (");
    count.append(matching.clone()).push(") m");
    let total: i64 = match count.all(conn).await?.first() {
        Some(r) => get(r, "n")?,
        None => 0,
    };
    let mut q = Sql::new("SELECT a.id AS id FROM accounts a WHERE a.id IN (");
    q.append(matching)
        .push(") ORDER BY LOWER(a.name), a.id LIMIT ")
        .bind(limit as i64);
    let ids = q
        .all(conn)
        .await?
        .iter()
        .map(|r| get(r, "id").map(AccountId))
        .collect::<PersistenceResult<_>>()?;
    Ok((ids, total as u64))
}

/// A playbook's most recent firings, newest first.
pub async fn runs(store: &Store, id: PlaybookId, limit: u64) -> PersistenceResult<Vec<Run>> {
    let mut q = Sql::new(
        "SELECT id, playbook_id, account_id, event_cursor, fired_at, outcomes FROM playbook_runs \
         WHERE playbook_id = ",
    );
    q.bind(id.0)
        .push(" ORDER BY fired_at DESC, id DESC LIMIT ")
        .bind(limit as i64);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            Ok(Run {
                id: PlaybookRunId(get(r, "id")?),
                playbook_id: PlaybookId(get(r, "playbook_id")?),
                account_id: AccountId(get(r, "account_id")?),
                event_cursor: get(r, "event_cursor")?,
                fired_at: get(r, "fired_at")?,
                outcomes: serde_json::from_value(get(r, "outcomes")?)
                    .map_err(|e| corrupt("playbook run outcomes", e))?,
            })
        })
        .collect()
}

/// The `PLAYBOOK_FIRED` event's changes: which playbook, why, and what it did.
pub(crate) fn fired_changes(
    playbook: &Playbook,
    event_cursor: Option<i64>,
    outcomes: &[ActionOutcome],
) -> Vec<FieldChange> {
    vec![
        FieldChange::set("playbook", playbook.data.name.as_str()),
        FieldChange::set("trigger", &playbook.data.trigger),
        FieldChange::set("eventCursor", event_cursor.map(|c| c.to_string())),
        FieldChange::set("outcomes", outcomes),
    ]
}
