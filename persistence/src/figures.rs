//! The customer-success figures over a period, computed in SQL: retention, churn, expansion,
//! NPS, time to value and activation, per slice of accounts; cohort tables; and the portfolio a
//! CS manager opens every morning. Rust only divides the sums the database returns (through
//! `tandem_domain::metrics`, where the definitions live).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::DbBackend;
use tandem_domain::health::HealthStatus;
use tandem_domain::ids::AccountId;
use tandem_domain::metrics::{AnalyticsSettings, Cohort, Dimension, Period, PeriodMovements, Sums};
use tandem_domain::segment::Slice;
use uuid::Uuid;

use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store};

/// NPS answers per group, read from the slice's accounts `acc` written before it.
const NPS_BY_GROUP: &str = include_str!("figures.nps_by_group.sql");

/// MRR and MRR at risk, up to the condition on live accounts of the slice, which is appended.
const MRR_AT_RISK: &str = include_str!("figures.mrr_at_risk.sql");

/// Renewing accounts and their MRR, up to the condition on live accounts of the slice, which is
/// appended.
const RENEWING_MRR: &str = include_str!("figures.renewing_mrr.sql");

/// The `accounts` column a dimension groups by.
fn dimension_column(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::TouchTier => "accounts.touch_tier",
        Dimension::Industry => "accounts.industry",
        Dimension::Plan => "accounts.plan",
        Dimension::Owner => "accounts.owner_id",
    }
}

fn date_diff(backend: DbBackend, later: &str, earlier: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("({later} - {earlier})"),
        _ => format!("CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"),
    }
}

fn date_plus(backend: DbBackend, date: &str, days: u32) -> String {
    match backend {
        DbBackend::Postgres => format!("({date} + {days})"),
        _ => format!("date({date}, '+{days} days')"),
    }
}

/// The condition on `accounts` that holds for the accounts of `slice` on `today` (money and
/// usage criteria are as of that day): its currency, then the saved segment's filter, then the
/// ad-hoc criteria. The one place a slice becomes SQL.
pub(crate) fn slice_condition(slice: &Slice, today: NaiveDate) -> Sql {
    let mut sql = Sql::new("(accounts.currency = ");
    sql.bind(slice.currency.as_str());
    for filter in [&slice.segment, &slice.criteria].into_iter().flatten() {
        sql.push(" AND ")
            .append(crate::segment::condition(filter, today));
    }
    sql.push(")");
    sql
}

/// `WITH sliced AS (…)`: the ids of the live (not archived) accounts of `slice`, for the
/// statements that weigh what is still in play (the open opportunities, the revenue outlook).
pub(crate) fn with_live_sliced(slice: &Slice, today: NaiveDate) -> Sql {
    let mut q = Sql::new(
        "WITH sliced AS (SELECT accounts.id AS id FROM accounts WHERE accounts.archived_at IS NULL AND ",
    );
    q.append(slice_condition(slice, today)).push(")\n");
    q
}

/// `SELECT id, <group> AS grp FROM accounts WHERE <slice>`: the accounts a figure covers,
/// archived ones included (a churned customer is often archived, and its history still counts).
fn slice_accounts(slice: &Sql, dimension: Option<Dimension>) -> Sql {
    let grp = dimension.map_or("NULL", dimension_column);
    let mut sql = Sql::new(&format!(
        "SELECT accounts.id AS id, {grp} AS grp FROM accounts WHERE "
    ));
    sql.append(slice.clone());
    sql
}

fn key_of(
    r: &sea_orm::QueryResult,
    dimension: Option<Dimension>,
) -> PersistenceResult<Option<String>> {
    Ok(match dimension {
        None => None,
        Some(Dimension::Owner) => get::<Option<Uuid>>(r, "grp")?.map(|u| u.to_string()),
        Some(_) => get::<Option<String>>(r, "grp")?,
    })
}

