//! The rows of SOWs, change requests and time entries: read as domain values and written from
//! them.

use sea_orm::ActiveValue::{NotSet, Set};
use serde_json::Value;
use tandem_domain::hours::Hours;
use tandem_domain::ids::{
    AccountId, ChangeRequestId, EngagementId, PhaseId, SowId, TeamMemberId, TimeEntryId,
};
use tandem_domain::money::Currency;
use tandem_domain::sow::{Baseline, ChangeRequest, Rate, ScopeItem, Sow, SowData, TimeEntry};

use crate::PersistenceResult;
use crate::entity::{change_request, sow, time_entry};
use crate::error::corrupt;

pub(super) fn active_model(s: &Sow) -> sow::ActiveModel {
    let d = &s.data;
    sow::ActiveModel {
        id: NotSet,
        account_id: NotSet,
        engagement_id: NotSet,
        title: Set(d.title.clone()),
        currency: Set(d.currency.as_str().to_owned()),
        fixed_price_minor: Set(d.fixed_price),
        rate_card: Set(serde_json::to_value(&d.rate_card).unwrap_or(Value::Array(vec![]))),
        tm_hours_cap: Set(d.tm_hours_cap.map(|h| h.0)),
        tm_amount_cap_minor: Set(d.tm_amount_cap),
        status: Set(s.status.as_str().to_owned()),
        baseline: Set(s
            .baseline
            .map(|b| serde_json::to_value(b).unwrap_or(Value::Null))),
        signed_on: Set(s.signed_on),
        version: Set(s.version),
        created_at: NotSet,
        updated_at: Set(s.updated_at),
    }
}

pub(super) fn to_domain(m: sow::Model, scope: Vec<ScopeItem>) -> PersistenceResult<Sow> {
    let rate_card: Vec<Rate> =
        serde_json::from_value(m.rate_card).map_err(|e| corrupt("rate card", e))?;
    let baseline: Option<Baseline> = m
        .baseline
        .filter(|b| !b.is_null())
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| corrupt("baseline", e))?;
    Ok(Sow {
        id: SowId(m.id),
        account_id: AccountId(m.account_id),
        engagement_id: m.engagement_id.map(EngagementId),
        data: SowData {
            title: m.title,
            currency: Currency::parse("currency", &m.currency)
                .map_err(|e| corrupt("currency", e))?,
            fixed_price: m.fixed_price_minor,
            rate_card,
            scope,
            tm_hours_cap: m.tm_hours_cap.map(Hours),
            tm_amount_cap: m.tm_amount_cap_minor,
        },
        status: m
            .status
            .parse()
            .map_err(|e: String| corrupt("SOW status", e))?,
        baseline,
        signed_on: m.signed_on,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub(super) fn cr_to_domain(m: change_request::Model) -> PersistenceResult<ChangeRequest> {
    Ok(ChangeRequest {
        id: ChangeRequestId(m.id),
        sow_id: SowId(m.sow_id),
        hours: Hours(m.hours),
        amount: m.amount_minor,
        reason: m.reason,
        requested_by: m.requested_by,
        status: m
            .status
            .parse()
            .map_err(|e: String| corrupt("change request status", e))?,
        decided_by: m.decided_by,
        decided_at: m.decided_at,
        version: m.version,
        created_at: m.created_at,
    })
}

pub(super) fn entry_to_domain(m: time_entry::Model) -> PersistenceResult<TimeEntry> {
    Ok(TimeEntry {
        id: TimeEntryId(m.id),
        sow_id: SowId(m.sow_id),
        team_member_id: TeamMemberId(m.team_member_id),
        role: m.role,
        phase_id: m.phase_id.map(PhaseId),
        worked_on: m.worked_on,
        hours: Hours(m.hours),
        kind: m
            .kind
            .parse()
            .map_err(|e: String| corrupt("work kind", e))?,
        amount: m.amount_minor,
        note: m.note,
        created_at: m.created_at,
        timesheet_id: m.timesheet_id.map(tandem_domain::ids::TimesheetId),
    })
}
