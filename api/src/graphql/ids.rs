//! Opaque global ids (`node(id:)`) and pagination cursors.
//!
//! A global id is the base64url of `Kind:uuid`: clients treat it as opaque, and the server can
//! tell which kind of object it names.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tandem_domain::event::{Event, SubjectKind};
use tandem_domain::ids::TeamMemberId;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// The kinds of object a global id can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An account.
    Account,
    /// A contact.
    Contact,
    /// A team member.
    TeamMember,
    /// An engagement.
    Engagement,
    /// A phase of an engagement.
    Phase,
    /// A statement of work.
    Sow,
    /// A change request.
    ChangeRequest,
    /// A time entry.
    TimeEntry,
    /// A catalog-modeling session.
    CatalogSession,
    /// A computed health score.
    HealthScore,
    /// A revenue movement.
    RevenueEvent,
    /// A success-plan goal.
    Goal,
    /// A business review.
    BusinessReview,
    /// A segment.
    Segment,
    /// A health model.
    HealthModel,
    /// A survey response.
    SurveyResponse,
    /// A support ticket.
    Ticket,
    /// A playbook.
    Playbook,
    /// A task.
    Task,
    /// A webhook endpoint.
    WebhookEndpoint,
    /// A webhook delivery.
    WebhookDelivery,
    /// An activity.
    Activity,
    /// A risk.
    Risk,
    /// A renewal.
    Renewal,
    /// A timesheet.
    Timesheet,
    /// Time off.
    TimeOff,
    /// An allocation.
    Allocation,
    /// An engagement template.
    EngagementTemplate,
    /// An engagement's baseline.
    Baseline,
    /// A published catalog-model version.
    CatalogVersion,
    /// An opportunity.
    Opportunity,
    /// A stage of the opportunity pipeline.
    OpportunityStage,
    /// A fitted renewal model of the revenue outlook.
    OutlookModel,
}

impl Kind {
    /// The kind's name, as global ids and messages spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Account => "Account",
            Kind::Contact => "Contact",
            Kind::TeamMember => "TeamMember",
            Kind::Engagement => "Engagement",
            Kind::Phase => "Phase",
            Kind::Sow => "Sow",
            Kind::ChangeRequest => "ChangeRequest",
            Kind::TimeEntry => "TimeEntry",
            Kind::CatalogSession => "CatalogSession",
            Kind::HealthScore => "HealthScore",
            Kind::RevenueEvent => "RevenueEvent",
            Kind::Goal => "Goal",
            Kind::BusinessReview => "BusinessReview",
            Kind::Segment => "Segment",
            Kind::HealthModel => "HealthModel",
            Kind::SurveyResponse => "SurveyResponse",
            Kind::Ticket => "Ticket",
            Kind::Playbook => "Playbook",
            Kind::Task => "Task",
            Kind::WebhookEndpoint => "WebhookEndpoint",
            Kind::WebhookDelivery => "WebhookDelivery",
            Kind::Activity => "Activity",
            Kind::Risk => "Risk",
            Kind::Renewal => "Renewal",
            Kind::Timesheet => "Timesheet",
            Kind::TimeOff => "TimeOff",
            Kind::Allocation => "Allocation",
            Kind::EngagementTemplate => "EngagementTemplate",
            Kind::Baseline => "Baseline",
            Kind::CatalogVersion => "CatalogVersion",
            Kind::Opportunity => "Opportunity",
            Kind::OpportunityStage => "OpportunityStage",
            Kind::OutlookModel => "OutlookModel",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        match s {
            "Account" => Some(Kind::Account),
            "Contact" => Some(Kind::Contact),
            "TeamMember" => Some(Kind::TeamMember),
            "Engagement" => Some(Kind::Engagement),
            "Phase" => Some(Kind::Phase),
            "Sow" => Some(Kind::Sow),
            "ChangeRequest" => Some(Kind::ChangeRequest),
            "TimeEntry" => Some(Kind::TimeEntry),
            "HealthScore" => Some(Kind::HealthScore),
            "RevenueEvent" => Some(Kind::RevenueEvent),
            "Goal" => Some(Kind::Goal),
            "BusinessReview" => Some(Kind::BusinessReview),
            "Segment" => Some(Kind::Segment),
            "HealthModel" => Some(Kind::HealthModel),
            "SurveyResponse" => Some(Kind::SurveyResponse),
            "Ticket" => Some(Kind::Ticket),
            "CatalogSession" => Some(Kind::CatalogSession),
            "Playbook" => Some(Kind::Playbook),
            "Task" => Some(Kind::Task),
            "WebhookEndpoint" => Some(Kind::WebhookEndpoint),
            "WebhookDelivery" => Some(Kind::WebhookDelivery),
            "Activity" => Some(Kind::Activity),
            "Risk" => Some(Kind::Risk),
            "Renewal" => Some(Kind::Renewal),
            "Timesheet" => Some(Kind::Timesheet),
            "TimeOff" => Some(Kind::TimeOff),
            "Allocation" => Some(Kind::Allocation),
            "EngagementTemplate" => Some(Kind::EngagementTemplate),
            "Baseline" => Some(Kind::Baseline),
            "CatalogVersion" => Some(Kind::CatalogVersion),
            "Opportunity" => Some(Kind::Opportunity),
            "OpportunityStage" => Some(Kind::OpportunityStage),
            "OutlookModel" => Some(Kind::OutlookModel),
            _ => None,
        }
    }
}

