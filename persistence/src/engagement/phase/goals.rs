//! The success-plan goals a phase serves, and the value it realised.

use chrono::Utc;
use sea_orm::DatabaseTransaction;
use tandem_domain::engagement::{Engagement, Phase};
use tandem_domain::event::{EventKind, FieldChange};
use tandem_domain::ids::{GoalId, PhaseId};
use tandem_domain::outcome;

use super::write::{load_for_write, record, save};
use crate::sql::Sql;
use crate::{PersistenceError, PersistenceResult, Store};

/// Links a phase still at `version` to one more goal of its account's success plan, or unlinks
/// every goal (`None`); records `PHASE_UPDATED`. The single-goal form that came before
/// [`link_goals`]; a goal of another account is refused naming `goalId`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn link_goal(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    goal: Option<GoalId>,
) -> PersistenceResult<Phase> {
    let tx = store.begin_write().await?;
    let (engagement, current, _) = load_for_write(&tx, id, version).await?;
    let before = goals_of(&tx, id).await?;
    let mut goals = Vec::new();
    if let Some(goal) = goal {
        check_goals(&tx, &engagement, &[goal], &[goal], |_| "goalId".to_owned()).await?;
        goals = before.clone();
        goals.push(goal);
    }
    let goals = outcome::goal_set("goalId", goals)?;
    let updated = write_goals(
        store,
        &tx,
        actor,
        &engagement,
        current,
        version,
        before,
        goals,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Replaces the success-plan goals a phase still at `version` serves (an empty list clears
/// them); records `PHASE_UPDATED` with the old and new sets. Every goal must be a live goal of
/// the engagement's account; the first that is not is refused naming `goalIds[i]`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn link_goals(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    goals: Vec<GoalId>,
) -> PersistenceResult<Phase> {
    // Sorted, without repeats and bounded before anything reaches the database.
    let set = outcome::goal_set("goalIds", goals.clone())?;
    let tx = store.begin_write().await?;
    let (engagement, current, _) = load_for_write(&tx, id, version).await?;
    check_goals(&tx, &engagement, &set, &goals, |i| format!("goalIds[{i}]")).await?;
    let before = goals_of(&tx, id).await?;
    let updated = write_goals(
        store,
        &tx,
        actor,
        &engagement,
        current,
        version,
        before,
        set,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// The goals a phase serves, by goal id.
pub(super) async fn goals_of(
    tx: &DatabaseTransaction,
    id: PhaseId,
) -> PersistenceResult<Vec<GoalId>> {
    let mut q = Sql::new("SELECT goal_id FROM phase_goals WHERE phase_id = ");
    q.bind(id.0).push(" ORDER BY goal_id");
    q.all(tx)
        .await?
        .iter()
        .map(|r| Ok(GoalId(crate::sql::get(r, "goal_id")?)))
        .collect()
}

/// Refuses the first goal of `given` (the list as typed) that is not a live goal of the
/// engagement's account, naming it by `field(index)`: one query for `set`, the same goals
/// without repeats.
pub(super) async fn check_goals(
    tx: &DatabaseTransaction,
    engagement: &Engagement,
    set: &[GoalId],
    given: &[GoalId],
    field: impl Fn(usize) -> String,
) -> PersistenceResult<()> {
    if set.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new("SELECT id FROM goals WHERE archived_at IS NULL AND account_id = ");
    q.bind(engagement.account_id.0)
        .push(" AND id IN ")
        .bind_list(set.iter().map(|g| g.0));
    let mut owned = std::collections::HashSet::new();
    for r in q.all(tx).await? {
        owned.insert(GoalId(crate::sql::get(&r, "id")?));
    }
    match given.iter().position(|g| !owned.contains(g)) {
        None => Ok(()),
        Some(i) => Err(PersistenceError::Domain(
            tandem_domain::DomainError::invalid(
                field(i),
                format!(
                    "no goal of this engagement's account has the id {}",
                    given[i]
                ),
            ),
        )),
    }
}

/// Stores `goals` (sorted, checked) as the phase's set in place of `before`, keeping
/// `phases.goal_id` on the first of them for readers of the single link, and records
/// `PHASE_UPDATED`; a set that does not change writes nothing.
#[allow(clippy::too_many_arguments)] // one private step of two writes, each argument distinct
pub(super) async fn write_goals(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    engagement: &Engagement,
    current: Phase,
    version: i32,
    before: Vec<GoalId>,
    goals: Vec<GoalId>,
) -> PersistenceResult<Phase> {
    if before == goals {
        return Ok(current);
    }
    let first = goals.first().copied();
    let updated = Phase {
        goal_id: first,
        version: version + 1,
        updated_at: Utc::now(),
        ..current.clone()
    };
    save(tx, &updated, version).await?;
    let mut del = Sql::new("DELETE FROM phase_goals WHERE phase_id = ");
    del.bind(current.id.0);
    del.execute(tx).await?;
    if !goals.is_empty() {
        let mut ins = Sql::new("INSERT INTO phase_goals (phase_id, goal_id) VALUES ");
        for (i, g) in goals.iter().enumerate() {
            if i > 0 {
                ins.push(", ");
            }
            ins.push("(")
                .bind(current.id.0)
                .push(", ")
                .bind(g.0)
                .push(")");
        }
        ins.execute(tx).await?;
    }
    let list = |l: &[GoalId]| l.iter().map(|g| g.to_string()).collect::<Vec<_>>();
    let mut changes = Vec::new();
    if current.goal_id != first {
        // Integrations written against the single link still see it move.
        changes.push(FieldChange::new("goalId", current.goal_id, first));
    }
    changes.push(FieldChange::new("goalIds", list(&before), list(&goals)));
    record(
        store,
        tx,
        actor,
        engagement,
        &updated,
        EventKind::PhaseUpdated,
        changes,
    )
    .await?;
    Ok(updated)
}

/// Records the value an accepted phase still at `version` realised; records `PHASE_UPDATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record_realised_value(
    store: &Store,
    actor: &str,
    id: PhaseId,
    version: i32,
    value: String,
) -> PersistenceResult<Phase> {
    let tx = store.begin_write().await?;
    let (engagement, current, _) = load_for_write(&tx, id, version).await?;
    outcome::ensure_accepted(&current)?;
    if current.realised_value.as_deref() == Some(value.as_str()) {
        return Ok(current);
    }
    let updated = Phase {
        realised_value: Some(value),
        version: version + 1,
        updated_at: Utc::now(),
        ..current.clone()
    };
    save(&tx, &updated, version).await?;
    let changes = vec![FieldChange::new(
        "realisedValue",
        &current.realised_value,
        &updated.realised_value,
    )];
    record(
        store,
        &tx,
        actor,
        &engagement,
        &updated,
        EventKind::PhaseUpdated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}
