//! A renewal's features as they stood at a moment: one statement per chunk of renewals, each
//! feature a subquery on its table's account index (`features_at.sql`).

use std::collections::HashMap;

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use sea_orm::QueryResult;
use tandem_domain::health::{Component, Part};
use tandem_domain::ids::{AccountId, RenewalId};
use tandem_domain::outlook::features::{Features, RiskCounts};

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{Backend, PersistenceResult, Store};

/// Renewals per statement: ten values each, far below either database's limit on them.
const CHUNK: usize = 200;

/// NPS answers count over the same window as the health score's NPS component.
const NPS_DAYS: i64 = 180;

const FEATURES_AT: &str = include_str!("features_at.sql");

/// One renewal to read, and the moment to read it at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    /// The renewal.
    pub renewal_id: RenewalId,
    /// Its account.
    pub account_id: AccountId,
    /// The moment its features are read at.
    pub at: DateTime<Utc>,
}

fn day_before(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(day)
}

fn statement(backend: Backend, chunk: &[Snapshot]) -> Sql {
    let mut q = Sql::new(
        "WITH t (renewal_id, account_id, at_ts, at_30, at_90, nps_from, day, day_30, day_60, \
         year_ago) AS (VALUES ",
    );
    for (i, s) in chunk.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        let day = s.at.date_naive();
        q.push("(")
            .bind(s.renewal_id.0)
            .push(", ")
            .bind(s.account_id.0)
            .push(", ")
            .bind(s.at)
            .push(", ")
            .bind(s.at - Duration::days(30))
            .push(", ")
            .bind(s.at - Duration::days(90))
            .push(", ")
            .bind(s.at - Duration::days(NPS_DAYS))
            .push(", ")
            .bind(day)
            .push(", ")
            .bind(day_before(day, 30))
            .push(", ")
            .bind(day_before(day, 60))
            .push(", ")
            .bind(day_before(day, 365))
            .push(")");
    }
    let slip = match backend {
        Backend::Postgres => "(p.actual_end - p.planned_end)",
        Backend::Sqlite => "(julianday(p.actual_end) - julianday(p.planned_end))",
    };
    q.push(")\n")
        .push(&FEATURES_AT.replace("SLIP_DAYS(p.actual_end, p.planned_end)", slip));
    q
}

/// The features of each renewal at its snapshot's moment. A renewal whose account is gone is
/// absent.
pub async fn features_at(
    store: &Store,
    snapshots: &[Snapshot],
) -> PersistenceResult<HashMap<RenewalId, Features>> {
    let at: HashMap<RenewalId, DateTime<Utc>> =
        snapshots.iter().map(|s| (s.renewal_id, s.at)).collect();
    let mut out = HashMap::with_capacity(snapshots.len());
    for chunk in snapshots.chunks(CHUNK) {
        for r in statement(store.backend(), chunk).all(store.conn()).await? {
            let id = RenewalId(get(&r, "renewal_id")?);
            let moment = at.get(&id).copied().unwrap_or_else(Utc::now);
            out.insert(id, features(&r, moment)?);
        }
    }
    Ok(out)
}

fn count(r: &QueryResult, col: &str) -> PersistenceResult<i64> {
    Ok(get::<Option<i64>>(r, col)?.unwrap_or(0))
}

fn features(r: &QueryResult, at: DateTime<Utc>) -> PersistenceResult<Features> {
    let tier: String = get(r, "touch_tier")?;
    let started: DateTime<Utc> = get(r, "account_created_at")?;
    let tenure_months = tandem_domain::outlook::features::tenure_months((at - started).num_days());
    let mut f = Features::new(
        tier.parse().map_err(|e| corrupt("touch tier", e))?,
        tenure_months,
    );
    let now: Option<f64> = get(r, "health_now")?;
    f.health_score = now;
    f.health_change_30 = now
        .zip(get::<Option<f64>>(r, "health_30")?)
        .map(|(n, b)| n - b);
    f.health_change_90 = now
        .zip(get::<Option<f64>>(r, "health_90")?)
        .map(|(n, b)| n - b);
    if let Some(text) = get::<Option<String>>(r, "breakdown")? {
        let parts: Vec<Part> =
            serde_json::from_str(&text).map_err(|e| corrupt("score breakdown", e))?;
        let scores: HashMap<Component, f64> =
            parts.iter().map(|p| (p.component, p.score)).collect();
        f.set_components(&scores);
    }
    let answers = count(r, "nps_answers")?;
    if answers > 0 {
        let net = count(r, "nps_net")? as f64 * 100.0 / answers as f64;
        f.nps = Some((net * 10.0).round() / 10.0);
    }
    f.support_load = count(r, "support_load")? as f64;
    if count(r, "usage_days_ever")? > 0 {
        f.usage_trend = Some((count(r, "active_recent")? - count(r, "active_before")?) as f64);
    }
    f.open_risks = RiskCounts {
        low: count(r, "risks_low")?,
        medium: count(r, "risks_medium")?,
        high: count(r, "risks_high")?,
        critical: count(r, "risks_critical")?,
    };
    f.phases_accepted = count(r, "phases_accepted")?;
    f.phase_slip_days = get::<Option<f64>>(r, "phase_slip_days")?;
    Ok(f)
}