/// The global id of the object of `kind` with `id`.
pub fn encode(kind: Kind, id: Uuid) -> ID {
    // `Kind:uuid` assembled on the stack (a dashboard encodes 800 ids; `format!` was half of
    // the cost), then base64url.
    let kind = kind.as_str().as_bytes();
    let mut plain = [0u8; 64];
    let colon = kind.len();
    plain[..colon].copy_from_slice(kind);
    plain[colon] = b':';
    let end = colon + 1 + uuid::fmt::Hyphenated::LENGTH;
    id.hyphenated().encode_lower(&mut plain[colon + 1..end]);
    ID(URL_SAFE_NO_PAD.encode(&plain[..end]))
}

/// The kind and uuid a global id names, or `None` when it is not one of ours.
pub fn decode_any(id: &str) -> Option<(Kind, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.trim()).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (kind, uuid) = text.split_once(':')?;
    Some((Kind::parse(kind)?, Uuid::parse_str(uuid).ok()?))
}

/// The uuid of a global id that must name a `kind`; `field` names the argument for the error.
pub fn decode(kind: Kind, id: &ID, field: &str) -> ApiResult<Uuid> {
    match decode_any(id) {
        Some((k, uuid)) if k == kind => Ok(uuid),
        Some((k, _)) => Err(ApiError::invalid(
            field,
            format!(
                "expected the id of a {}, got the id of a {}",
                kind.as_str(),
                k.as_str()
            ),
        )),
        None => Err(ApiError::invalid(
            field,
            format!("'{}' is not a valid {} id", id.as_str(), kind.as_str()),
        )),
    }
}

/// The typed id (`wrap`: `AccountId`, `TaskId`, …) of a global id that must name a `kind`;
/// `field` names the argument for the error.
pub fn decode_as<T>(kind: Kind, id: &ID, field: &str, wrap: fn(Uuid) -> T) -> ApiResult<T> {
    decode(kind, id, field).map(wrap)
}

/// A team member's id from a global id, naming `field` when it is not one.
pub fn team_member(id: &ID, field: &str) -> ApiResult<TeamMemberId> {
    decode_as(Kind::TeamMember, id, field, TeamMemberId)
}

/// Encodes a pagination cursor: base64url of the JSON of `key`.
pub fn encode_cursor<T: serde::Serialize>(key: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Decodes a pagination cursor made by [`encode_cursor`].
pub fn decode_cursor<T: serde::de::DeserializeOwned>(cursor: &str, field: &str) -> ApiResult<T> {
    URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            ApiError::invalid(
                field,
                "is not a cursor from this list; pass an endCursor or startCursor it returned",
            )
        })
}

/// The global id of an event's subject.
pub fn subject_of(e: &Event) -> ID {
    let kind = match e.event.subject_kind {
        SubjectKind::Account => Kind::Account,
        SubjectKind::Contact => Kind::Contact,
        SubjectKind::TeamMember => Kind::TeamMember,
        SubjectKind::Engagement => Kind::Engagement,
        SubjectKind::Phase => Kind::Phase,
        SubjectKind::Sow => Kind::Sow,
        SubjectKind::ChangeRequest => Kind::ChangeRequest,
        SubjectKind::TimeEntry => Kind::TimeEntry,
        SubjectKind::CatalogSession => Kind::CatalogSession,
        SubjectKind::CatalogModel => Kind::Account,
        SubjectKind::HealthScore => Kind::HealthScore,
        SubjectKind::RevenueEvent => Kind::RevenueEvent,
        SubjectKind::Goal => Kind::Goal,
        SubjectKind::BusinessReview => Kind::BusinessReview,
        SubjectKind::Playbook => Kind::Playbook,
        SubjectKind::Task => Kind::Task,
        SubjectKind::Activity => Kind::Activity,
        SubjectKind::Risk => Kind::Risk,
        SubjectKind::Renewal => Kind::Renewal,
        SubjectKind::Timesheet => Kind::Timesheet,
        SubjectKind::Allocation => Kind::Allocation,
        SubjectKind::Baseline => Kind::Baseline,
        SubjectKind::WebhookEndpoint => Kind::WebhookEndpoint,
        SubjectKind::Opportunity => Kind::Opportunity,
        SubjectKind::OpportunityStage => Kind::OpportunityStage,
        SubjectKind::OutlookModel => Kind::OutlookModel,
    };
    encode(kind, e.event.subject_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip_and_know_their_kind() {
        let uuid = Uuid::now_v7();
        for kind in [Kind::Account, Kind::EngagementTemplate] {
            let textbook = URL_SAFE_NO_PAD.encode(format!("{}:{uuid}", kind.as_str()));
            assert_eq!(encode(kind, uuid).0, textbook);
        }
        let id = encode(Kind::Contact, uuid);
        assert_eq!(decode_any(&id), Some((Kind::Contact, uuid)));
        assert_eq!(decode(Kind::Contact, &id, "id").unwrap(), uuid);
        let err = decode(Kind::Account, &id, "id").unwrap_err();
        assert!(
            err.message.contains("got the id of a Contact"),
            "{}",
            err.message
        );
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!(decode_any("not-an-id").is_none());
        assert!(decode(Kind::Account, &ID("x".into()), "input.id").is_err());
    }
}