/// The figures' sums for `period` over the accounts of `slice` on `today`, split by
/// `dimension` when given.
pub async fn sums(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
    dimension: Option<Dimension>,
    period: Period,
    settings: &AnalyticsSettings,
) -> PersistenceResult<Vec<Sums>> {
    let slice = &slice_condition(slice, today);
    let conn = store.conn();
    let backend = conn.get_database_backend();
    let mut groups: HashMap<Option<String>, Sums> = HashMap::new();

    // Revenue: the cohort at the start and its movements in the period.
    let mut q = Sql::new("WITH acc AS (");
    q.append(slice_accounts(slice, dimension));
    q.push("), ");
    push_movements_cte(&mut q, period);
    q.push(" SELECT acc.grp AS grp");
    push_cohort_sums(&mut q);
    q.push(" FROM acc LEFT JOIN mv ON mv.id = acc.id GROUP BY acc.grp");
    for r in q.all(conn).await? {
        let key = key_of(&r, dimension)?;
        let s = groups.entry(key.clone()).or_default();
        s.key = key;
        s.movements = read_movements(&r)?;
        s.end_mrr = get(&r, "end_mrr")?;
        s.paying_at_end = get(&r, "paying")?;
    }

    // NPS answers given in the period.
    let mut q = Sql::new("WITH acc AS (");
    q.append(slice_accounts(slice, dimension));
    q.push(") ")
        .push(NPS_BY_GROUP)
        .bind_value(start_of(period.from))
        .bind_value(start_of(period.to + Duration::days(1)));
    for r in q.all(conn).await? {
        let key = key_of(&r, dimension)?;
        let s = groups.entry(key.clone()).or_default();
        s.key = key;
        s.nps = (
            get(&r, "promoters")?,
            get(&r, "passives")?,
            get(&r, "detractors")?,
        );
    }

    // Starts in the period: activation and time to value.
    let key_features = settings.key_features.clone();
    let value_features = settings.value_features.clone();
    let mut q = Sql::new("WITH acc AS (");
    q.append(slice_accounts(slice, dimension));
    q.push(
        "), started AS (SELECT acc.id AS id, acc.grp AS grp, MIN(r.effective_on) AS start \
         FROM revenue_events r JOIN acc ON acc.id = r.account_id WHERE r.kind = 'NEW' \
         GROUP BY acc.id, acc.grp), val AS (SELECT started.id AS id, started.grp AS grp, started.start AS start, \
         (SELECT MIN(f.first_day) FROM usage_firsts f WHERE f.account_id = started.id AND f.first_day >= started.start AND f.feature IN ",
    )
    .bind_list(value_features)
    .push(
        ") AS usage_day, (SELECT MIN(g.achieved_on) FROM goals g WHERE g.account_id = started.id \
         AND g.status = 'ACHIEVED' AND g.achieved_on >= started.start) AS goal_day, \
         (SELECT COUNT(*) FROM usage_firsts f WHERE f.account_id = started.id AND f.feature IN ",
    )
    .bind_list(key_features)
    .push(&format!(
        " AND f.first_day <= {}) AS activated_features FROM started WHERE started.start >= ",
        date_plus(backend, "started.start", settings.activation_days)
    ))
    .bind(period.from)
    .push(" AND started.start <= ")
    .bind(period.to)
    .push(
        "), firsts AS (SELECT grp, start, activated_features, CASE \
         WHEN usage_day IS NULL THEN goal_day WHEN goal_day IS NULL THEN usage_day \
         WHEN goal_day < usage_day THEN goal_day ELSE usage_day END AS value_day FROM val) \
         SELECT grp, COUNT(*) AS started, \
         CAST(SUM(CASE WHEN activated_features >= ",
    )
    .bind(i64::from(settings.activation_min_features))
    .push(&format!(
        " THEN 1 ELSE 0 END) AS BIGINT) AS activated, COUNT(value_day) AS reached, \
         CAST(COALESCE(SUM({}), 0) AS BIGINT) AS days FROM firsts GROUP BY grp",
        date_diff(backend, "value_day", "start")
    ));
    for r in q.all(conn).await? {
        let key = key_of(&r, dimension)?;
        let s = groups.entry(key.clone()).or_default();
        s.key = key;
        s.started = get(&r, "started")?;
        s.activated = get(&r, "activated")?;
        s.reached_value = get(&r, "reached")?;
        s.days_to_value = get(&r, "days")?;
    }

    let mut out: Vec<Sums> = groups.into_values().collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    if dimension.is_none() && out.is_empty() {
        out.push(Sums::default());
    }
    Ok(out)
}

