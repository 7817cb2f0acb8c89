//! Time entries: logging hours into the week's timesheet, and reading them by SOW or by
//! timesheet.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use tandem_domain::event::{EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::SowId;
use tandem_domain::sow::{NewTimeEntry, TimeEntry};
use uuid::Uuid;

use super::read::{engagement_phases, load};
use super::row::entry_to_domain;
use crate::entity::time_entry;
use crate::event::record;
use crate::page::{Page, Window};
use crate::sql::MAX_IN_LIST;
use crate::{PersistenceResult, Store};

/// Logs hours against a signed SOW, into the person's open timesheet for the week (created as
/// a draft when needed); records `TIME_LOGGED`. The hours count as burn once the timesheet is
/// approved.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn log_time(
    store: &Store,
    actor: &str,
    sow_id: SowId,
    input: NewTimeEntry,
    today: NaiveDate,
) -> PersistenceResult<TimeEntry> {
    let tx = store.begin_write().await?;
    let s = load(&tx, sow_id).await?;
    crate::team_member::ensure_active(&tx, input.team_member_id, "teamMemberId").await?;
    let entry = input.validate(&s, &engagement_phases(&tx, s.engagement_id).await?, today)?;
    let sheet =
        crate::timesheet::open_sheet_for(&tx, entry.team_member_id, entry.worked_on).await?;
    time_entry::Entity::insert(time_entry::ActiveModel {
        id: Set(entry.id.0),
        sow_id: Set(sow_id.0),
        team_member_id: Set(entry.team_member_id.0),
        role: Set(entry.role.clone()),
        phase_id: Set(entry.phase_id.map(|p| p.0)),
        worked_on: Set(entry.worked_on),
        hours: Set(entry.hours.0),
        kind: Set(entry.kind.as_str().to_owned()),
        amount_minor: Set(entry.amount),
        note: Set(entry.note.clone()),
        created_at: Set(entry.created_at),
        timesheet_id: Set(Some(sheet.0)),
    })
    .exec_without_returning(&tx)
    .await?;
    let changes = vec![
        FieldChange {
            field: "hours".into(),
            before: Value::Null,
            after: entry.hours.as_decimal().into(),
        },
        FieldChange {
            field: "kind".into(),
            before: Value::Null,
            after: entry.kind.as_str().into(),
        },
        FieldChange {
            field: "role".into(),
            before: Value::Null,
            after: entry.role.clone().into(),
        },
    ];
    record(
        store,
        &tx,
        actor,
        s.account_id,
        SubjectKind::TimeEntry,
        entry.id.0,
        EventKind::TimeLogged,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(TimeEntry {
        timesheet_id: Some(sheet),
        ..entry
    })
}

/// A page of a SOW's time entries, oldest first.
pub async fn time_entries(
    store: &Store,
    sow_id: SowId,
    window: &Window<Uuid>,
) -> PersistenceResult<Page<TimeEntry>> {
    let select = time_entry::Entity::find().filter(time_entry::Column::SowId.eq(sow_id.0));
    let rows =
        crate::page::rows_by_id(store.conn(), select, time_entry::Column::Id, window).await?;
    let items = rows
        .into_iter()
        .map(entry_to_domain)
        .collect::<PersistenceResult<Vec<_>>>()?;
    Ok(Page::from_rows(items, window))
}

/// The time entries on each of `sheets`, in day order.
pub async fn entries_of_timesheets(
    store: &Store,
    sheets: &[tandem_domain::ids::TimesheetId],
) -> PersistenceResult<Vec<TimeEntry>> {
    let mut out = Vec::new();
    for chunk in sheets.chunks(MAX_IN_LIST) {
        let rows = time_entry::Entity::find()
            .filter(time_entry::Column::TimesheetId.is_in(chunk.iter().map(|s| s.0)))
            .order_by_asc(time_entry::Column::WorkedOn)
            .order_by_asc(time_entry::Column::Id)
            .all(store.conn())
            .await?;
        for m in rows {
            out.push(entry_to_domain(m)?);
        }
    }
    Ok(out)
}
