//! Change requests: reading, raising, and deciding them (approval moves the SOW's T&M caps in
//! the same transaction).

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder};
use serde_json::Value;
use tandem_domain::event::{EventKind, FieldChange, SubjectKind};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{ChangeRequestId, SowId};
use tandem_domain::sow::{ChangeRequest, ChangeRequestStatus, Sow};

use super::read::load;
use super::row::cr_to_domain;
use super::write::save;
use crate::entity::change_request;
use crate::event::record;
use crate::{PersistenceError, PersistenceResult, Store, versioned};

/// Each SOW's change requests, oldest first.
pub async fn change_requests(
    store: &Store,
    sows: &[SowId],
) -> PersistenceResult<HashMap<SowId, Vec<ChangeRequest>>> {
    let mut out: HashMap<SowId, Vec<ChangeRequest>> = HashMap::new();
    let rows = crate::page::rows_in(
        store.conn(),
        change_request::Entity::find().order_by_asc(change_request::Column::Id),
        change_request::Column::SowId,
        sows,
    )
    .await?;
    for row in rows {
        let cr = cr_to_domain(row)?;
        out.entry(cr.sow_id).or_default().push(cr);
    }
    Ok(out)
}

/// Raises a change request against a signed SOW; records `CHANGE_REQUEST_RAISED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn raise_change_request(
    store: &Store,
    actor: &str,
    sow_id: SowId,
    hours: Hours,
    amount: i64,
    reason: &str,
) -> PersistenceResult<ChangeRequest> {
    let tx = store.begin_write().await?;
    let s = load(&tx, sow_id).await?;
    let reason = ChangeRequest::validate_new(&s, hours, amount, reason)?;
    let cr = ChangeRequest {
        id: ChangeRequestId::new(),
        sow_id,
        hours,
        amount,
        reason,
        requested_by: actor.to_owned(),
        status: ChangeRequestStatus::Proposed,
        decided_by: None,
        decided_at: None,
        version: 1,
        created_at: Utc::now(),
    };
    change_request::Entity::insert(change_request::ActiveModel {
        id: Set(cr.id.0),
        sow_id: Set(sow_id.0),
        hours: Set(hours.0),
        amount_minor: Set(amount),
        reason: Set(cr.reason.clone()),
        requested_by: Set(cr.requested_by.clone()),
        status: Set(cr.status.as_str().to_owned()),
        decided_by: Set(None),
        decided_at: Set(None),
        version: Set(1),
        created_at: Set(cr.created_at),
    })
    .exec_without_returning(&tx)
    .await?;
    let changes = vec![
        FieldChange {
            field: "hours".into(),
            before: Value::Null,
            after: hours.as_decimal().into(),
        },
        FieldChange {
            field: "amountMinor".into(),
            before: Value::Null,
            after: amount.into(),
        },
        FieldChange {
            field: "reason".into(),
            before: Value::Null,
            after: cr.reason.clone().into(),
        },
    ];
    record(
        store,
        &tx,
        actor,
        s.account_id,
        SubjectKind::ChangeRequest,
        cr.id.0,
        EventKind::ChangeRequestRaised,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(cr)
}

/// Approves or rejects a proposed change request still at `version`. Approval moves the SOW's
/// T&M caps in the same transaction. Records `CHANGE_REQUEST_DECIDED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn decide_change_request(
    store: &Store,
    actor: &str,
    id: ChangeRequestId,
    version: i32,
    decision: ChangeRequestStatus,
) -> PersistenceResult<(ChangeRequest, Sow)> {
    let tx = store.begin_write().await?;
    let current = change_request::Entity::find_by_id(id.0)
        .one(&tx)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "change request",
            id: id.to_string(),
        })
        .and_then(cr_to_domain)?;
    versioned::check("change request", version, current.version)?;
    current.check_decision(decision)?;
    let mut s = load(&tx, current.sow_id).await?;
    if decision == ChangeRequestStatus::Approved {
        let data = current.apply(&s)?;
        let read = s.version;
        s = Sow {
            data,
            version: read + 1,
            updated_at: Utc::now(),
            ..s
        };
        save(&tx, &s, read).await?;
    }
    let now = Utc::now();
    let decided = ChangeRequest {
        status: decision,
        decided_by: Some(actor.to_owned()),
        decided_at: Some(now),
        version: version + 1,
        ..current.clone()
    };
    versioned::save::<change_request::Entity>(
        &tx,
        change_request::ActiveModel {
            status: Set(decision.as_str().to_owned()),
            decided_by: Set(decided.decided_by.clone()),
            decided_at: Set(decided.decided_at),
            version: Set(decided.version),
            ..Default::default()
        },
        (change_request::Column::Id, change_request::Column::Version),
        id.0,
        version,
        "change request",
    )
    .await?;
    let changes = vec![FieldChange::new(
        "status",
        current.status.as_str(),
        decision.as_str(),
    )];
    record(
        store,
        &tx,
        actor,
        s.account_id,
        SubjectKind::ChangeRequest,
        id.0,
        EventKind::ChangeRequestDecided,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok((decided, s))
}
