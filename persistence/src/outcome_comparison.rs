//! The portfolio outcome comparison, summed in SQL: over one period and one slice of accounts,
//! the accounts that had at least one phase accepted in the period beside those that had none
//! (each side's revenue retention, logo churn and services hours), and the goals linked to
//! phases beside those that are not (attainment).
//!
//! It is a comparison, not a causal claim: the two sides differ in more than services work.
//! Rust only divides what the database returns (`tandem_domain::metrics`).

use chrono::NaiveDate;
use sea_orm::DbBackend;
use tandem_domain::metrics::Period;
use tandem_domain::outcome_comparison::{Comparison, GoalTally, Side};
use tandem_domain::segment::Slice;

use crate::figures::{push_cohort_sums, push_movements, read_movements, slice_condition};
use crate::sow::APPROVED_ONLY;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store};

/// The tally of goals due in the period, read from the slice's accounts `acc` written before it.
const GOALS_DUE: &str = include_str!("outcome_comparison.goals_due.sql");

/// Compares, over `period`, the accounts of `slice` on `today`: two
/// statements, whatever the number of accounts, run at once on two pooled connections (each
/// is a read on its own; neither needs the other's snapshot to make sense).
///
/// Revenue, accepted phases and hours are summed per account over every account before the
/// slice applies: the slice is any condition, and a hash join of whole-table aggregates is
/// what both databases do well (`bench/run --scenarios outcomes` times it).
pub async fn compare(
    store: &Store,
    slice: &Slice,
    period: Period,
    today: NaiveDate,
) -> PersistenceResult<Comparison> {
    let slice = &slice_condition(slice, today);
    let conn = store.conn();
    let (sides, goals) = tokio::try_join!(
        sides(slice, period, conn.get_database_backend()).all(conn),
        goals(slice, period).all(conn),
    )?;
    let mut out = Comparison::default();
    for r in sides {
        let side = Side {
            accounts: get(&r, "accounts")?,
            accepted_phases: get(&r, "accepted")?,
            movements: read_movements(&r)?,
            hours: get(&r, "hours")?,
            tm_hours: get(&r, "tm")?,
        };
        if get::<i32>(&r, "grp")? == 1 {
            out.with_accepted = side;
        } else {
            out.without_accepted = side;
        }
    }
    for r in goals {
        let tally = GoalTally {
            goals: get(&r, "goals")?,
            achieved: get(&r, "achieved")?,
            missed: get(&r, "missed")?,
        };
        if get::<i32>(&r, "linked")? == 1 {
            out.linked_goals = tally;
        } else {
            out.unlinked_goals = tally;
        }
    }
    Ok(out)
}

/// The statement summing each side: one row per side that has accounts (`grp` 1 with an
/// accepted phase, 0 without).
fn sides(slice: &Sql, period: Period, backend: DbBackend) -> Sql {
    // Per account of the slice: its phases accepted in the period, its approved hours in the
    // period and its revenue movements, each summed over all accounts first and joined by id
    // (hash joins on PostgreSQL; on SQLite, materialized and searched through an automatic
    // index). Then summed per side. On SQLite, `CROSS JOIN` keeps the loop order that walks
    // `engagements_account` / `sows_account` in account order and searches the partial and
    // covering indexes of migration 000015; PostgreSQL has no such join, and needs none.
    let join = match backend {
        DbBackend::Sqlite => "CROSS JOIN",
        _ => "JOIN",
    };
    let mut q = Sql::new(
        "SELECT CASE WHEN mv.accepted > 0 THEN 1 ELSE 0 END AS grp, \
         CAST(COUNT(*) AS BIGINT) AS accounts, \
         CAST(COALESCE(SUM(mv.accepted), 0) AS BIGINT) AS accepted, \
         CAST(COALESCE(SUM(mv.hours), 0) AS BIGINT) AS hours, \
         CAST(COALESCE(SUM(mv.tm), 0) AS BIGINT) AS tm",
    );
    push_cohort_sums(&mut q);
    q.push(
        " FROM (SELECT accounts.id AS id, COALESCE(ap.n, 0) AS accepted, hrs.hours AS hours, \
         hrs.tm AS tm, m.start_mrr AS start_mrr, m.end_mrr AS end_mrr, m.expansion AS expansion, \
         m.reactivation AS reactivation, m.contraction AS contraction, m.churn AS churn \
         FROM accounts LEFT JOIN (SELECT e.account_id AS id, COUNT(*) AS n FROM engagements e ",
    )
    .push(join)
    .push(
        " phases p ON p.engagement_id = e.id AND p.status = 'ACCEPTED' AND p.accepted_on >= ",
    )
    .bind(period.from)
    .push(" AND p.accepted_on <= ")
    .bind(period.to)
    .push(
        " GROUP BY e.account_id) ap ON ap.id = accounts.id \
         LEFT JOIN (SELECT s.account_id AS id, SUM(time_entries.hours) AS hours, \
         SUM(CASE WHEN time_entries.kind = 'TIME_AND_MATERIALS' THEN time_entries.hours ELSE 0 END) AS tm \
         FROM sows s ",
    )
    .push(join)
    .push(" time_entries ON time_entries.sow_id = s.id AND time_entries.worked_on >= ")
    .bind(period.from)
    .push(" AND time_entries.worked_on <= ")
    .bind(period.to)
    .push(" WHERE ")
    .push(APPROVED_ONLY)
    .push(" GROUP BY s.account_id) hrs ON hrs.id = accounts.id LEFT JOIN (");
    push_movements(&mut q, period, "revenue_events r");
    q.push(") m ON m.id = accounts.id WHERE ")
        .append(slice.clone())
        .push(") mv GROUP BY 1");
    q
}

/// The statement tallying the slice's goals that came due in the period: one row per kind
/// that has goals (`linked` 1 when a phase serves the goal, 0 when none does).
fn goals(slice: &Sql, period: Period) -> Sql {
    let mut q = Sql::new("WITH acc AS (SELECT accounts.id AS id FROM accounts WHERE ");
    q.append(slice.clone());
    q.push(") ")
        .push(GOALS_DUE)
        .bind_value(period.from)
        .bind_value(period.to)
        .bind_value(period.from)
        .bind_value(period.to);
    q
}
