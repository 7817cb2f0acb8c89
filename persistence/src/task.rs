//! Tasks: to-dos for team members about accounts, made by people or by playbooks.

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use tandem_domain::event::{EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{AccountId, PlaybookId, PlaybookRunId, TaskId, TeamMemberId};
use tandem_domain::playbook::{Task, TaskChange, TaskData, TaskStatus};
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store, versioned};

const COLUMNS: &str = "id, account_id, assignee_id, title, notes, due_on, status, playbook_id, \
                       version, created_by, created_at, updated_at, closed_at, risk_id";

fn row(r: &QueryResult) -> PersistenceResult<Task> {
    let status: String = get(r, "status")?;
    Ok(Task {
        id: TaskId(get(r, "id")?),
        account_id: AccountId(get(r, "account_id")?),
        data: TaskData {
            title: get(r, "title")?,
            notes: get(r, "notes")?,
            assignee_id: get::<Option<Uuid>>(r, "assignee_id")?.map(TeamMemberId),
            due_on: get(r, "due_on")?,
        },
        status: status.parse().map_err(|e| corrupt("task status", e))?,
        playbook_id: get::<Option<Uuid>>(r, "playbook_id")?.map(PlaybookId),
        risk_id: get::<Option<Uuid>>(r, "risk_id")?.map(tandem_domain::ids::RiskId),
        created_by: get(r, "created_by")?,
        version: get(r, "version")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        closed_at: get(r, "closed_at")?,
    })
}

fn snapshot(task: &Task) -> serde_json::Value {
    serde_json::json!({
        "title": task.data.title,
        "notes": task.data.notes,
        "assigneeId": task.data.assignee_id,
        "dueOn": task.data.due_on,
        "status": task.status,
    })
}

/// Inserts a task inside `tx` and records `TASK_CREATED`: what both a person and a playbook
/// (with `playbook`, the run that made it) go through.
pub(crate) async fn insert(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    account_id: AccountId,
    data: TaskData,
    playbook: Option<(PlaybookId, PlaybookRunId)>,
    risk: Option<tandem_domain::ids::RiskId>,
) -> PersistenceResult<Task> {
    let now = Utc::now();
    let task = Task {
        id: TaskId::new(),
        account_id,
        data,
        status: TaskStatus::Open,
        playbook_id: playbook.map(|p| p.0),
        risk_id: risk,
        created_by: actor.to_owned(),
        version: 1,
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    let mut q = Sql::new(&format!("INSERT INTO tasks ({COLUMNS}, run_id) VALUES ("));
    q.bind(task.id.0)
        .push(", ")
        .bind(account_id.0)
        .push(", ")
        .bind(task.data.assignee_id.map(|a| a.0))
        .push(", ")
        .bind(task.data.title.as_str())
        .push(", ")
        .bind(task.data.notes.clone())
        .push(", ")
        .bind(task.data.due_on)
        .push(", ")
        .bind(task.status.as_str())
        .push(", ")
        .bind(task.playbook_id.map(|p| p.0))
        .push(", 1, ")
        .bind(actor)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(", NULL, ")
        .bind(risk.map(|r| r.0))
        .push(", ")
        .bind(playbook.map(|p| p.1.0))
        .push(")");
    q.execute(tx).await?;
    let changes = match snapshot(&task) {
        serde_json::Value::Object(fields) => fields
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| FieldChange::set(&k, v))
            .collect(),
        _ => Vec::new(),
    };
    crate::event::record(
        store,
        tx,
        actor,
        account_id,
        SubjectKind::Task,
        task.id.0,
        EventKind::TaskCreated,
        changes,
    )
    .await?;
    Ok(task)
}

/// Creates a task a person asked for.
pub async fn create(
    store: &Store,
    actor: &str,
    account_id: AccountId,
    data: TaskData,
    risk: Option<tandem_domain::ids::RiskId>,
) -> PersistenceResult<Task> {
    let tx = store.begin_write().await?;
    crate::account::ensure_live(&tx, account_id, "tasks cannot be added to it").await?;
    if let Some(risk) = risk {
        crate::renewal::ensure_risk_of(&tx, risk, account_id).await?;
    }
    if let Some(assignee) = data.assignee_id {
        crate::team_member::ensure_active(&tx, assignee, "assigneeId").await?;
    }
    let task = insert(store, &tx, actor, account_id, data, None, risk).await?;
    tx.commit().await?;
    Ok(task)
}

