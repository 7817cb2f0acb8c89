//! The demo data set: a deterministic, realistic book of business for trying Tandem. The same
//! data every time (a seeded generator, fixed dates), loaded only into an empty database.

use chrono::{Duration, NaiveDate};
use serde_json::json;
use tandem_domain::account::{CompanySize, LifecycleStage, Needs, NewAccount, TouchTier};
use tandem_domain::auth::Role;
use tandem_domain::contact::{NewContact, StakeholderRole};
use tandem_domain::engagement::{
    EngagementKind, EngagementStatus, FocusKind, Milestone, NewEngagement, NewPhase, PhaseStatus,
};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{PhaseId, TeamMemberId};
use tandem_domain::money::{Currency, Money};
use tandem_domain::signals::NewRevenueMovement;
use tandem_domain::sow::{
    ChangeRequestStatus, NewSow, NewTimeEntry, Rate, ScopeItem, SowStatus, WorkKind,
};
use tandem_domain::team_member::{NewTeamMember, Team, TeamMember};
use tandem_persistence::account::AccountFilter;
use tandem_persistence::engagement::{self, phase};
use tandem_persistence::{
    PersistenceResult, Store, account, catalog, contact, revenue, sow, team_member,
};

mod catalog_scope;
mod health;
mod opportunities;
mod outcomes;
pub mod outlook;
mod seed;
mod templates;
mod time;

use seed::{ACTOR, Rng};

/// How many accounts the demo creates.
pub const ACCOUNTS: usize = 240;
/// The demo administrator's e-mail address; the demo token is theirs.
pub const ADMIN_EMAIL: &str = "alex.morgan@tandem.example";

const FIRST: &[&str] = &[
    "Alex", "Sam", "Jordan", "Priya", "Mateo", "Chen", "Amara", "Lukas", "Sofia", "Kenji", "Noor",
    "Elena", "Tomas", "Aisha", "Ravi", "Hannah", "Diego", "Ingrid", "Kwame", "Yuki", "Fatima",
    "Oliver", "Leila", "Marco", "Zara", "Felix", "Nadia", "Ethan", "Mei", "Isaac",
];
const LAST: &[&str] = &[
    "Morgan",
    "Patel",
    "Okafor",
    "Nguyen",
    "Schmidt",
    "Rossi",
    "Kim",
    "Haddad",
    "Silva",
    "Larsen",
    "Novak",
    "Fernandez",
    "Tanaka",
    "Mensah",
    "Kowalski",
    "Dubois",
    "Hughes",
    "Ivanova",
    "Cohen",
    "Mbeki",
    "Andersen",
    "Walsh",
    "Moreau",
    "Yilmaz",
    "Costa",
];
const PREFIX: &[&str] = &[
    "Northwind",
    "Bluefin",
    "Cedar",
    "Summit",
    "Harbor",
    "Juniper",
    "Atlas",
    "Copper",
    "Meadow",
    "Lumen",
    "Granite",
    "Willow",
    "Orbit",
    "Saffron",
    "Tidewater",
    "Ember",
    "Falcon",
    "Maple",
    "Quartz",
    "Sierra",
    "Velvet",
    "Aurora",
    "Birch",
    "Coral",
    "Drift",
    "Evergreen",
    "Fable",
    "Glacier",
    "Hollow",
    "Indigo",
];
/// Name endings and the industry a store with that name is in.
const SUFFIX: &[(&str, &str)] = &[
    ("Outfitters", "Sporting Goods"),
    ("Apparel", "Apparel & Footwear"),
    ("Home", "Home & Garden"),
    ("Goods", "Home & Garden"),
    ("Supply", "B2B Wholesale"),
    ("Collective", "Apparel & Footwear"),
    ("Living", "Furniture"),
    ("Gear", "Sporting Goods"),
    ("Market", "Grocery & Gourmet"),
    ("Studio", "Jewelry & Accessories"),
    ("Beauty", "Health & Beauty"),
    ("Electronics", "Consumer Electronics"),
    ("Kitchen", "Home & Garden"),
    ("Pets", "Pet Supplies"),
    ("Cycles", "Sporting Goods"),
    ("Wholesale", "B2B Wholesale"),
    ("Furniture", "Furniture"),
    ("Toys", "Toys & Games"),
    ("Jewelry", "Jewelry & Accessories"),
    ("Provisions", "Grocery & Gourmet"),
];
const REGIONS: &[&str] = &["NA", "EMEA", "APAC", "LATAM"];
const TAGS: &[&str] = &[
    "vip",
    "beta-program",
    "multi-brand",
    "b2b",
    "headless",
    "legacy:magento",
    "legacy:salesforce-cc",
    "reference-customer",
    "marketplace",
    "international",
];
const JOBS: &[&str] = &[
    "Launch new product lines without engineering help",
    "Sell across several storefronts from one catalog",
    "Offer B2B price lists next to retail",
    "Run seasonal campaigns on time",
    "Expand into new countries and currencies",
];
const PAINS: &[&str] = &[
    "Variant explosion makes the catalog slow to manage",
    "The legacy platform needs a developer for every change",
    "Product data is inconsistent across channels",
    "Checkout conversion dropped after the last redesign",
    "Peak-season traffic takes the storefront down",
];
const DRIVERS: &[&str] = &[
    "Time to market",
    "Lower total cost of ownership",
    "Conversion rate",
    "Operational efficiency",
    "Customer lifetime value",
];