/// Pushes `mv AS (…)`: per account of `acc` (a CTE with an `id` column), its MRR at the
/// period's start and end and its movements by kind in the period (losses as positive amounts).
fn push_movements_cte(q: &mut Sql, period: Period) {
    q.push("mv AS (");
    push_movements(
        q,
        period,
        "revenue_events r JOIN acc ON acc.id = r.account_id",
    );
    q.push(")");
}

/// Pushes a `SELECT` of, per account with revenue in `source` (revenue events as `r`, joined to
/// whatever restricts them), its MRR at the period's start (`start_mrr`) and end (`end_mrr`)
/// and its movements by kind in the period (losses as positive amounts), by `id`.
pub(crate) fn push_movements(q: &mut Sql, period: Period, source: &str) {
    q.push(
        "SELECT r.account_id AS id, \
         SUM(CASE WHEN r.effective_on < ",
    )
    .bind(period.from)
    .push(" THEN r.amount_minor ELSE 0 END) AS start_mrr, SUM(r.amount_minor) AS end_mrr");
    for (name, kind, sign) in [
        ("expansion", "EXPANSION", ""),
        ("reactivation", "REACTIVATION", ""),
        ("contraction", "CONTRACTION", "-"),
        ("churn", "CHURN", "-"),
    ] {
        q.push(", SUM(CASE WHEN r.effective_on >= ")
            .bind(period.from)
            .push(" AND r.kind = '")
            .push(kind)
            .push("' THEN ")
            .push(sign)
            .push("r.amount_minor ELSE 0 END) AS ")
            .push(name);
    }
    q.push(" FROM ")
        .push(source)
        .push(" WHERE r.effective_on <= ")
        .bind(period.to)
        .push(" GROUP BY r.account_id");
}

/// Pushes the select list's sums over rows with `mv.start_mrr`, `mv.end_mrr` and the
/// movements (one per account, null without revenue): the cohort paying at the start (MRR
/// above zero), its movements and churned accounts, and MRR and paying accounts at the end.
/// [`read_movements`] reads them back.
pub(crate) fn push_cohort_sums(q: &mut Sql) {
    for (name, expr) in [
        (
            "start_mrr",
            "CASE WHEN mv.start_mrr > 0 THEN mv.start_mrr ELSE 0 END",
        ),
        (
            "accounts_at_start",
            "CASE WHEN mv.start_mrr > 0 THEN 1 ELSE 0 END",
        ),
        (
            "expansion",
            "CASE WHEN mv.start_mrr > 0 THEN mv.expansion ELSE 0 END",
        ),
        (
            "reactivation",
            "CASE WHEN mv.start_mrr > 0 THEN mv.reactivation ELSE 0 END",
        ),
        (
            "contraction",
            "CASE WHEN mv.start_mrr > 0 THEN mv.contraction ELSE 0 END",
        ),
        (
            "churn",
            "CASE WHEN mv.start_mrr > 0 THEN mv.churn ELSE 0 END",
        ),
        (
            "churned",
            "CASE WHEN mv.start_mrr > 0 AND mv.end_mrr <= 0 THEN 1 ELSE 0 END",
        ),
        (
            "end_mrr",
            "CASE WHEN mv.end_mrr > 0 THEN mv.end_mrr ELSE 0 END",
        ),
        ("paying", "CASE WHEN mv.end_mrr > 0 THEN 1 ELSE 0 END"),
    ] {
        q.push(&format!(
            ", CAST(COALESCE(SUM({expr}), 0) AS BIGINT) AS {name}"
        ));
    }
}

