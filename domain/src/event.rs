//! Account-change events: what changed, on which account, by whom.
//!
//! Every mutation records one in the same transaction as the change itself (the outbox). The
//! cursor is assigned by storage and grows strictly in commit order, so a client that resumes
//! from the last cursor it saw misses nothing and sees nothing twice.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::ids::AccountId;

crate::text_enum! {
    /// What happened.
    pub enum EventKind {
        /// An account was created.
        AccountCreated = "ACCOUNT_CREATED",
        /// An account's fields changed.
        AccountUpdated = "ACCOUNT_UPDATED",
        /// An account was archived.
        AccountArchived = "ACCOUNT_ARCHIVED",
        /// A contact was added to an account.
        ContactCreated = "CONTACT_CREATED",
        /// A contact's fields changed.
        ContactUpdated = "CONTACT_UPDATED",
        /// A contact was archived.
        ContactArchived = "CONTACT_ARCHIVED",
        /// A team member joined.
        TeamMemberCreated = "TEAM_MEMBER_CREATED",
        /// A team member's fields changed.
        TeamMemberUpdated = "TEAM_MEMBER_UPDATED",
        /// A team member was archived.
        TeamMemberArchived = "TEAM_MEMBER_ARCHIVED",
        /// An engagement was scoped.
        EngagementCreated = "ENGAGEMENT_CREATED",
        /// An engagement's fields changed.
        EngagementUpdated = "ENGAGEMENT_UPDATED",
        /// An engagement moved to another status.
        EngagementStatusChanged = "ENGAGEMENT_STATUS_CHANGED",
        /// A phase was added to an engagement.
        PhaseCreated = "PHASE_CREATED",
        /// A phase's fields, order or dependencies changed.
        PhaseUpdated = "PHASE_UPDATED",
        /// A phase moved to another status.
        PhaseStatusChanged = "PHASE_STATUS_CHANGED",
        /// A statement of work was drafted.
        SowCreated = "SOW_CREATED",
        /// A draft or proposed SOW's fields changed.
        SowUpdated = "SOW_UPDATED",
        /// A SOW moved to another status.
        SowStatusChanged = "SOW_STATUS_CHANGED",
        /// A change request was raised against a signed SOW.
        ChangeRequestRaised = "CHANGE_REQUEST_RAISED",
        /// A change request was approved or rejected.
        ChangeRequestDecided = "CHANGE_REQUEST_DECIDED",
        /// Hours were logged against a SOW.
        TimeLogged = "TIME_LOGGED",
        /// A catalog-modeling session was scheduled.
        CatalogSessionCreated = "CATALOG_SESSION_CREATED",
        /// A session's fields or status changed.
        CatalogSessionUpdated = "CATALOG_SESSION_UPDATED",
        /// The account's draft catalog model changed.
        CatalogDraftChanged = "CATALOG_DRAFT_CHANGED",
        /// A catalog model was published as a new version.
        CatalogModelPublished = "CATALOG_MODEL_PUBLISHED",
        /// An account's health status changed after a score was computed.
        HealthStatusChanged = "HEALTH_STATUS_CHANGED",
        /// A revenue movement was recorded.
        RevenueRecorded = "REVENUE_RECORDED",
        /// A goal was added to an account's success plan.
        GoalCreated = "GOAL_CREATED",
        /// A goal's fields changed.
        GoalUpdated = "GOAL_UPDATED",
        /// A goal moved to another status.
        GoalStatusChanged = "GOAL_STATUS_CHANGED",
        /// A business review was recorded.
        BusinessReviewRecorded = "BUSINESS_REVIEW_RECORDED",
        /// A playbook fired on an account: which one, why, and what its actions did.
        PlaybookFired = "PLAYBOOK_FIRED",
        /// A custom event a playbook emitted for integrations (`changes` carries its name).
        Custom = "CUSTOM",
        /// A task was created, by a person or a playbook.
        TaskCreated = "TASK_CREATED",
        /// A task's fields changed.
        TaskUpdated = "TASK_UPDATED",
        /// A task was done, dismissed or reopened.
        TaskStatusChanged = "TASK_STATUS_CHANGED",
        /// A note, meeting, call or e-mail was logged (it shows in the timeline itself).
        ActivityLogged = "ACTIVITY_LOGGED",
        /// A logged activity was corrected.
        ActivityUpdated = "ACTIVITY_UPDATED",
        /// A logged activity was deleted.
        ActivityDeleted = "ACTIVITY_DELETED",
        /// A risk was raised.
        RiskRaised = "RISK_RAISED",
        /// A risk's fields or status changed.
        RiskUpdated = "RISK_UPDATED",
        /// A renewal's forecast was set or changed.
        RenewalForecast = "RENEWAL_FORECAST",
        /// A renewal was decided: renewed, downgraded or churned.
        RenewalDecided = "RENEWAL_DECIDED",
        /// A time entry was removed from a draft or returned timesheet.
        TimeEntryRemoved = "TIME_ENTRY_REMOVED",
        /// A timesheet with hours on the account was submitted.
        TimesheetSubmitted = "TIMESHEET_SUBMITTED",
        /// A timesheet with hours on the account was approved: they now count as burn.
        TimesheetApproved = "TIMESHEET_APPROVED",
        /// A timesheet with hours on the account was returned for correction.
        TimesheetReturned = "TIMESHEET_RETURNED",
        /// Someone was allocated to, re-planned on or removed from one of the account's phases.
        AllocationChanged = "ALLOCATION_CHANGED",
        /// A baseline froze an engagement's planned dates and hours.
        BaselineTaken = "BASELINE_TAKEN",
        /// A phase's catalog scope was set, moved onto a newer catalog version, or cleared.
        CatalogScopeChanged = "CATALOG_SCOPE_CHANGED",
        /// Products of the account's catalog were marked migrated to the target platform, or
        /// the mark was taken back.
        ProductsMigrated = "PRODUCTS_MIGRATED",
        /// A webhook endpoint was disabled, by hand or by the worker after it failed for too
        /// long: it receives no deliveries until it is enabled again. Of no account.
        WebhookEndpointDisabled = "WEBHOOK_ENDPOINT_DISABLED",
        /// An opportunity was opened on an account.
        OpportunityCreated = "OPPORTUNITY_CREATED",
        /// An open opportunity's fields changed.
        OpportunityUpdated = "OPPORTUNITY_UPDATED",
        /// An open opportunity moved to another stage.
        OpportunityStageChanged = "OPPORTUNITY_STAGE_CHANGED",
        /// An opportunity was won (with the revenue movement or SOW draft its win made).
        OpportunityWon = "OPPORTUNITY_WON",
        /// An opportunity was lost, with its reason.
        OpportunityLost = "OPPORTUNITY_LOST",
        /// A stage of the opportunity pipeline was added or changed. Of no account.
        OpportunityStageConfigured = "OPPORTUNITY_STAGE_CONFIGURED",
        /// A renewal model of the revenue outlook was fitted, with its backtest. Of no account.
        OutlookModelFitted = "OUTLOOK_MODEL_FITTED",
    }
}

