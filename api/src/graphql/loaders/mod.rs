//! DataLoaders: nested fields load through these, so a page of 50 accounts costs one query per
//! nested field, not 50.
//!
//! A `Loaders` value is created per request (or per WebSocket connection) and put in that
//! request's data, never in the schema's: nothing is shared between callers. Within one HTTP
//! request a loader also caches, so the phases that four fields of an engagement need are read
//! once; a WebSocket connection's loaders only batch, so a long-lived subscription never
//! serves stale rows. Each loader is made on first use, so a request that needs none pays
//! nothing.

use std::sync::OnceLock;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use tandem_persistence::Store;

use batch::make;

pub mod account;
pub mod automation;
pub mod batch;
pub mod catalog_scope;
pub mod engagement;
pub mod health;
pub mod opportunity;
pub mod outcome;
pub mod outlook;
pub mod renewal;
pub mod sow;
pub mod success;
pub mod sync;
pub mod template;
pub mod timesheet;

use account::{AccountLoader, ContactsLoader, MrrLoader, TeamMemberLoader};
use automation::PlaybookLoader;
use engagement::{
    BaselinesLoader, EngagementLoader, EngagementsByAccountLoader, PhaseByIdLoader,
    PhaseHeadsLoader, PhaseOutlinesLoader, PhasesLoader, PhasesWithoutDependenciesLoader,
};
use health::{HealthLoader, HealthOutlineLoader, HealthThenLoader, UsageLoader};
use opportunity::{OpportunitiesLoader, OpportunityStageLoader};
use outcome::{EngagementOutcomeLoader, OutcomeHealthLoader, OutcomeRevenueLoader};
use outlook::{OutlookBasisLoader, RenewalFeaturesLoader};
use renewal::{RenewalsLoader, RiskTasksLoader, RisksLoader};
use sow::{
    ChangeRequestsLoader, LoggedByPhaseLoader, LoggedLoader, SowLoader, SowsByAccountLoader,
    SowsByEngagementLoader,
};
use success::{GoalLoader, GoalsLoader, PhaseGoalsLoader, ReviewsLoader};
use sync::ExternalIdsLoader;
use template::TemplateLoader;
use timesheet::{
    PhaseAllocationsLoader, TimesheetEntriesLoader, TimesheetHoursLoader, TimesheetLoader,
};

/// The loaders of one request.
///
/// Small on purpose: the ~40 loader slots live in one box made on the first loader call, so a
/// request that loads nothing (`{ __typename }`) neither zeroes nor copies nor drops them.
pub struct Loaders {
    store: Store,
    cached: bool,
    slots: OnceLock<Box<Slots>>,
}

