//! DataLoaders: nested fields load through these, so a page of 50 accounts costs one query per
//! nested field, not 50.
//!
//! A `Loaders` value is created per request (or per WebSocket connection) and put in that
//! request's data, never in the schema's: nothing is shared between callers. Within one HTTP
//! request a loader also caches, so the phases that four fields of an engagement need are read
//! once; a WebSocket connection's loaders only batch, so a long-lived subscription never
//! serves stale rows. Each loader is made on first use, so a request that needs none pays
//! nothing.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use chrono::Utc;
use tandem_domain::account::Account;
use tandem_domain::contact::Contact;
use tandem_domain::engagement::{Engagement, Phase};
use tandem_domain::hours::Hours;
use tandem_domain::ids::TimesheetId;
use tandem_domain::ids::{AccountId, EngagementId, PhaseId, SowId, TeamMemberId};
use tandem_domain::sow::{ChangeRequest, LoggedTime, Sow, TimeEntry};
use tandem_domain::team_member::TeamMember;
use tandem_domain::timesheet::{Allocation, Timesheet};
use tandem_persistence::outcome::{self, AcceptedPhase};
use tandem_persistence::{Store, account, contact, engagement, revenue, sow, team_member};

use crate::error::ApiError;

pub mod catalog_scope;

/// The most keys one batch carries.
const MAX_BATCH: usize = 500;

/// Lists a loader hands out many times (into its cache, to each caller that asked) behind an
/// `Arc`: a dashboard's 600 phases were otherwise deep-copied twice before any was resolved.
fn shared<K: std::hash::Hash + Eq, T>(lists: HashMap<K, Vec<T>>) -> HashMap<K, Arc<[T]>> {
    lists.into_iter().map(|(k, v)| (k, v.into())).collect()
}

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
    health_outlines: OnceLock<DataLoader<HealthLoader, HashMapCache>>,
    health_then: OnceLock<DataLoader<HealthThenLoader, HashMapCache>>,
    usage: OnceLock<DataLoader<UsageLoader, HashMapCache>>,
    goals: OnceLock<DataLoader<GoalsLoader, HashMapCache>>,
    reviews: OnceLock<DataLoader<ReviewsLoader, HashMapCache>>,
    goal: OnceLock<DataLoader<GoalLoader, HashMapCache>>,
    playbooks: OnceLock<DataLoader<PlaybookLoader, HashMapCache>>,
    risks: OnceLock<DataLoader<RisksLoader, HashMapCache>>,
    risk_tasks: OnceLock<DataLoader<RiskTasksLoader, HashMapCache>>,
    renewals: OnceLock<DataLoader<RenewalsLoader, HashMapCache>>,
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
    engagement_outcome:
        OnceLock<DataLoader<super::engagement_outcome::EngagementOutcomeLoader, HashMapCache>>,
    catalog_scope: catalog_scope::CatalogScopeLoaders,
}