/// What the demo loaded.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// Accounts created (0 when the database already held data).
    pub accounts: usize,
    /// Contacts created.
    pub contacts: usize,
    /// Team members created.
    pub team_members: usize,
    /// Engagements created.
    pub engagements: usize,
    /// The subject to issue the demo admin token for.
    pub admin_subject: String,
}

fn email_local(name: &str) -> String {
    name.to_lowercase().replace(' ', ".")
}

/// Loads the demo data set into an empty database; leaves a database with accounts alone.
pub async fn load(store: &Store) -> PersistenceResult<DemoSummary> {
    let existing = account::count(
        store,
        &AccountFilter {
            include_archived: true,
            ..Default::default()
        },
    )
    .await?;
    if existing > 0 {
        let admin = team_member::list(store, None, false)
            .await?
            .into_iter()
            .find(|m| m.data.email == ADMIN_EMAIL);
        return Ok(DemoSummary {
            accounts: 0,
            contacts: 0,
            team_members: 0,
            engagements: 0,
            admin_subject: admin.map_or_else(|| "demo-admin".to_owned(), |m| m.id.to_string()),
        });
    }
    let mut rng = Rng(0x7A4D_E300_2026_1123);
    let team = load_team(store).await?;
    load_playbooks(store).await?;
    let cs: Vec<TeamMemberId> = team
        .iter()
        .filter(|m| m.data.team == Team::CustomerSuccess)
        .map(|m| m.id)
        .collect();
    let services: Vec<TeamMemberId> = team
        .iter()
        .filter(|m| m.data.team == Team::Services)
        .map(|m| m.id)
        .collect();
    let base = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    let mut movements = Vec::new();
    let mut contacts = 0;
    let mut engagements = 0;
    let mut catalog_accounts: Vec<(tandem_domain::ids::AccountId, &str)> = Vec::new();
    let mut customers: Vec<health::Customer> = Vec::new();
    for i in 0..ACCOUNTS {
        let (suffix, industry) = SUFFIX[(i / PREFIX.len() + i * 7) % SUFFIX.len()];
        let name = format!("{} {suffix}", PREFIX[i % PREFIX.len()]);
        let plan_index = rng.below(100);
        let (plan, tier, base_mrr) = match plan_index {
            0..=14 => (
                "Enterprise",
                TouchTier::High,
                2_500_000 + rng.below(40) as i64 * 100_000,
            ),
            15..=39 => (
                "Plus",
                TouchTier::Medium,
                800_000 + rng.below(20) as i64 * 50_000,
            ),
            40..=69 => (
                "Growth",
                TouchTier::Low,
                200_000 + rng.below(20) as i64 * 20_000,
            ),
            _ => (
                "Starter",
                TouchTier::Tech,
                29_900 + rng.below(10) as i64 * 10_000,
            ),
        };
        let stage = *rng.pick(&[
            LifecycleStage::Onboarding,
            LifecycleStage::Adoption,
            LifecycleStage::Adoption,
            LifecycleStage::Expansion,
            LifecycleStage::Expansion,
            LifecycleStage::Renewal,
            LifecycleStage::Churned,
        ]);
        let size = match tier {
            TouchTier::High => *rng.pick(&[CompanySize::Size1001To5000, CompanySize::Size5001Plus]),
            TouchTier::Medium => {
                *rng.pick(&[CompanySize::Size201To1000, CompanySize::Size1001To5000])
            }
            TouchTier::Low => *rng.pick(&[CompanySize::Size51To200, CompanySize::Size201To1000]),
            TouchTier::Tech => *rng.pick(&[CompanySize::Size1To10, CompanySize::Size11To50]),
        };
        let owner = match tier {
            TouchTier::High | TouchTier::Medium => Some(*rng.pick(&cs)),
            TouchTier::Low => rng.chance(50).then(|| *rng.pick(&cs)),
            TouchTier::Tech => None,
        };
        let currency = match *rng.pick(REGIONS) {
            "EMEA" if rng.chance(60) => "EUR",
            _ => "USD",
        };
        let region = *rng.pick(REGIONS);
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..rng.below(4) {
            tags.push((*rng.pick(TAGS)).to_owned());
        }
        let started = base - Duration::days(60 + rng.below(900) as i64);
        let domain = format!("{}.example", email_local(&name).replace('.', "-"));
        let data = NewAccount {
            name: name.clone(),
            domain: Some(domain.clone()),
            industry: Some(industry.to_owned()),
            company_size: Some(size),
            region: Some(region.to_owned()),
            plan: Some(plan.to_owned()),
            touch_tier: tier,
            lifecycle_stage: stage,
            owner_id: owner,
            renewal_date: (stage != LifecycleStage::Churned)
                .then(|| base + Duration::days(rng.below(365) as i64)),
            currency: Some(currency.to_owned()),
            tags,
            traits: Some(json!({
                "crmId": format!("ACC-{:05}", i + 1),
                "storefronts": 1 + rng.below(6),
                "servicesLead": services.get(rng.below(services.len().max(1))).map(|m| m.to_string()),
            })),
            needs: Needs {
                jobs_to_be_done: vec![(*rng.pick(JOBS)).to_owned()],
                pain_points: vec![(*rng.pick(PAINS)).to_owned(), (*rng.pick(PAINS)).to_owned()],
                value_drivers: vec![(*rng.pick(DRIVERS)).to_owned()],
            },
        };
        let data = data.validate()?;
        let currency = data.currency;
        let created = account::create(store, ACTOR, data).await?;
        if matches!(tier, TouchTier::High | TouchTier::Medium)
            && stage != LifecycleStage::Churned
            && ["Apparel & Footwear", "Furniture", "Consumer Electronics"].contains(&industry)
            && !catalog_accounts.iter().any(|(_, ind)| *ind == industry)
        {
            catalog_accounts.push((created.id, industry));
        }
        if matches!(tier, TouchTier::High | TouchTier::Medium)
            && stage != LifecycleStage::Churned
            && i % 2 == 0
        {
            let lead = services.get(i % services.len().max(1)).copied();
            engagements += load_engagement(store, created.id, lead, i, base).await?;
        }
        for c in 0..1 + rng.below(4) {
            let person = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
            let role = [
                StakeholderRole::Champion,
                StakeholderRole::DecisionMaker,
                StakeholderRole::EndUser,
                StakeholderRole::Billing,
            ][c % 4];
            let new = NewContact {
                name: person.clone(),
                email: format!("{}@{domain}", email_local(&person)),
                title: Some(
                    match role {
                        StakeholderRole::Champion => "Head of E-commerce",
                        StakeholderRole::DecisionMaker => "Chief Digital Officer",
                        StakeholderRole::EndUser => "Merchandising Manager",
                        StakeholderRole::Billing => "Finance Manager",
                    }
                    .to_owned(),
                ),
                phone: rng
                    .chance(50)
                    .then(|| format!("+1 555 {:03} {:04}", rng.below(1000), rng.below(10_000))),
                stakeholder_role: role,
            };
            // Two generated people can share a name; the second is simply skipped.
            if contact::create(store, ACTOR, created.id, new.validate()?)
                .await
                .is_ok()
            {
                contacts += 1;
            }
        }
        customers.push(health::Customer {
            id: created.id,
            tier,
            stage,
            started,
        });
        movements.extend(revenue_history(
            &mut rng, created.id, currency, base_mrr, started, stage, base,
        ));
    }
    revenue::import(store, &movements).await?;
    let facilitator = services.first().copied();
    for (account, industry) in &catalog_accounts {
        load_catalog(store, *account, industry, facilitator, base).await?;
    }
    health::load(store, &mut rng, &customers).await?;
    outcomes::load(store).await?;
    catalog_scope::load(store, &catalog_accounts).await?;
    load_activities(store, &mut rng, &customers, &cs).await?;
    let live: Vec<tandem_domain::ids::AccountId> = customers
        .iter()
        .filter(|c| c.stage != LifecycleStage::Churned)
        .map(|c| c.id)
        .collect();
    outlook::closed_renewals(store, &live, outlook::CLOSED, 0x0A7C_2026_0029).await?;
    load_renewals(store, &mut rng, &customers, &cs).await?;
    opportunities::load(store, &mut rng, &live, &cs).await?;
    // A fitted renewal model from the start, so the outlook answers with scores and a backtest.
    match crate::service::outlook::fit(store, ACTOR, &crate::settings::OutlookSettings::default())
        .await
    {
        Ok(refit) => {
            tracing::info!(version = ?version_of(&refit), "fitted the demo's renewal model")
        }
        Err(e) => tracing::warn!(error = %e.message, "cannot fit the demo's renewal model"),
    }
    if let Some(admin) = team.iter().find(|m| m.data.email == ADMIN_EMAIL) {
        time::load(store, &team, admin, base).await?;
    }
    templates::load(store, &customers, services.first().copied(), base).await?;
    let admin = team
        .iter()
        .find(|m| m.data.email == ADMIN_EMAIL)
        .map(|m| m.id.to_string());
    Ok(DemoSummary {
        accounts: ACCOUNTS,
        contacts,
        team_members: team.len(),
        engagements,
        admin_subject: admin.unwrap_or_else(|| "demo-admin".into()),
    })
}

