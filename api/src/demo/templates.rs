//! Demo templates and baselines: the "Phased replatforming, 4 phases" template, one engagement
//! made from it about 60 days before the demo's today, a baseline taken when it was made, and
//! one phase re-planned since, so the baseline shows slip and extra hours.

use chrono::{Duration, NaiveDate};
use tandem_domain::account::{LifecycleStage, TouchTier};
use tandem_domain::engagement::{
    EngagementKind, EngagementStatus, FocusKind, NewEngagement, PhasePatch, PhaseScopeItem,
    PhaseStatus,
};
use tandem_domain::hours::Hours;
use tandem_domain::ids::TeamMemberId;
use tandem_domain::template::{NewTemplate, TemplateMilestone, TemplatePhase};
use tandem_domain::{DomainError, Patch};
use tandem_persistence::engagement::{self, baseline, phase};
use tandem_persistence::{PersistenceResult, Store, template};

use super::seed::ACTOR;

fn scope(items: &[(&str, i64)]) -> Vec<PhaseScopeItem> {
    items
        .iter()
        .map(|(deliverable, hours)| PhaseScopeItem {
            deliverable: (*deliverable).to_owned(),
            estimated_hours: Hours(hours * 100),
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn phase_of(
    name: &str,
    focus_kind: FocusKind,
    focus: &str,
    value: &str,
    start_offset_days: i32,
    duration_days: i32,
    depends_on: Vec<usize>,
    milestones: &[(&str, i32)],
    items: &[(&str, i64)],
) -> TemplatePhase {
    TemplatePhase {
        name: name.to_owned(),
        focus_kind,
        focus: focus.to_owned(),
        objective: Some(format!("Move {} to the new platform", focus.to_lowercase())),
        expected_value: Some(value.to_owned()),
        start_offset_days,
        duration_days,
        milestones: milestones
            .iter()
            .map(|(name, offset_days)| TemplateMilestone {
                name: (*name).to_owned(),
                offset_days: *offset_days,
            })
            .collect(),
        depends_on,
        scope: scope(items),
    }
}

/// Loads the template and its demo engagement, led by `lead`, as of `today`, on the first
/// high-touch customer that has not churned (none: the template alone).
pub(super) async fn load(
    store: &Store,
    customers: &[super::health::Customer],
    lead: Option<TeamMemberId>,
    today: NaiveDate,
) -> PersistenceResult<()> {
    let data = NewTemplate {
        name: "Phased replatforming, 4 phases".into(),
        kind: EngagementKind::Replatforming,
        description: Some(
            "The catalog model first, then two product lines side by side, then checkout once \
             both have moved."
                .into(),
        ),
        phases: vec![
            phase_of(
                "Catalog model",
                FocusKind::Problem,
                "A clean, agreed catalog model",
                "Every later phase moves a model the merchant has signed off",
                0,
                28,
                vec![],
                &[("Kick-off workshop", 0), ("Model signed off", 27)],
                &[("Catalog workshops", 24), ("Catalog model documented", 16)],
            ),
            phase_of(
                "Apparel",
                FocusKind::ProductLine,
                "Apparel",
                "The best-selling line sells on the new platform",
                28,
                30,
                vec![0],
                &[("Apparel live", 29)],
                &[("Apparel catalog migrated", 60), ("Apparel storefront", 24)],
            ),
            phase_of(
                "Footwear",
                FocusKind::ProductLine,
                "Footwear",
                "Size and width variants without workarounds",
                28,
                30,
                vec![0],
                &[("Footwear live", 29)],
                &[("Footwear catalog migrated", 56)],
            ),
            phase_of(
                "Checkout",
                FocusKind::Problem,
                "Slow checkout on mobile",
                "Mobile conversion back above last year's",
                58,
                21,
                vec![1, 2],
                &[("Go-live", 20)],
                &[("Checkout rebuilt", 40), ("Payment providers", 16)],
            ),
        ],
    }
    .validate()?;
    let t = template::create(store, data).await?;
    let Some(account) = customers
        .iter()
        .find(|c| c.tier == TouchTier::High && c.stage != LifecycleStage::Churned)
        .map(|c| c.id)
    else {
        return Ok(());
    };
    let start = today - Duration::days(60);
    let (e, phases) = template::instantiate(store, ACTOR, t.id, account, |t| {
        let data = NewEngagement {
            name: "Replatforming from template".into(),
            kind: t.data.kind,
            source_platform: Some("Magento 1".into()),
            target_platform: Some("Tandem Commerce".into()),
            lead_id: lead,
            description: t.data.description.clone(),
            planned_start: Some(start),
        }
        .validate()?;
        Ok((data, t.data.plan(start)?))
    })
    .await?;
    let taken_at = start
        .and_hms_opt(9, 0, 0)
        .map(|t| t.and_utc())
        .ok_or_else(|| DomainError::invalid("start", "no such time"))?;
    baseline::take(store, ACTOR, e.id, "Signed plan", taken_at).await?;
    // Work began on the day: the catalog model was delivered three days late and accepted,
    // footwear started the day after; apparel's size charts turned out messier than scoped, so
    // apparel (and checkout, which waits for it) moved two weeks and apparel grew by 16 hours.
    let day = |offset: i64| start + Duration::days(offset);
    engagement::transition(store, ACTOR, e.id, e.version, EngagementStatus::Active).await?;
    for p in &phases {
        let mut version = p.version;
        let moves: &[(PhaseStatus, i64)] = match p.data.name.as_str() {
            "Catalog model" => &[
                (PhaseStatus::InProgress, 0),
                (PhaseStatus::Delivered, 30),
                (PhaseStatus::Accepted, 32),
            ],
            "Footwear" => &[(PhaseStatus::InProgress, 31)],
            _ => &[],
        };
        for (status, offset) in moves {
            version = phase::transition(store, ACTOR, p.id, version, *status, day(*offset))
                .await?
                .version;
        }
        let extra = match p.data.name.as_str() {
            "Apparel" => scope(&[("Size-chart rework", 16)]),
            "Checkout" => vec![],
            _ => continue,
        };
        let shift = |d: Option<NaiveDate>| Patch::Set(d.unwrap_or(start) + Duration::days(14));
        let mut items = p.data.scope.clone();
        items.extend(extra);
        let change = PhasePatch {
            planned_start: shift(p.data.planned_start),
            planned_end: shift(p.data.planned_end),
            scope: Some(items),
            ..PhasePatch::default()
        };
        let moved = phase::update(store, ACTOR, p.id, version, |p| p.patched(change)).await?;
        if p.data.name == "Apparel" {
            phase::transition(
                store,
                ACTOR,
                p.id,
                moved.version,
                PhaseStatus::InProgress,
                day(44),
            )
            .await?;
        }
    }
    Ok(())
}
