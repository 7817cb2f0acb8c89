//! The revenue outlook's storage on SQLite and PostgreSQL: features as they stood at a moment,
//! the closed renewals a model learns from (with the manager's call at the snapshot), and the
//! fitted models, versioned.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{Days, Duration, NaiveDate, Utc};
use tandem_domain::account::TouchTier;
use tandem_domain::event::{EventKind, SubjectKind};
use tandem_domain::health::{Component, HealthStatus, ImportedScore, Part, Score};
use tandem_domain::ids::{AccountId, RenewalId, SurveyResponseId, TicketId};
use tandem_domain::outlook::backtest::ClosedRenewal;
use tandem_domain::outlook::features::Features;
use tandem_domain::outlook::{Settings, Training, train};
use tandem_domain::renewal::{
    Decision, Likelihood, RenewalData, RenewalOutcome, RiskCategory, RiskData, RiskSeverity,
};
use tandem_domain::signals::{SurveyKind, Ticket, TicketPriority, TicketStatus, UsageEvent};
use tandem_persistence::outlook::{self, Snapshot};
use tandem_persistence::{Store, health, renewal, signals, usage};
use tandem_tests::db_test;

mod common;
use common::account::customer_in;
use common::dates::today;
use common::event::events_of;
use common::open;

async fn risk(store: &Store, a: AccountId, severity: RiskSeverity) {
    let data = RiskData::validate(
        RiskCategory::Adoption,
        severity,
        "Few logins",
        None,
        None,
        None,
    )
    .unwrap();
    renewal::raise(store, "ann", a, data).await.unwrap();
}

async fn forecast(
    store: &Store,
    a: AccountId,
    version: Option<i32>,
    call: Likelihood,
) -> (RenewalId, i32) {
    let data = RenewalData::validate(today() + Days::new(10), 1200, call, None, None).unwrap();
    let r = renewal::forecast(store, "ann", a, version, data)
        .await
        .unwrap();
    (r.id, r.version)
}

async fn decide(store: &Store, id: RenewalId, version: i32, outcome: RenewalOutcome) {
    let (arr, reason) = match outcome {
        RenewalOutcome::Churned => (None, Some(RiskCategory::Adoption)),
        _ => (Some(1500), None),
    };
    renewal::decide(store, "ann", id, version, |_, before| {
        Decision::validate(outcome, arr, reason, today(), before)
    })
    .await
    .unwrap();
}

db_test! {
    async fn features_are_read_as_they_stood_at_the_moment(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        risk(&store, a, RiskSeverity::High).await;
        risk(&store, a, RiskSeverity::Low).await;
        risk(&store, a, RiskSeverity::High).await;
        let now = Utc::now();
        signals::upsert_ticket(&store, "desk", Ticket {
            id: TicketId::new(), account_id: a, external_id: "T-1".into(), subject: "Down".into(),
            priority: TicketPriority::Urgent, status: TicketStatus::Open,
            opened_at: now - Duration::days(2), closed_at: None, recorded_by: "desk".into(),
        }).await.unwrap();
        for (score, days) in [(10, 5), (9, 20), (3, 40), (8, 400)] {
            signals::record_survey(&store, "ann", tandem_domain::signals::SurveyResponse {
                id: SurveyResponseId::new(), account_id: a, contact_id: None, kind: SurveyKind::Nps,
                score, comment: None, responded_at: now - Duration::days(days), recorded_by: "ann".into(),
            }).await.unwrap();
        }
        let (id, _) = forecast(&store, a, None, Likelihood::Probable).await;
        let at = |moment| vec![Snapshot { renewal_id: id, account_id: a, at: moment }];

        let f = &outlook::features_at(&store, &at(Utc::now())).await.unwrap()[&id];
        assert_eq!((f.open_risks.high, f.open_risks.low, f.open_risks.critical), (2, 1, 0));
        assert_eq!(f.support_load, 8.0);
        // Two promoters and a detractor in the last 180 days; the answer of 400 days ago is out.
        assert_eq!(f.nps, Some(33.3));
        assert_eq!((f.health_score, f.usage_trend), (None, None));

        // Six days ago: the risks were not raised yet, the ticket not opened, the promoter of
        // five days ago had not answered.
        let before = &outlook::features_at(&store, &at(now - Duration::days(6))).await.unwrap()[&id];
        assert_eq!(before.open_risks.high + before.open_risks.low, 0);
        assert_eq!(before.support_load, 0.0);
        assert_eq!(before.nps, Some(0.0));
    }
}

db_test! {
    async fn closed_renewals_carry_their_outcome_and_the_call_at_the_snapshot(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        let b = customer_in(&store, "Beta", "USD").await;
        let (ra, v) = forecast(&store, a, None, Likelihood::Probable).await;
        let (ra, v) = (ra, forecast(&store, a, Some(v), Likelihood::AtRisk).await.1);
        decide(&store, ra, v, RenewalOutcome::Churned).await;
        let (rb, v) = forecast(&store, b, None, Likelihood::Committed).await;
        decide(&store, rb, v, RenewalOutcome::Renewed).await;
        forecast(&store, b, None, Likelihood::Probable).await; // open: not history

        assert_eq!(outlook::closed_count(&store).await.unwrap(), 2);
        let closed = outlook::closed_renewals(&store).await.unwrap();
        assert_eq!(closed.len(), 2);
        let of = |id| closed.iter().find(|c: &&ClosedRenewal| c.renewal_id == id).unwrap();
        // Both were forecast after their snapshot (the start of today): the call they hold now
        // stands in for the one of then.
        assert_eq!((of(ra).renewed, of(ra).manager_call), (false, Some(Likelihood::AtRisk)));
        assert_eq!((of(rb).renewed, of(rb).manager_call), (true, Some(Likelihood::Committed)));
        assert_eq!(of(ra).decided_on, today());
    }
}