fn revenue_history(
    rng: &mut Rng,
    account_id: tandem_domain::ids::AccountId,
    currency: Currency,
    base_mrr: i64,
    started: NaiveDate,
    stage: LifecycleStage,
    today: NaiveDate,
) -> Vec<NewRevenueMovement> {
    let money = |minor| Money::new(minor, currency);
    let mut out = vec![NewRevenueMovement {
        account_id,
        kind: "NEW",
        amount: money(base_mrr),
        effective_on: started,
    }];
    let mut mrr = base_mrr;
    let mut day = started;
    for _ in 0..rng.below(4) {
        day += Duration::days(60 + rng.below(120) as i64);
        if day >= today {
            break;
        }
        let (kind, delta) = if rng.chance(70) {
            ("EXPANSION", mrr / 10 * (1 + rng.below(3) as i64))
        } else {
            ("CONTRACTION", -(mrr / 10))
        };
        mrr += delta;
        out.push(NewRevenueMovement {
            account_id,
            kind,
            amount: money(delta),
            effective_on: day,
        });
    }
    if stage == LifecycleStage::Churned {
        out.push(NewRevenueMovement {
            account_id,
            kind: "CHURN",
            amount: money(-mrr),
            effective_on: today - Duration::days(rng.below(50) as i64),
        });
    }
    out
}