/// One request's loaders, each made on its first use.
#[derive(Default)]
struct Slots {
    accounts: OnceLock<DataLoader<AccountLoader, HashMapCache>>,
    team_members: OnceLock<DataLoader<TeamMemberLoader, HashMapCache>>,
    contacts: OnceLock<DataLoader<ContactsLoader, HashMapCache>>,
    mrr: OnceLock<DataLoader<MrrLoader, HashMapCache>>,
    engagements: OnceLock<DataLoader<EngagementLoader, HashMapCache>>,
    engagements_by_account: OnceLock<DataLoader<EngagementsByAccountLoader, HashMapCache>>,
    phases: OnceLock<DataLoader<PhasesLoader, HashMapCache>>,
    phases_without_dependencies:
        OnceLock<DataLoader<PhasesWithoutDependenciesLoader, HashMapCache>>,
    phase_outlines: OnceLock<DataLoader<PhaseOutlinesLoader, HashMapCache>>,
    phase_heads: OnceLock<DataLoader<PhaseHeadsLoader, HashMapCache>>,
    sows_by_account: OnceLock<DataLoader<SowsByAccountLoader, HashMapCache>>,
    sows: OnceLock<DataLoader<SowLoader, HashMapCache>>,
    sows_by_engagement: OnceLock<DataLoader<SowsByEngagementLoader, HashMapCache>>,
    change_requests: OnceLock<DataLoader<ChangeRequestsLoader, HashMapCache>>,
    logged: OnceLock<DataLoader<LoggedLoader, HashMapCache>>,
    logged_by_phase: OnceLock<DataLoader<LoggedByPhaseLoader, HashMapCache>>,
    health: OnceLock<DataLoader<HealthLoader, HashMapCache>>,
    health_outlines: OnceLock<DataLoader<HealthOutlineLoader, HashMapCache>>,
    health_then: OnceLock<DataLoader<HealthThenLoader, HashMapCache>>,
    usage: OnceLock<DataLoader<UsageLoader, HashMapCache>>,
    goals: OnceLock<DataLoader<GoalsLoader, HashMapCache>>,
    reviews: OnceLock<DataLoader<ReviewsLoader, HashMapCache>>,
    goal: OnceLock<DataLoader<GoalLoader, HashMapCache>>,
    playbooks: OnceLock<DataLoader<PlaybookLoader, HashMapCache>>,
    risks: OnceLock<DataLoader<RisksLoader, HashMapCache>>,
    risk_tasks: OnceLock<DataLoader<RiskTasksLoader, HashMapCache>>,
    renewals: OnceLock<DataLoader<RenewalsLoader, HashMapCache>>,
    renewal_features: OnceLock<DataLoader<RenewalFeaturesLoader, HashMapCache>>,
    outlook_basis: OnceLock<DataLoader<OutlookBasisLoader, HashMapCache>>,
    opportunities: OnceLock<DataLoader<OpportunitiesLoader, HashMapCache>>,
    opportunity_stages: OnceLock<DataLoader<OpportunityStageLoader, HashMapCache>>,
    external_ids: OnceLock<DataLoader<ExternalIdsLoader, HashMapCache>>,
    timesheets: OnceLock<DataLoader<TimesheetLoader, HashMapCache>>,
    timesheet_hours: OnceLock<DataLoader<TimesheetHoursLoader, HashMapCache>>,
    timesheet_entries: OnceLock<DataLoader<TimesheetEntriesLoader, HashMapCache>>,
    phase_allocations: OnceLock<DataLoader<PhaseAllocationsLoader, HashMapCache>>,
    phase_by_id: OnceLock<DataLoader<PhaseByIdLoader, HashMapCache>>,
    templates: OnceLock<DataLoader<TemplateLoader, HashMapCache>>,
    baselines: OnceLock<DataLoader<BaselinesLoader, HashMapCache>>,
    phase_goals: OnceLock<DataLoader<PhaseGoalsLoader, HashMapCache>>,
    outcome_health: OnceLock<DataLoader<OutcomeHealthLoader, HashMapCache>>,
    outcome_revenue: OnceLock<DataLoader<OutcomeRevenueLoader, HashMapCache>>,
    engagement_outcome: OnceLock<DataLoader<EngagementOutcomeLoader, HashMapCache>>,
    catalog_scope: catalog_scope::CatalogScopeLoaders,
}

impl Loaders {
    /// Loaders for one HTTP request: batching and caching.
    pub fn new(store: Store) -> Loaders {
        Loaders::build(store, true)
    }

    /// Loaders for a WebSocket connection: batching only, never a stale row.
    pub fn uncached(store: Store) -> Loaders {
        Loaders::build(store, false)
    }

    /// Timesheets by id.
    pub fn timesheets(&self) -> &DataLoader<TimesheetLoader, HashMapCache> {
        self.slots()
            .timesheets
            .get_or_init(|| make(TimesheetLoader(self.store.clone()), self.cached))
    }

    /// Each timesheet's hours, summed in SQL.
    pub fn timesheet_hours(&self) -> &DataLoader<TimesheetHoursLoader, HashMapCache> {
        self.slots()
            .timesheet_hours
            .get_or_init(|| make(TimesheetHoursLoader(self.store.clone()), self.cached))
    }

    /// Each timesheet's time entries.
    pub fn timesheet_entries(&self) -> &DataLoader<TimesheetEntriesLoader, HashMapCache> {
        self.slots()
            .timesheet_entries
            .get_or_init(|| make(TimesheetEntriesLoader(self.store.clone()), self.cached))
    }

