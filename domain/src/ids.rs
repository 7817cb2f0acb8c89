//! Identifiers. Every entity has a UUID v7 id (time-ordered, so ids sort by creation) wrapped in
//! its own newtype, so that an account id can never be passed where a contact id is expected.

use std::fmt;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

id_type!(
    /// A customer organisation.
    AccountId
);
id_type!(
    /// A person at a customer organisation.
    ContactId
);
id_type!(
    /// A person at the vendor.
    TeamMemberId
);
id_type!(
    /// A piece of services work for an account.
    EngagementId
);
id_type!(
    /// A phase of an engagement.
    PhaseId
);
id_type!(
    /// A statement of work.
    SowId
);
id_type!(
    /// A change request against a signed statement of work.
    ChangeRequestId
);
id_type!(
    /// Hours logged against a statement of work.
    TimeEntryId
);
id_type!(
    /// A catalog-modeling session.
    CatalogSessionId
);
id_type!(
    /// A published catalog-model version.
    CatalogVersionId
);
id_type!(
    /// A goal in an account's success plan.
    GoalId
);
id_type!(
    /// A business review held with an account.
    BusinessReviewId
);
id_type!(
    /// A saved filter over accounts.
    SegmentId
);
id_type!(
    /// A health model.
    HealthModelId
);
id_type!(
    /// A computed health score.
    HealthScoreId
);
id_type!(
    /// A survey response.
    SurveyResponseId
);
id_type!(
    /// A support ticket.
    TicketId
);
id_type!(
    /// A revenue movement.
    RevenueEventId
);
id_type!(
    /// An automation: a trigger, a condition and actions.
    PlaybookId
);
id_type!(
    /// One firing of a playbook on an account.
    PlaybookRunId
);
id_type!(
    /// A to-do for a team member about an account.
    TaskId
);
id_type!(
    /// An integration's webhook endpoint.
    WebhookEndpointId
);
id_type!(
    /// One event to deliver to one webhook endpoint.
    WebhookDeliveryId
);
id_type!(
    /// A note, meeting, call or e-mail on an account.
    ActivityId
);
id_type!(
    /// An account's renewal.
    RenewalId
);
id_type!(
    /// A risk to an account.
    RiskId
);
id_type!(
    /// A team member's week of logged time.
    TimesheetId
);
id_type!(
    /// Days a team member is away.
    TimeOffId
);
id_type!(
    /// A team member planned onto a phase.
    AllocationId
);
id_type!(
    /// A reusable plan for an engagement: phases, dependencies, milestones and scope.
    TemplateId
);
id_type!(
    /// A frozen copy of an engagement's planned dates and hours.
    BaselineId
);
id_type!(
    /// An opportunity: revenue a team expects to win or keep on an account.
    OpportunityId
);
id_type!(
    /// A stage of the opportunity pipeline.
    OpportunityStageId
);
