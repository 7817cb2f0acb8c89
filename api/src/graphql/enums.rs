//! GraphQL enums mirroring the domain's, so that the domain stays free of GraphQL.

use async_graphql::Enum;

/// How an account is served.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::account::TouchTier")]
pub enum TouchTier {
    /// A named manager, goals agreed with the customer, quarterly business reviews.
    High,
    /// Pooled managers and periodic reviews.
    Medium,
    /// Light-touch, one-to-many programmes.
    Low,
    /// Digital, self-serve journeys only.
    Tech,
}

/// Where an account is in its life with the vendor.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::account::LifecycleStage")]
pub enum LifecycleStage {
    /// Being set up.
    Onboarding,
    /// Learning to use the product.
    Adoption,
    /// Growing its use.
    Expansion,
    /// Approaching a renewal decision.
    Renewal,
    /// Gone.
    Churned,
}

/// A company's size band, by employees.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::account::CompanySize")]
pub enum CompanySize {
    /// 1 to 10 employees.
    #[graphql(name = "SIZE_1_10")]
    Size1To10,
    /// 11 to 50 employees.
    #[graphql(name = "SIZE_11_50")]
    Size11To50,
    /// 51 to 200 employees.
    #[graphql(name = "SIZE_51_200")]
    Size51To200,
    /// 201 to 1,000 employees.
    #[graphql(name = "SIZE_201_1000")]
    Size201To1000,
    /// 1,001 to 5,000 employees.
    #[graphql(name = "SIZE_1001_5000")]
    Size1001To5000,
    /// More than 5,000 employees.
    #[graphql(name = "SIZE_5001_PLUS")]
    Size5001Plus,
}

/// The part a contact plays in the relationship.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::contact::StakeholderRole")]
pub enum StakeholderRole {
    /// Argues for the product inside the customer.
    Champion,
    /// Signs or vetoes.
    DecisionMaker,
    /// Uses the product day to day.
    EndUser,
    /// Receives and pays the invoices.
    Billing,
}

/// The team a person at the vendor works in.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::team_member::Team")]
pub enum Team {
    /// Professional services.
    Services,
    /// Customer success.
    CustomerSuccess,
    /// Product management.
    Product,
    /// Sales.
    Sales,
}

/// An access role.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::auth::Role")]
pub enum Role {
    /// Everything.
    Admin,
    /// Accounts, contacts, health and plans.
    CsManager,
    /// Engagements and contacts.
    Services,
    /// Reads; sees no money.
    Product,
    /// Reads; sees no money.
    Viewer,
    /// A machine client.
    Integration,
    /// A person at a customer, seeing only what the vendor shared of its own accounts.
    Customer,
}

/// What happened to an account.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::event::EventKind", name = "AccountEventKind")]
pub enum EventKind {
    /// An account was created.
    AccountCreated,
    /// An account's fields changed.
    AccountUpdated,
    /// An account was archived.
    AccountArchived,
    /// A contact was added.
    ContactCreated,
    /// A contact's fields changed.
    ContactUpdated,
    /// A contact was archived.
    ContactArchived,
    /// A team member joined.
    TeamMemberCreated,
    /// A team member's fields changed.
    TeamMemberUpdated,
    /// A team member was archived.
    TeamMemberArchived,
    /// An engagement was scoped.
    EngagementCreated,
    /// An engagement's fields changed.
    EngagementUpdated,
    /// An engagement moved to another status.
    EngagementStatusChanged,
    /// A phase was added.
    PhaseCreated,
    /// A phase's fields, order or dependencies changed.
    PhaseUpdated,
    /// A phase moved to another status.
    PhaseStatusChanged,
    /// A statement of work was drafted.
    SowCreated,
    /// A draft or proposed SOW's fields changed.
    SowUpdated,
    /// A SOW moved to another status.
    SowStatusChanged,
    /// A change request was raised.
    ChangeRequestRaised,
    /// A change request was approved or rejected.
    ChangeRequestDecided,
    /// Hours were logged.
    TimeLogged,
    /// A catalog-modeling session was scheduled.
    CatalogSessionCreated,
    /// A session's fields or status changed.
    CatalogSessionUpdated,
    /// The draft catalog model changed.
    CatalogDraftChanged,
    /// A catalog model was published.
    CatalogModelPublished,
    /// The account's health status changed.
    HealthStatusChanged,
    /// A revenue movement was recorded.
    RevenueRecorded,
    /// A goal was added to the success plan.
    GoalCreated,
    /// A goal's fields changed.
    GoalUpdated,
    /// A goal moved to another status.
    GoalStatusChanged,
    /// A business review was recorded.
    BusinessReviewRecorded,
    /// A playbook fired on the account (`changes`: playbook, trigger, eventCursor, outcomes).
    PlaybookFired,
    /// A playbook emitted a custom event (`changes`: name, playbook).
    Custom,
    /// A task was created.
    TaskCreated,
    /// A task's fields changed.
    TaskUpdated,
    /// A task was done, dismissed or reopened.
    TaskStatusChanged,
    /// A note, meeting, call or e-mail was logged.
    ActivityLogged,
    /// A logged activity was corrected.
    ActivityUpdated,
    /// A logged activity was deleted.
    ActivityDeleted,
    /// A risk was raised.
    RiskRaised,
    /// A risk's fields or status changed.
    RiskUpdated,
    /// A renewal's forecast was set or changed.
    RenewalForecast,
    /// A renewal was decided.
    RenewalDecided,
    /// A time entry was removed from a draft or returned timesheet.
    TimeEntryRemoved,
    /// A timesheet with hours on the account was submitted.
    TimesheetSubmitted,
    /// A timesheet with hours on the account was approved: they now count as burn.
    TimesheetApproved,
    /// A timesheet with hours on the account was returned for correction.
    TimesheetReturned,
    /// Someone was allocated to, re-planned on or removed from one of the account's phases.
    AllocationChanged,
    /// A baseline froze an engagement's planned dates and hours (`changes`: engagementId, name,
    /// phases, plannedEnd, plannedHours in hundredths).
    BaselineTaken,
    /// A phase's catalog scope was set, moved onto a newer catalog version or cleared
    /// (`changes`: catalogVersionId, catalogVersionNumber, productLines, productTypes,
    /// products; all null after a clear).
    CatalogScopeChanged,
    /// Products of the account's catalog were marked migrated to the target platform, or the
    /// mark was taken back (`changes`: productKeys, the keys whose mark changed; migrated).
    ProductsMigrated,
    /// A webhook endpoint was disabled, by hand or by the worker after it failed for too long
    /// (an event of no account; the subject is the endpoint).
    WebhookEndpointDisabled,
    /// An opportunity was opened (`changes`: its fields, stage and status).
    OpportunityCreated,
    /// An open opportunity's fields changed.
    OpportunityUpdated,
    /// An open opportunity moved to another stage (`changes`: stage, probability).
    OpportunityStageChanged,
    /// An opportunity was won (`changes`: status, reason, closedOn, and the revenueEventId or
    /// sowId its win made).
    OpportunityWon,
    /// An opportunity was lost (`changes`: status, reason, closedOn).
    OpportunityLost,
    /// A stage of the opportunity pipeline was added or changed (an event of no account; the
    /// subject is the stage).
    OpportunityStageConfigured,
    /// A renewal model of the revenue outlook was fitted (an event of no account; the subject
    /// is the model; `changes`: version, closedRenewals, heldOut, and the backtest's auc and
    /// brier beside managerAuc and managerBrier).
    OutlookModelFitted,
}