/// Changes a task still at `version` and records `TASK_UPDATED` or `TASK_STATUS_CHANGED`.
pub async fn update(
    store: &Store,
    actor: &str,
    id: TaskId,
    version: i32,
    change: impl FnOnce(&Task) -> tandem_domain::DomainResult<TaskChange>,
) -> PersistenceResult<Task> {
    let tx = store.begin_write().await?;
    let current = versioned::read(one(&tx, id).await?, "task", id, version, |t| t.version)?;
    let now = Utc::now();
    let (updated, kind) = match change(&current)? {
        TaskChange::Fields(data) => {
            if data.assignee_id != current.data.assignee_id
                && let Some(assignee) = data.assignee_id
            {
                crate::team_member::ensure_active(&tx, assignee, "assigneeId").await?;
            }
            (
                Task {
                    data,
                    ..current.clone()
                },
                EventKind::TaskUpdated,
            )
        }
        TaskChange::Status(status) => {
            current.status.check_move(status)?;
            (
                Task {
                    status,
                    closed_at: (status != TaskStatus::Open).then_some(now),
                    ..current.clone()
                },
                EventKind::TaskStatusChanged,
            )
        }
    };
    let changes = tandem_domain::event::diff(&snapshot(&current), &snapshot(&updated));
    if changes.is_empty() {
        return Ok(current);
    }
    let updated = Task {
        version: version + 1,
        updated_at: now,
        ..updated
    };
    let mut q = Sql::new("UPDATE tasks SET title = ");
    q.bind(updated.data.title.as_str())
        .push(", notes = ")
        .bind(updated.data.notes.clone())
        .push(", assignee_id = ")
        .bind(updated.data.assignee_id.map(|a| a.0))
        .push(", due_on = ")
        .bind(updated.data.due_on)
        .push(", status = ")
        .bind(updated.status.as_str())
        .push(", closed_at = ")
        .bind(updated.closed_at)
        .push(", version = ")
        .bind(updated.version)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "task").await?;
    crate::event::record(
        store,
        &tx,
        actor,
        updated.account_id,
        SubjectKind::Task,
        id.0,
        kind,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

async fn one(conn: &impl ConnectionTrait, id: TaskId) -> PersistenceResult<Option<Task>> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM tasks WHERE id = "));
    q.bind(id.0);
    q.all(conn).await?.first().map(row).transpose()
}

/// One task by id.
pub async fn get_one(store: &Store, id: TaskId) -> PersistenceResult<Option<Task>> {
    one(store.conn(), id).await
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    /// Only tasks on this account.
    pub account_id: Option<AccountId>,
    /// Only tasks assigned to this team member.
    pub assignee_id: Option<TeamMemberId>,
    /// Only tasks a playbook made.
    pub playbook_id: Option<PlaybookId>,
    /// Only tasks in these statuses; every status when empty.
    pub statuses: Vec<TaskStatus>,
    /// Only tasks due on or before this day.
    pub due_by: Option<NaiveDate>,
    /// At most this many.
    pub limit: u64,
}

/// Tasks by due date (undated last), then by creation.
pub async fn list(store: &Store, query: &TaskQuery) -> PersistenceResult<Vec<Task>> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM tasks WHERE 1 = 1"));
    if let Some(a) = query.account_id {
        q.push(" AND account_id = ").bind(a.0);
    }
    if let Some(a) = query.assignee_id {
        q.push(" AND assignee_id = ").bind(a.0);
    }
    if let Some(p) = query.playbook_id {
        q.push(" AND playbook_id = ").bind(p.0);
    }
    if !query.statuses.is_empty() {
        q.push(" AND status IN ")
            .bind_list(query.statuses.iter().map(|s| s.as_str()));
    }
    if let Some(d) = query.due_by {
        q.push(" AND due_on <= ").bind(d);
    }
    q.push(" ORDER BY CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, id LIMIT ")
        .bind(query.limit as i64);
    q.all(store.conn()).await?.iter().map(row).collect()
}

/// The tasks linked to each of `risks`, by due date.
pub async fn of_risks(
    store: &Store,
    risks: &[tandem_domain::ids::RiskId],
) -> PersistenceResult<Vec<Task>> {
    let mut out = Vec::new();
    for chunk in risks.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM tasks WHERE risk_id IN "));
        q.bind_list(chunk.iter().map(|r| r.0))
            .push(" ORDER BY CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, id");
        for r in q.all(store.conn()).await? {
            out.push(row(&r)?);
        }
    }
    Ok(out)
}
