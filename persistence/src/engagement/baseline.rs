//! Baselines: an engagement's planned dates and hours frozen at a moment.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::QueryResult;
use tandem_domain::baseline::{self as rules, Baseline};
use tandem_domain::event::{EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{BaselineId, EngagementId};

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};

const COLUMNS: &str = "id, engagement_id, name, taken_at, taken_by, phases";

fn baseline(r: &QueryResult) -> PersistenceResult<Baseline> {
    Ok(Baseline {
        id: BaselineId(get(r, "id")?),
        engagement_id: EngagementId(get(r, "engagement_id")?),
        name: get(r, "name")?,
        taken_at: get(r, "taken_at")?,
        taken_by: get(r, "taken_by")?,
        phases: serde_json::from_value(get(r, "phases")?)
            .map_err(|e| corrupt("baseline phases", e))?,
    })
}

/// Each engagement's baselines, newest first: one query per chunk of engagements.
pub async fn of_engagements(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<Baseline>>> {
    let mut out: HashMap<EngagementId, Vec<Baseline>> = HashMap::new();
    for chunk in engagements.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!(
            "SELECT {COLUMNS} FROM engagement_baselines WHERE engagement_id IN "
        ));
        q.bind_list(chunk.iter().map(|e| e.0))
            .push(" ORDER BY taken_at DESC, id DESC");
        for r in q.all(store.conn()).await? {
            let b = baseline(&r)?;
            out.entry(b.engagement_id).or_default().push(b);
        }
    }
    Ok(out)
}

/// Freezes the current plan of an open engagement with phases as baseline `name`, taken at
/// `taken_at` by `actor`; records `BASELINE_TAKEN`. A name is used once per engagement.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn take(
    store: &Store,
    actor: &str,
    engagement_id: EngagementId,
    name: &str,
    taken_at: DateTime<Utc>,
) -> PersistenceResult<Baseline> {
    let tx = store.begin_write().await?;
    let engagement = super::load(&tx, engagement_id).await?;
    let phases = super::phase::load(&tx, &[engagement_id])
        .await?
        .remove(&engagement_id)
        .unwrap_or_default();
    let name = rules::validate_new(&engagement, &phases, name)?;
    let mut q = Sql::new("SELECT id FROM engagement_baselines WHERE engagement_id = ");
    q.bind(engagement_id.0)
        .push(" AND LOWER(name) = ")
        .bind(name.to_lowercase());
    if !q.all(&tx).await?.is_empty() {
        return Err(PersistenceError::Conflict(format!(
            "engagement '{}' has a baseline named '{name}' already",
            engagement.data.name
        )));
    }
    let b = Baseline {
        id: BaselineId::new(),
        engagement_id,
        name,
        taken_at,
        taken_by: actor.to_owned(),
        phases: rules::snapshot(&phases),
    };
    let snapshot = serde_json::to_value(&b.phases).map_err(|e| corrupt("baseline phases", e))?;
    let mut q = Sql::new(&format!(
        "INSERT INTO engagement_baselines ({COLUMNS}) VALUES ("
    ));
    q.bind(b.id.0)
        .push(", ")
        .bind(engagement_id.0)
        .push(", ")
        .bind(b.name.as_str())
        .push(", ")
        .bind(taken_at)
        .push(", ")
        .bind(actor)
        .push(", ")
        .bind(snapshot)
        .push(")");
    q.execute(&tx).await?;
    let hours: i64 = b.phases.iter().map(|p| p.planned_hours.0).sum();
    let end = b.phases.iter().filter_map(|p| p.planned_end).max();
    crate::event::record(
        store,
        &tx,
        actor,
        engagement.account_id,
        SubjectKind::Baseline,
        b.id.0,
        EventKind::BaselineTaken,
        vec![
            FieldChange::set("engagementId", engagement_id),
            FieldChange::set("name", &b.name),
            FieldChange::set("phases", b.phases.len()),
            FieldChange::set("plannedEnd", end),
            FieldChange::set("plannedHours", hours),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(b)
}
