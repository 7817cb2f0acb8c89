//! Computing scores: every account's signals gathered with one grouped query per kind of
//! signal, each account's model picked, and the scores and status changes stored in batches.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tandem_domain::event::{EventKind, FieldChange, NewEvent, SubjectKind};
use tandem_domain::health::{GoalCounts, HealthModel, RecomputeReport, Score, Signals};
use tandem_domain::ids::{AccountId, HealthScoreId, SegmentId};

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};

use super::model::models;
use super::score::as_of;

/// The windows over which the latest score is compared with an earlier one (days), kept on
/// each account's current score.
pub const MOVER_WINDOWS: [i64; 3] = [7, 30, 90];

/// NPS answers per account, up to the scope's condition, which is appended with the grouping.
const NPS_BY_ACCOUNT: &str = include_str!("nps_by_account.sql");

/// Which accounts a computation covers.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every live account.
    All,
    /// These accounts.
    Accounts(&'a [AccountId]),
}

impl Scope<'_> {
    fn restrict(&self, sql: &mut Sql, column: &str) {
        if let Scope::Accounts(ids) = self {
            sql.push(" AND ")
                .push(column)
                .push(" IN ")
                .bind_list(ids.iter().map(|a| a.0));
        }
    }
}

/// Gathers every account's signals as of `now`, one grouped query per kind of signal.
pub async fn signals(
    store: &Store,
    scope: Scope<'_>,
    now: DateTime<Utc>,
) -> PersistenceResult<HashMap<AccountId, Signals>> {
    let conn = store.conn();
    let today = now.date_naive();
    let settings = crate::settings::analytics(store).await?;
    let mut q = Sql::new(
        "SELECT id FROM accounts WHERE archived_at IS NULL AND lifecycle_stage <> 'CHURNED'",
    );
    scope.restrict(&mut q, "id");
    let mut out: HashMap<AccountId, Signals> = HashMap::new();
    for r in q.all(conn).await? {
        out.insert(
            AccountId(get(&r, "id")?),
            Signals {
                key_features: settings.key_features.len() as i64,
                ..Default::default()
            },
        );
    }
    let mut each =
        |rows: Vec<sea_orm::QueryResult>,
         f: &mut dyn FnMut(&mut Signals, &sea_orm::QueryResult) -> PersistenceResult<()>|
         -> PersistenceResult<()> {
            for r in rows {
                if let Some(s) = out.get_mut(&AccountId(get(&r, "account_id")?)) {
                    f(s, &r)?;
                }
            }
            Ok(())
        };

    // Usage: accounts that ever reported any start at 0 active days.
    let mut q = Sql::new("SELECT DISTINCT account_id FROM usage_firsts WHERE 1 = 1");
    scope.restrict(&mut q, "account_id");
    each(q.all(conn).await?, &mut |s, _| {
        s.active_days_30 = Some(0);
        Ok(())
    })?;
    let since = today - Duration::days(29);
    let mut q =
        Sql::new("SELECT account_id, COUNT(DISTINCT day) AS days FROM usage_daily WHERE day >= ");
    q.bind(since).push(" AND day <= ").bind(today);
    scope.restrict(&mut q, "account_id");
    q.push(" GROUP BY account_id");
    each(q.all(conn).await?, &mut |s, r| {
        s.active_days_30 = Some(get(r, "days")?);
        Ok(())
    })?;
    if !settings.key_features.is_empty() {
        let mut q = Sql::new(
            "SELECT account_id, COUNT(DISTINCT feature) AS used FROM usage_daily WHERE day >= ",
        );
        q.bind(since)
            .push(" AND day <= ")
            .bind(today)
            .push(" AND feature IN ")
            .bind_list(settings.key_features.iter().cloned());
        scope.restrict(&mut q, "account_id");
        q.push(" GROUP BY account_id");
        each(q.all(conn).await?, &mut |s, r| {
            s.key_features_used_30 = get(r, "used")?;
            Ok(())
        })?;
    }

    // Surveys over the last 180 days.
    let survey_since = now - Duration::days(180);
    let mut q = Sql::new(NPS_BY_ACCOUNT);
    q.bind_value(survey_since).bind_value(now);
    scope.restrict(&mut q, "account_id");
    q.push(" GROUP BY account_id");
    each(q.all(conn).await?, &mut |s, r| {
        s.nps = Some((
            get(r, "promoters")?,
            get(r, "passives")?,
            get(r, "detractors")?,
        ));
        Ok(())
    })?;
    let mut q = Sql::new(
        "SELECT account_id, CAST(AVG(score) AS DOUBLE PRECISION) AS average \
         FROM survey_responses WHERE kind = 'CSAT' AND responded_at >= ",
    );
    q.bind(survey_since).push(" AND responded_at <= ").bind(now);
    scope.restrict(&mut q, "account_id");
    q.push(" GROUP BY account_id");
    each(q.all(conn).await?, &mut |s, r| {
        s.csat_average = Some(get(r, "average")?);
        Ok(())
    })?;

    // Open tickets, weighed by priority.
    let mut q = Sql::new(
        "SELECT account_id, CAST(SUM(CASE priority WHEN 'URGENT' THEN 8 WHEN 'HIGH' THEN 4 \
         WHEN 'NORMAL' THEN 2 ELSE 1 END) AS BIGINT) AS weight \
         FROM support_tickets WHERE status IN ('OPEN', 'PENDING')",
    );
    scope.restrict(&mut q, "account_id");
    q.push(" GROUP BY account_id");
    each(q.all(conn).await?, &mut |s, r| {
        s.open_ticket_weight = get(r, "weight")?;
        Ok(())
    })?;

    let mut q = Sql::new("SELECT account_id, status FROM billing_statuses WHERE 1 = 1");
    scope.restrict(&mut q, "account_id");
    each(q.all(conn).await?, &mut |s, r| {
        s.billing = Some(
            get::<String>(r, "status")?
                .parse()
                .map_err(|e| corrupt("billing status", e))?,
        );
        Ok(())
    })?;

    // Engagement recency: the last business review or services time.
    let mut touch = |s: &mut Signals, r: &sea_orm::QueryResult| -> PersistenceResult<()> {
        let last: Option<NaiveDate> = get(r, "last_day")?;
        if let Some(last) = last {
            let days = (today - last).num_days().max(0);
            s.days_since_engaged = Some(s.days_since_engaged.map_or(days, |d| d.min(days)));
        }
        Ok(())
    };
    let mut q = Sql::new(
        "SELECT account_id, MAX(held_on) AS last_day FROM business_reviews WHERE held_on <= ",
    );
    q.bind(today);
    scope.restrict(&mut q, "account_id");
    q.push(" GROUP BY account_id");
    each(q.all(conn).await?, &mut touch)?;
    let mut q = Sql::new(
        "SELECT s.account_id AS account_id, MAX(t.worked_on) AS last_day FROM time_entries t \
         JOIN sows s ON s.id = t.sow_id WHERE t.worked_on <= ",
    );
    q.bind(today);
    scope.restrict(&mut q, "s.account_id");
    q.push(" GROUP BY s.account_id");
    each(q.all(conn).await?, &mut touch)?;

    let mut q =
        Sql::new("SELECT account_id, status, COUNT(*) AS n FROM goals WHERE archived_at IS NULL");
    scope.restrict(&mut q, "account_id");
    q.push(" GROUP BY account_id, status");
    each(q.all(conn).await?, &mut |s, r| {
        let n: i64 = get(r, "n")?;
        let g: &mut GoalCounts = &mut s.goals;
        match get::<String>(r, "status")?.as_str() {
            "ON_TRACK" => g.on_track += n,
            "AT_RISK" => g.at_risk += n,
            "ACHIEVED" => g.achieved += n,
            "MISSED" => g.missed += n,
            _ => {}
        }
        Ok(())
    })?;
    Ok(out)
}