fn make<T: Loader<K>, K: Send + Sync + std::hash::Hash + Eq + Clone + 'static>(
    loader: T,
    cached: bool,
) -> DataLoader<T, HashMapCache> {
    let loader = DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
        .max_batch_size(MAX_BATCH);
    loader.enable_all_cache(cached);
    loader
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
            .get_or_init(|| make(HealthLoader::new(self.store.clone(), true), self.cached))
    }

    /// Each account's latest health score without its breakdown (see
    /// `tandem_persistence::health::current_outlines`): only for scores whose breakdown nothing
    /// in the request reads (see `Account.health`).
    pub fn health_outlines(&self) -> &DataLoader<HealthLoader, HashMapCache> {
        self.slots()
            .health_outlines
            .get_or_init(|| make(HealthLoader::new(self.store.clone(), false), self.cached))
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

    /// Each account's, contact's or team member's external ids.
    pub fn external_ids(&self) -> &DataLoader<ExternalIdsLoader, HashMapCache> {
        self.slots().external_ids.get_or_init(|| {
            make::<_, AccountId>(ExternalIdsLoader(self.store.clone()), self.cached)
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
    pub fn engagement_outcome(
        &self,
    ) -> &DataLoader<super::engagement_outcome::EngagementOutcomeLoader, HashMapCache> {
        self.slots().engagement_outcome.get_or_init(|| {
            make(
                super::engagement_outcome::EngagementOutcomeLoader(self.store.clone()),
                self.cached,
            )
        })
    }

    /// Today's MRR (minor units) by account.
    pub fn mrr(&self) -> &DataLoader<MrrLoader, HashMapCache> {
        self.slots()
            .mrr
            .get_or_init(|| make(MrrLoader(self.store.clone()), self.cached))
    }
}

/// Loads accounts by id.
pub struct AccountLoader(Store);

impl Loader<AccountId> for AccountLoader {
    type Value = Account;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Account>, ApiError> {
        Ok(account::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect())
    }
}

/// Loads team members by id.
pub struct TeamMemberLoader(Store);

impl Loader<TeamMemberId> for TeamMemberLoader {
    type Value = TeamMember;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[TeamMemberId],
    ) -> Result<HashMap<TeamMemberId, TeamMember>, ApiError> {
        Ok(team_member::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect())
    }
}

/// Loads each account's active contacts.
pub struct ContactsLoader(Store);

impl Loader<AccountId> for ContactsLoader {
    type Value = Vec<Contact>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Vec<Contact>>, ApiError> {
        Ok(contact::by_accounts(&self.0, keys).await?)
    }
}

/// Loads each account's MRR today, summed in SQL.
pub struct MrrLoader(Store);

impl Loader<AccountId> for MrrLoader {
    type Value = i64;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, i64>, ApiError> {
        Ok(revenue::mrr_on(&self.0, keys, Utc::now().date_naive()).await?)
    }
}

/// Loads engagements by id.
pub struct EngagementLoader(Store);

impl Loader<EngagementId> for EngagementLoader {
    type Value = Engagement;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[EngagementId],
    ) -> Result<HashMap<EngagementId, Engagement>, ApiError> {
        Ok(engagement::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect())
    }
}

/// Loads each account's engagements.
pub struct EngagementsByAccountLoader(Store);

impl Loader<AccountId> for EngagementsByAccountLoader {
    type Value = Arc<[Engagement]>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[AccountId],
    ) -> Result<HashMap<AccountId, Arc<[Engagement]>>, ApiError> {
        Ok(shared(engagement::by_accounts(&self.0, keys).await?))
    }
}