/// What kind of services work an engagement is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::engagement::EngagementKind")]
pub enum EngagementKind {
    /// Moving a merchant off a legacy platform, phase by phase.
    Replatforming,
    /// Getting a new customer live.
    Onboarding,
    /// Improving how an existing customer uses the product.
    Optimization,
}

/// Where an engagement stands: PLANNED → ACTIVE ↔ ON_HOLD, ACTIVE → COMPLETED (every phase
/// accepted), or CANCELLED from any open status.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::engagement::EngagementStatus")]
pub enum EngagementStatus {
    /// Scoped, not started.
    Planned,
    /// Work is under way.
    Active,
    /// Paused; can resume.
    OnHold,
    /// Every phase accepted; closed.
    Completed,
    /// Stopped for good.
    Cancelled,
}

/// Where a phase stands: PLANNED → IN_PROGRESS → DELIVERED → ACCEPTED; a rejected delivery
/// goes back to IN_PROGRESS.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::engagement::PhaseStatus")]
pub enum PhaseStatus {
    /// Not started.
    Planned,
    /// Work is under way.
    InProgress,
    /// Handed over; awaiting acceptance.
    Delivered,
    /// Accepted by the customer.
    Accepted,
}

/// What a phase is organised around.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::engagement::FocusKind")]
pub enum FocusKind {
    /// One product line.
    ProductLine,
    /// One problem.
    Problem,
}

/// Where a statement of work stands: DRAFT → PROPOSED (→ DRAFT to revise) → SIGNED →
/// IN_DELIVERY → COMPLETED, or CANCELLED from any open status.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::sow::SowStatus")]
pub enum SowStatus {
    /// Being written.
    Draft,
    /// Sent to the customer.
    Proposed,
    /// Signed: scope and budget change only through change requests.
    Signed,
    /// Work is being delivered against it.
    InDelivery,
    /// Delivered and closed.
    Completed,
    /// Withdrawn or terminated.
    Cancelled,
}

/// Where a change request stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::sow::ChangeRequestStatus")]
pub enum ChangeRequestStatus {
    /// Raised, awaiting a decision.
    Proposed,
    /// Approved: the T&M budget moved by its hours and amount.
    Approved,
    /// Rejected.
    Rejected,
}

/// Whether hours are in the fixed-price scope or time and materials.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::sow::WorkKind")]
pub enum WorkKind {
    /// Part of the fixed-price scope.
    InScope,
    /// Outside the scope, billed against the T&M budget.
    TimeAndMaterials,
}

/// The type of a catalog attribute's values.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "tandem_domain::catalog::AttributeKind",
    name = "CatalogAttributeKind"
)]
pub enum AttributeKind {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// True or false.
    Boolean,
    /// One of the allowed values.
    Enum,
    /// Money: `{"minor": 1999, "currency": "USD"}`.
    Money,
}

/// Whether a catalog attribute describes the product or each variant.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "tandem_domain::catalog::AttributeLevel",
    name = "CatalogAttributeLevel"
)]
pub enum AttributeLevel {
    /// One value per product.
    Product,
    /// One value per variant.
    Variant,
}

/// How serious a catalog validation issue is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "tandem_domain::catalog::validate::Severity",
    name = "CatalogIssueSeverity"
)]
pub enum Severity {
    /// Blocks publishing.
    Error,
    /// Worth a look; does not block.
    Warning,
}

/// Where a catalog-modeling session stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "tandem_domain::catalog::session::SessionStatus",
    name = "CatalogSessionStatus"
)]
pub enum SessionStatus {
    /// Planned.
    Scheduled,
    /// Under way.
    InProgress,
    /// Held.
    Completed,
    /// Called off.
    Cancelled,
}