/// The phases of a typical phased replatforming: the catalog model first, then product lines
/// that depend on it, then a problem worth solving once the catalog has moved.
const PHASES: &[(&str, FocusKind, &str, &str)] = &[
    (
        "Catalog model",
        FocusKind::Problem,
        "A clean, agreed catalog model",
        "Every later phase moves a model the merchant has signed off",
    ),
    (
        "Apparel",
        FocusKind::ProductLine,
        "Apparel",
        "The best-selling line sells on the new platform",
    ),
    (
        "Footwear",
        FocusKind::ProductLine,
        "Footwear",
        "Size and width variants without workarounds",
    ),
    (
        "Checkout",
        FocusKind::Problem,
        "Slow checkout on mobile",
        "Mobile conversion back above last year's",
    ),
];

/// One replatforming engagement, in a state that depends on `i`: planned, early, mid-way, on
/// hold, or complete. Returns how many engagements it created (1).
async fn load_engagement(
    store: &Store,
    account: tandem_domain::ids::AccountId,
    lead: Option<TeamMemberId>,
    i: usize,
    today: NaiveDate,
) -> PersistenceResult<usize> {
    // How far this engagement has come: 0 planned … 4 complete; 5 paused mid-way.
    let stage = (i / 2) % 6;
    let start = if stage == 0 {
        today + Duration::days(14)
    } else {
        today - Duration::days(40 + (i % 9) as i64 * 25)
    };
    let data = NewEngagement {
        name: "Phased replatforming".into(),
        kind: EngagementKind::Replatforming,
        source_platform: Some(
            (*[
                "Legacy Commerce 6",
                "Magento 1",
                "Salesforce Commerce Cloud",
                "WooCommerce",
            ]
            .get(i % 4)
            .unwrap_or(&"Legacy"))
            .to_owned(),
        ),
        target_platform: Some("Tandem Commerce".into()),
        lead_id: lead,
        description: Some(
            "Move the storefront one product line at a time, catalog model first.".into(),
        ),
        planned_start: Some(start),
    }
    .validate()?;
    let e = engagement::create(store, ACTOR, account, data).await?;
    let mut ids: Vec<PhaseId> = Vec::new();
    for (n, (name, focus_kind, focus, value)) in PHASES.iter().enumerate().take(3 + (i / 2) % 2) {
        let planned_start = start + Duration::days(n as i64 * 30);
        let data = NewPhase {
            name: (*name).into(),
            focus_kind: *focus_kind,
            focus: (*focus).into(),
            objective: Some(format!("Move {} to the new platform", focus.to_lowercase())),
            expected_value: Some((*value).into()),
            planned_start: Some(planned_start),
            planned_end: Some(planned_start + Duration::days(28)),
            milestones: vec![Milestone {
                name: "Kick-off".into(),
                due: Some(planned_start),
                done_on: None,
            }],
            scope: vec![],
        }
        .validate()?;
        let depends_on = if n == 0 { vec![] } else { vec![ids[0]] };
        ids.push(
            phase::create(store, ACTOR, e.id, data, depends_on)
                .await?
                .id,
        );
    }
    load_sow(store, account, e.id, &ids, lead, stage, i, start, today).await?;
    if stage == 0 {
        return Ok(1);
    }
    let version = engagement::transition(store, ACTOR, e.id, 1, EngagementStatus::Active)
        .await?
        .version;
    let accepted = match stage {
        1 => 0,
        2 | 5 => 1,
        3 => 2,
        _ => ids.len(),
    };
    for (n, id) in ids.iter().enumerate() {
        let day = |offset: i64| (start + Duration::days(n as i64 * 30 + offset)).min(today);
        if n < accepted {
            let p =
                phase::transition(store, ACTOR, *id, 1, PhaseStatus::InProgress, day(2)).await?;
            let late = (i % 7) as i64;
            let p = phase::transition(
                store,
                ACTOR,
                *id,
                p.version,
                PhaseStatus::Delivered,
                day(26 + late),
            )
            .await?;
            phase::transition(
                store,
                ACTOR,
                *id,
                p.version,
                PhaseStatus::Accepted,
                day(30 + late),
            )
            .await?;
        } else {
            // The next phase is under way; the rest wait for it.
            phase::transition(store, ACTOR, *id, 1, PhaseStatus::InProgress, day(3)).await?;
            break;
        }
    }
    match stage {
        4 => {
            engagement::transition(store, ACTOR, e.id, version, EngagementStatus::Completed)
                .await?;
        }
        5 => {
            engagement::transition(store, ACTOR, e.id, version, EngagementStatus::OnHold).await?;
        }
        _ => {}
    }
    Ok(1)
}

