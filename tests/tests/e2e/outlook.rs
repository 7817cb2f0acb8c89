//! The revenue outlook's likelihood to renew through GraphQL: "not enough history" until enough
//! renewals are decided, then a refit that fits version 1 with its backtest beside the
//! manager's calls, an open renewal's score with signed reasons, and the roles refused.

use serde_json::{Value, json};
use tandem_domain::auth::Role;
use tandem_domain::ids::AccountId;
use tandem_tests::db_test;

use crate::support::{Server, decode_id};

const CREATE: &str = "mutation($n: String!, $t: TouchTier!) { createAccount(input: {name: $n, touchTier: $t}) { account { id } } }";
const FORECAST: &str = "mutation($a: ID!, $d: Date!) { setRenewalForecast(input: {accountId: $a, renewsOn: $d, forecastArrMinor: 1200000, likelihood: PROBABLE}) { id } }";
const LIKELIHOOD: &str = "query($a: ID!) { account(id: $a) { renewals { likelihoodToRenew { __typename \
    ... on NotEnoughHistory { closed needed } \
    ... on LikelihoodScore { probability modelVersion reasons { feature label value logOdds reading } } } } } }";
const REFIT: &str = "mutation { refitOutlookModel { __typename \
    ... on NotEnoughHistory { closed needed } \
    ... on OutlookModel { version closedRenewals fittedBy } } }";
const MODEL: &str = "query($v: Int) { outlookModel(version: $v) { version closedRenewals minClosed fittedAt \
    backtest { trainedOn heldOut heldOutFrom \
      model { count renewed auc brier calibration { decile count meanPredicted observedRate } } \
      manager { count auc brier calibration { decile count } } \
      modelWhereCalled { count auc } } \
    weights { feature label coefficient } } }";

async fn account(server: &Server, name: &str, tier: &str) -> String {
    server
        .ok(Role::Admin, CREATE, json!({"n": name, "t": tier}))
        .await["createAccount"]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn likelihood(data: &Value) -> Value {
    data["account"]["renewals"][0]["likelihoodToRenew"].clone()
}

db_test! {
    async fn the_outlook_needs_history_then_scores_renewals_with_reasons_and_a_backtest(db) {
        let server = Server::start_with(&db, &[("TANDEM_OUTLOOK_REFIT_EVERY", "off"), ("TANDEM_OUTLOOK_MIN_CLOSED", "60")]).await;
        let mut history = Vec::new();
        for (i, tier) in ["HIGH", "MEDIUM", "LOW", "TECH", "HIGH", "LOW"].iter().enumerate() {
            history.push(account(&server, &format!("History {i}"), tier).await);
        }
        let open = account(&server, "Open Co", "LOW").await;
        let renews_on = (chrono::Utc::now().date_naive() + chrono::Days::new(60)).to_string();
        server.ok(Role::CsManager, FORECAST, json!({"a": open, "d": renews_on})).await;

        // No history yet: a clear answer, no number, and nothing to refit.
        let l = likelihood(&server.ok(Role::Viewer, LIKELIHOOD, json!({"a": open})).await);
        assert_eq!(l, json!({"__typename": "NotEnoughHistory", "closed": 0, "needed": 60}));
        let r = server.ok(Role::CsManager, REFIT, json!({})).await;
        assert_eq!(r["refitOutlookModel"], json!({"__typename": "NotEnoughHistory", "closed": 0, "needed": 60}));
        assert_eq!(server.ok(Role::Viewer, MODEL, json!({})).await["outlookModel"], Value::Null);

        // Two years of decided renewals, then a refit: version 1.
        let ids: Vec<AccountId> = history.iter().map(|a| AccountId(decode_id(a))).collect();
        tandem_api::demo::outlook::closed_renewals(&server.store, &ids, 80, 29).await.unwrap();
        let r = server.ok(Role::CsManager, REFIT, json!({})).await["refitOutlookModel"].clone();
        assert_eq!((r["__typename"].as_str(), r["version"].as_i64(), r["closedRenewals"].as_i64()), (Some("OutlookModel"), Some(1), Some(80)), "{r}");

        // The backtest, beside the manager's calls on the same renewals.
        let m = server.ok(Role::Viewer, MODEL, json!({})).await["outlookModel"].clone();
        assert_eq!((m["version"].as_i64(), m["minClosed"].as_i64()), (Some(1), Some(60)), "{m}");
        let bt = &m["backtest"];
        assert_eq!((bt["trainedOn"].as_i64(), bt["heldOut"].as_i64()), (Some(64), Some(16)), "{bt}");
        assert_eq!(bt["model"]["count"], 16);
        assert_eq!(bt["manager"]["count"], 16, "every historic renewal had a call");
        for grade in [&bt["model"], &bt["manager"]] {
            let brier = grade["brier"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&brier), "{grade}");
            let binned: i64 = grade["calibration"].as_array().unwrap().iter().map(|b| b["count"].as_i64().unwrap()).sum();
            assert_eq!(binned, 16, "{grade}");
        }
        assert_eq!(bt["modelWhereCalled"]["auc"], bt["model"]["auc"]);
        assert_eq!(m["weights"].as_array().unwrap().len(), 24);
        assert_eq!(server.ok(Role::Viewer, MODEL, json!({"v": 1})).await["outlookModel"]["version"], 1);
        assert_eq!(server.ok(Role::Viewer, MODEL, json!({"v": 2})).await["outlookModel"], Value::Null);
        let listed = server.ok(Role::Product, "{ outlookModels { version fittedBy } }", json!({})).await;
        assert_eq!(listed["outlookModels"].as_array().unwrap().len(), 1);

        // The open renewal's score: a probability, version 1, and signed reasons in words.
        let l = likelihood(&server.ok(Role::CsManager, LIKELIHOOD, json!({"a": open})).await);
        assert_eq!((l["__typename"].as_str(), l["modelVersion"].as_i64()), (Some("LikelihoodScore"), Some(1)), "{l}");
        let p = l["probability"].as_f64().unwrap();
        assert!(p > 0.0 && p < 1.0, "{l}");
        let reasons = l["reasons"].as_array().unwrap();
        assert!(!reasons.is_empty() && reasons.len() <= 5, "{l}");
        for pair in reasons.windows(2) {
            assert!(pair[0]["logOdds"].as_f64().unwrap().abs() >= pair[1]["logOdds"].as_f64().unwrap().abs(), "{l}");
        }
        for r in reasons {
            assert_ne!(r["logOdds"].as_f64().unwrap(), 0.0, "{r}");
            assert!(!r["label"].as_str().unwrap().is_empty() && !r["reading"].as_str().unwrap().is_empty(), "{r}");
        }
        // Nothing open weighs on it: no tickets is a reason, and it helps.
        let tickets = reasons.iter().find(|r| r["feature"] == "SUPPORT_LOAD");
        if let Some(t) = tickets {
            assert_eq!(t["reading"], "no open tickets");
            assert!(t["logOdds"].as_f64().unwrap() > 0.0, "{t}");
        }
    }
}