/// The period's cohort movements from a row [`push_cohort_sums`] selected.
pub(crate) fn read_movements(r: &sea_orm::QueryResult) -> PersistenceResult<PeriodMovements> {
    Ok(PeriodMovements {
        start_mrr: get(r, "start_mrr")?,
        accounts_at_start: get(r, "accounts_at_start")?,
        expansion: get(r, "expansion")?,
        reactivation: get(r, "reactivation")?,
        contraction: get(r, "contraction")?,
        churn: get(r, "churn")?,
        churned_accounts: get(r, "churned")?,
    })
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn month_start(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
}

fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(n)).unwrap_or(d)
}

/// Cohort tables for accounts starting from `from`'s month to `to`'s month, with up to
/// `max_months` months since start, as of `until` (a month counts once it has ended; the
/// slice's accounts are those of that day).
pub async fn cohorts(
    store: &Store,
    slice: &Slice,
    from: NaiveDate,
    to: NaiveDate,
    max_months: u32,
    until: NaiveDate,
) -> PersistenceResult<Vec<Cohort>> {
    let slice = &slice_condition(slice, until);
    let conn = store.conn();
    let backend = conn.get_database_backend();
    let first = month_start(from);
    let last = month_start(to);
    // Every month end any cohort needs, in order.
    let mut ends = Vec::new();
    let mut m = first;
    let horizon = add_months(last, max_months + 1);
    while m < horizon {
        let end = add_months(m, 1) - Duration::days(1);
        if end > until {
            break;
        }
        ends.push(end);
        m = add_months(m, 1);
    }
    let month_key = match backend {
        DbBackend::Postgres => "to_char(st.start, 'YYYY-MM')",
        _ => "substr(st.start, 1, 7)",
    };
    let mut q = Sql::new("WITH acc AS (");
    q.append(slice_accounts(slice, None));
    q.push(
        "), st AS (SELECT r.account_id AS id, MIN(r.effective_on) AS start FROM revenue_events r \
         JOIN acc ON acc.id = r.account_id WHERE r.kind = 'NEW' GROUP BY r.account_id), \
         per AS (SELECT st.id AS id, ",
    )
    .push(month_key)
    .push(" AS cohort");
    for (i, end) in ends.iter().enumerate() {
        q.push(", SUM(CASE WHEN r.effective_on <= ")
            .bind(*end)
            .push(&format!(" THEN r.amount_minor ELSE 0 END) AS m{i}"));
    }
    q.push(" FROM st JOIN revenue_events r ON r.account_id = st.id WHERE st.start >= ")
        .bind(first)
        .push(" AND st.start < ")
        .bind(add_months(last, 1))
        .push(" GROUP BY st.id, st.start) SELECT cohort, COUNT(*) AS accounts");
    for i in 0..ends.len() {
        q.push(&format!(
            ", CAST(SUM(CASE WHEN m{i} > 0 THEN m{i} ELSE 0 END) AS BIGINT) AS r{i}, \
             CAST(SUM(CASE WHEN m{i} > 0 THEN 1 ELSE 0 END) AS BIGINT) AS l{i}"
        ));
    }
    q.push(" FROM per GROUP BY cohort ORDER BY cohort");
    let mut out = Vec::new();
    for r in q.all(conn).await? {
        let key: String = get(&r, "cohort")?;
        let month = NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d")
            .map_err(|e| crate::error::corrupt("cohort month", e))?;
        let offset = ends.iter().position(|e| month_start(*e) == month);
        let mut months = Vec::new();
        if let Some(offset) = offset {
            for i in offset..ends.len().min(offset + max_months as usize + 1) {
                months.push((get(&r, &format!("r{i}"))?, get(&r, &format!("l{i}"))?));
            }
        }
        out.push(Cohort {
            month,
            accounts: get(&r, "accounts")?,
            months,
        });
    }
    Ok(out)
}

/// Live customers: neither archived nor in the CHURNED lifecycle stage.
fn live(q: &mut Sql, slice: &Sql) {
    q.push(" accounts.archived_at IS NULL AND accounts.lifecycle_stage <> 'CHURNED' AND ")
        .append(slice.clone());
}

