//! An opportunity's row: its columns and how a row becomes the domain's `Opportunity`.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ConnectionTrait, QueryResult};
use tandem_domain::ids::{
    AccountId, GoalId, OpportunityId, OpportunityStageId, PhaseId, RevenueEventId, SowId,
    TeamMemberId,
};
use tandem_domain::opportunity::{Opportunity, OpportunityData};
use uuid::Uuid;

use crate::PersistenceResult;
use crate::entity::opportunity;
use crate::error::corrupt;
use crate::sql::{Sql, get};

pub(super) fn parse<T: std::str::FromStr<Err = String>>(
    r: &QueryResult,
    col: &str,
) -> PersistenceResult<T> {
    let s: String = get(r, col)?;
    s.parse().map_err(|e| corrupt(col, e))
}

// ---------------------------------------------------------------------------------------------
// Opportunities

pub(super) const COLUMNS: &str = "id, account_id, kind, title, stage_id, status, mrr_delta_minor, \
                       services_value_minor, probability, expected_close_on, owner_id, goal_id, \
                       phase_id, close_reason, closed_on, revenue_event_id, sow_id, version, \
                       created_by, created_at, updated_at";

pub(super) fn opportunity(r: &QueryResult) -> PersistenceResult<Opportunity> {
    Ok(Opportunity {
        id: OpportunityId(get(r, "id")?),
        account_id: AccountId(get(r, "account_id")?),
        data: OpportunityData {
            kind: parse(r, "kind")?,
            title: get(r, "title")?,
            mrr_delta_minor: get(r, "mrr_delta_minor")?,
            services_value_minor: get(r, "services_value_minor")?,
            probability: get(r, "probability")?,
            expected_close_on: get(r, "expected_close_on")?,
            owner_id: get::<Option<Uuid>>(r, "owner_id")?.map(TeamMemberId),
            goal_id: get::<Option<Uuid>>(r, "goal_id")?.map(GoalId),
            phase_id: get::<Option<Uuid>>(r, "phase_id")?.map(PhaseId),
        },
        stage_id: OpportunityStageId(get(r, "stage_id")?),
        status: parse(r, "status")?,
        close_reason: get(r, "close_reason")?,
        closed_on: get(r, "closed_on")?,
        revenue_event_id: get::<Option<Uuid>>(r, "revenue_event_id")?.map(RevenueEventId),
        sow_id: get::<Option<Uuid>>(r, "sow_id")?.map(SowId),
        version: get(r, "version")?,
        created_by: get(r, "created_by")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

pub(super) async fn one(
    conn: &impl ConnectionTrait,
    id: OpportunityId,
) -> PersistenceResult<Option<Opportunity>> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM opportunities WHERE id = "));
    q.bind(id.0);
    q.all(conn).await?.first().map(opportunity).transpose()
}

/// Every column of `o`'s row, as its first write sets them.
pub(super) fn active_model(o: &Opportunity) -> opportunity::ActiveModel {
    let d = &o.data;
    opportunity::ActiveModel {
        id: Set(o.id.0),
        account_id: Set(o.account_id.0),
        kind: Set(d.kind.as_str().to_owned()),
        title: Set(d.title.clone()),
        stage_id: Set(o.stage_id.0),
        status: Set(o.status.as_str().to_owned()),
        mrr_delta_minor: Set(d.mrr_delta_minor),
        services_value_minor: Set(d.services_value_minor),
        probability: Set(d.probability),
        expected_close_on: Set(d.expected_close_on),
        owner_id: Set(d.owner_id.map(|x| x.0)),
        goal_id: Set(d.goal_id.map(|x| x.0)),
        phase_id: Set(d.phase_id.map(|x| x.0)),
        close_reason: Set(o.close_reason.clone()),
        closed_on: Set(o.closed_on),
        revenue_event_id: Set(o.revenue_event_id.map(|x| x.0)),
        sow_id: Set(o.sow_id.map(|x| x.0)),
        version: Set(o.version),
        created_by: Set(o.created_by.clone()),
        created_at: Set(o.created_at),
        updated_at: Set(o.updated_at),
    }
}

/// The columns a change of `o` sets: all but those fixed when it was opened.
pub(super) fn changed_row(o: &Opportunity) -> opportunity::ActiveModel {
    opportunity::ActiveModel {
        id: NotSet,
        account_id: NotSet,
        created_by: NotSet,
        created_at: NotSet,
        ..active_model(o)
    }
}
