//! The portfolio outcome comparison, summed in SQL: over one period and one slice of accounts,
//! the accounts that had at least one phase accepted in the period beside those that had none
//! (each side's revenue retention, logo churn and services hours), and the goals linked to
//! phases beside those that are not (attainment).
//!
//! It is a comparison, not a causal claim: the two sides differ in more than services work.
//! Rust only divides what the database returns (`tandem_domain::metrics`).

use tandem_domain::metrics::{Period, PeriodMovements};

use crate::figures::{push_cohort_sums, push_movements_cte, read_movements};
use crate::sow::APPROVED_ONLY;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store};

/// One side of the comparison: the slice's accounts with (or without) a phase accepted in the
/// period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Side {
    /// Accounts of the slice on this side, paying or not.
    pub accounts: i64,
    /// Phases accepted in the period on those accounts (0 on the side without).
    pub accepted_phases: i64,
    /// The side's revenue cohort (accounts paying at the period's start) and its movements.
    pub movements: PeriodMovements,
    /// Approved hours logged in the period on the side's statements of work, in hundredths.
    pub hours: i64,
    /// Of those, hours logged as time and materials.
    pub tm_hours: i64,
}

/// The goals of one kind (linked to a phase, or not) that came due in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GoalTally {
    /// Goals counted: not archived, due in the period (or, without a due date, achieved in it).
    pub goals: i64,
    /// Of those, achieved.
    pub achieved: i64,
    /// Of those, marked missed.
    pub missed: i64,
}

/// The whole comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Comparison {
    /// Accounts with at least one phase accepted in the period.
    pub with_accepted: Side,
    /// Accounts with none.
    pub without_accepted: Side,
    /// Goals served by at least one phase.
    pub linked_goals: GoalTally,
    /// Goals no phase serves.
    pub unlinked_goals: GoalTally,
}

/// Compares, over `period`, the accounts `slice` (a condition on `accounts`) selects: two
/// statements, whatever the number of accounts.
pub async fn compare(store: &Store, slice: &Sql, period: Period) -> PersistenceResult<Comparison> {
    let conn = store.conn();
    let mut out = Comparison::default();

    // Each account's side, its revenue movements and its approved hours, summed per side.
    let mut q = Sql::new("WITH acc0 AS (SELECT accounts.id AS id FROM accounts WHERE ");
    q.append(slice.clone());
    q.push(
        "), ap AS (SELECT e.account_id AS id, COUNT(*) AS n FROM phases p \
         JOIN engagements e ON e.id = p.engagement_id \
         WHERE p.status = 'ACCEPTED' AND p.accepted_on >= ",
    )
    .bind(period.from)
    .push(" AND p.accepted_on <= ")
    .bind(period.to)
    .push(
        " GROUP BY e.account_id), acc AS (SELECT acc0.id AS id, \
         CASE WHEN ap.n > 0 THEN 1 ELSE 0 END AS grp, COALESCE(ap.n, 0) AS accepted \
         FROM acc0 LEFT JOIN ap ON ap.id = acc0.id), ",
    );
    push_movements_cte(&mut q, period);
    q.push(
        ", hrs AS (SELECT s.account_id AS id, SUM(time_entries.hours) AS hours, \
         SUM(CASE WHEN time_entries.kind = 'TIME_AND_MATERIALS' THEN time_entries.hours ELSE 0 END) AS tm \
         FROM time_entries JOIN sows s ON s.id = time_entries.sow_id \
         JOIN acc ON acc.id = s.account_id WHERE time_entries.worked_on >= ",
    )
    .bind(period.from)
    .push(" AND time_entries.worked_on <= ")
    .bind(period.to)
    .push(" AND ")
    .push(APPROVED_ONLY)
    .push(
        " GROUP BY s.account_id) SELECT acc.grp AS grp, CAST(COUNT(*) AS BIGINT) AS accounts, \
         CAST(COALESCE(SUM(acc.accepted), 0) AS BIGINT) AS accepted, \
         CAST(COALESCE(SUM(hrs.hours), 0) AS BIGINT) AS hours, \
         CAST(COALESCE(SUM(hrs.tm), 0) AS BIGINT) AS tm",
    );
    push_cohort_sums(&mut q);
    q.push(
        " FROM acc LEFT JOIN mv ON mv.id = acc.id LEFT JOIN hrs ON hrs.id = acc.id \
         GROUP BY acc.grp",
    );
    for r in q.all(conn).await? {
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

    // Goals that came due in the period, linked to a phase or not.
    let mut q = Sql::new(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM phase_goals pg WHERE pg.goal_id = g.id) \
         THEN 1 ELSE 0 END AS linked, CAST(COUNT(*) AS BIGINT) AS goals, \
         CAST(COALESCE(SUM(CASE WHEN g.status = 'ACHIEVED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS achieved, \
         CAST(COALESCE(SUM(CASE WHEN g.status = 'MISSED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS missed \
         FROM goals g WHERE g.archived_at IS NULL \
         AND g.account_id IN (SELECT accounts.id FROM accounts WHERE ",
    );
    q.append(slice.clone());
    q.push(") AND ((g.due_on >= ")
        .bind(period.from)
        .push(" AND g.due_on <= ")
        .bind(period.to)
        .push(") OR (g.due_on IS NULL AND g.achieved_on >= ")
        .bind(period.from)
        .push(" AND g.achieved_on <= ")
        .bind(period.to)
        .push(")) GROUP BY 1");
    for r in q.all(conn).await? {
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
