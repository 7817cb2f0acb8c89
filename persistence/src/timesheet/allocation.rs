//! Allocations: who is planned on which phase, how many hours a week, over which days — the
//! capacity plans utilisation is computed from. Each change records `ALLOCATION_CHANGED` on the
//! phase's account.

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use tandem_domain::event::{self, EventKind, SubjectKind};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, AllocationId, PhaseId, TeamMemberId};
use tandem_domain::timesheet::{Allocation, AllocationData};
use tandem_domain::{DomainError, DomainResult};

use crate::error::corrupt;
use crate::sql::{MAX_IN_LIST, Sql, get};
use crate::{PersistenceResult, Store, versioned};

const ALLOC_COLUMNS: &str = "id, team_member_id, phase_id, starts_on, ends_on, hours_per_week, \
                             note, version, created_by, created_at, updated_at";

fn allocation(r: &QueryResult) -> PersistenceResult<Allocation> {
    Ok(Allocation {
        id: AllocationId(get(r, "id")?),
        team_member_id: TeamMemberId(get(r, "team_member_id")?),
        phase_id: PhaseId(get(r, "phase_id")?),
        data: AllocationData {
            starts_on: get(r, "starts_on")?,
            ends_on: get(r, "ends_on")?,
            hours_per_week: Hours(get(r, "hours_per_week")?),
            note: get(r, "note")?,
        },
        version: get(r, "version")?,
        created_by: get(r, "created_by")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

/// The account a phase belongs to, with the phase's status and name; `None` without the phase.
async fn phase_of(
    tx: &DatabaseTransaction,
    phase: PhaseId,
) -> PersistenceResult<Option<(AccountId, String, String)>> {
    let mut q = Sql::new(
        "SELECT e.account_id AS account_id, p.status AS status, p.name AS name FROM phases p \
         JOIN engagements e ON e.id = p.engagement_id WHERE p.id = ",
    );
    q.bind(phase.0);
    let rows = q.all(tx).await?;
    rows.first()
        .map(|row| {
            Ok((
                AccountId(get(row, "account_id")?),
                get(row, "status")?,
                get(row, "name")?,
            ))
        })
        .transpose()
}

/// The account a phase belongs to, refusing an accepted phase (nothing left to staff).
async fn phase_account(tx: &DatabaseTransaction, phase: PhaseId) -> PersistenceResult<AccountId> {
    let (account, status, name) = phase_of(tx, phase)
        .await?
        .ok_or_else(|| DomainError::invalid("phaseId", "no phase has this id"))?;
    if status == "ACCEPTED" {
        return Err(DomainError::Conflict(format!(
            "phase '{name}' is accepted; nobody can be allocated to it any more"
        ))
        .into());
    }
    Ok(account)
}

fn snapshot(a: &Allocation) -> serde_json::Value {
    let mut v = serde_json::to_value(&a.data).unwrap_or_default();
    if let serde_json::Value::Object(m) = &mut v {
        m.insert(
            "hoursPerWeek".into(),
            a.data.hours_per_week.as_decimal().into(),
        );
        m.insert("teamMemberId".into(), a.team_member_id.to_string().into());
        m.insert("phaseId".into(), a.phase_id.to_string().into());
    }
    v
}

/// Allocates an active team member to a phase that is not accepted; `ALLOCATION_CHANGED`.
pub async fn allocate(
    store: &Store,
    actor: &str,
    member: TeamMemberId,
    phase: PhaseId,
    data: AllocationData,
) -> PersistenceResult<Allocation> {
    let tx = store.begin_write().await?;
    crate::team_member::ensure_active(&tx, member, "teamMemberId").await?;
    let account = phase_account(&tx, phase).await?;
    let now = Utc::now();
    let a = Allocation {
        id: AllocationId::new(),
        team_member_id: member,
        phase_id: phase,
        data,
        version: 1,
        created_by: actor.to_owned(),
        created_at: now,
        updated_at: now,
    };
    let mut q = Sql::new(&format!(
        "INSERT INTO allocations ({ALLOC_COLUMNS}) VALUES ("
    ));
    q.bind(a.id.0)
        .push(", ")
        .bind(member.0)
        .push(", ")
        .bind(phase.0)
        .push(", ")
        .bind(a.data.starts_on)
        .push(", ")
        .bind(a.data.ends_on)
        .push(", ")
        .bind(a.data.hours_per_week.0)
        .push(", ")
        .bind(a.data.note.clone())
        .push(", 1, ")
        .bind(actor)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    q.execute(&tx).await?;
    crate::event::record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::Allocation,
        a.id.0,
        EventKind::AllocationChanged,
        event::created(&snapshot(&a)),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

async fn find_allocation(
    conn: &impl ConnectionTrait,
    id: AllocationId,
) -> PersistenceResult<Option<Allocation>> {
    let mut q = Sql::new(&format!(
        "SELECT {ALLOC_COLUMNS} FROM allocations WHERE id = "
    ));
    q.bind(id.0);
    q.all(conn).await?.first().map(allocation).transpose()
}

/// Changes an allocation still at `version`; `ALLOCATION_CHANGED`.
pub async fn update_allocation(
    store: &Store,
    actor: &str,
    id: AllocationId,
    version: i32,
    change: impl FnOnce(&Allocation) -> DomainResult<AllocationData>,
) -> PersistenceResult<Allocation> {
    let tx = store.begin_write().await?;
    let current = versioned::read(
        find_allocation(&tx, id).await?,
        "allocation",
        id,
        version,
        |a| a.version,
    )?;
    let account = phase_account(&tx, current.phase_id).await?;
    let now = Utc::now();
    let updated = Allocation {
        data: change(&current)?,
        version: version + 1,
        updated_at: now,
        ..current.clone()
    };
    let changes = event::diff(&snapshot(&current), &snapshot(&updated));
    if changes.is_empty() {
        return Ok(current);
    }
    let mut q = Sql::new("UPDATE allocations SET starts_on = ");
    q.bind(updated.data.starts_on)
        .push(", ends_on = ")
        .bind(updated.data.ends_on)
        .push(", hours_per_week = ")
        .bind(updated.data.hours_per_week.0)
        .push(", note = ")
        .bind(updated.data.note.clone())
        .push(", version = ")
        .bind(updated.version)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "allocation").await?;
    crate::event::record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::Allocation,
        id.0,
        EventKind::AllocationChanged,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Removes an allocation still at `version`; `ALLOCATION_CHANGED`. Returns what was removed.
pub async fn remove_allocation(
    store: &Store,
    actor: &str,
    id: AllocationId,
    version: i32,
) -> PersistenceResult<Allocation> {
    let tx = store.begin_write().await?;
    let current = versioned::read(
        find_allocation(&tx, id).await?,
        "allocation",
        id,
        version,
        |a| a.version,
    )?;
    let (account, _, _) = phase_of(&tx, current.phase_id)
        .await?
        .ok_or_else(|| corrupt("phase_id", "dangling"))?;
    let mut q = Sql::new("DELETE FROM allocations WHERE id = ");
    q.bind(id.0);
    versioned::save_sql(&tx, q, version, "allocation").await?;
    let changes = event::removed(&snapshot(&current));
    crate::event::record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::Allocation,
        id.0,
        EventKind::AllocationChanged,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(current)
}

/// The allocations on each of `phases`, by start date.
pub async fn allocations_of_phases(
    store: &Store,
    phases: &[PhaseId],
) -> PersistenceResult<Vec<Allocation>> {
    let mut out = Vec::new();
    for chunk in phases.chunks(MAX_IN_LIST) {
        let mut q = Sql::new(&format!(
            "SELECT {ALLOC_COLUMNS} FROM allocations WHERE phase_id IN "
        ));
        q.bind_list(chunk.iter().map(|p| p.0))
            .push(" ORDER BY starts_on, id");
        for r in q.all(store.conn()).await? {
            out.push(allocation(&r)?);
        }
    }
    Ok(out)
}

/// Each person's allocations overlapping `[from, to]`, by start date.
pub async fn allocations_of_members(
    store: &Store,
    members: &[TeamMemberId],
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<Vec<Allocation>> {
    let rows = super::overlapping(store, ALLOC_COLUMNS, "allocations", members, from, to).await?;
    rows.iter().map(allocation).collect()
}

/// One allocation.
pub async fn get_allocation(
    store: &Store,
    id: AllocationId,
) -> PersistenceResult<Option<Allocation>> {
    find_allocation(store.conn(), id).await
}
