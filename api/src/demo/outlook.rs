//! Two years of closed renewals for the revenue outlook: each with the signals a quarter before
//! it (health and its 30- and 90-day change, NPS answers, open tickets, active days) and an
//! outcome that follows them, with noise, so that a model fitted on them ranks renewals well
//! but not perfectly; and the manager's call, which looks at health alone and leans optimistic,
//! so the backtest has something honest to compare.
//!
//! Also used by the end-to-end tests to give a server enough history to fit on.

use chrono::{Duration, NaiveTime, Utc};
use tandem_domain::health::{Component, HealthStatus, ImportedScore, Part, Score};
use tandem_domain::ids::{AccountId, SurveyResponseId, TicketId};
use tandem_domain::renewal::{Decision, Likelihood, RenewalData, RenewalOutcome, RiskCategory};
use tandem_domain::signals::{
    SurveyKind, SurveyResponse, Ticket, TicketPriority, TicketStatus, UsageEvent,
};
use tandem_persistence::{PersistenceResult, Store, health, renewal, signals, usage};

use super::seed::{ACTOR, Rng};

/// How many closed renewals the demo has.
pub(super) const CLOSED: usize = 600;

/// A uniform number in [0, 1).
fn unit(rng: &mut Rng) -> f64 {
    (rng.next() >> 11) as f64 / (1u64 << 53) as f64
}