/// A loader of each engagement's phases, in order, through one of the persistence layer's
/// readers (which differ in how much of a phase they read).
macro_rules! phases_loader {
    ($(#[$doc:meta])* $name:ident, $read:path) => {
        $(#[$doc])*
        pub struct $name(Store);

        impl Loader<EngagementId> for $name {
            type Value = Arc<[Phase]>;
            type Error = ApiError;

            async fn load(
                &self,
                keys: &[EngagementId],
            ) -> Result<HashMap<EngagementId, Arc<[Phase]>>, ApiError> {
                Ok(shared($read(&self.0, keys).await?))
            }
        }
    };
}

phases_loader!(
    /// Loads each engagement's phases.
    PhasesLoader,
    engagement::phase::of_engagements
);
phases_loader!(
    /// Loads each engagement's phases without their dependencies.
    PhasesWithoutDependenciesLoader,
    engagement::phase::of_engagements_without_dependencies
);
phases_loader!(
    /// Loads each engagement's phases, their outlines only.
    PhaseOutlinesLoader,
    engagement::phase::outlines_of_engagements
);
phases_loader!(
    /// Loads each engagement's phases, their heads only.
    PhaseHeadsLoader,
    engagement::phase::heads_of_engagements
);

/// Loads each account's SOWs.
pub struct SowsByAccountLoader(Store);

impl Loader<AccountId> for SowsByAccountLoader {
    type Value = Vec<Sow>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Vec<Sow>>, ApiError> {
        Ok(sow::by_accounts(&self.0, keys).await?)
    }
}

/// Loads SOWs by id.
pub struct SowLoader(Store);

impl Loader<SowId> for SowLoader {
    type Value = Sow;
    type Error = ApiError;

    async fn load(&self, keys: &[SowId]) -> Result<HashMap<SowId, Sow>, ApiError> {
        Ok(sow::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect())
    }
}

/// Loads each SOW's change requests.
pub struct ChangeRequestsLoader(Store);

impl Loader<SowId> for ChangeRequestsLoader {
    type Value = Vec<ChangeRequest>;
    type Error = ApiError;

    async fn load(&self, keys: &[SowId]) -> Result<HashMap<SowId, Vec<ChangeRequest>>, ApiError> {
        Ok(sow::change_requests(&self.0, keys).await?)
    }
}

/// Loads each SOW's logged-time sums.
pub struct LoggedLoader(Store);

impl Loader<SowId> for LoggedLoader {
    type Value = LoggedTime;
    type Error = ApiError;

    async fn load(&self, keys: &[SowId]) -> Result<HashMap<SowId, LoggedTime>, ApiError> {
        Ok(sow::logged_by_sow(&self.0, keys).await?)
    }
}

/// Loads each SOW's logged-time sums per phase.
pub struct LoggedByPhaseLoader(Store);

impl Loader<SowId> for LoggedByPhaseLoader {
    type Value = HashMap<Option<PhaseId>, LoggedTime>;
    type Error = ApiError;

    async fn load(&self, keys: &[SowId]) -> Result<HashMap<SowId, Self::Value>, ApiError> {
        Ok(sow::logged_by_phase(&self.0, keys).await?)
    }
}

/// Loads each engagement's SOWs.
pub struct SowsByEngagementLoader(Store);

impl Loader<EngagementId> for SowsByEngagementLoader {
    type Value = Vec<Sow>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[EngagementId],
    ) -> Result<HashMap<EngagementId, Vec<Sow>>, ApiError> {
        Ok(sow::by_engagements(&self.0, keys).await?)
    }
}

/// Loads each account's latest health score; with `breakdown` false, its breakdown left empty
/// (`tandem_persistence::health::current_outlines`).
pub struct HealthLoader {
    store: Store,
    breakdown: bool,
}

impl HealthLoader {
    fn new(store: Store, breakdown: bool) -> HealthLoader {
        HealthLoader { store, breakdown }
    }
}

impl Loader<AccountId> for HealthLoader {
    type Value = tandem_persistence::health::ScoreRecord;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        use tandem_persistence::health;
        Ok(if self.breakdown {
            health::current(&self.store, keys).await?
        } else {
            health::current_outlines(&self.store, keys).await?
        })
    }
}

/// Loads each account's score as it stood some days ago.
pub struct HealthThenLoader(Store);

impl Loader<(AccountId, i64)> for HealthThenLoader {
    type Value = f64;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[(AccountId, i64)],
    ) -> Result<HashMap<(AccountId, i64), f64>, ApiError> {
        let mut by_days: HashMap<i64, Vec<AccountId>> = HashMap::new();
        for (account, days) in keys {
            by_days.entry(*days).or_default().push(*account);
        }
        let mut out = HashMap::with_capacity(keys.len());
        let now = Utc::now();
        for (days, accounts) in by_days {
            let scores = tandem_persistence::health::as_of(
                &self.0,
                &accounts,
                now - chrono::Duration::days(days),
            )
            .await?;
            out.extend(scores.into_iter().map(|(a, s)| ((a, days), s)));
        }
        Ok(out)
    }
}

/// Loads each account's 30-day usage summary.
pub struct UsageLoader(Store);

impl Loader<AccountId> for UsageLoader {
    type Value = tandem_persistence::usage::UsageSummary;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(tandem_persistence::usage::summaries(&self.0, keys, Utc::now().date_naive()).await?)
    }
}

/// Loads each account's goals.
pub struct GoalsLoader(Store);

impl Loader<AccountId> for GoalsLoader {
    type Value = Vec<tandem_persistence::success::Goal>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(tandem_persistence::success::goals_of(&self.0, keys).await?)
    }
}

/// Loads each account's business reviews.
pub struct ReviewsLoader(Store);

impl Loader<AccountId> for ReviewsLoader {
    type Value = Vec<tandem_persistence::success::Review>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(tandem_persistence::success::reviews_of(&self.0, keys).await?)
    }
}

/// Loads goals by id.
pub struct GoalLoader(Store);

impl Loader<tandem_domain::ids::GoalId> for GoalLoader {
    type Value = tandem_persistence::success::Goal;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::GoalId],
    ) -> Result<HashMap<tandem_domain::ids::GoalId, Self::Value>, ApiError> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|k| k.0).collect();
        Ok(tandem_persistence::success::goals_by_ids(&self.0, &ids)
            .await?
            .into_iter()
            .map(|g| (g.id, g))
            .collect())
    }
}

