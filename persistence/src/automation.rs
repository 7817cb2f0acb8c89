//! The automation worker's storage side: reading the event stream from its own cursor, firing
//! playbooks, and owing webhook deliveries — each step in one transaction together with the move
//! of the cursor, so that a crash and restart neither skips nor repeats an effect.
//!
//! Two workers (two servers) that race are safe too: a batch moves the cursor only from where it
//! read it (`UPDATE … WHERE position = from`), and a threshold sweep locks its playbook row, so
//! the loser of a race rolls back and changes nothing.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use tandem_domain::event::{Event, EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{AccountId, PlaybookRunId, TeamMemberId};
use tandem_domain::playbook::{self, Action, ActionOutcome, Batch, Playbook, TaskData, Trigger};
use uuid::Uuid;

use crate::event::EventQuery;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};

/// The name of the automation worker's cursor.
const WORKER: &str = "automation";

/// Where the worker is in the event stream.
pub async fn position(store: &Store) -> PersistenceResult<i64> {
    let mut q = Sql::new("SELECT position FROM worker_cursors WHERE name = ");
    q.bind(WORKER);
    match q.all(store.conn()).await?.first() {
        Some(r) => get(r, "position"),
        None => Ok(0),
    }
}

/// Processes up to `limit` events after `from`: fires the enabled event playbooks they trigger
/// and owes each enabled webhook endpoint the events it wants, then moves the cursor past them —
/// all in one transaction. A conflict means another worker moved the cursor first; nothing was
/// written, and the caller should read the cursor again.
pub async fn process_events(store: &Store, from: i64, limit: u64) -> PersistenceResult<Batch> {
    let events = crate::event::list(
        store,
        &EventQuery {
            after: from,
            limit,
            ..EventQuery::default()
        },
    )
    .await?;
    let Some(last) = events.last().map(|e| e.cursor) else {
        return Ok(Batch {
            position: from,
            ..Batch::default()
        });
    };
    let now = Utc::now();
    let tx = store.begin_write().await?;
    let mut q = Sql::new("UPDATE worker_cursors SET position = ");
    q.bind(last)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE name = ")
        .bind(WORKER)
        .push(" AND position = ")
        .bind(from);
    if q.execute(&tx).await? != 1 {
        return Err(PersistenceError::Conflict(
            "another worker moved the automation cursor".to_owned(),
        ));
    }
    let playbooks: Vec<Playbook> = crate::playbook::live(&tx, true)
        .await?
        .into_iter()
        .filter(|p| !p.data.trigger.is_threshold())
        .collect();
    let endpoints = crate::webhook::live(&tx, None, true).await?;
    let mut batch = Batch {
        events: events.len(),
        position: last,
        ..Batch::default()
    };
    for event in &events {
        batch.fired += fire_on_event(store, &tx, &playbooks, event, now).await?;
        // An endpoint is owed the events committed after it was registered (`live` lists
        // them oldest first, so those are a prefix).
        let registered = endpoints.partition_point(|e| e.created_at <= event.occurred_at);
        batch.deliveries += crate::webhook::enqueue(
            &tx,
            &endpoints[..registered],
            event.cursor,
            event.event.kind,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(batch)
}

async fn fire_on_event(
    store: &Store,
    tx: &DatabaseTransaction,
    playbooks: &[Playbook],
    event: &Event,
    now: DateTime<Utc>,
) -> PersistenceResult<usize> {
    let Some(account) = event.event.account_id else {
        return Ok(0);
    };
    if playbook::caused_by_playbook(&event.event.actor) {
        return Ok(0);
    }
    let mut fired = 0;
    for p in playbooks {
        // A definition applies to events committed after it was saved, however far behind
        // the worker runs.
        if p.updated_at > event.occurred_at
            || p.data.trigger
                != (Trigger::Event {
                    kind: event.event.kind,
                })
        {
            continue;
        }
        let Some(q) = crate::playbook::matching_sql(tx, p, now.date_naive(), Some(account)).await?
        else {
            continue;
        };
        if q.all(tx).await?.is_empty() {
            continue;
        }
        fire(store, tx, p, account, Some(event.cursor), now).await?;
        fired += 1;
    }
    Ok(fired)
}

/// Runs every enabled threshold playbook over every live account: fires it on each account
/// that has come to satisfy it since the last sweep, and re-arms it for each account that no
/// longer does. One transaction per playbook.
pub async fn sweep(store: &Store) -> PersistenceResult<usize> {
    let mut fired = 0;
    for p in crate::playbook::live(store.conn(), true).await? {
        if p.data.trigger.is_threshold() {
            fired += sweep_one(store, &p).await?;
        }
    }
    Ok(fired)
}

async fn sweep_one(store: &Store, seen: &Playbook) -> PersistenceResult<usize> {
    let tx = store.begin_write().await?;
    // Lock the playbook (PostgreSQL; SQLite's write lock covers it) and check it has not been
    // changed, disabled or swept by someone else since it was listed.
    let mut q =
        Sql::new("SELECT version, enabled, archived_at IS NULL AS live FROM playbooks WHERE id = ");
    q.bind(seen.id.0);
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        q.push(" FOR UPDATE");
    }
    let Some(r) = q.all(&tx).await?.into_iter().next() else {
        return Ok(0);
    };
    if get::<i32>(&r, "version")? != seen.version
        || !get::<bool>(&r, "enabled")?
        || !get::<bool>(&r, "live")?
    {
        return Ok(0);
    }
    let now = Utc::now();
    let matching: HashSet<Uuid> =
        match crate::playbook::matching_sql(&tx, seen, now.date_naive(), None).await? {
            Some(q) => q
                .all(&tx)
                .await?
                .iter()
                .map(|r| get(r, "id"))
                .collect::<PersistenceResult<_>>()?,
            None => HashSet::new(),
        };
    let mut q = Sql::new("SELECT account_id FROM playbook_matches WHERE playbook_id = ");
    q.bind(seen.id.0);
    let before: HashSet<Uuid> = q
        .all(&tx)
        .await?
        .iter()
        .map(|r| get(r, "account_id"))
        .collect::<PersistenceResult<_>>()?;
    let left: Vec<Uuid> = before.difference(&matching).copied().collect();
    let mut entered: Vec<Uuid> = matching.difference(&before).copied().collect();
    entered.sort();
    for chunk in left.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new("DELETE FROM playbook_matches WHERE playbook_id = ");
        q.bind(seen.id.0)
            .push(" AND account_id IN ")
            .bind_list(chunk.iter().copied());
        q.execute(&tx).await?;
    }
    for chunk in entered.chunks(200) {
        let mut q =
            Sql::new("INSERT INTO playbook_matches (playbook_id, account_id, since) VALUES ");
        for (i, a) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(seen.id.0)
                .push(", ")
                .bind(*a)
                .push(", ")
                .bind(now)
                .push(")");
        }
        q.execute(&tx).await?;
    }
    for a in &entered {
        fire(store, &tx, seen, AccountId(*a), None, now).await?;
    }
    tx.commit().await?;
    Ok(entered.len())
}