/// A roughly normal number (mean 0, sd 1): the sum of twelve uniforms less six.
fn normal(rng: &mut Rng) -> f64 {
    (0..12).map(|_| unit(rng)).sum::<f64>() - 6.0
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Decides `count` renewals over the two years before today on `accounts` (in turn, oldest
/// first), each with its signals a quarter before its renewal date. Returns how many renewed.
/// The accounts must be live and have no renewal in play.
pub async fn closed_renewals(
    store: &Store,
    accounts: &[AccountId],
    count: usize,
    seed: u64,
) -> PersistenceResult<usize> {
    if accounts.is_empty() {
        return Ok(0);
    }
    let model_id = health::model::models(store, false)
        .await?
        .first()
        .map(|m| (m.id, m.version));
    let mut rng = Rng(seed);
    let today = Utc::now().date_naive();
    let mut scores = Vec::new();
    let mut events = Vec::new();
    let mut renewed_count = 0;
    for i in 0..count {
        let account = accounts[i % accounts.len()];
        let decided_on = today - Duration::days(730) + Duration::days((i * 722 / count) as i64);
        let renews_on = decided_on + Duration::days(rng.below(20) as i64);
        let snap_day = renews_on - Duration::days(90);
        let snap = snap_day.and_time(NaiveTime::MIN).and_utc();
        // The signals a quarter before the renewal.
        let health = 20.0 + unit(&mut rng) * 75.0;
        let change_90 = (normal(&mut rng) * 10.0).round();
        let change_30 = (change_90 * 0.4 + normal(&mut rng) * 4.0).round();
        let promoter = sigmoid((health - 55.0) / 12.0);
        let load = [0, 0, 1, 2, 4, 8][rng.below(6)] + if health < 45.0 { 4 } else { 0 };
        let recent = rng.below(13) as i64;
        let before = (recent + (normal(&mut rng) * 3.0).round() as i64
            - change_90.signum() as i64 * 2)
            .clamp(0, 14);
        // What happened, and what the manager had called.
        let answers: Vec<i32> = (0..2)
            .map(|_| {
                let p = unit(&mut rng);
                if p < promoter * 0.8 {
                    9 + rng.below(2) as i32
                } else if p < promoter {
                    7 + rng.below(2) as i32
                } else {
                    rng.below(7) as i32
                }
            })
            .collect();
        let nps = answers
            .iter()
            .map(|s| {
                if *s >= 9 {
                    100.0
                } else if *s <= 6 {
                    -100.0
                } else {
                    0.0
                }
            })
            .sum::<f64>()
            / 2.0;
        let z = 1.0 + 0.07 * (health - 60.0) + 0.06 * change_90 + 0.006 * nps - 0.12 * load as f64
            + 0.1 * (recent - before) as f64
            + normal(&mut rng) * 0.5;
        let renewed = unit(&mut rng) < sigmoid(z);
        renewed_count += usize::from(renewed);
        let hunch = 0.6 + 0.035 * (health - 60.0) + normal(&mut rng) * 1.1;
        let call = match hunch {
            h if h > 1.5 => Likelihood::Committed,
            h if h > 0.0 => Likelihood::Probable,
            h if h > -1.2 => Likelihood::AtRisk,
            _ => Likelihood::Lost,
        };

        if let Some((model, version)) = model_id {
            let parts: Vec<Part> = [
                (Component::Usage, 8.0),
                (Component::AdoptionBreadth, 15.0),
                (Component::Csat, 20.0),
            ]
            .into_iter()
            .map(|(component, spread)| {
                let score = (health + normal(&mut rng) * spread)
                    .clamp(0.0, 100.0)
                    .round();
                Part {
                    component,
                    score,
                    weight: 1.0 / 3.0,
                    contribution: score / 3.0,
                }
            })
            .collect();
            for (value, days, parts) in [
                (health - change_90, 91, vec![]),
                (health - change_30, 31, vec![]),
                (health, 1, parts),
            ] {
                let value = value.clamp(0.0, 100.0);
                scores.push(ImportedScore {
                    account_id: account,
                    model_id: model,
                    model_version: version,
                    score: Score {
                        value,
                        status: if value >= 70.0 {
                            HealthStatus::Healthy
                        } else if value >= 40.0 {
                            HealthStatus::AtRisk
                        } else {
                            HealthStatus::Critical
                        },
                        breakdown: parts,
                    },
                    computed_at: snap - Duration::days(days),
                });
            }
        }
        for (k, score) in answers.iter().enumerate() {
            signals::record_survey(
                store,
                ACTOR,
                SurveyResponse {
                    id: SurveyResponseId::new(),
                    account_id: account,
                    contact_id: None,
                    kind: SurveyKind::Nps,
                    score: *score,
                    comment: None,
                    responded_at: snap - Duration::days(10 + 40 * k as i64),
                    recorded_by: ACTOR.to_owned(),
                },
            )
            .await?;
        }
        let mut left = load;
        let mut k = 0;
        while left > 0 {
            let (priority, weight) = if left >= 8 {
                (TicketPriority::Urgent, 8)
            } else if left >= 4 {
                (TicketPriority::High, 4)
            } else if left >= 2 {
                (TicketPriority::Normal, 2)
            } else {
                (TicketPriority::Low, 1)
            };
            left -= weight;
            k += 1;
            signals::upsert_ticket(
                store,
                ACTOR,
                Ticket {
                    id: TicketId::new(),
                    account_id: account,
                    external_id: format!("HIST-{i}-{k}"),
                    subject: "Storefront errors during checkout".to_owned(),
                    priority,
                    status: TicketStatus::Closed,
                    opened_at: snap - Duration::days(5 + k),
                    closed_at: Some(snap + Duration::days(10)),
                    recorded_by: ACTOR.to_owned(),
                },
            )
            .await?;
        }
        for (from, days) in [(1, recent), (31, before)] {
            for d in 0..days {
                events.push(UsageEvent {
                    account_id: account,
                    feature: "catalog.import".to_owned(),
                    actor: "history".to_owned(),
                    occurred_at: snap - Duration::days(from + d) + Duration::hours(12),
                    quantity: 1,
                });
            }
        }

        let data = RenewalData::validate(renews_on, 1_200_000, call, None, None)?;
        let r = renewal::forecast(store, ACTOR, account, None, data).await?;
        let (outcome, new_arr, reason) = if renewed {
            (RenewalOutcome::Renewed, Some(1_200_000), None)
        } else {
            (RenewalOutcome::Churned, None, Some(RiskCategory::Adoption))
        };
        renewal::decide(store, ACTOR, r.id, r.version, |_, before| {
            Decision::validate(outcome, new_arr, reason, decided_on, before)
        })
        .await?;
    }
    health::score::import_scores(store, &scores).await?;
    for chunk in events.chunks(5_000) {
        usage::ingest(store, ACTOR, None, chunk).await?;
    }
    Ok(renewed_count)
}