/// The SOW that prices an engagement: proposed while the engagement is planned; otherwise
/// signed, with time logged on the phases worked so far, a little T&M beside it, and a change
/// request (approved on every other engagement, still open on the rest).
#[allow(clippy::too_many_arguments)]
async fn load_sow(
    store: &Store,
    account: tandem_domain::ids::AccountId,
    engagement_id: tandem_domain::ids::EngagementId,
    phases: &[PhaseId],
    lead: Option<TeamMemberId>,
    stage: usize,
    i: usize,
    start: NaiveDate,
    today: NaiveDate,
) -> PersistenceResult<()> {
    let hours = |h: i64| Hours(h * 100);
    let scope: Vec<ScopeItem> = phases
        .iter()
        .zip(PHASES)
        .map(|(id, (name, ..))| ScopeItem {
            deliverable: format!("{name}: live on the new platform"),
            estimated_hours: hours(80 + (i as i64 % 5) * 20),
            phase_id: Some(*id),
        })
        .collect();
    let estimated: i64 = scope.iter().map(|s| s.estimated_hours.0).sum();
    let input = NewSow {
        title: format!("Phased replatforming: {} phases", phases.len()),
        currency: None,
        fixed_price: estimated * 16_000 / 100,
        rate_card: vec![
            Rate {
                role: "Solutions Architect".into(),
                hourly_rate: 22_000,
            },
            Rate {
                role: "Developer".into(),
                hourly_rate: 16_000,
            },
            Rate {
                role: "Project Manager".into(),
                hourly_rate: 14_000,
            },
        ],
        scope,
        tm_hours_cap: Some(hours(60)),
        tm_amount_cap: Some(1_000_000),
    };
    let s = sow::create(store, ACTOR, account, Some(engagement_id), input).await?;
    let s = sow::transition(store, ACTOR, s.id, 1, SowStatus::Proposed, start.min(today)).await?;
    if stage == 0 {
        return Ok(());
    }
    let s = sow::transition(
        store,
        ACTOR,
        s.id,
        s.version,
        SowStatus::Signed,
        start.min(today),
    )
    .await?;
    let s = sow::transition(
        store,
        ACTOR,
        s.id,
        s.version,
        SowStatus::InDelivery,
        start.min(today),
    )
    .await?;
    let Some(member) = lead else {
        return Ok(());
    };
    let worked = match stage {
        1 => 1,
        2 | 5 => 2,
        3 => 3,
        _ => phases.len(),
    };
    for (n, phase) in phases.iter().enumerate().take(worked) {
        for day in 0..4 {
            let on = (start + Duration::days(n as i64 * 30 + 3 + day * 5)).min(today);
            let entry = |role: &str, h: i64, kind| NewTimeEntry {
                team_member_id: member,
                role: role.into(),
                phase_id: Some(*phase),
                worked_on: on,
                hours: hours(h),
                kind,
                note: None,
            };
            sow::log_time(
                store,
                ACTOR,
                s.id,
                entry("Developer", 8, WorkKind::InScope),
                today,
            )
            .await?;
            if day % 2 == 0 {
                sow::log_time(
                    store,
                    ACTOR,
                    s.id,
                    entry("Solutions Architect", 4, WorkKind::InScope),
                    today,
                )
                .await?;
            }
            if (day + i as i64) % 3 == 0 {
                sow::log_time(
                    store,
                    ACTOR,
                    s.id,
                    entry("Developer", 3, WorkKind::TimeAndMaterials),
                    today,
                )
                .await?;
            }
        }
    }
    let cr = sow::raise_change_request(
        store,
        "demo-customer-success",
        s.id,
        hours(24),
        400_000,
        "Extra B2B price lists requested after signing",
    )
    .await?;
    if i.is_multiple_of(4) {
        sow::decide_change_request(store, ACTOR, cr.id, 1, ChangeRequestStatus::Approved).await?;
    }
    Ok(())
}

