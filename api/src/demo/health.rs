//! The demo's year of customer signals: product usage, surveys, tickets, billing, success
//! plans and business reviews, then weekly health scores over the last quarter, so that the
//! portfolio, trends and figures tell a believable story.
//!
//! Each account follows one of three courses: thriving (steady, broad usage, promoters),
//! slipping (usage fading over the last three months, a detractor, urgent tickets) or
//! struggling (little usage all year). Dates run back from today so the last 30 days are
//! always populated.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tandem_domain::account::{LifecycleStage, TouchTier};
use tandem_domain::health::HealthStatus;
use tandem_domain::ids::{AccountId, SurveyResponseId, TicketId};
use tandem_domain::metrics::AnalyticsSettings;
use tandem_domain::segment::SegmentFilter;
use tandem_domain::signals::{
    BillingStatus, SurveyKind, SurveyResponse, Ticket, TicketPriority, TicketStatus, UsageEvent,
};
use tandem_domain::success::{GoalData, GoalStatus, ReviewData};
use tandem_persistence::health::compute::Scope;
use tandem_persistence::{
    PersistenceResult, Store, health, segment, settings, signals, success, usage,
};

use super::seed::{ACTOR, Rng};

/// An account the demo created, as the signal generator needs it.
pub(super) struct Customer {
    pub id: AccountId,
    pub tier: TouchTier,
    pub stage: LifecycleStage,
    pub started: NaiveDate,
}

/// The features the demo product reports; the first four are its key features.
const FEATURES: &[&str] = &[
    "catalog.import",
    "orders.sync",
    "search.configure",
    "checkout.customize",
    "reports.view",
    "promotions.create",
    "storefront.publish",
];

#[derive(Clone, Copy, PartialEq)]
enum Course {
    Thriving,
    Slipping,
    Struggling,
}

const GOALS: &[(&str, &str)] = &[
    ("Launch the new storefront", "Live in every region"),
    ("Lift mobile conversion", "Mobile conversion ≥ 2.5 %"),
    (
        "Cut catalog update time",
        "Catalog changes live in under an hour",
    ),
    ("Grow repeat orders", "Repeat-order share ≥ 35 %"),
    ("Retire the legacy platform", "Legacy contract not renewed"),
];