crate::text_enum! {
    /// The kind of object an event is about.
    pub enum SubjectKind {
        /// An account.
        Account = "ACCOUNT",
        /// A contact.
        Contact = "CONTACT",
        /// A team member.
        TeamMember = "TEAM_MEMBER",
        /// An engagement.
        Engagement = "ENGAGEMENT",
        /// A phase of an engagement.
        Phase = "PHASE",
        /// A statement of work.
        Sow = "SOW",
        /// A change request.
        ChangeRequest = "CHANGE_REQUEST",
        /// A time entry.
        TimeEntry = "TIME_ENTRY",
        /// A catalog-modeling session.
        CatalogSession = "CATALOG_SESSION",
        /// An account's catalog model.
        CatalogModel = "CATALOG_MODEL",
        /// A computed health score.
        HealthScore = "HEALTH_SCORE",
        /// A revenue movement.
        RevenueEvent = "REVENUE_EVENT",
        /// A success-plan goal.
        Goal = "GOAL",
        /// A business review.
        BusinessReview = "BUSINESS_REVIEW",
        /// A playbook.
        Playbook = "PLAYBOOK",
        /// A task.
        Task = "TASK",
        /// A note, meeting, call or e-mail.
        Activity = "ACTIVITY",
        /// A risk.
        Risk = "RISK",
        /// A renewal.
        Renewal = "RENEWAL",
        /// A timesheet.
        Timesheet = "TIMESHEET",
        /// An allocation of a person to a phase.
        Allocation = "ALLOCATION",
        /// An engagement's baseline.
        Baseline = "BASELINE",
        /// A webhook endpoint.
        WebhookEndpoint = "WEBHOOK_ENDPOINT",
        /// An opportunity.
        Opportunity = "OPPORTUNITY",
        /// A stage of the opportunity pipeline.
        OpportunityStage = "OPPORTUNITY_STAGE",
        /// A fitted renewal model of the revenue outlook.
        OutlookModel = "OUTLOOK_MODEL",
    }
}