/// A catalog model for an account of `industry`: apparel (size × colour) published and then
/// extended in the draft; furniture (material × finish) published; electronics (storage ×
/// colour) still a draft with issues to fix. Each with the session that built it.
async fn load_catalog(
    store: &Store,
    account: tandem_domain::ids::AccountId,
    industry: &str,
    facilitator: Option<TeamMemberId>,
    today: NaiveDate,
) -> PersistenceResult<()> {
    use serde_json::json;
    use std::collections::BTreeMap;
    use tandem_domain::catalog::session::SessionData;
    use tandem_domain::catalog::{
        AttributeDef, AttributeKind, AttributeLevel, CatalogModel, OptionAxis, PlatformLimits,
        Product, ProductType, VariantValues,
    };
    let attr = |key: &str, name: &str, kind, allowed: &[&str], level| AttributeDef {
        key: key.into(),
        name: name.into(),
        kind,
        allowed: allowed.iter().map(|s| s.to_string()).collect(),
        required: true,
        level,
    };
    let axis = |key: &str, name: &str, values: &[&str]| OptionAxis {
        key: key.into(),
        name: name.into(),
        values: values.iter().map(|s| s.to_string()).collect(),
    };
    let product = |key: &str,
                   name: &str,
                   ty: &str,
                   line: &str,
                   axes: &[&str],
                   attrs: serde_json::Value,
                   weight: i64| Product {
        key: key.into(),
        name: name.into(),
        product_type: ty.into(),
        product_line: line.into(),
        axes: axes.iter().map(|s| s.to_string()).collect(),
        excluded: vec![],
        attributes: serde_json::from_value(attrs).unwrap_or_default(),
        variant_values: vec![VariantValues {
            when: BTreeMap::new(),
            values: BTreeMap::from([("weight".into(), json!(weight))]),
        }],
        sku_pattern: format!(
            "{{product}}-{}",
            axes.iter()
                .map(|a| format!("{{{a}}}"))
                .collect::<Vec<_>>()
                .join("-")
        ),
    };
    let (title, model, publish) = match industry {
        "Apparel & Footwear" => {
            let mut tee = product(
                "TEE",
                "Classic tee",
                "top",
                "Apparel",
                &["size", "colour"],
                json!({"material": "Cotton"}),
                180,
            );
            tee.excluded.push(BTreeMap::from([
                ("size".into(), "XXL".into()),
                ("colour".into(), "Sand".into()),
            ]));
            (
                "Apparel catalog workshop",
                CatalogModel {
                    product_types: vec![ProductType {
                        key: "top".into(),
                        name: "Top".into(),
                        attributes: vec![
                            attr(
                                "material",
                                "Material",
                                AttributeKind::Enum,
                                &["Cotton", "Linen", "Merino"],
                                AttributeLevel::Product,
                            ),
                            attr(
                                "weight",
                                "Weight (g)",
                                AttributeKind::Number,
                                &[],
                                AttributeLevel::Variant,
                            ),
                        ],
                    }],
                    axes: vec![
                        axis("size", "Size", &["XS", "S", "M", "L", "XL", "XXL"]),
                        axis("colour", "Colour", &["Black", "White", "Sand", "Navy"]),
                    ],
                    products: vec![
                        tee,
                        product(
                            "POLO",
                            "Piqué polo",
                            "top",
                            "Apparel",
                            &["size", "colour"],
                            json!({"material": "Cotton"}),
                            220,
                        ),
                        product(
                            "KNIT",
                            "Merino knit",
                            "top",
                            "Apparel",
                            &["size"],
                            json!({"material": "Merino"}),
                            300,
                        ),
                    ],
                    limits: PlatformLimits::default(),
                },
                true,
            )
        }
        "Furniture" => (
            "Furniture catalog workshop",
            CatalogModel {
                product_types: vec![ProductType {
                    key: "table".into(),
                    name: "Table".into(),
                    attributes: vec![
                        attr(
                            "seats",
                            "Seats",
                            AttributeKind::Number,
                            &[],
                            AttributeLevel::Product,
                        ),
                        attr(
                            "weight",
                            "Weight (kg)",
                            AttributeKind::Number,
                            &[],
                            AttributeLevel::Variant,
                        ),
                    ],
                }],
                axes: vec![
                    axis("material", "Material", &["Oak", "Walnut", "Ash"]),
                    axis("finish", "Finish", &["Oiled", "Lacquered"]),
                ],
                products: vec![
                    product(
                        "DINE-6",
                        "Dining table, 6 seats",
                        "table",
                        "Dining",
                        &["material", "finish"],
                        json!({"seats": 6}),
                        48,
                    ),
                    product(
                        "DINE-8",
                        "Dining table, 8 seats",
                        "table",
                        "Dining",
                        &["material", "finish"],
                        json!({"seats": 8}),
                        62,
                    ),
                ],
                limits: PlatformLimits::default(),
            },
            true,
        ),
        _ => {
            // Still being modelled: a phone without its required colour-level weight on one
            // storage size, and a SKU pattern that forgets the colour.
            let mut phone = product(
                "PHONE-X",
                "Phone X",
                "phone",
                "Phones",
                &["storage", "colour"],
                json!({"screen": 6.1}),
                0,
            );
            phone.variant_values = vec![VariantValues {
                when: BTreeMap::from([("storage".into(), "128 GB".into())]),
                values: BTreeMap::from([("weight".into(), json!(171))]),
            }];
            phone.sku_pattern = "{product}-{storage}".into();
            (
                "Electronics catalog workshop",
                CatalogModel {
                    product_types: vec![ProductType {
                        key: "phone".into(),
                        name: "Phone".into(),
                        attributes: vec![
                            attr(
                                "screen",
                                "Screen (in)",
                                AttributeKind::Number,
                                &[],
                                AttributeLevel::Product,
                            ),
                            attr(
                                "weight",
                                "Weight (g)",
                                AttributeKind::Number,
                                &[],
                                AttributeLevel::Variant,
                            ),
                        ],
                    }],
                    axes: vec![
                        axis("storage", "Storage", &["128 GB", "256 GB", "512 GB"]),
                        axis("colour", "Colour", &["Graphite", "Silver", "Blue"]),
                    ],
                    products: vec![phone],
                    limits: PlatformLimits::default(),
                },
                false,
            )
        }
    };
    let session = catalog::schedule(
        store,
        ACTOR,
        account,
        SessionData {
            title: title.into(),
            phase_id: None,
            facilitator_id: facilitator,
            scheduled_at: (today - Duration::days(10))
                .and_hms_opt(9, 0, 0)
                .unwrap_or_default()
                .and_utc(),
            attendees: vec![],
            notes: Some("Walked through the legacy catalog export with merchandising.".into()),
            decisions: vec![],
        },
    )
    .await?;
    let draft = catalog::change_draft(store, ACTOR, account, 0, |m| {
        *m = model;
        Ok("model built in the workshop".into())
    })
    .await?;
    if publish {
        catalog::publish(store, ACTOR, account, draft.version).await?;
        catalog::update_session(
            store,
            ACTOR,
            session.id,
            1,
            |s| Ok(s.data.clone()),
            Some(tandem_domain::catalog::session::SessionStatus::InProgress),
        )
        .await?;
        catalog::update_session(
            store,
            ACTOR,
            session.id,
            2,
            |s| Ok(s.data.clone()),
            Some(tandem_domain::catalog::session::SessionStatus::Completed),
        )
        .await?;
        if industry == "Apparel & Footwear" {
            catalog::change_draft(store, ACTOR, account, draft.version, |m| {
                m.rename_value("colour", "Sand", "Stone")
            })
            .await?;
        }
    }
    Ok(())
}

