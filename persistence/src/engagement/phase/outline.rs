//! Phase outlines and heads: a list of phases read with only the columns a glance shows, for the
//! API's lists that ask for nothing else. A dashboard's 600 phases then cost six or thirteen
//! columns each instead of twenty-one, and both databases answer from an index that carries
//! those columns (migration 18): keep the column lists here and that index in step.

use std::collections::HashMap;

use serde_json::Value;
use tandem_domain::engagement::{Phase, PhaseData};
use tandem_domain::ids::{EngagementId, PhaseId};

use super::row::to_domain;
use crate::entity::phase;
use crate::error::corrupt;
use crate::sql::Sql;
use crate::{PersistenceResult, Store};

/// The phases of each of these engagements, in position order, with only their outline read:
/// id, engagement, position, name, focus kind, focus, status, the planned and actual dates,
/// acceptance and version. Every other field is empty — no objective, expected or realised
/// value, milestones, scope, goal or dependencies, and `created_at` and `updated_at` at the Unix
/// epoch — so this is for readers that show nothing else: the API uses it for a list of phases
/// whose selection asks for nothing else. A dashboard's 600 phases cost PostgreSQL and Tandem
/// less without the two JSON columns, the timestamps and the long texts; and both databases
/// answer it from an index that carries these columns (migration 18: keep the two in step).
pub async fn outlines_of_engagements(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<Phase>>> {
    read_by_engagement(
        store,
        engagements,
        "id, engagement_id, position, name, focus_kind, focus, status, planned_start, \
         planned_end, actual_start, actual_end, accepted_on, version",
        |row| to_domain(outline(row)?, Vec::new()),
    )
    .await
}

/// The phases of each of these engagements, in position order, with only their heads read: id,
/// engagement, position, name, status and version — what a list of phases shows at a glance.
/// Every other field is empty as in [`outlines_of_engagements`], and the focus kind is
/// [`FocusKind::ProductLine`](tandem_domain::engagement::FocusKind): for readers that show
/// nothing but the heads (the API, when a list of phases asks for nothing else). A dashboard's
/// 600 phases then cost six columns each instead of thirteen, read from the same index.
pub async fn heads_of_engagements(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<Phase>>> {
    read_by_engagement(
        store,
        engagements,
        "id, engagement_id, position, name, status, version",
        head,
    )
    .await
}

/// The phases of these engagements, `columns` of each row read and made a phase by `decode`.
pub(super) async fn read_by_engagement(
    store: &Store,
    engagements: &[EngagementId],
    columns: &str,
    decode: fn(&sea_orm::QueryResult) -> PersistenceResult<Phase>,
) -> PersistenceResult<HashMap<EngagementId, Vec<Phase>>> {
    let rows = crate::sql::all_in_chunks(store.conn(), engagements, |chunk| {
        let mut sql = Sql::new("SELECT ");
        sql.push(columns)
            .push(" FROM phases WHERE engagement_id IN ");
        sql.bind_list(chunk.iter().map(|e| e.0))
            .push(" ORDER BY engagement_id, position");
        sql
    })
    .await?;
    let mut out: HashMap<EngagementId, Vec<Phase>> = HashMap::new();
    for row in &rows {
        let p = decode(row)?;
        out.entry(p.engagement_id).or_default().push(p);
    }
    Ok(out)
}

/// A phase row of [`heads_of_engagements`], straight to the domain type.
pub(super) fn head(row: &sea_orm::QueryResult) -> PersistenceResult<Phase> {
    use crate::page::cell;
    let status: String = cell(row, 4)?;
    Ok(Phase {
        id: PhaseId(cell(row, 0)?),
        engagement_id: EngagementId(cell(row, 1)?),
        position: cell(row, 2)?,
        data: PhaseData {
            name: cell(row, 3)?,
            focus_kind: tandem_domain::engagement::FocusKind::ProductLine,
            focus: String::new(),
            objective: None,
            expected_value: None,
            planned_start: None,
            planned_end: None,
            milestones: Vec::new(),
            scope: Vec::new(),
        },
        status: status
            .parse()
            .map_err(|e: String| corrupt("phase status", e))?,
        actual_start: None,
        actual_end: None,
        accepted_on: None,
        depends_on: Vec::new(),
        goal_id: None,
        realised_value: None,
        version: cell(row, 5)?,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    })
}

/// A phase row of [`outlines_of_engagements`], the columns it did not read left empty.
pub(super) fn outline(row: &sea_orm::QueryResult) -> Result<phase::Model, sea_orm::DbErr> {
    use crate::page::cell;
    Ok(phase::Model {
        id: cell(row, 0)?,
        engagement_id: cell(row, 1)?,
        position: cell(row, 2)?,
        name: cell(row, 3)?,
        focus_kind: cell(row, 4)?,
        focus: cell(row, 5)?,
        status: cell(row, 6)?,
        planned_start: cell(row, 7)?,
        planned_end: cell(row, 8)?,
        actual_start: cell(row, 9)?,
        actual_end: cell(row, 10)?,
        accepted_on: cell(row, 11)?,
        version: cell(row, 12)?,
        objective: None,
        expected_value: None,
        milestones: Value::Array(Vec::new()),
        goal_id: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
        scope: Value::Array(Vec::new()),
        realised_value: None,
    })
}
