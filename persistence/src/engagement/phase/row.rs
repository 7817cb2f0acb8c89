//! A phase's row: read as the domain's [`Phase`] and written from it.

use sea_orm::ActiveValue::{NotSet, Set};
use serde_json::Value;
use tandem_domain::engagement::{Milestone, Phase, PhaseData, PhaseScopeItem};
use tandem_domain::ids::{EngagementId, PhaseId};

use crate::PersistenceResult;
use crate::entity::phase;
use crate::error::corrupt;

/// The columns a write sets (all but `id`, `engagement_id`, `position` and `created_at`;
/// positions change only through [`reposition`]).
pub(super) fn active_model(p: &Phase) -> phase::ActiveModel {
    let d = &p.data;
    phase::ActiveModel {
        id: NotSet,
        engagement_id: NotSet,
        position: NotSet,
        name: Set(d.name.clone()),
        focus_kind: Set(d.focus_kind.as_str().to_owned()),
        focus: Set(d.focus.clone()),
        objective: Set(d.objective.clone()),
        expected_value: Set(d.expected_value.clone()),
        planned_start: Set(d.planned_start),
        planned_end: Set(d.planned_end),
        milestones: Set(serde_json::to_value(&d.milestones).unwrap_or(Value::Array(vec![]))),
        status: Set(p.status.as_str().to_owned()),
        actual_start: Set(p.actual_start),
        actual_end: Set(p.actual_end),
        accepted_on: Set(p.accepted_on),
        goal_id: Set(p.goal_id.map(|g| g.0)),
        version: Set(p.version),
        created_at: NotSet,
        updated_at: Set(p.updated_at),
        scope: Set(serde_json::to_value(&d.scope).unwrap_or(Value::Array(vec![]))),
        realised_value: Set(p.realised_value.clone()),
    }
}

pub(super) fn to_domain(m: phase::Model, depends_on: Vec<PhaseId>) -> PersistenceResult<Phase> {
    let milestones: Vec<Milestone> =
        serde_json::from_value(m.milestones).map_err(|e| corrupt("milestones", e))?;
    let scope: Vec<PhaseScopeItem> =
        serde_json::from_value(m.scope).map_err(|e| corrupt("phase scope", e))?;
    Ok(Phase {
        id: PhaseId(m.id),
        engagement_id: EngagementId(m.engagement_id),
        position: m.position,
        data: PhaseData {
            name: m.name,
            focus_kind: m
                .focus_kind
                .parse()
                .map_err(|e: String| corrupt("focus kind", e))?,
            focus: m.focus,
            objective: m.objective,
            expected_value: m.expected_value,
            planned_start: m.planned_start,
            planned_end: m.planned_end,
            milestones,
            scope,
        },
        status: m
            .status
            .parse()
            .map_err(|e: String| corrupt("phase status", e))?,
        actual_start: m.actual_start,
        actual_end: m.actual_end,
        accepted_on: m.accepted_on,
        depends_on,
        goal_id: m.goal_id.map(tandem_domain::ids::GoalId),
        realised_value: m.realised_value,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}