/// Fires `p` on `account`: takes its actions in order, records the run and `PLAYBOOK_FIRED`.
/// An action the account's state refuses (a tag over the limit, say) is recorded as failed and
/// the others still run; a storage failure rolls the whole firing back.
async fn fire(
    store: &Store,
    tx: &DatabaseTransaction,
    p: &Playbook,
    account: AccountId,
    event_cursor: Option<i64>,
    now: DateTime<Utc>,
) -> PersistenceResult<()> {
    let run = PlaybookRunId::new();
    let actor = playbook::actor(p.id);
    let mut q = Sql::new(
        "INSERT INTO playbook_runs (id, playbook_id, account_id, event_cursor, fired_at, outcomes) VALUES (",
    );
    q.bind(run.0)
        .push(", ")
        .bind(p.id.0)
        .push(", ")
        .bind(account.0)
        .push(", ")
        .bind(event_cursor)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(serde_json::json!([]))
        .push(")");
    q.execute(tx).await?;
    let mut outcomes = Vec::with_capacity(p.data.actions.len());
    for (index, action) in p.data.actions.iter().enumerate() {
        let result = act(store, tx, p, run, &actor, account, action, now).await;
        let (ok, detail) = match result {
            Ok(detail) => (true, detail),
            Err(PersistenceError::Domain(e)) => (false, e.to_string()),
            Err(PersistenceError::Conflict(e)) => (false, e),
            Err(e) => return Err(e),
        };
        outcomes.push(ActionOutcome { index, ok, detail });
    }
    let mut q = Sql::new("UPDATE playbook_runs SET outcomes = ");
    q.bind(serde_json::to_value(&outcomes).unwrap_or_default())
        .push(" WHERE id = ")
        .bind(run.0);
    q.execute(tx).await?;
    crate::event::record(
        store,
        tx,
        &actor,
        account,
        SubjectKind::Playbook,
        p.id.0,
        EventKind::PlaybookFired,
        crate::playbook::fired_changes(p, event_cursor, &outcomes),
    )
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn act(
    store: &Store,
    tx: &DatabaseTransaction,
    p: &Playbook,
    run: PlaybookRunId,
    actor: &str,
    account: AccountId,
    action: &Action,
    now: DateTime<Utc>,
) -> PersistenceResult<String> {
    let changed = |r: Result<tandem_domain::account::Account, tandem_domain::account::Account>,
                   did: &str,
                   already: &str| {
        match r {
            Ok(_) => did.to_owned(),
            Err(_) => already.to_owned(),
        }
    };
    Ok(match action {
        Action::CreateTask { title, due_in_days } => {
            let owner = owner(tx, account).await?;
            let data = TaskData {
                title: title.clone(),
                notes: Some(format!("Created by the playbook '{}'.", p.data.name)),
                assignee_id: owner,
                due_on: Some(now.date_naive() + chrono::Days::new(u64::from(*due_in_days))),
            };
            let task =
                crate::task::insert(store, tx, actor, account, data, Some((p.id, run)), None)
                    .await?;
            match owner {
                Some(o) => format!("created task {} for the account's owner {o}", task.id),
                None => format!(
                    "created task {}, unassigned: the account has no active owner",
                    task.id
                ),
            }
        }
        Action::AddTag { tag } => {
            let r = crate::account::update_in(store, tx, actor, account, None, |a| {
                let mut data = a.data.clone();
                let mut tags = data.tags.clone();
                tags.push(tag.clone());
                data.tags = tandem_domain::text::tags("tags", &tags)?;
                Ok(data)
            })
            .await?;
            changed(
                r,
                &format!("tagged '{tag}'"),
                &format!("already tagged '{tag}'"),
            )
        }
        Action::RemoveTag { tag } => {
            let r = crate::account::update_in(store, tx, actor, account, None, |a| {
                let mut data = a.data.clone();
                data.tags.retain(|t| t != tag);
                Ok(data)
            })
            .await?;
            changed(
                r,
                &format!("removed the tag '{tag}'"),
                &format!("was not tagged '{tag}'"),
            )
        }
        Action::SetLifecycleStage { stage } => {
            let r = crate::account::update_in(store, tx, actor, account, None, |a| {
                let mut data = a.data.clone();
                data.lifecycle_stage = *stage;
                Ok(data)
            })
            .await?;
            changed(
                r,
                &format!("moved to {stage}"),
                &format!("already in {stage}"),
            )
        }
        Action::EmitEvent { name } => {
            crate::event::record(
                store,
                tx,
                actor,
                account,
                SubjectKind::Playbook,
                p.id.0,
                EventKind::Custom,
                vec![
                    FieldChange::set("name", name.as_str()),
                    FieldChange::set("playbook", p.data.name.as_str()),
                ],
            )
            .await?;
            format!("emitted '{name}'")
        }
    })
}

/// The account's owner, when it has one who is still an active team member.
async fn owner(
    conn: &impl ConnectionTrait,
    account: AccountId,
) -> PersistenceResult<Option<TeamMemberId>> {
    let mut q = Sql::new(
        "SELECT t.id AS id FROM accounts a JOIN team_members t ON t.id = a.owner_id \
         AND t.archived_at IS NULL WHERE a.id = ",
    );
    q.bind(account.0);
    Ok(match q.all(conn).await?.first() {
        Some(r) => Some(TeamMemberId(get(r, "id")?)),
        None => None,
    })
}