/// One changed field: its API name and its value before and after, as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    /// The field's name as the API spells it (`touchTier`).
    pub field: String,
    /// The value before the change; `null` when the object was created.
    pub before: Value,
    /// The value after the change.
    pub after: Value,
}

/// An event about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The account the event concerns; `None` for changes that concern no single account
    /// (team members).
    pub account_id: Option<AccountId>,
    /// The kind of object that changed.
    pub subject_kind: SubjectKind,
    /// The id of the object that changed.
    pub subject_id: Uuid,
    /// What happened.
    pub kind: EventKind,
    /// Who did it: the subject of the caller's token.
    pub actor: String,
    /// The fields that changed.
    pub changes: Vec<FieldChange>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The position in the stream: strictly increasing in commit order.
    pub cursor: i64,
    /// When the change was committed.
    pub occurred_at: DateTime<Utc>,
    /// What was written.
    pub event: NewEvent,
}

impl FieldChange {
    /// A field that went from `before` to `after`.
    pub fn new(field: &str, before: impl Serialize, after: impl Serialize) -> FieldChange {
        FieldChange {
            field: field.to_owned(),
            before: serde_json::to_value(before).unwrap_or(Value::Null),
            after: serde_json::to_value(after).unwrap_or(Value::Null),
        }
    }

    /// A field set on a new object (it was `null` before).
    pub fn set(field: &str, after: impl Serialize) -> FieldChange {
        FieldChange::new(field, Value::Null, after)
    }
}

/// The fields that differ between two snapshots of an object, in the object's field order.
///
/// Both values are serialised to JSON objects (so field names are the API's), and every key whose
/// value differs becomes a change.
pub fn diff<T: Serialize>(before: &T, after: &T) -> Vec<FieldChange> {
    let (Ok(Value::Object(before)), Ok(Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    after
        .into_iter()
        .filter_map(|(field, new)| {
            let old = before.get(&field).cloned().unwrap_or(Value::Null);
            (old != new).then_some(FieldChange {
                field,
                before: old,
                after: new,
            })
        })
        .collect()
}

/// Every field of a newly created object, as changes from `null`.
pub fn created<T: Serialize>(after: &T) -> Vec<FieldChange> {
    match serde_json::to_value(after) {
        Ok(Value::Object(fields)) => fields
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(field, after)| FieldChange {
                field,
                before: Value::Null,
                after,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Every field of an object that was removed, as changes to `null`.
pub fn removed<T: Serialize>(before: &T) -> Vec<FieldChange> {
    created(before)
        .into_iter()
        .map(|c| FieldChange {
            field: c.field,
            before: c.after,
            after: Value::Null,
        })
        .collect()
}

/// The change that archiving records: `archivedAt` from `null` to `at`.
pub fn archived(at: DateTime<Utc>) -> Vec<FieldChange> {
    vec![FieldChange {
        field: "archivedAt".into(),
        before: Value::Null,
        after: serde_json::to_value(at).unwrap_or(Value::Null),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Thing {
        name: String,
        touch_tier: Option<String>,
    }

    #[test]
    fn diff_lists_only_the_fields_that_changed_with_api_names() {
        let before = Thing {
            name: "Acme".into(),
            touch_tier: Some("LOW".into()),
        };
        let after = Thing {
            name: "Acme".into(),
            touch_tier: Some("HIGH".into()),
        };
        assert_eq!(
            diff(&before, &after),
            vec![FieldChange {
                field: "touchTier".into(),
                before: json!("LOW"),
                after: json!("HIGH"),
            }]
        );
    }

    #[test]
    fn identical_snapshots_have_no_changes() {
        let t = Thing {
            name: "A".into(),
            touch_tier: None,
        };
        assert!(diff(&t, &t).is_empty());
    }

    #[test]
    fn creation_lists_every_set_field_from_null() {
        let t = Thing {
            name: "A".into(),
            touch_tier: None,
        };
        let changes = created(&t);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].before, Value::Null);
        assert_eq!(changes[0].after, json!("A"));
    }

    #[test]
    fn event_kinds_round_trip_through_their_names() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>().unwrap(), *kind);
        }
        assert!("NOPE".parse::<EventKind>().is_err());
    }
}