/// Picks each account's model: a segment's model when the account is in that segment (oldest
/// model first), else its touch tier's, else the default (unscoped) one.
async fn assign_models<'m>(
    store: &Store,
    scope: Scope<'_>,
    models: &'m [HealthModel],
    today: NaiveDate,
) -> PersistenceResult<HashMap<AccountId, &'m HealthModel>> {
    let mut q = Sql::new(
        "SELECT id, touch_tier FROM accounts WHERE archived_at IS NULL AND lifecycle_stage <> 'CHURNED'",
    );
    scope.restrict(&mut q, "id");
    let accounts: Vec<(AccountId, String)> = q
        .all(store.conn())
        .await?
        .iter()
        .map(|r| Ok((AccountId(get(r, "id")?), get(r, "touch_tier")?)))
        .collect::<PersistenceResult<_>>()?;
    let mut out = HashMap::with_capacity(accounts.len());
    let segments: Vec<SegmentId> = models.iter().filter_map(|m| m.segment_id).collect();
    let segments = crate::segment::by_ids(store, &segments).await?;
    for model in models {
        let Some(segment) = model.segment_id.and_then(|id| {
            segments
                .iter()
                .find(|s| s.id == id && s.archived_at.is_none())
        }) else {
            continue;
        };
        let mut q = Sql::new("SELECT id FROM accounts WHERE archived_at IS NULL AND ");
        q.append(crate::segment::condition(&segment.filter, today));
        scope.restrict(&mut q, "id");
        for r in q.all(store.conn()).await? {
            out.entry(AccountId(get(&r, "id")?)).or_insert(model);
        }
    }
    let default = models
        .iter()
        .find(|m| m.touch_tier.is_none() && m.segment_id.is_none());
    for (id, tier) in accounts {
        if out.contains_key(&id) {
            continue;
        }
        let by_tier = models
            .iter()
            .find(|m| m.touch_tier.is_some_and(|t| t.as_str() == tier));
        if let Some(model) = by_tier.or(default) {
            out.insert(id, model);
        }
    }
    Ok(out)
}

