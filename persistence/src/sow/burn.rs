//! Approved logged time summed in SQL, per SOW and per phase: what the budget figures burn.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use tandem_domain::ids::{PhaseId, SowId};
use tandem_domain::sow::{LoggedTime, WorkKind};
use uuid::Uuid;

use crate::entity::time_entry;
use crate::sql::MAX_IN_LIST;
use crate::{PersistenceResult, Store};

/// Approved logged time per SOW, summed in SQL (one GROUP BY query per chunk of SOWs).
pub async fn logged_by_sow(
    store: &Store,
    sows: &[SowId],
) -> PersistenceResult<HashMap<SowId, LoggedTime>> {
    let mut out: HashMap<SowId, LoggedTime> = HashMap::new();
    for chunk in sows.chunks(MAX_IN_LIST) {
        for (sow_id, _, kind, hours, amount) in
            sums(store, chunk.iter().map(|s| s.0).collect(), false).await?
        {
            add(out.entry(SowId(sow_id)).or_default(), &kind, hours, amount);
        }
    }
    Ok(out)
}

/// Approved logged time per phase of each SOW (`None`: hours not booked to a phase).
pub async fn logged_by_phase(
    store: &Store,
    sows: &[SowId],
) -> PersistenceResult<HashMap<SowId, HashMap<Option<PhaseId>, LoggedTime>>> {
    let mut out: HashMap<SowId, HashMap<Option<PhaseId>, LoggedTime>> = HashMap::new();
    for chunk in sows.chunks(MAX_IN_LIST) {
        for (sow_id, phase, kind, hours, amount) in
            sums(store, chunk.iter().map(|s| s.0).collect(), true).await?
        {
            let per_phase = out.entry(SowId(sow_id)).or_default();
            add(
                per_phase.entry(phase.map(PhaseId)).or_default(),
                &kind,
                hours,
                amount,
            );
        }
    }
    Ok(out)
}

fn add(t: &mut LoggedTime, kind: &str, hours: i64, amount: i64) {
    if kind == WorkKind::InScope.as_str() {
        t.in_scope_hours.0 += hours;
    } else {
        t.tm_hours.0 += hours;
        t.tm_amount += amount;
    }
}

type SumRow = (Uuid, Option<Uuid>, String, i64, i64);

/// The condition on `time_entries` that keeps only hours on approved timesheets.
pub(crate) const APPROVED_ONLY: &str =
    "time_entries.timesheet_id IN (SELECT id FROM timesheets WHERE status = 'APPROVED')";

async fn sums(store: &Store, sows: Vec<Uuid>, by_phase: bool) -> PersistenceResult<Vec<SumRow>> {
    use time_entry::Column as C;
    let total = |col: C| Expr::expr(Func::sum(Expr::col(col))).cast_as("BIGINT");
    let mut select = time_entry::Entity::find().select_only().column(C::SowId);
    select = if by_phase {
        select.column(C::PhaseId)
    } else {
        select.column_as(Expr::value(Option::<Uuid>::None), "phase_id")
    };
    let mut select = select
        .column(C::Kind)
        .column_as(total(C::Hours), "hours")
        .column_as(total(C::AmountMinor), "amount")
        .filter(C::SowId.is_in(sows))
        // Only approved hours are burn.
        .filter(Expr::cust(APPROVED_ONLY))
        .group_by(C::SowId)
        .group_by(C::Kind);
    if by_phase {
        select = select.group_by(C::PhaseId);
    }
    Ok(select.into_tuple::<SumRow>().all(store.conn()).await?)
}