/// Groups `items` by `key`, in their order.
fn group<K: std::hash::Hash + Eq, V>(items: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut out: HashMap<K, Vec<V>> = HashMap::new();
    for item in items {
        out.entry(key(&item)).or_default().push(item);
    }
    out
}

/// Loads playbooks by id.
pub struct PlaybookLoader(Store);

impl Loader<tandem_domain::ids::PlaybookId> for PlaybookLoader {
    type Value = tandem_persistence::playbook::Playbook;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::PlaybookId],
    ) -> Result<HashMap<tandem_domain::ids::PlaybookId, Self::Value>, ApiError> {
        Ok(tandem_persistence::playbook::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect())
    }
}

/// Loads each account's risks.
pub struct RisksLoader(Store);

impl Loader<AccountId> for RisksLoader {
    type Value = Vec<tandem_domain::renewal::Risk>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        let risks = tandem_persistence::renewal::risks_of(&self.0, keys, &[]).await?;
        Ok(group(risks, |r| r.account_id))
    }
}

/// Loads each risk's linked tasks.
pub struct RiskTasksLoader(Store);

impl Loader<tandem_domain::ids::RiskId> for RiskTasksLoader {
    type Value = Vec<tandem_domain::playbook::Task>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::RiskId],
    ) -> Result<HashMap<tandem_domain::ids::RiskId, Self::Value>, ApiError> {
        let tasks = tandem_persistence::task::of_risks(&self.0, keys).await?;
        let mut out: HashMap<tandem_domain::ids::RiskId, Self::Value> = HashMap::new();
        for t in tasks {
            if let Some(risk) = t.risk_id {
                out.entry(risk).or_default().push(t);
            }
        }
        Ok(out)
    }
}

/// Loads each account's renewals.
pub struct RenewalsLoader(Store);

impl Loader<AccountId> for RenewalsLoader {
    type Value = Vec<tandem_domain::renewal::Renewal>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        let renewals = tandem_persistence::renewal::renewals_of(&self.0, keys).await?;
        Ok(group(renewals, |r| r.account_id))
    }
}

/// Loads each account's external ids.
pub struct ExternalIdsLoader(Store);

impl Loader<AccountId> for ExternalIdsLoader {
    type Value = Vec<tandem_persistence::external::ExternalId>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|a| a.0).collect();
        let found = tandem_persistence::external::of(
            &self.0,
            tandem_domain::sync::ExternalKind::Account,
            &ids,
        )
        .await?;
        Ok(group(found, |e| AccountId(e.entity_id)))
    }
}

impl Loader<tandem_domain::ids::ContactId> for ExternalIdsLoader {
    type Value = Vec<tandem_persistence::external::ExternalId>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::ContactId],
    ) -> Result<HashMap<tandem_domain::ids::ContactId, Self::Value>, ApiError> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|c| c.0).collect();
        let found = tandem_persistence::external::of(
            &self.0,
            tandem_domain::sync::ExternalKind::Contact,
            &ids,
        )
        .await?;
        Ok(group(found, |e| tandem_domain::ids::ContactId(e.entity_id)))
    }
}

impl Loader<TeamMemberId> for ExternalIdsLoader {
    type Value = Vec<tandem_persistence::external::ExternalId>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[TeamMemberId],
    ) -> Result<HashMap<TeamMemberId, Self::Value>, ApiError> {
        let ids: Vec<uuid::Uuid> = keys.iter().map(|m| m.0).collect();
        let found = tandem_persistence::external::of(
            &self.0,
            tandem_domain::sync::ExternalKind::TeamMember,
            &ids,
        )
        .await?;
        Ok(group(found, |e| TeamMemberId(e.entity_id)))
    }
}

/// Loads timesheets by id.
pub struct TimesheetLoader(Store);

impl Loader<TimesheetId> for TimesheetLoader {
    type Value = Timesheet;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[TimesheetId],
    ) -> Result<HashMap<TimesheetId, Timesheet>, ApiError> {
        Ok(tandem_persistence::timesheet::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }
}

/// Loads each timesheet's hours.
pub struct TimesheetHoursLoader(Store);