async fn load_team(store: &Store) -> PersistenceResult<Vec<TeamMember>> {
    let mut people = vec![(
        "Alex Morgan".to_owned(),
        ADMIN_EMAIL.to_owned(),
        "VP Customer Success",
        Team::CustomerSuccess,
        Role::Admin,
        false,
    )];
    let groups: [(Team, Role, &str, usize); 4] = [
        (
            Team::CustomerSuccess,
            Role::CsManager,
            "Customer Success Manager",
            8,
        ),
        (Team::Services, Role::Services, "Solutions Architect", 8),
        (Team::Product, Role::Product, "Product Manager", 4),
        (Team::Sales, Role::Viewer, "Account Executive", 3),
    ];
    let mut n = 1;
    for (team, role, title, count) in groups {
        for i in 0..count {
            let name = format!(
                "{} {}",
                FIRST[(n * 7) % FIRST.len()],
                LAST[(n * 11) % LAST.len()]
            );
            let email = format!("{}@tandem.example", email_local(&name));
            // The first solutions architect leads the services team: approves timesheets.
            let lead = team == Team::Services && i == 0;
            let title = if lead { "Services Lead" } else { title };
            people.push((name, email, title, team, role, lead));
            n += 1;
        }
    }
    let mut out = Vec::with_capacity(people.len());
    for (name, email, title, team, role, lead) in people {
        let data = NewTeamMember {
            name,
            email,
            title: Some(title.to_owned()),
            team,
            role,
            weekly_capacity: None,
            lead,
        }
        .validate()?;
        out.push(team_member::create(store, ACTOR, data).await?);
    }
    Ok(out)
}

/// Playbooks defined before any account exists, so that the accounts the demo's history takes
/// past their thresholds have crossed them: the worker fires them when the server starts, and
/// the owners find their tasks waiting.
async fn load_playbooks(store: &Store) -> PersistenceResult<()> {
    use tandem_domain::event::EventKind;
    use tandem_domain::playbook::{Action, Condition, PlaybookData, Trigger};
    let playbooks = [
        (
            "Health slipping",
            "High- and medium-touch accounts whose score falls below 50: call the champion.",
            Trigger::HealthScoreBelow { score: 50.0 },
            vec![TouchTier::High, TouchTier::Medium],
            vec![
                Action::CreateTask {
                    title: "Call the champion about the health drop".into(),
                    due_in_days: 2,
                },
                Action::AddTag {
                    tag: "at-risk".into(),
                },
                Action::EmitEvent {
                    name: "health.slipping".into(),
                },
            ],
            true,
        ),
        (
            "Renewal prep",
            "Six weeks before a renewal: prepare the renewal conversation.",
            Trigger::RenewalWithinDays { days: 42 },
            vec![],
            vec![Action::CreateTask {
                title: "Prepare the renewal conversation".into(),
                due_in_days: 7,
            }],
            true,
        ),
        (
            "Welcome new accounts",
            "Disabled until the onboarding team wants it.",
            Trigger::Event {
                kind: EventKind::AccountCreated,
            },
            vec![],
            vec![Action::CreateTask {
                title: "Welcome call".into(),
                due_in_days: 3,
            }],
            false,
        ),
    ];
    for (name, description, trigger, tiers, actions, enabled) in playbooks {
        let data = PlaybookData::validate(
            name,
            Some(description),
            trigger,
            Condition {
                touch_tiers: tiers,
                ..Condition::default()
            },
            actions,
        )?;
        tandem_persistence::playbook::create(store, ACTOR, data, enabled).await?;
    }
    Ok(())
}

