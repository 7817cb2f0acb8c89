//! Outcomes of accepted phases: the goals a phase serves, its account's health at acceptance
//! and at the checkpoints after it, and the account's MRR movements in the window after it.
//!
//! Each function answers for a whole page of phases in one statement: the phases' dates go in
//! as a small `VALUES` table, and the database picks the scores and sums the movements.

use std::collections::HashMap;

use chrono::NaiveDate;
use tandem_domain::ids::PhaseId;
use tandem_domain::money::Currency;
use tandem_domain::outcome::{
    self, AcceptedPhase, MrrMovement, RevenueOutcome, RevenueWindow, ScorePoint,
};
use tandem_domain::signals::RevenueKind;
use tandem_domain::success::Goal;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store};

/// Phases per statement: four values each, far below either database's limit on them.
const CHUNK: usize = 200;

/// The scores at each checkpoint, read from a table `t` of checkpoints written before it.
const SCORES_AT_CHECKPOINTS: &str = include_str!("outcome.scores_at_checkpoints.sql");

/// The movements in each phase's window, read from a table `t` of windows written before it.
const MOVEMENTS_IN_WINDOWS: &str = include_str!("outcome.movements_in_windows.sql");

/// For each phase, the latest score of its account on or before each day of
/// [`outcome::health_days`] as of `today` (key: days after acceptance). A day without a score
/// by then is absent.
pub async fn health(
    store: &Store,
    phases: &[AcceptedPhase],
    today: NaiveDate,
) -> PersistenceResult<HashMap<PhaseId, HashMap<u64, ScorePoint>>> {
    let mut out: HashMap<PhaseId, HashMap<u64, ScorePoint>> = HashMap::new();
    for chunk in phases.chunks(CHUNK) {
        let mut q = Sql::new("WITH t (phase_id, account_id, days, cutoff) AS (VALUES ");
        let mut first = true;
        for p in chunk {
            for days in outcome::health_days(p.accepted_on, today) {
                if !first {
                    q.push(", ");
                }
                first = false;
                q.push("(")
                    .bind(p.phase.0)
                    .push(", ")
                    .bind(p.account.0)
                    .push(", ")
                    .bind(days as i64)
                    .push(", ")
                    .bind(outcome::score_cutoff(p.accepted_on, days))
                    .push(")");
            }
        }
        if first {
            continue;
        }
        q.push(") ").push(SCORES_AT_CHECKPOINTS);
        for r in q.all(store.conn()).await? {
            let point = ScorePoint {
                score: get(&r, "score")?,
                status: get::<String>(&r, "status")?
                    .parse()
                    .map_err(|e| corrupt("health status", e))?,
                computed_at: get(&r, "computed_at")?,
            };
            let days: i64 = get(&r, "days")?;
            out.entry(PhaseId(get(&r, "phase_id")?))
                .or_default()
                .insert(days as u64, point);
        }
    }
    Ok(out)
}

/// For each phase, its account's movements effective in its [`outcome::revenue_window`] as of
/// `today`, summed by kind in SQL.
pub async fn revenue(
    store: &Store,
    phases: &[AcceptedPhase],
    today: NaiveDate,
) -> PersistenceResult<HashMap<PhaseId, RevenueOutcome>> {
    let mut out: HashMap<PhaseId, RevenueOutcome> = HashMap::new();
    let windows: HashMap<PhaseId, RevenueWindow> = phases
        .iter()
        .map(|p| (p.phase, outcome::revenue_window(p.accepted_on, today)))
        .collect();
    for chunk in phases.chunks(CHUNK) {
        let mut q = Sql::new("WITH t (phase_id, account_id, after_day, through_day) AS (VALUES ");
        for (i, p) in chunk.iter().enumerate() {
            let w = windows[&p.phase];
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(p.phase.0)
                .push(", ")
                .bind(p.account.0)
                .push(", ")
                .bind(w.after)
                .push(", ")
                .bind(w.through)
                .push(")");
        }
        q.push(") ").push(MOVEMENTS_IN_WINDOWS);
        for r in q.all(store.conn()).await? {
            let phase = PhaseId(get(&r, "phase_id")?);
            let currency = Currency::parse("currency", &get::<String>(&r, "currency")?)?;
            let entry = out.entry(phase).or_insert_with(|| RevenueOutcome {
                window: windows[&phase],
                movement: MrrMovement::default(),
                currency,
            });
            if let Some(kind) = get::<Option<String>>(&r, "kind")? {
                let kind: RevenueKind = kind.parse().map_err(|e| corrupt("revenue kind", e))?;
                entry.movement.add(kind, get(&r, "total")?);
            }
        }
    }
    Ok(out)
}

/// The goals each phase serves, by goal id (archived goals included: the link is history).
pub async fn goals_of_phases(
    store: &Store,
    phases: &[PhaseId],
) -> PersistenceResult<HashMap<PhaseId, Vec<Goal>>> {
    let mut out: HashMap<PhaseId, Vec<Goal>> = HashMap::new();
    for chunk in phases.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!(
            "SELECT pg.phase_id AS phase_id, {} FROM phase_goals pg \
             JOIN goals ON goals.id = pg.goal_id WHERE pg.phase_id IN ",
            crate::success::GOAL_COLUMNS
        ));
        q.bind_list(chunk.iter().map(|p| p.0))
            .push(" ORDER BY pg.phase_id, pg.goal_id");
        for r in q.all(store.conn()).await? {
            out.entry(PhaseId(get(&r, "phase_id")?))
                .or_default()
                .push(crate::success::goal_row(&r)?);
        }
    }
    Ok(out)
}