impl Loader<TimesheetId> for TimesheetHoursLoader {
    type Value = Hours;
    type Error = ApiError;

    async fn load(&self, keys: &[TimesheetId]) -> Result<HashMap<TimesheetId, Hours>, ApiError> {
        Ok(tandem_persistence::timesheet::hours(&self.0, keys).await?)
    }
}

/// Loads each timesheet's time entries.
pub struct TimesheetEntriesLoader(Store);

impl Loader<TimesheetId> for TimesheetEntriesLoader {
    type Value = Vec<TimeEntry>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[TimesheetId],
    ) -> Result<HashMap<TimesheetId, Vec<TimeEntry>>, ApiError> {
        let entries = sow::entries_of_timesheets(&self.0, keys).await?;
        let mut out: HashMap<TimesheetId, Vec<TimeEntry>> = HashMap::new();
        for e in entries {
            if let Some(sheet) = e.timesheet_id {
                out.entry(sheet).or_default().push(e);
            }
        }
        Ok(out)
    }
}

/// Loads each phase's allocations.
pub struct PhaseAllocationsLoader(Store);

impl Loader<PhaseId> for PhaseAllocationsLoader {
    type Value = Vec<Allocation>;
    type Error = ApiError;

    async fn load(&self, keys: &[PhaseId]) -> Result<HashMap<PhaseId, Vec<Allocation>>, ApiError> {
        let all = tandem_persistence::timesheet::allocations_of_phases(&self.0, keys).await?;
        Ok(group(all, |a| a.phase_id))
    }
}

/// Loads phases by id.
pub struct PhaseByIdLoader(Store);

impl Loader<PhaseId> for PhaseByIdLoader {
    type Value = Phase;
    type Error = ApiError;

    async fn load(&self, keys: &[PhaseId]) -> Result<HashMap<PhaseId, Phase>, ApiError> {
        Ok(engagement::phase::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect())
    }
}

/// Loads engagement templates by id.
pub struct TemplateLoader(Store);

impl Loader<tandem_domain::ids::TemplateId> for TemplateLoader {
    type Value = tandem_domain::template::Template;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::TemplateId],
    ) -> Result<HashMap<tandem_domain::ids::TemplateId, Self::Value>, ApiError> {
        Ok(tandem_persistence::template::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }
}

/// Loads each engagement's baselines, newest first.
pub struct BaselinesLoader(Store);

impl Loader<EngagementId> for BaselinesLoader {
    type Value = Vec<tandem_domain::baseline::Baseline>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[EngagementId],
    ) -> Result<HashMap<EngagementId, Self::Value>, ApiError> {
        Ok(engagement::baseline::of_engagements(&self.0, keys).await?)
    }
}

/// Loads the goals each phase serves: one query per batch.
pub struct PhaseGoalsLoader(Store);

impl Loader<PhaseId> for PhaseGoalsLoader {
    type Value = Vec<tandem_persistence::success::Goal>;
    type Error = ApiError;

    async fn load(&self, keys: &[PhaseId]) -> Result<HashMap<PhaseId, Self::Value>, ApiError> {
        Ok(outcome::goals_of_phases(&self.0, keys).await?)
    }
}

/// Loads accepted phases' health figures: one query per batch for all of them.
pub struct OutcomeHealthLoader(Store);

impl Loader<AcceptedPhase> for OutcomeHealthLoader {
    type Value = HashMap<u64, outcome::ScorePoint>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[AcceptedPhase],
    ) -> Result<HashMap<AcceptedPhase, Self::Value>, ApiError> {
        let mut found = outcome::health(&self.0, keys, Utc::now().date_naive()).await?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.remove(&k.phase).unwrap_or_default()))
            .collect())
    }
}

/// Loads accepted phases' revenue movements, summed in SQL: one query per batch.
pub struct OutcomeRevenueLoader(Store);

impl Loader<AcceptedPhase> for OutcomeRevenueLoader {
    type Value = outcome::RevenueOutcome;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[AcceptedPhase],
    ) -> Result<HashMap<AcceptedPhase, Self::Value>, ApiError> {
        let mut found = outcome::revenue(&self.0, keys, Utc::now().date_naive()).await?;
        Ok(keys
            .iter()
            .filter_map(|k| found.remove(&k.phase).map(|v| (*k, v)))
            .collect())
    }
}
