//! The roles a token grants and the actions they allow: the table every authorization rule
//! reads. Apart from [`super::Principal`] so that the domain's errors can name a role and an
//! action without depending on the rules that raise them.

use std::fmt;
use std::str::FromStr;

/// An access role, carried in the caller's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Runs the deployment: may do everything.
    Admin,
    /// Owns customer relationships: accounts, contacts, health and plans.
    CsManager,
    /// Scopes and runs engagements; maintains contacts.
    Services,
    /// Reads accounts to learn from them; sees no money.
    Product,
    /// Reads, and sees no money.
    Viewer,
    /// A machine client (CRM sync, billing, product telemetry).
    Integration,
    /// A person at a customer, acting as one of its contacts: sees only what the vendor shared
    /// of its own account(s), and is granted none of the [`Action`]s (default deny: every
    /// allowance for it is a decision of its own, see `Principal::customer`).
    Customer,
}

impl Role {
    /// Every role, in the order the documentation lists them.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::CsManager,
        Role::Services,
        Role::Product,
        Role::Viewer,
        Role::Integration,
        Role::Customer,
    ];

    /// The vendor's roles: everyone but the customer, the roles a team member may hold.
    pub const VENDOR: [Role; 6] = [
        Role::Admin,
        Role::CsManager,
        Role::Services,
        Role::Product,
        Role::Viewer,
        Role::Integration,
    ];

    /// Whether the role is the vendor's (a team member's or a machine client's), not a
    /// customer's.
    pub fn is_vendor(self) -> bool {
        self != Role::Customer
    }

    /// The role's name as it appears in tokens and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::CsManager => "CS_MANAGER",
            Role::Services => "SERVICES",
            Role::Product => "PRODUCT",
            Role::Viewer => "VIEWER",
            Role::Integration => "INTEGRATION",
            Role::Customer => "CUSTOMER",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown role '{s}'; expected one of {}", names.join(", "))
            })
    }
}

/// Something a caller may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read accounts, contacts, team members and events.
    Read,
    /// See money: MRR, ARR, prices and budgets.
    SeeMoney,
    /// Create or update an account.
    WriteAccount,
    /// Archive an account.
    ArchiveAccount,
    /// Create or update a contact.
    WriteContact,
    /// Archive a contact.
    ArchiveContact,
    /// Create, update or archive a team member.
    ManageTeam,
    /// Scope and run engagements, their phases and statements of work, and log time.
    WriteEngagement,
    /// Run catalog-modeling sessions and edit and publish catalog models.
    WriteCatalog,
    /// Read health, success plans, segments, usage and the figures (not INTEGRATION, which
    /// reads only what it wrote).
    ReadInsights,
    /// Send usage, surveys, tickets and billing status.
    WriteSignals,
    /// Record revenue movements.
    RecordRevenue,
    /// Edit success plans: goals and business reviews.
    WriteSuccessPlan,
    /// Define health models, segments and the figures' settings, and recompute health.
    ManageHealth,
    /// Define, enable and disable playbooks.
    ManagePlaybooks,
    /// Create tasks and change them (assign, finish, dismiss).
    WriteTask,
    /// Register, change and read webhook endpoints and their deliveries.
    ManageWebhooks,
    /// Log notes, meetings, calls and e-mails on accounts.
    LogActivity,
    /// Raise and work risks.
    WriteRisk,
    /// Forecast and decide renewals.
    ManageRenewals,
    /// Allocate people to phases and record their time off.
    PlanCapacity,
    /// Open, work, win and lose opportunities of every kind.
    ManageOpportunities,
    /// Open, work, win and lose services follow-on opportunities.
    ManageServicesOpportunities,
    /// Add and change the stages of the opportunity pipeline.
    ConfigureOpportunityStages,
    /// Fit the revenue outlook's renewal model again.
    RefitOutlook,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Read => "read",
            Action::SeeMoney => "see money fields (MRR, ARR, prices, budgets)",
            Action::WriteAccount => "create or update accounts",
            Action::ArchiveAccount => "archive accounts",
            Action::WriteContact => "create or update contacts",
            Action::ArchiveContact => "archive contacts",
            Action::ManageTeam => "manage team members",
            Action::WriteEngagement => "scope or run engagements, SOWs and time",
            Action::WriteCatalog => "run catalog sessions or edit catalog models",
            Action::ReadInsights => "read health, success plans, segments, usage or figures",
            Action::WriteSignals => "send usage, surveys, tickets or billing status",
            Action::RecordRevenue => "record revenue movements",
            Action::WriteSuccessPlan => "edit goals or business reviews",
            Action::ManageHealth => "define health models, segments or figure settings",
            Action::ManagePlaybooks => "define, enable or disable playbooks",
            Action::WriteTask => "create or change tasks",
            Action::ManageWebhooks => "manage webhook endpoints",
            Action::LogActivity => "log activities on accounts",
            Action::WriteRisk => "raise or change risks",
            Action::ManageRenewals => "forecast or decide renewals",
            Action::PlanCapacity => "allocate people or record time off",
            Action::ManageOpportunities => "open, change, win or lose opportunities",
            Action::ManageServicesOpportunities => {
                "open, change, win or lose services follow-on opportunities"
            }
            Action::ConfigureOpportunityStages => "configure the opportunity pipeline's stages",
            Action::RefitOutlook => "refit the renewal model",
        })
    }
}

impl Action {
    /// The roles allowed to take this action: the one table of authorization rules. CUSTOMER
    /// is in none of its rows: what a customer may see or do is decided field by field, on
    /// top of row-level checks against its accounts, never by widening a vendor's action.
    pub fn allowed_roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::Read => &[Admin, CsManager, Services, Product, Viewer, Integration],
            Action::SeeMoney => &[Admin, CsManager, Services, Integration],
            Action::WriteAccount => &[Admin, CsManager, Integration],
            Action::ArchiveAccount => &[Admin, CsManager],
            Action::WriteContact => &[Admin, CsManager, Services, Integration],
            Action::ArchiveContact => &[Admin, CsManager, Services],
            Action::ManageTeam => &[Admin],
            Action::WriteEngagement => &[Admin, Services],
            Action::WriteCatalog => &[Admin, Services],
            Action::ReadInsights => &[Admin, CsManager, Services, Product, Viewer],
            Action::WriteSignals => &[Admin, CsManager, Integration],
            Action::RecordRevenue => &[Admin, Integration],
            Action::WriteSuccessPlan => &[Admin, CsManager, Services],
            Action::ManageHealth => &[Admin, CsManager],
            Action::ManagePlaybooks => &[Admin, CsManager],
            Action::WriteTask => &[Admin, CsManager, Services],
            Action::ManageWebhooks => &[Admin, Integration],
            Action::LogActivity => &[Admin, CsManager, Services, Integration],
            Action::WriteRisk => &[Admin, CsManager, Services],
            Action::ManageRenewals => &[Admin, CsManager],
            Action::PlanCapacity => &[Admin, Services],
            Action::ManageOpportunities => &[Admin, CsManager],
            Action::ManageServicesOpportunities => &[Admin, CsManager, Services],
            Action::ConfigureOpportunityStages => &[Admin],
            Action::RefitOutlook => &[Admin, CsManager],
        }
    }
}