/// Live accounts of the slice (as of `today`) by their latest health status (`None`: not
/// scored yet).
pub async fn status_counts(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
) -> PersistenceResult<Vec<(Option<HealthStatus>, i64)>> {
    let slice = &slice_condition(slice, today);
    let mut q = Sql::new(
        "SELECT COALESCE(hc.status, '') AS status, COUNT(*) AS n FROM accounts \
         LEFT JOIN health_current hc ON hc.account_id = accounts.id WHERE",
    );
    live(&mut q, slice);
    q.push(" GROUP BY hc.status");
    let mut out = Vec::new();
    for r in q.all(store.conn()).await? {
        let status = get::<String>(&r, "status")?.parse::<HealthStatus>().ok();
        out.push((status, get(&r, "n")?));
    }
    out.sort_by_key(|(s, _)| *s);
    Ok(out)
}

/// MRR on `today` over the live accounts of the slice, and the part of it from accounts
/// AT_RISK or CRITICAL.
pub async fn mrr_at_risk(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
) -> PersistenceResult<(i64, i64)> {
    let slice = &slice_condition(slice, today);
    let mut q = Sql::new(MRR_AT_RISK);
    q.bind_value(today);
    live(&mut q, slice);
    match q.all(store.conn()).await?.first() {
        Some(r) => Ok((get(r, "mrr")?, get(r, "at_risk")?)),
        None => Ok((0, 0)),
    }
}

/// The live accounts of the slice (as of `today`) whose latest score moved most against the score they had
/// `days` days before it (7, 30 or 90: see [`crate::health::compute::MOVER_WINDOWS`]): id, score now,
/// score then, biggest move first.
pub async fn movers(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
    days: i64,
    limit: u64,
) -> PersistenceResult<Vec<(AccountId, f64, f64)>> {
    let column = match days {
        7 => "hc.score_7d",
        30 => "hc.score_30d",
        90 => "hc.score_90d",
        _ => {
            return Err(crate::PersistenceError::Domain(
                tandem_domain::DomainError::invalid("days", "must be 7, 30 or 90"),
            ));
        }
    };
    let slice = &slice_condition(slice, today);
    let mut q = Sql::new(&format!(
        "SELECT accounts.id AS id, hc.score AS score, {column} AS before FROM accounts \
         JOIN health_current hc ON hc.account_id = accounts.id WHERE {column} IS NOT NULL AND"
    ));
    live(&mut q, slice);
    q.push(&format!(
        " ORDER BY ABS(hc.score - {column}) DESC, accounts.id LIMIT "
    ))
    .bind(limit as i64);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            Ok((
                AccountId(get(r, "id")?),
                get(r, "score")?,
                get(r, "before")?,
            ))
        })
        .collect()
}

/// Live accounts of the slice renewing from `today` to `until`: how many, their MRR today.
pub async fn renewals(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
    until: NaiveDate,
) -> PersistenceResult<(i64, i64)> {
    let slice = &slice_condition(slice, today);
    let mut q = Sql::new(RENEWING_MRR);
    q.bind_value(today)
        .bind_value(until)
        .bind_value(today)
        .bind_value(today)
        .bind_value(until);
    live(&mut q, slice);
    match q.all(store.conn()).await?.first() {
        Some(r) => Ok((get(r, "n")?, get(r, "mrr")?)),
        None => Ok((0, 0)),
    }
}

/// The first `limit` live accounts of the slice renewing from `today` to `until`, soonest
/// first.
pub async fn next_renewals(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
    until: NaiveDate,
    limit: u64,
) -> PersistenceResult<Vec<AccountId>> {
    let slice = &slice_condition(slice, today);
    let mut q = Sql::new("SELECT accounts.id AS id FROM accounts WHERE accounts.renewal_date >= ");
    q.bind(today)
        .push(" AND accounts.renewal_date <= ")
        .bind(until)
        .push(" AND");
    live(&mut q, slice);
    q.push(" ORDER BY accounts.renewal_date, accounts.id LIMIT ")
        .bind(limit as i64);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| Ok(AccountId(get(r, "id")?)))
        .collect()
}