/// A few months of touchpoints on the first accounts, so that their timelines read like an
/// account manager's week: notes, calls, meetings and synced e-mails.
async fn load_activities(
    store: &Store,
    rng: &mut Rng,
    customers: &[health::Customer],
    cs: &[TeamMemberId],
) -> PersistenceResult<()> {
    use tandem_domain::activity::{ActivityData, ActivityKind, ActivityLinks};
    const TOUCHPOINTS: &[(ActivityKind, &str, &str)] = &[
        (
            ActivityKind::Call,
            "Monthly check-in",
            "Walked through adoption; the team wants training on bulk imports.",
        ),
        (
            ActivityKind::Meeting,
            "Roadmap session",
            "Shared the Q1 roadmap; they asked for B2B price lists.",
        ),
        (
            ActivityKind::Email,
            "Re: renewal timeline",
            "Procurement confirmed the renewal review starts next month.",
        ),
        (
            ActivityKind::Note,
            "Champion change",
            "Our champion is moving teams; introduced to the new e-commerce lead.",
        ),
        (
            ActivityKind::Call,
            "Escalation follow-up",
            "Checkout latency is resolved; they want a post-mortem.",
        ),
        (
            ActivityKind::Note,
            "Expansion signal",
            "Two more brands are evaluating the platform.",
        ),
    ];
    let now = chrono::Utc::now();
    for c in customers.iter().take(40) {
        for n in 0..(2 + rng.below(4)) {
            let (kind, title, body) = *rng.pick(TOUCHPOINTS);
            let author = cs.get(rng.below(cs.len().max(1))).copied();
            let data = ActivityData::validate(
                kind,
                now - Duration::days((n as i64) * 17 + rng.below(10) as i64 + 1),
                Some(title),
                body,
                vec![],
                author.into_iter().collect(),
                ActivityLinks::default(),
                now,
            )?;
            let who = author.map_or_else(|| ACTOR.to_owned(), |a| a.to_string());
            tandem_persistence::activity::create(store, &who, c.id, data).await?;
        }
    }
    Ok(())
}

/// Renewals in play over the next half year (a pipeline worth reading), some decided ones with
/// their reasons, and open risks.
fn version_of(refit: &crate::service::outlook::Refit) -> Option<i32> {
    match refit {
        crate::service::outlook::Refit::Fitted(m) => Some(m.version),
        crate::service::outlook::Refit::NotEnoughHistory { .. } => None,
    }
}

async fn load_renewals(
    store: &Store,
    rng: &mut Rng,
    customers: &[health::Customer],
    cs: &[TeamMemberId],
) -> PersistenceResult<()> {
    use tandem_domain::renewal::{
        Decision, Likelihood, RenewalData, RenewalOutcome, RiskCategory, RiskData, RiskSeverity,
    };
    use tandem_persistence::renewal;
    let today = chrono::Utc::now().date_naive();
    let live: Vec<&health::Customer> = customers
        .iter()
        .filter(|c| c.stage != LifecycleStage::Churned)
        .collect();
    let mrr = tandem_persistence::revenue::mrr_on(
        store,
        &live.iter().map(|c| c.id).collect::<Vec<_>>(),
        today,
    )
    .await?;
    const REASONS: &[RiskCategory] = &[
        RiskCategory::Budget,
        RiskCategory::Competitor,
        RiskCategory::ChampionLeft,
        RiskCategory::Adoption,
        RiskCategory::ProductGap,
        RiskCategory::Support,
    ];
    for (i, c) in live.iter().enumerate() {
        let arr = mrr.get(&c.id).copied().unwrap_or(0) * 12;
        if arr == 0 {
            continue;
        }
        let owner = cs.get(rng.below(cs.len().max(1))).copied();
        let likelihood = *rng.pick(&[
            Likelihood::Committed,
            Likelihood::Probable,
            Likelihood::Probable,
            Likelihood::AtRisk,
            Likelihood::Lost,
        ]);
        let forecast = match likelihood {
            Likelihood::Committed => arr + arr / 10,
            Likelihood::Probable => arr,
            Likelihood::AtRisk => arr * 7 / 10,
            Likelihood::Lost => 0,
        };
        let data = RenewalData::validate(
            today + Duration::days(5 + rng.below(180) as i64),
            forecast,
            likelihood,
            owner,
            None,
        )?;
        let r = renewal::forecast(store, ACTOR, c.id, None, data).await?;
        // Every fifth one was decided last month, with a reason when it went badly.
        if i % 5 == 0 {
            let decided_on = today - Duration::days(10 + rng.below(20) as i64);
            let outcome = *rng.pick(&[
                RenewalOutcome::Renewed,
                RenewalOutcome::Downgraded,
                RenewalOutcome::Churned,
            ]);
            let (new_arr, reason) = match outcome {
                RenewalOutcome::Renewed => (Some(arr + arr / 20), None),
                RenewalOutcome::Downgraded => (Some(arr * 3 / 4), Some(*rng.pick(REASONS))),
                RenewalOutcome::Churned => (None, Some(*rng.pick(REASONS))),
            };
            renewal::decide(store, ACTOR, r.id, r.version, |_, before| {
                Decision::validate(outcome, new_arr, reason, decided_on, before)
            })
            .await?;
        }
        if i % 4 == 1 {
            let category = *rng.pick(REASONS);
            let data = RiskData::validate(
                category,
                *rng.pick(&[
                    RiskSeverity::Medium,
                    RiskSeverity::High,
                    RiskSeverity::Critical,
                ]),
                match category {
                    RiskCategory::Budget => "Budget review next quarter",
                    RiskCategory::Competitor => "A competitor is pitching a migration",
                    RiskCategory::ChampionLeft => "Our champion has left",
                    RiskCategory::Adoption => "Only one team uses the product",
                    RiskCategory::ProductGap => "Needs B2B price lists",
                    RiskCategory::Support => "Two urgent tickets this month",
                },
                None,
                Some("Agree a recovery plan with the sponsor"),
                owner,
            )?;
            renewal::raise(store, ACTOR, c.id, data).await?;
        }
    }
    Ok(())
}