/// Computes and stores the scores of the live customers in `scope` (not archived, not in the
/// CHURNED lifecycle stage: a former customer has no health to watch), recording
/// `HEALTH_STATUS_CHANGED` for each account whose status changed (including its first score).
/// Writes in transactions of 1,000 accounts, so a batch never holds the write lock for long.
pub async fn recompute(
    store: &Store,
    actor: &str,
    scope: Scope<'_>,
    now: DateTime<Utc>,
) -> PersistenceResult<RecomputeReport> {
    let models = models(store, false).await?;
    if models.is_empty() {
        return Err(PersistenceError::Conflict(
            "there is no live health model; create one with createHealthModel".to_owned(),
        ));
    }
    let assigned = assign_models(store, scope, &models, now.date_naive()).await?;
    let signals = signals(store, scope, now).await?;
    let mut report = RecomputeReport {
        accounts: signals.len(),
        ..Default::default()
    };
    let mut previous: HashMap<AccountId, (String, f64)> = HashMap::new();
    let mut q = Sql::new("SELECT account_id, status, score FROM health_current WHERE 1 = 1");
    scope.restrict(&mut q, "account_id");
    for r in q.all(store.conn()).await? {
        previous.insert(
            AccountId(get(&r, "account_id")?),
            (get(&r, "status")?, get(&r, "score")?),
        );
    }
    let mut rows: Vec<(AccountId, &HealthModel, Score)> = Vec::with_capacity(signals.len());
    let mut ids: Vec<&AccountId> = signals.keys().collect();
    ids.sort();
    for id in ids {
        let scored = assigned.get(id).and_then(|m| {
            m.def
                .score(&signals[id].component_scores())
                .map(|s| (*m, s))
        });
        match scored {
            Some((model, score)) => rows.push((*id, model, score)),
            None => report.skipped += 1,
        }
    }
    let mut seen: HashSet<AccountId> = HashSet::new();
    for chunk in rows.chunks(1000) {
        let tx = store.begin_write().await?;
        let mut scores = Sql::new(
            "INSERT INTO health_scores (id, account_id, model_id, model_version, score, status, breakdown, computed_at) VALUES ",
        );
        let mut current = Sql::new(
            "INSERT INTO health_current (account_id, score_id, score, status, computed_at, score_7d, score_30d, score_90d) VALUES ",
        );
        let ids: Vec<AccountId> = chunk.iter().map(|(a, _, _)| *a).collect();
        let mut before = Vec::with_capacity(3);
        for days in MOVER_WINDOWS {
            before.push(as_of(store, &ids, now - Duration::days(days)).await?);
        }
        let mut events = Vec::new();
        for (i, (account, model, score)) in chunk.iter().enumerate() {
            let id = HealthScoreId::new();
            let breakdown =
                serde_json::to_value(&score.breakdown).map_err(|e| corrupt("breakdown", e))?;
            if i > 0 {
                scores.push(", ");
                current.push(", ");
            }
            scores
                .push("(")
                .bind(id.0)
                .push(", ")
                .bind(account.0)
                .push(", ")
                .bind(model.id.0)
                .push(", ")
                .bind(model.version)
                .push(", ")
                .bind(score.value)
                .push(", ")
                .bind(score.status.as_str())
                .push(", ")
                .bind(breakdown)
                .push(", ")
                .bind(now)
                .push(")");
            current
                .push("(")
                .bind(account.0)
                .push(", ")
                .bind(id.0)
                .push(", ")
                .bind(score.value)
                .push(", ")
                .bind(score.status.as_str())
                .push(", ")
                .bind(now);
            for then in &before {
                current.push(", ").bind(then.get(account).copied());
            }
            current.push(")");
            let before = previous.get(account);
            if before.map(|(s, _)| s.as_str()) != Some(score.status.as_str()) {
                events.push(NewEvent {
                    account_id: Some(*account),
                    subject_kind: SubjectKind::HealthScore,
                    subject_id: id.0,
                    kind: EventKind::HealthStatusChanged,
                    actor: actor.to_owned(),
                    changes: vec![
                        FieldChange::new(
                            "status",
                            before.map(|(s, _)| s.clone()),
                            score.status.as_str(),
                        ),
                        FieldChange::new("score", before.map(|(_, v)| *v), score.value),
                    ],
                });
            }
            seen.insert(*account);
        }
        current.push(
            " ON CONFLICT (account_id) DO UPDATE SET score_id = excluded.score_id, \
             score = excluded.score, status = excluded.status, computed_at = excluded.computed_at, \
             score_7d = excluded.score_7d, score_30d = excluded.score_30d, score_90d = excluded.score_90d",
        );
        scores.execute(&tx).await?;
        current.execute(&tx).await?;
        report.status_changes += events.len();
        crate::event::append_many(store, &tx, events).await?;
        tx.commit().await?;
    }
    report.scored = seen.len();
    Ok(report)
}