#[test]
fn the_snapshot_is_a_quarter_before_the_renewal_and_never_after_the_decision() {
    {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            outlook::snapshot_of(day("2026-06-30"), day("2026-06-20")).date_naive(),
            day("2026-04-01")
        );
        assert_eq!(
            outlook::snapshot_of(day("2026-06-30"), day("2026-03-15")).date_naive(),
            day("2026-03-15")
        );
    }
}

fn synthetic(n: usize) -> Vec<ClosedRenewal> {
    (0..n)
        .map(|i| {
            let mut f = Features::new(TouchTier::High, 12.0 + i as f64);
            let health = 20.0 + (i * 37 % 70) as f64;
            f.health_score = Some(health);
            ClosedRenewal {
                renewal_id: RenewalId::new(),
                decided_on: today() - Days::new((n - i) as u64),
                features: f,
                renewed: health + (i * 13 % 30) as f64 > 55.0,
                manager_call: Some(Likelihood::Probable),
            }
        })
        .collect()
}

db_test! {
    async fn fitted_models_are_numbered_and_read_back_whole(db) {
        let store = open(&db).await;
        assert_eq!(outlook::latest_model(&store).await.unwrap(), None);
        let settings = Settings { min_closed: 20, ..Settings::default() };
        let Training::Fitted(fitted) = train(&synthetic(40), &settings).unwrap() else { panic!("a fit") };
        let first = outlook::save_model(&store, "ann", 40, (*fitted).clone(), settings).await.unwrap();
        let second = outlook::save_model(&store, "system", 41, (*fitted).clone(), settings).await.unwrap();
        assert_eq!((first.version, second.version), (1, 2));

        let latest = outlook::latest_model(&store).await.unwrap().unwrap();
        assert_eq!((latest.version, latest.fitted_by.as_str(), latest.closed_renewals), (2, "system", 41));
        assert_eq!(latest.settings, settings);
        // JSON may move a figure by one unit in its last binary place.
        let bt = &latest.fitted.backtest;
        assert_eq!((bt.trained_on, bt.held_out, bt.model.auc, bt.manager.auc), (fitted.backtest.trained_on, fitted.backtest.held_out, fitted.backtest.model.auc, fitted.backtest.manager.auc));
        assert!((bt.model.brier.unwrap() - fitted.backtest.model.brier.unwrap()).abs() < 1e-12);
        assert_eq!(latest.fitted.model.coefficients.len(), fitted.model.coefficients.len());
        let one = outlook::model_by_version(&store, 1).await.unwrap().unwrap();
        assert_eq!((one.id, one.fitted_by.as_str()), (first.id, "ann"));
        assert_eq!(outlook::model_by_version(&store, 3).await.unwrap(), None);
        let versions: Vec<i32> = outlook::models(&store).await.unwrap().iter().map(|m| m.version).collect();
        assert_eq!(versions, vec![2, 1]);

        let events = events_of(&store, &[EventKind::OutlookModelFitted]).await;
        assert_eq!(events.len(), 2);
        assert_eq!((events[0].account_id, events[0].subject_kind, events[0].subject_id), (None, SubjectKind::OutlookModel, first.id));
        assert!(events[0].changes.iter().any(|c| c.field == "version" && c.after == 1));
    }
}

db_test! {
    async fn health_and_its_changes_and_the_usage_trend_are_read_at_the_snapshot(db) {
        let store = open(&db).await;
        let a = customer_in(&store, "Acme", "USD").await;
        let model = health::model::models(&store, false).await.unwrap()[0].id;
        let now = Utc::now();
        let scored = |value: f64, days: i64, usage: Option<f64>| ImportedScore {
            account_id: a, model_id: model, model_version: 1,
            score: Score {
                value, status: HealthStatus::Healthy,
                breakdown: usage.map(|s| vec![Part { component: Component::Usage, score: s, weight: 1.0, contribution: s }]).unwrap_or_default(),
            },
            computed_at: now - Duration::days(days),
        };
        health::score::import_scores(&store, &[scored(50.0, 100, None), scored(60.0, 40, None), scored(72.0, 1, Some(80.0))]).await.unwrap();
        let used = |days: i64| UsageEvent { account_id: a, feature: "search".into(), actor: "u".into(), occurred_at: now - Duration::days(days), quantity: 1 };
        // Three active days in the last 30, one in the 30 before.
        usage::ingest(&store, "t", None, &[used(2), used(3), used(10), used(45)]).await.unwrap();
        let (id, _) = forecast(&store, a, None, Likelihood::Probable).await;

        let f = &outlook::features_of(&store, &[id]).await.unwrap()[&id];
        assert_eq!((f.health_score, f.health_change_30, f.health_change_90), (Some(72.0), Some(12.0), Some(22.0)));
        assert_eq!((f.usage, f.csat), (Some(80.0), None));
        assert_eq!(f.usage_trend, Some(2.0));
        assert!(f.tenure_months < 1.0);
    }
}