db_test! {
    async fn only_admins_and_cs_managers_refit_and_only_readers_of_insights_read(db) {
        let server = Server::start_with(&db, &[("TANDEM_OUTLOOK_REFIT_EVERY", "off")]).await;
        for role in [Role::Viewer, Role::Product, Role::Services, Role::Integration] {
            let (code, message) = server.error(role, REFIT, json!({})).await;
            assert_eq!(code, "FORBIDDEN", "{role:?}: {message}");
        }
        server.ok(Role::Admin, REFIT, json!({})).await;
        let (code, _) = server.error(Role::Integration, MODEL, json!({})).await;
        assert_eq!(code, "FORBIDDEN");
        let (code, _) = server.error(Role::Integration, "{ outlookModels { version } }", json!({})).await;
        assert_eq!(code, "FORBIDDEN");
    }
}

db_test! {
    async fn the_worker_refits_on_its_schedule_once_renewals_are_decided(db) {
        let server = Server::start_with(&db, &[("TANDEM_OUTLOOK_REFIT_EVERY", "1s"), ("TANDEM_OUTLOOK_MIN_CLOSED", "30")]).await;
        let mut ids = Vec::new();
        for (i, tier) in ["HIGH", "LOW", "TECH"].iter().enumerate() {
            ids.push(AccountId(decode_id(&account(&server, &format!("History {i}"), tier).await)));
        }
        // The schedule fits nothing until the thirtieth renewal is decided (the minimum).
        tandem_api::demo::outlook::closed_renewals(&server.store, &ids, 30, 7).await.unwrap();
        let mut fitted = Value::Null;
        for _ in 0..100 {
            fitted = server.ok(Role::Admin, "{ outlookModels { version fittedBy closedRenewals } }", json!({})).await["outlookModels"].clone();
            if fitted.as_array().is_some_and(|m| !m.is_empty()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(fitted, json!([{"version": 1, "fittedBy": "system", "closedRenewals": 30}]));
        // Nothing decided since: the next periods fit nothing new.
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        let again = server.ok(Role::Admin, "{ outlookModels { version } }", json!({})).await;
        assert_eq!(again["outlookModels"].as_array().unwrap().len(), 1);
    }
}
