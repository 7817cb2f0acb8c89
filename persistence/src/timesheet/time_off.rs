//! Time off: the days a team member is away, which capacity plans subtract.

use chrono::NaiveDate;
use sea_orm::QueryResult;
use tandem_domain::ids::{TeamMemberId, TimeOffId};
use tandem_domain::timesheet::TimeOff;

use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};

const OFF_COLUMNS: &str = "id, team_member_id, starts_on, ends_on, reason, created_at";

fn time_off(r: &QueryResult) -> PersistenceResult<TimeOff> {
    Ok(TimeOff {
        id: TimeOffId(get(r, "id")?),
        team_member_id: TeamMemberId(get(r, "team_member_id")?),
        starts_on: get(r, "starts_on")?,
        ends_on: get(r, "ends_on")?,
        reason: get(r, "reason")?,
        created_at: get(r, "created_at")?,
    })
}

/// Records time off for an active team member.
pub async fn add_time_off(store: &Store, actor: &str, t: TimeOff) -> PersistenceResult<TimeOff> {
    let tx = store.begin_write().await?;
    crate::team_member::ensure_active(&tx, t.team_member_id, "teamMemberId").await?;
    let mut q = Sql::new(&format!(
        "INSERT INTO time_off ({OFF_COLUMNS}, created_by) VALUES ("
    ));
    q.bind(t.id.0)
        .push(", ")
        .bind(t.team_member_id.0)
        .push(", ")
        .bind(t.starts_on)
        .push(", ")
        .bind(t.ends_on)
        .push(", ")
        .bind(t.reason.clone())
        .push(", ")
        .bind(t.created_at)
        .push(", ")
        .bind(actor)
        .push(")");
    q.execute(&tx).await?;
    tx.commit().await?;
    Ok(t)
}

/// Removes time off; returns what was removed.
pub async fn remove_time_off(store: &Store, id: TimeOffId) -> PersistenceResult<TimeOff> {
    let tx = store.begin_write().await?;
    let mut q = Sql::new(&format!("SELECT {OFF_COLUMNS} FROM time_off WHERE id = "));
    q.bind(id.0);
    let t = q
        .all(&tx)
        .await?
        .first()
        .map(time_off)
        .transpose()?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "time off",
            id: id.to_string(),
        })?;
    let mut q = Sql::new("DELETE FROM time_off WHERE id = ");
    q.bind(id.0);
    q.execute(&tx).await?;
    tx.commit().await?;
    Ok(t)
}

/// Each person's time off overlapping `[from, to]`, in date order.
pub async fn time_off_of(
    store: &Store,
    members: &[TeamMemberId],
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<Vec<TimeOff>> {
    let rows = super::overlapping(store, OFF_COLUMNS, "time_off", members, from, to).await?;
    rows.iter().map(time_off).collect()
}