    /// Each phase's allocations.
    pub fn phase_allocations(&self) -> &DataLoader<PhaseAllocationsLoader, HashMapCache> {
        self.slots()
            .phase_allocations
            .get_or_init(|| make(PhaseAllocationsLoader(self.store.clone()), self.cached))
    }

    /// Phases by id.
    pub fn phase_by_id(&self) -> &DataLoader<PhaseByIdLoader, HashMapCache> {
        self.slots()
            .phase_by_id
            .get_or_init(|| make(PhaseByIdLoader(self.store.clone()), self.cached))
    }

    fn build(store: Store, cached: bool) -> Loaders {
        Loaders {
            store,
            cached,
            slots: OnceLock::new(),
        }
    }

    fn slots(&self) -> &Slots {
        self.slots.get_or_init(Box::default)
    }

    /// The loaders of phases' catalog scopes.
    pub fn catalog_scope(&self) -> catalog_scope::Scoped<'_> {
        catalog_scope::Scoped {
            store: &self.store,
            cached: self.cached,
            loaders: &self.slots().catalog_scope,
        }
    }

    /// Accounts by id.
    pub fn accounts(&self) -> &DataLoader<AccountLoader, HashMapCache> {
        self.slots()
            .accounts
            .get_or_init(|| make(AccountLoader(self.store.clone()), self.cached))
    }

    /// Team members by id.
    pub fn team_members(&self) -> &DataLoader<TeamMemberLoader, HashMapCache> {
        self.slots()
            .team_members
            .get_or_init(|| make(TeamMemberLoader(self.store.clone()), self.cached))
    }

    /// Active contacts by account.
    pub fn contacts(&self) -> &DataLoader<ContactsLoader, HashMapCache> {
        self.slots()
            .contacts
            .get_or_init(|| make(ContactsLoader(self.store.clone()), self.cached))
    }

    /// Engagements by id.
    pub fn engagements(&self) -> &DataLoader<EngagementLoader, HashMapCache> {
        self.slots()
            .engagements
            .get_or_init(|| make(EngagementLoader(self.store.clone()), self.cached))
    }

    /// Each account's engagements.
    pub fn engagements_by_account(&self) -> &DataLoader<EngagementsByAccountLoader, HashMapCache> {
        self.slots()
            .engagements_by_account
            .get_or_init(|| make(EngagementsByAccountLoader(self.store.clone()), self.cached))
    }

    /// Each engagement's phases, in order, with their dependencies.
    pub fn phases(&self) -> &DataLoader<PhasesLoader, HashMapCache> {
        self.slots()
            .phases
            .get_or_init(|| make(PhasesLoader(self.store.clone()), self.cached))
    }

    /// Each engagement's phases, in order, with only their outline read (see
    /// `engagement::phase::outlines_of_engagements`): only for phases whose fields nothing in
    /// the request reads beyond it (see `Engagement.phases`).
    pub fn phase_outlines(&self) -> &DataLoader<PhaseOutlinesLoader, HashMapCache> {
        self.slots()
            .phase_outlines
            .get_or_init(|| make(PhaseOutlinesLoader(self.store.clone()), self.cached))
    }

    /// Each engagement's phases, in order, with only their heads read (see
    /// `engagement::phase::heads_of_engagements`): only for phases whose fields nothing in the
    /// request reads beyond them (see `Engagement.phases`).
    pub fn phase_heads(&self) -> &DataLoader<PhaseHeadsLoader, HashMapCache> {
        self.slots()
            .phase_heads
            .get_or_init(|| make(PhaseHeadsLoader(self.store.clone()), self.cached))
    }

    /// Each engagement's phases, in order, with `depends_on` left empty: only for phases whose
    /// dependencies nothing in the request reads (see `Engagement.phases`).
    pub fn phases_without_dependencies(
        &self,
    ) -> &DataLoader<PhasesWithoutDependenciesLoader, HashMapCache> {
        self.slots().phases_without_dependencies.get_or_init(|| {
            make(
                PhasesWithoutDependenciesLoader(self.store.clone()),
                self.cached,
            )
        })
    }

    /// Each account's SOWs.
    pub fn sows_by_account(&self) -> &DataLoader<SowsByAccountLoader, HashMapCache> {
        self.slots()
            .sows_by_account
            .get_or_init(|| make(SowsByAccountLoader(self.store.clone()), self.cached))
    }

    /// Each engagement's SOWs.
    pub fn sows_by_engagement(&self) -> &DataLoader<SowsByEngagementLoader, HashMapCache> {
        self.slots()
            .sows_by_engagement
            .get_or_init(|| make(SowsByEngagementLoader(self.store.clone()), self.cached))
    }

    /// SOWs by id.
    pub fn sows(&self) -> &DataLoader<SowLoader, HashMapCache> {
        self.slots()
            .sows
            .get_or_init(|| make(SowLoader(self.store.clone()), self.cached))
    }

    /// Each SOW's change requests.
    pub fn change_requests(&self) -> &DataLoader<ChangeRequestsLoader, HashMapCache> {
        self.slots()
            .change_requests
            .get_or_init(|| make(ChangeRequestsLoader(self.store.clone()), self.cached))
    }

    /// Each SOW's logged time, summed in SQL.
    pub fn logged(&self) -> &DataLoader<LoggedLoader, HashMapCache> {
        self.slots()
            .logged
            .get_or_init(|| make(LoggedLoader(self.store.clone()), self.cached))
    }

    /// Each SOW's logged time per phase, summed in SQL.
    pub fn logged_by_phase(&self) -> &DataLoader<LoggedByPhaseLoader, HashMapCache> {
        self.slots()
            .logged_by_phase
            .get_or_init(|| make(LoggedByPhaseLoader(self.store.clone()), self.cached))
    }

    /// Each account's latest health score.
    pub fn health(&self) -> &DataLoader<HealthLoader, HashMapCache> {
        self.slots()
            .health
            .get_or_init(|| make(HealthLoader(self.store.clone()), self.cached))
    }

    /// Each account's latest health score without its breakdown (see
    /// `tandem_persistence::health::score::current_outlines`): only for scores whose breakdown nothing
    /// in the request reads (see `Account.health`).
    pub fn health_outlines(&self) -> &DataLoader<HealthOutlineLoader, HashMapCache> {
        self.slots()
            .health_outlines
            .get_or_init(|| make(HealthOutlineLoader(self.store.clone()), self.cached))
    }

    /// Each account's score as it stood some days ago (key: account and days).
    pub fn health_then(&self) -> &DataLoader<HealthThenLoader, HashMapCache> {
        self.slots()
            .health_then
            .get_or_init(|| make(HealthThenLoader(self.store.clone()), self.cached))
    }

    /// Each account's 30-day usage summary.
    pub fn usage(&self) -> &DataLoader<UsageLoader, HashMapCache> {
        self.slots()
            .usage
            .get_or_init(|| make(UsageLoader(self.store.clone()), self.cached))
    }

    /// Each account's goals.
    pub fn goals(&self) -> &DataLoader<GoalsLoader, HashMapCache> {
        self.slots()
            .goals
            .get_or_init(|| make(GoalsLoader(self.store.clone()), self.cached))
    }

    /// Goals by id.
    pub fn goal(&self) -> &DataLoader<GoalLoader, HashMapCache> {
        self.slots()
            .goal
            .get_or_init(|| make(GoalLoader(self.store.clone()), self.cached))
    }

    /// Each account's business reviews.
    pub fn reviews(&self) -> &DataLoader<ReviewsLoader, HashMapCache> {
        self.slots()
            .reviews
            .get_or_init(|| make(ReviewsLoader(self.store.clone()), self.cached))
    }

    /// Playbooks by id.
    pub fn playbooks(&self) -> &DataLoader<PlaybookLoader, HashMapCache> {
        self.slots()
            .playbooks
            .get_or_init(|| make(PlaybookLoader(self.store.clone()), self.cached))
    }

    /// Each account's risks, every status.
    pub fn risks(&self) -> &DataLoader<RisksLoader, HashMapCache> {
        self.slots()
            .risks
            .get_or_init(|| make(RisksLoader(self.store.clone()), self.cached))
    }

    /// Each risk's linked tasks.
    pub fn risk_tasks(&self) -> &DataLoader<RiskTasksLoader, HashMapCache> {
        self.slots()
            .risk_tasks
            .get_or_init(|| make(RiskTasksLoader(self.store.clone()), self.cached))
    }

    /// Each account's renewals, newest first.
    pub fn renewals(&self) -> &DataLoader<RenewalsLoader, HashMapCache> {
        self.slots()
            .renewals
            .get_or_init(|| make(RenewalsLoader(self.store.clone()), self.cached))
    }

    /// Each renewal's features, for its likelihood to renew.
    pub fn renewal_features(&self) -> &DataLoader<RenewalFeaturesLoader, HashMapCache> {
        self.slots()
            .renewal_features
            .get_or_init(|| make(RenewalFeaturesLoader(self.store.clone()), self.cached))
    }

    /// The closed-renewal count and the latest renewal model (key: `outlook::Latest`).
    pub fn outlook_basis(&self) -> &DataLoader<OutlookBasisLoader, HashMapCache> {
        self.slots()
            .outlook_basis
            .get_or_init(|| make(OutlookBasisLoader(self.store.clone()), self.cached))
    }

    /// Each account's opportunities, every status, soonest to close first.
    pub fn opportunities(&self) -> &DataLoader<OpportunitiesLoader, HashMapCache> {
        self.slots()
            .opportunities
            .get_or_init(|| make(OpportunitiesLoader(self.store.clone()), self.cached))
    }

    /// The pipeline's stages by id.
    pub fn opportunity_stages(&self) -> &DataLoader<OpportunityStageLoader, HashMapCache> {
        self.slots()
            .opportunity_stages
            .get_or_init(|| make(OpportunityStageLoader(self.store.clone()), self.cached))
    }

    /// Each account's, contact's or team member's external ids.
    pub fn external_ids(&self) -> &DataLoader<ExternalIdsLoader, HashMapCache> {
        self.slots().external_ids.get_or_init(|| {
            make::<_, tandem_domain::ids::AccountId>(
                ExternalIdsLoader(self.store.clone()),
                self.cached,
            )
        })
    }

    /// Engagement templates by id, archived ones included.
    pub fn templates(&self) -> &DataLoader<TemplateLoader, HashMapCache> {
        self.slots()
            .templates
            .get_or_init(|| make(TemplateLoader(self.store.clone()), self.cached))
    }

    /// Each engagement's baselines, newest first.
    pub fn baselines(&self) -> &DataLoader<BaselinesLoader, HashMapCache> {
        self.slots()
            .baselines
            .get_or_init(|| make(BaselinesLoader(self.store.clone()), self.cached))
    }

    /// The goals each phase serves, by goal id.
    pub fn phase_goals(&self) -> &DataLoader<PhaseGoalsLoader, HashMapCache> {
        self.slots()
            .phase_goals
            .get_or_init(|| make(PhaseGoalsLoader(self.store.clone()), self.cached))
    }

    /// Each accepted phase's account health at acceptance and at the checkpoints reached.
    pub fn outcome_health(&self) -> &DataLoader<OutcomeHealthLoader, HashMapCache> {
        self.slots()
            .outcome_health
            .get_or_init(|| make(OutcomeHealthLoader(self.store.clone()), self.cached))
    }

    /// Each accepted phase's account MRR movements in the window after acceptance.
    pub fn outcome_revenue(&self) -> &DataLoader<OutcomeRevenueLoader, HashMapCache> {
        self.slots()
            .outcome_revenue
            .get_or_init(|| make(OutcomeRevenueLoader(self.store.clone()), self.cached))
    }

    /// Each engagement's outcome: time to first value, approved hours, MRR movements.
    pub fn engagement_outcome(&self) -> &DataLoader<EngagementOutcomeLoader, HashMapCache> {
        self.slots()
            .engagement_outcome
            .get_or_init(|| make(EngagementOutcomeLoader(self.store.clone()), self.cached))
    }

    /// Today's MRR (minor units) by account.
    pub fn mrr(&self) -> &DataLoader<MrrLoader, HashMapCache> {
        self.slots()
            .mrr
            .get_or_init(|| make(MrrLoader(self.store.clone()), self.cached))
    }
}
