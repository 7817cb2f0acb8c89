//! Timesheets, time off and allocations: the weekly sheets time entries gather into and their
//! submission and approval live here; the capacity plans utilisation is computed from live in
//! [`time_off`] and [`allocation`]. Sums of hours run in SQL.

pub mod allocation;
pub mod time_off;

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use tandem_domain::DomainError;
use tandem_domain::auth::Principal;
use tandem_domain::event::{EventKind, FieldChange, NewEvent, SubjectKind};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, TeamMemberId, TimeEntryId, TimesheetId};
use tandem_domain::timesheet::{Decision, Timesheet, TimesheetStatus, week_start};
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{MAX_IN_LIST, Sql, get};
use crate::{PersistenceError, PersistenceResult, Store, versioned};

const SHEET_COLUMNS: &str = "id, team_member_id, week_start, status, submitted_at, decided_by, \
                             decided_at, return_reason, version, created_at, updated_at";

fn sheet(r: &QueryResult) -> PersistenceResult<Timesheet> {
    let status: String = get(r, "status")?;
    Ok(Timesheet {
        id: TimesheetId(get(r, "id")?),
        team_member_id: TeamMemberId(get(r, "team_member_id")?),
        week_start: get(r, "week_start")?,
        status: status.parse().map_err(|e| corrupt("status", e))?,
        submitted_at: get(r, "submitted_at")?,
        decided_by: get(r, "decided_by")?,
        decided_at: get(r, "decided_at")?,
        return_reason: get(r, "return_reason")?,
        version: get(r, "version")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

/// Timesheets by id, in no particular order.
pub async fn by_ids(store: &Store, ids: &[TimesheetId]) -> PersistenceResult<Vec<Timesheet>> {
    let rows = crate::sql::all_in_chunks(store.conn(), ids, |chunk| {
        let mut q = Sql::new(&format!(
            "SELECT {SHEET_COLUMNS} FROM timesheets WHERE id IN "
        ));
        q.bind_list(chunk.iter().map(|i| i.0));
        q
    })
    .await?;
    rows.iter().map(sheet).collect()
}

/// One timesheet.
pub async fn get_sheet(store: &Store, id: TimesheetId) -> PersistenceResult<Option<Timesheet>> {
    find_sheet(store.conn(), id).await
}

/// `columns` of the rows of `table` (allocations, time off: each a person's date range) of these
/// people that overlap `[from, to]`, by start date.
async fn overlapping(
    store: &Store,
    columns: &str,
    table: &str,
    members: &[TeamMemberId],
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<Vec<QueryResult>> {
    crate::sql::all_in_chunks(store.conn(), members, |chunk| {
        let mut q = Sql::new(&format!(
            "SELECT {columns} FROM {table} WHERE team_member_id IN "
        ));
        q.bind_list(chunk.iter().map(|m| m.0))
            .push(" AND ends_on >= ")
            .bind(from)
            .push(" AND starts_on <= ")
            .bind(to)
            .push(" ORDER BY starts_on, id");
        q
    })
    .await
}

/// Which timesheets to list.
#[derive(Debug, Clone, Default)]
pub struct SheetFilter {
    /// Only these people's.
    pub team_member_ids: Option<Vec<TeamMemberId>>,
    /// Only in these statuses.
    pub statuses: Option<Vec<TimesheetStatus>>,
    /// Only weeks starting on or after.
    pub from: Option<NaiveDate>,
    /// Only weeks starting on or before.
    pub to: Option<NaiveDate>,
}

/// Timesheets matching `filter`, newest week first, then by person; at most `limit`.
pub async fn list(
    store: &Store,
    filter: &SheetFilter,
    limit: u64,
) -> PersistenceResult<Vec<Timesheet>> {
    let mut q = Sql::new(&format!(
        "SELECT {SHEET_COLUMNS} FROM timesheets WHERE 1 = 1"
    ));
    if let Some(ids) = &filter.team_member_ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        q.push(" AND team_member_id IN ")
            .bind_list(ids.iter().map(|i| i.0));
    }
    if let Some(statuses) = &filter.statuses {
        if statuses.is_empty() {
            return Ok(Vec::new());
        }
        q.push(" AND status IN ")
            .bind_list(statuses.iter().map(|s| s.as_str()));
    }
    if let Some(from) = filter.from {
        q.push(" AND week_start >= ").bind(week_start(from));
    }
    if let Some(to) = filter.to {
        q.push(" AND week_start <= ").bind(to);
    }
    q.push(" ORDER BY week_start DESC, team_member_id LIMIT ")
        .bind(limit as i64);
    q.all(store.conn()).await?.iter().map(sheet).collect()
}

/// The hours on each timesheet, summed in SQL.
pub async fn hours(
    store: &Store,
    ids: &[TimesheetId],
) -> PersistenceResult<HashMap<TimesheetId, Hours>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(MAX_IN_LIST) {
        let mut q = Sql::new(
            "SELECT timesheet_id, CAST(SUM(hours) AS BIGINT) AS hours FROM time_entries \
             WHERE timesheet_id IN ",
        );
        q.bind_list(chunk.iter().map(|i| i.0))
            .push(" GROUP BY timesheet_id");
        for r in q.all(store.conn()).await? {
            out.insert(
                TimesheetId(get(&r, "timesheet_id")?),
                Hours(get(&r, "hours")?),
            );
        }
    }
    Ok(out)
}

/// The open timesheet `member`'s time on `day` goes into, created as a draft when it does not
/// exist yet, and marked changed (its version bumped) so that a concurrent submission of the
/// same sheet loses its compare-and-set; refused when the week is submitted or approved.
pub(crate) async fn open_sheet_for(
    tx: &DatabaseTransaction,
    member: TeamMemberId,
    day: NaiveDate,
) -> PersistenceResult<TimesheetId> {
    let monday = week_start(day);
    let mut q = Sql::new(&format!(
        "SELECT {SHEET_COLUMNS} FROM timesheets WHERE team_member_id = "
    ));
    q.bind(member.0).push(" AND week_start = ").bind(monday);
    let now = Utc::now();
    match q.all(tx).await?.first().map(sheet).transpose()? {
        Some(existing) => {
            existing.ensure_open()?;
            touch_open(tx, &existing).await?;
            Ok(existing.id)
        }
        None => {
            let draft = Timesheet::draft(member, day, now);
            insert_sheet(tx, &draft).await?;
            Ok(draft.id)
        }
    }
}

/// Bumps an open sheet's version; a sheet that moved on meanwhile is a conflict.
async fn touch_open(tx: &DatabaseTransaction, s: &Timesheet) -> PersistenceResult<()> {
    let mut q = Sql::new("UPDATE timesheets SET version = version + 1, updated_at = ");
    q.bind(Utc::now())
        .push(" WHERE id = ")
        .bind(s.id.0)
        .push(" AND status IN ('DRAFT', 'RETURNED')");
    if q.execute(tx).await? != 1 {
        return Err(DomainError::Conflict(format!(
            "the timesheet for the week of {} was submitted meanwhile; its time cannot change",
            s.week_start
        ))
        .into());
    }
    Ok(())
}

async fn insert_sheet(tx: &DatabaseTransaction, s: &Timesheet) -> PersistenceResult<()> {
    let mut q = Sql::new(&format!(
        "INSERT INTO timesheets ({SHEET_COLUMNS}) VALUES ("
    ));
    q.bind(s.id.0)
        .push(", ")
        .bind(s.team_member_id.0)
        .push(", ")
        .bind(s.week_start)
        .push(", ")
        .bind(s.status.as_str())
        .push(", NULL, NULL, NULL, NULL, ")
        .bind(s.version)
        .push(", ")
        .bind(s.created_at)
        .push(", ")
        .bind(s.updated_at)
        .push(")");
    q.execute(tx).await?;
    Ok(())
}

async fn find_sheet(
    conn: &impl ConnectionTrait,
    id: TimesheetId,
) -> PersistenceResult<Option<Timesheet>> {
    let mut q = Sql::new(&format!(
        "SELECT {SHEET_COLUMNS} FROM timesheets WHERE id = "
    ));
    q.bind(id.0);
    q.all(conn).await?.first().map(sheet).transpose()
}

async fn save_sheet(
    tx: &DatabaseTransaction,
    s: &Timesheet,
    read_version: i32,
) -> PersistenceResult<()> {
    let mut q = Sql::new("UPDATE timesheets SET status = ");
    q.bind(s.status.as_str())
        .push(", submitted_at = ")
        .bind(s.submitted_at)
        .push(", decided_by = ")
        .bind(s.decided_by.clone())
        .push(", decided_at = ")
        .bind(s.decided_at)
        .push(", return_reason = ")
        .bind(s.return_reason.clone())
        .push(", version = ")
        .bind(s.version)
        .push(", updated_at = ")
        .bind(s.updated_at)
        .push(" WHERE id = ")
        .bind(s.id.0);
    versioned::save_sql(tx, q, read_version, "timesheet").await
}

/// The hours on a sheet per account (through the SOWs they were logged on).
async fn hours_by_account(
    tx: &DatabaseTransaction,
    id: TimesheetId,
) -> PersistenceResult<Vec<(AccountId, Hours)>> {
    let mut q = Sql::new(
        "SELECT s.account_id AS account_id, CAST(SUM(t.hours) AS BIGINT) AS hours \
         FROM time_entries t JOIN sows s ON s.id = t.sow_id WHERE t.timesheet_id = ",
    );
    q.bind(id.0)
        .push(" GROUP BY s.account_id ORDER BY s.account_id");
    q.all(tx)
        .await?
        .iter()
        .map(|r| Ok((AccountId(get(r, "account_id")?), Hours(get(r, "hours")?))))
        .collect()
}

/// One event per account with hours on the sheet (`per_account`), saying what happened to
/// them.
async fn record_per_account(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    s: &Timesheet,
    kind: EventKind,
    before: TimesheetStatus,
    per_account: Vec<(AccountId, Hours)>,
) -> PersistenceResult<()> {
    let events = per_account
        .into_iter()
        .map(|(account, hours)| {
            let mut changes = vec![
                FieldChange {
                    field: "status".into(),
                    before: before.as_str().into(),
                    after: s.status.as_str().into(),
                },
                FieldChange {
                    field: "weekStart".into(),
                    before: serde_json::Value::Null,
                    after: s.week_start.to_string().into(),
                },
                FieldChange {
                    field: "teamMemberId".into(),
                    before: serde_json::Value::Null,
                    after: s.team_member_id.to_string().into(),
                },
                FieldChange {
                    field: "hours".into(),
                    before: serde_json::Value::Null,
                    after: hours.as_decimal().into(),
                },
            ];
            if let Some(reason) = &s.return_reason {
                changes.push(FieldChange {
                    field: "returnReason".into(),
                    before: serde_json::Value::Null,
                    after: reason.clone().into(),
                });
            }
            NewEvent {
                account_id: Some(account),
                subject_kind: SubjectKind::Timesheet,
                subject_id: s.id.0,
                kind,
                actor: actor.to_owned(),
                changes,
            }
        })
        .collect();
    crate::event::append_many(store, tx, events).await
}

/// Submits a draft or returned sheet still at `version`; `TIMESHEET_SUBMITTED` per account.
pub async fn submit(
    store: &Store,
    actor: &str,
    id: TimesheetId,
    version: i32,
) -> PersistenceResult<Timesheet> {
    let tx = store.begin_write().await?;
    let current = versioned::read(find_sheet(&tx, id).await?, "timesheet", id, version, |s| {
        s.version
    })?;
    let per_account = hours_by_account(&tx, id).await?;
    let total = per_account.iter().map(|(_, h)| h.0).sum();
    let submitted = current.submitted(Hours(total), Utc::now())?;
    save_sheet(&tx, &submitted, version).await?;
    record_per_account(
        store,
        &tx,
        actor,
        &submitted,
        EventKind::TimesheetSubmitted,
        current.status,
        per_account,
    )
    .await?;
    tx.commit().await?;
    Ok(submitted)
}

/// Approves or returns a submitted sheet still at `version`, as `approver` (who must be an
/// ADMIN or a services lead, and not the sheet's owner); `TIMESHEET_APPROVED` or
/// `TIMESHEET_RETURNED` per account.
pub async fn decide(
    store: &Store,
    approver: &Principal,
    id: TimesheetId,
    version: i32,
    decision: Decision,
) -> PersistenceResult<Timesheet> {
    let tx = store.begin_write().await?;
    let current = versioned::read(find_sheet(&tx, id).await?, "timesheet", id, version, |s| {
        s.version
    })?;
    let is_lead = match Uuid::parse_str(&approver.subject) {
        Ok(member) => {
            let mut q =
                Sql::new("SELECT lead FROM team_members WHERE archived_at IS NULL AND id = ");
            q.bind(member);
            match q.all(&tx).await?.first() {
                Some(r) => get::<bool>(r, "lead")?,
                None => false,
            }
        }
        Err(_) => false,
    };
    let kind = match decision {
        Decision::Approve => EventKind::TimesheetApproved,
        Decision::Return(_) => EventKind::TimesheetReturned,
    };
    let decided = current.decided(decision, approver, is_lead, Utc::now())?;
    save_sheet(&tx, &decided, version).await?;
    let per_account = hours_by_account(&tx, id).await?;
    record_per_account(
        store,
        &tx,
        &approver.subject,
        &decided,
        kind,
        current.status,
        per_account,
    )
    .await?;
    tx.commit().await?;
    Ok(decided)
}

/// Removes a time entry from a draft or returned sheet; `TIME_ENTRY_REMOVED` on its account.
/// Returns the sheet as it is now.
pub async fn remove_entry(
    store: &Store,
    actor: &str,
    id: TimeEntryId,
) -> PersistenceResult<Timesheet> {
    let tx = store.begin_write().await?;
    let mut q = Sql::new(
        "SELECT t.timesheet_id AS timesheet_id, t.hours AS hours, s.account_id AS account_id \
         FROM time_entries t JOIN sows s ON s.id = t.sow_id WHERE t.id = ",
    );
    q.bind(id.0);
    let row = q.all(&tx).await?;
    let row = row.first().ok_or_else(|| PersistenceError::NotFound {
        entity: "time entry",
        id: id.to_string(),
    })?;
    let sheet_id: Option<Uuid> = get(row, "timesheet_id")?;
    let hours: i64 = get(row, "hours")?;
    let account = AccountId(get(row, "account_id")?);
    let sheet_id = TimesheetId(sheet_id.ok_or_else(|| corrupt("timesheet_id", "missing"))?);
    let current = find_sheet(&tx, sheet_id)
        .await?
        .ok_or_else(|| corrupt("timesheet_id", "dangling"))?;
    current.ensure_open()?;
    touch_open(&tx, &current).await?;
    let mut q = Sql::new("DELETE FROM time_entries WHERE id = ");
    q.bind(id.0);
    q.execute(&tx).await?;
    crate::event::record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::TimeEntry,
        id.0,
        EventKind::TimeEntryRemoved,
        vec![FieldChange {
            field: "hours".into(),
            before: Hours(hours).as_decimal().into(),
            after: serde_json::Value::Null,
        }],
    )
    .await?;
    let now = find_sheet(&tx, sheet_id)
        .await?
        .ok_or_else(|| corrupt("timesheet_id", "dangling"))?;
    tx.commit().await?;
    Ok(now)
}

/// Hours logged per person and week (Monday), all and approved, for weeks starting in
/// `[from, to]`: summed in SQL.
pub async fn logged_by_week(
    store: &Store,
    members: &[TeamMemberId],
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<HashMap<(TeamMemberId, NaiveDate), (Hours, Hours)>> {
    let mut out = HashMap::new();
    for chunk in members.chunks(MAX_IN_LIST) {
        let mut q = Sql::new(
            "SELECT ts.team_member_id AS team_member_id, ts.week_start AS week_start, \
             CAST(SUM(t.hours) AS BIGINT) AS logged, \
             CAST(SUM(CASE WHEN ts.status = 'APPROVED' THEN t.hours ELSE 0 END) AS BIGINT) \
             AS approved FROM timesheets ts JOIN time_entries t ON t.timesheet_id = ts.id \
             WHERE ts.team_member_id IN ",
        );
        q.bind_list(chunk.iter().map(|m| m.0))
            .push(" AND ts.week_start >= ")
            .bind(from)
            .push(" AND ts.week_start <= ")
            .bind(to)
            .push(" GROUP BY ts.team_member_id, ts.week_start");
        for r in q.all(store.conn()).await? {
            out.insert(
                (
                    TeamMemberId(get(&r, "team_member_id")?),
                    get::<NaiveDate>(&r, "week_start")?,
                ),
                (Hours(get(&r, "logged")?), Hours(get(&r, "approved")?)),
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod upgrade {
    #![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

    use serde_json::json;
    use tandem_migrations::{Migrator, MigratorTrait};

    use super::*;
    use crate::StoreOptions;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    async fn insert(store: &Store, table: &str, columns: &str, values: Vec<sea_orm::Value>) {
        let mut q = Sql::new(&format!("INSERT INTO {table} ({columns}) VALUES "));
        q.bind_list(values);
        q.execute(store.conn()).await.unwrap();
    }

    tandem_tests::db_test! {
        async fn time_logged_before_timesheets_is_gathered_into_approved_weeks(db) {
            let mut options = StoreOptions::new(db.url.clone());
            options.pg_schema = db.pg_schema.clone();
            let store = Store::connect(&options).await.unwrap();
            // The schema as it was before timesheets.
            Migrator::up(store.conn(), Some(10)).await.unwrap();
            let now = Utc::now();
            let (member, account, sow) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
            insert(&store, "team_members", "id, name, email, team, role, version, created_at, updated_at",
                vec![member.into(), "Dee".into(), "dee@v.io".into(), "SERVICES".into(), "SERVICES".into(), 1.into(), now.into(), now.into()]).await;
            insert(&store, "accounts", "id, name, name_key, touch_tier, lifecycle_stage, currency, traits, needs, version, created_at, updated_at",
                vec![account.into(), "Acme".into(), "acme".into(), "HIGH".into(), "ADOPTION".into(), "USD".into(), json!({}).into(), json!([]).into(), 1.into(), now.into(), now.into()]).await;
            insert(&store, "sows", "id, account_id, title, currency, fixed_price_minor, rate_card, tm_hours_cap, status, version, created_at, updated_at",
                vec![sow.into(), account.into(), "Catalog".into(), "USD".into(), 100_000i64.into(), json!([]).into(), 1000i64.into(), "IN_DELIVERY".into(), 3.into(), now.into(), now.into()]).await;
            // Monday and Sunday of one week, Monday of the next.
            for (on, hours) in [(day(16), 300i64), (day(22), 200), (day(23), 100)] {
                insert(&store, "time_entries", "id, sow_id, team_member_id, role, worked_on, hours, kind, amount_minor, created_at",
                    vec![Uuid::now_v7().into(), sow.into(), member.into(), "Developer".into(), on.into(), hours.into(), "TIME_AND_MATERIALS".into(), (hours * 100).into(), now.into()]).await;
            }

            store.migrate().await.unwrap();
            let sheets = list(&store, &SheetFilter::default(), 10).await.unwrap();
            let weeks: Vec<(NaiveDate, TimesheetStatus, Option<&str>)> = sheets
                .iter()
                .map(|s| (s.week_start, s.status, s.decided_by.as_deref()))
                .collect();
            assert_eq!(weeks, [
                (day(23), TimesheetStatus::Approved, Some("migration")),
                (day(16), TimesheetStatus::Approved, Some("migration")),
            ]);
            let per_sheet = hours(&store, &[sheets[0].id, sheets[1].id]).await.unwrap();
            assert_eq!((per_sheet[&sheets[0].id], per_sheet[&sheets[1].id]), (Hours(100), Hours(500)));
            // Every hour still burns.
            let burnt = crate::sow::logged_by_sow(&store, &[tandem_domain::ids::SowId(sow)]).await.unwrap();
            assert_eq!(burnt[&tandem_domain::ids::SowId(sow)].tm_hours, Hours(600));
            // And the member has the default capacity.
            let m = crate::team_member::get(&store, TeamMemberId(member)).await.unwrap().unwrap();
            assert_eq!((m.data.weekly_capacity, m.data.lead), (Hours(4000), false));
        }
    }
}