/// Loads the signals, configures the figures, defines two segments and scores health weekly
/// over the last 13 weeks.
pub(super) async fn load(
    store: &Store,
    rng: &mut Rng,
    customers: &[Customer],
) -> PersistenceResult<()> {
    let now = Utc::now();
    let today = now.date_naive();
    settings::save_analytics(
        store,
        &AnalyticsSettings {
            key_features: FEATURES[..4].iter().map(|f| (*f).to_owned()).collect(),
            value_features: vec!["orders.sync".to_owned()],
            activation_min_features: 3,
            activation_days: 30,
            gross_margin_percent: 80,
            ltv_cap_months: 60,
        },
    )
    .await?;

    let mut batch: Vec<UsageEvent> = Vec::with_capacity(10_000);
    for (n, c) in customers.iter().enumerate() {
        let course = match rng.below(100) {
            0..=59 => Course::Thriving,
            60..=84 => Course::Slipping,
            _ => Course::Struggling,
        };
        let churned = c.stage == LifecycleStage::Churned;
        let first_day = (today - Duration::days(364)).max(c.started);
        let last_day = if churned {
            today - Duration::days(45 + rng.below(30) as i64)
        } else {
            today
        };
        let breadth = match course {
            Course::Thriving => 4 + rng.below(3),
            Course::Slipping => 3 + rng.below(2),
            Course::Struggling => 1 + rng.below(2),
        };
        let users = match c.tier {
            TouchTier::High => 12,
            TouchTier::Medium => 6,
            TouchTier::Low => 3,
            TouchTier::Tech => 2,
        };
        let mut day = first_day;
        while day <= last_day {
            let days_left = (today - day).num_days();
            let active_percent = match course {
                Course::Thriving => 75,
                Course::Slipping if days_left > 90 => 70,
                Course::Slipping => (days_left as usize * 60 / 90).max(5),
                Course::Struggling => 15,
            };
            if rng.chance(active_percent) {
                for _ in 0..1 + rng.below(3) {
                    let feature = FEATURES[rng.below(breadth.min(FEATURES.len()))];
                    let at = day.and_hms_opt(8 + rng.below(10) as u32, rng.below(60) as u32, 0);
                    let Some(at) = at else { continue };
                    batch.push(UsageEvent {
                        account_id: c.id,
                        feature: feature.to_owned(),
                        actor: format!("user-{}", 1 + rng.below(users)),
                        occurred_at: at.and_utc(),
                        quantity: 1 + rng.below(5) as i64,
                    });
                }
            }
            day += Duration::days(1);
        }
        if batch.len() >= 8_000 {
            usage::ingest(store, ACTOR, Some(&format!("demo-{n}")), &batch).await?;
            batch.clear();
        }

        // Surveys: promoters on thriving accounts, detractors on slipping ones.
        let responses = if churned { 1 } else { 1 + rng.below(3) };
        for r in 0..responses {
            let score = match course {
                Course::Thriving => 8 + rng.below(3) as i32,
                Course::Slipping if r + 1 == responses => rng.below(5) as i32,
                Course::Slipping => 6 + rng.below(3) as i32,
                Course::Struggling => 4 + rng.below(4) as i32,
            };
            let ago = if r + 1 == responses {
                5 + rng.below(40)
            } else {
                60 + rng.below(300)
            };
            signals::record_survey(
                store,
                ACTOR,
                SurveyResponse {
                    id: SurveyResponseId::new(),
                    account_id: c.id,
                    contact_id: None,
                    kind: SurveyKind::Nps,
                    score,
                    comment: (score <= 6).then(|| {
                        "Catalog updates are slow and support takes days to answer".to_owned()
                    }),
                    responded_at: at_day(today - Duration::days(ago as i64)),
                    recorded_by: String::new(),
                },
            )
            .await?;
        }
        if rng.chance(40) {
            signals::record_survey(
                store,
                ACTOR,
                SurveyResponse {
                    id: SurveyResponseId::new(),
                    account_id: c.id,
                    contact_id: None,
                    kind: SurveyKind::Csat,
                    score: if course == Course::Thriving {
                        4 + rng.below(2) as i32
                    } else {
                        2 + rng.below(2) as i32
                    },
                    comment: None,
                    responded_at: at_day(today - Duration::days(10 + rng.below(120) as i64)),
                    recorded_by: String::new(),
                },
            )
            .await?;
        }

        // Tickets: a few closed ones, and open urgent ones where things are slipping.
        for t in 0..rng.below(4) {
            let opened = at_day(today - Duration::days(20 + rng.below(300) as i64));
            signals::upsert_ticket(
                store,
                ACTOR,
                Ticket {
                    id: TicketId::new(),
                    account_id: c.id,
                    external_id: format!("ZD-{}-{t}", 10_000 + n),
                    subject: "Question about variant import".to_owned(),
                    priority: TicketPriority::Normal,
                    status: TicketStatus::Closed,
                    opened_at: opened,
                    closed_at: Some(opened + Duration::days(2)),
                    recorded_by: String::new(),
                },
            )
            .await?;
        }
        if !churned && course != Course::Thriving {
            for t in 0..1 + rng.below(3) {
                signals::upsert_ticket(
                    store,
                    ACTOR,
                    Ticket {
                        id: TicketId::new(),
                        account_id: c.id,
                        external_id: format!("ZD-{}-open-{t}", 10_000 + n),
                        subject: "Orders stopped syncing".to_owned(),
                        priority: *rng.pick(&[
                            TicketPriority::High,
                            TicketPriority::Urgent,
                            TicketPriority::Normal,
                        ]),
                        status: TicketStatus::Open,
                        opened_at: at_day(today - Duration::days(1 + rng.below(20) as i64)),
                        closed_at: None,
                        recorded_by: String::new(),
                    },
                )
                .await?;
            }
        }
        if !churned {
            let billing = match course {
                Course::Struggling if rng.chance(50) => BillingStatus::Delinquent,
                Course::Slipping if rng.chance(30) => BillingStatus::Overdue,
                _ => BillingStatus::Current,
            };
            signals::set_billing(store, ACTOR, c.id, billing).await?;
        }

        // Success plans and reviews for the accounts a manager works with by name.
        if !churned && matches!(c.tier, TouchTier::High | TouchTier::Medium) {
            for g in 0..2 + rng.below(2) {
                let (title, target) = GOALS[(n + g) % GOALS.len()];
                let status = match course {
                    Course::Thriving => *rng.pick(&[
                        GoalStatus::OnTrack,
                        GoalStatus::Achieved,
                        GoalStatus::OnTrack,
                    ]),
                    Course::Slipping => *rng.pick(&[GoalStatus::AtRisk, GoalStatus::OnTrack]),
                    Course::Struggling => *rng.pick(&[GoalStatus::AtRisk, GoalStatus::Missed]),
                };
                success::create_goal(
                    store,
                    ACTOR,
                    c.id,
                    GoalData {
                        title: title.to_owned(),
                        target: Some(target.to_owned()),
                        // Goals already achieved or missed came due in the last months;
                        // the rest are ahead.
                        due_on: Some({
                            let days = rng.below(200) as i64;
                            if matches!(status, GoalStatus::Achieved | GoalStatus::Missed) {
                                today - Duration::days(10 + days)
                            } else {
                                today + Duration::days(30 + days)
                            }
                        }),
                    },
                    status,
                )
                .await?;
            }
            let reviews = if c.tier == TouchTier::High { 4 } else { 2 };
            for q in 0..reviews {
                let held = today - Duration::days(10 + q * (360 / reviews) + rng.below(20) as i64);
                if course == Course::Slipping && q == 0 {
                    continue;
                }
                success::record_review(
                    store,
                    ACTOR,
                    c.id,
                    ReviewData {
                        held_on: held,
                        attendees: vec!["Account owner".to_owned(), "Champion".to_owned()],
                        summary: "Reviewed adoption, open tickets and the replatforming plan."
                            .to_owned(),
                        outcomes: vec!["Agree next quarter's goals".to_owned()],
                    },
                )
                .await?;
            }
        }
    }
    if !batch.is_empty() {
        usage::ingest(store, ACTOR, Some("demo-last"), &batch).await?;
    }

    segment::create(
        store,
        "At-risk enterprise".to_owned(),
        Some("High-touch accounts whose health is slipping".to_owned()),
        SegmentFilter {
            touch_tiers: vec![TouchTier::High],
            health_statuses: vec![HealthStatus::AtRisk, HealthStatus::Critical],
            ..Default::default()
        },
    )
    .await?;
    segment::create(
        store,
        "Quiet tech-touch".to_owned(),
        Some("Tech-touch accounts active on fewer than 5 of the last 30 days".to_owned()),
        SegmentFilter {
            touch_tiers: vec![TouchTier::Tech],
            max_active_days_30: Some(4),
            ..Default::default()
        },
    )
    .await?;

    // Weekly scores over the last quarter, oldest first, so trends and movers have history.
    for week in (0..13).rev() {
        health::compute::recompute(store, ACTOR, Scope::All, now - Duration::weeks(week)).await?;
    }
    Ok(())
}

fn at_day(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}
