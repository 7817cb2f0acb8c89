//! Risks and renewals: the log of what threatens each account, each account's renewal in play,
//! and the pipeline and churn-reason figures over them, computed in SQL.

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use tandem_domain::event::{self, EventKind, SubjectKind};
use tandem_domain::ids::{AccountId, RenewalId, RiskId, TeamMemberId};
use tandem_domain::renewal::{
    Decision, PipelineRow, ReasonRow, Renewal, RenewalData, RenewalOutcome, Risk, RiskData,
    RiskStatus,
};
use tandem_domain::segment::Slice;
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store, versioned};

fn parse<T: std::str::FromStr<Err = String>>(r: &QueryResult, col: &str) -> PersistenceResult<T> {
    let s: String = get(r, col)?;
    s.parse().map_err(|e| corrupt(col, e))
}

fn parse_opt<T: std::str::FromStr<Err = String>>(
    r: &QueryResult,
    col: &str,
) -> PersistenceResult<Option<T>> {
    get::<Option<String>>(r, col)?
        .map(|s| s.parse().map_err(|e| corrupt(col, e)))
        .transpose()
}

// ---------------------------------------------------------------------------------------------
// Risks

const RISK_COLUMNS: &str = "id, account_id, category, severity, status, title, description, \
                            mitigation_plan, owner_id, version, created_by, created_at, \
                            updated_at, resolved_at";

fn risk(r: &QueryResult) -> PersistenceResult<Risk> {
    Ok(Risk {
        id: RiskId(get(r, "id")?),
        account_id: AccountId(get(r, "account_id")?),
        data: RiskData {
            category: parse(r, "category")?,
            severity: parse(r, "severity")?,
            title: get(r, "title")?,
            description: get(r, "description")?,
            mitigation_plan: get(r, "mitigation_plan")?,
            owner_id: get::<Option<Uuid>>(r, "owner_id")?.map(TeamMemberId),
        },
        status: parse(r, "status")?,
        version: get(r, "version")?,
        created_by: get(r, "created_by")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        resolved_at: get(r, "resolved_at")?,
    })
}

fn risk_snapshot(r: &Risk) -> serde_json::Value {
    let mut v = serde_json::to_value(&r.data).unwrap_or_default();
    if let serde_json::Value::Object(m) = &mut v {
        m.insert("status".into(), serde_json::json!(r.status));
    }
    v
}

/// Raises a risk on a live account; `RISK_RAISED`.
pub async fn raise(
    store: &Store,
    actor: &str,
    account: AccountId,
    data: RiskData,
) -> PersistenceResult<Risk> {
    let tx = store.begin_write().await?;
    crate::account::ensure_live(&tx, account, "risks cannot be raised on it").await?;
    if let Some(owner) = data.owner_id {
        crate::team_member::ensure_active(&tx, owner, "ownerId").await?;
    }
    let now = Utc::now();
    let r = Risk {
        id: RiskId::new(),
        account_id: account,
        data,
        status: RiskStatus::Open,
        version: 1,
        created_by: actor.to_owned(),
        created_at: now,
        updated_at: now,
        resolved_at: None,
    };
    let mut q = Sql::new(&format!("INSERT INTO risks ({RISK_COLUMNS}) VALUES ("));
    q.bind(r.id.0)
        .push(", ")
        .bind(account.0)
        .push(", ")
        .bind(r.data.category.as_str())
        .push(", ")
        .bind(r.data.severity.as_str())
        .push(", ")
        .bind(r.status.as_str())
        .push(", ")
        .bind(r.data.title.as_str())
        .push(", ")
        .bind(r.data.description.clone())
        .push(", ")
        .bind(r.data.mitigation_plan.clone())
        .push(", ")
        .bind(r.data.owner_id.map(|o| o.0))
        .push(", 1, ")
        .bind(actor)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(", NULL)");
    q.execute(&tx).await?;
    crate::event::record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::Risk,
        r.id.0,
        EventKind::RiskRaised,
        event::created(&risk_snapshot(&r)),
    )
    .await?;
    tx.commit().await?;
    Ok(r)
}

/// Changes a risk still at `version`: its fields and/or its status; `RISK_UPDATED`.
pub async fn update(
    store: &Store,
    actor: &str,
    id: RiskId,
    version: i32,
    change: impl FnOnce(&Risk) -> tandem_domain::DomainResult<(RiskData, RiskStatus)>,
) -> PersistenceResult<Risk> {
    let tx = store.begin_write().await?;
    let current = versioned::read(one_risk(&tx, id).await?, "risk", id, version, |r| r.version)?;
    let (data, status) = change(&current)?;
    if status != current.status {
        current.status.check_move(status)?;
    }
    if data.owner_id != current.data.owner_id
        && let Some(owner) = data.owner_id
    {
        crate::team_member::ensure_active(&tx, owner, "ownerId").await?;
    }
    let now = Utc::now();
    let updated = Risk {
        data,
        status,
        version: version + 1,
        updated_at: now,
        resolved_at: match status {
            RiskStatus::Resolved if current.status != RiskStatus::Resolved => Some(now),
            RiskStatus::Resolved => current.resolved_at,
            _ => None,
        },
        ..current.clone()
    };
    let changes = event::diff(&risk_snapshot(&current), &risk_snapshot(&updated));
    if changes.is_empty() {
        return Ok(current);
    }
    let mut q = Sql::new("UPDATE risks SET category = ");
    q.bind(updated.data.category.as_str())
        .push(", severity = ")
        .bind(updated.data.severity.as_str())
        .push(", status = ")
        .bind(updated.status.as_str())
        .push(", title = ")
        .bind(updated.data.title.as_str())
        .push(", description = ")
        .bind(updated.data.description.clone())
        .push(", mitigation_plan = ")
        .bind(updated.data.mitigation_plan.clone())
        .push(", owner_id = ")
        .bind(updated.data.owner_id.map(|o| o.0))
        .push(", version = ")
        .bind(updated.version)
        .push(", updated_at = ")
        .bind(now)
        .push(", resolved_at = ")
        .bind(updated.resolved_at)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "risk").await?;
    crate::event::record(
        store,
        &tx,
        actor,
        updated.account_id,
        SubjectKind::Risk,
        id.0,
        EventKind::RiskUpdated,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

async fn one_risk(conn: &impl ConnectionTrait, id: RiskId) -> PersistenceResult<Option<Risk>> {
    let mut q = Sql::new(&format!("SELECT {RISK_COLUMNS} FROM risks WHERE id = "));
    q.bind(id.0);
    q.all(conn).await?.first().map(risk).transpose()
}

/// One risk.
pub async fn get_risk(store: &Store, id: RiskId) -> PersistenceResult<Option<Risk>> {
    one_risk(store.conn(), id).await
}

/// The risks of `accounts` in `statuses` (all when empty), most severe first.
pub async fn risks_of(
    store: &Store,
    accounts: &[AccountId],
    statuses: &[RiskStatus],
) -> PersistenceResult<Vec<Risk>> {
    let mut out = Vec::new();
    for chunk in accounts.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!(
            "SELECT {RISK_COLUMNS} FROM risks WHERE account_id IN "
        ));
        q.bind_list(chunk.iter().map(|a| a.0));
        if !statuses.is_empty() {
            q.push(" AND status IN ")
                .bind_list(statuses.iter().map(|s| s.as_str()));
        }
        q.push(
            " ORDER BY CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'MEDIUM' THEN 2 \
             ELSE 3 END, created_at, id",
        );
        for r in q.all(store.conn()).await? {
            out.push(risk(&r)?);
        }
    }
    Ok(out)
}

/// Checks that a task's risk belongs to the task's account (inside the task's transaction).
pub(crate) async fn ensure_risk_of(
    conn: &impl ConnectionTrait,
    risk: RiskId,
    account: AccountId,
) -> PersistenceResult<()> {
    let mut q = Sql::new("SELECT account_id FROM risks WHERE id = ");
    q.bind(risk.0);
    match q.all(conn).await?.first() {
        Some(r) if get::<Uuid>(r, "account_id")? == account.0 => Ok(()),
        _ => Err(tandem_domain::DomainError::invalid(
            "riskId",
            "must name a risk of the task's account",
        )
        .into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Renewals

const RENEWAL_COLUMNS: &str = "id, account_id, renews_on, forecast_arr_minor, likelihood, \
                               owner_id, notes, outcome, new_arr_minor, reason, decided_on, \
                               arr_at_decision_minor, version, created_at, updated_at";

fn renewal(r: &QueryResult) -> PersistenceResult<Renewal> {
    let outcome: Option<RenewalOutcome> = parse_opt(r, "outcome")?;
    let decision = match outcome {
        Some(outcome) => Some(Decision {
            outcome,
            new_arr: get::<Option<i64>>(r, "new_arr_minor")?.unwrap_or(0),
            reason: parse_opt(r, "reason")?,
            decided_on: get::<Option<NaiveDate>>(r, "decided_on")?
                .ok_or_else(|| corrupt("renewal", "decided without a day"))?,
        }),
        None => None,
    };
    Ok(Renewal {
        id: RenewalId(get(r, "id")?),
        account_id: AccountId(get(r, "account_id")?),
        data: RenewalData {
            renews_on: get(r, "renews_on")?,
            forecast_arr: get(r, "forecast_arr_minor")?,
            likelihood: parse(r, "likelihood")?,
            owner_id: get::<Option<Uuid>>(r, "owner_id")?.map(TeamMemberId),
            notes: get(r, "notes")?,
        },
        decision,
        arr_at_decision: get(r, "arr_at_decision_minor")?,
        version: get(r, "version")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

/// Sets the forecast of the account's renewal in play, opening one when none is;
/// `RENEWAL_FORECAST` with what changed. `version` must match an existing one's.
pub async fn forecast(
    store: &Store,
    actor: &str,
    account: AccountId,
    version: Option<i32>,
    data: RenewalData,
) -> PersistenceResult<Renewal> {
    let tx = store.begin_write().await?;
    crate::account::ensure_live(&tx, account, "its renewal cannot be forecast").await?;
    if let Some(owner) = data.owner_id {
        crate::team_member::ensure_active(&tx, owner, "ownerId").await?;
    }
    let mut q = Sql::new(&format!(
        "SELECT {RENEWAL_COLUMNS} FROM renewals WHERE outcome IS NULL AND account_id = "
    ));
    q.bind(account.0);
    let open = q.all(&tx).await?.first().map(renewal).transpose()?;
    let now = Utc::now();
    let snapshot = |d: &RenewalData| serde_json::to_value(d).unwrap_or_default();
    let (saved, changes) = match open {
        Some(current) => {
            let Some(read) = version else {
                return Err(PersistenceError::Conflict(format!(
                    "the account already has a renewal in play (version {}); pass its version to change it",
                    current.version
                )));
            };
            versioned::check("renewal", read, current.version)?;
            let changes = event::diff(&snapshot(&current.data), &snapshot(&data));
            if changes.is_empty() {
                return Ok(current);
            }
            let mut q = Sql::new("UPDATE renewals SET renews_on = ");
            q.bind(data.renews_on)
                .push(", forecast_arr_minor = ")
                .bind(data.forecast_arr)
                .push(", likelihood = ")
                .bind(data.likelihood.as_str())
                .push(", owner_id = ")
                .bind(data.owner_id.map(|o| o.0))
                .push(", notes = ")
                .bind(data.notes.clone())
                .push(", version = ")
                .bind(read + 1)
                .push(", updated_at = ")
                .bind(now)
                .push(" WHERE id = ")
                .bind(current.id.0);
            versioned::save_sql(&tx, q, read, "renewal").await?;
            (
                Renewal {
                    data,
                    version: read + 1,
                    updated_at: now,
                    ..current
                },
                changes,
            )
        }
        None => {
            if let Some(read) = version {
                return Err(versioned::gone("renewal", read));
            }
            let r = Renewal {
                id: RenewalId::new(),
                account_id: account,
                data,
                decision: None,
                arr_at_decision: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            let mut q = Sql::new(&format!(
                "INSERT INTO renewals ({RENEWAL_COLUMNS}) VALUES ("
            ));
            q.bind(r.id.0)
                .push(", ")
                .bind(account.0)
                .push(", ")
                .bind(r.data.renews_on)
                .push(", ")
                .bind(r.data.forecast_arr)
                .push(", ")
                .bind(r.data.likelihood.as_str())
                .push(", ")
                .bind(r.data.owner_id.map(|o| o.0))
                .push(", ")
                .bind(r.data.notes.clone())
                .push(", NULL, NULL, NULL, NULL, NULL, 1, ")
                .bind(now)
                .push(", ")
                .bind(now)
                .push(")");
            q.execute(&tx).await?;
            let changes = event::created(&snapshot(&r.data));
            (r, changes)
        }
    };
    crate::event::record(
        store,
        &tx,
        actor,
        account,
        SubjectKind::Renewal,
        saved.id.0,
        EventKind::RenewalForecast,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// The ARR (12 × MRR from revenue movements) of `account` on `day`.
async fn arr_on(
    conn: &impl ConnectionTrait,
    account: AccountId,
    day: NaiveDate,
) -> PersistenceResult<i64> {
    let mut q = Sql::new(
        "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS mrr FROM revenue_events WHERE account_id = ",
    );
    q.bind(account.0).push(" AND effective_on <= ").bind(day);
    Ok(match q.all(conn).await?.first() {
        Some(r) => get::<i64>(r, "mrr")? * 12,
        None => 0,
    })
}

/// Decides the renewal still at `version`; `decide` gets it and the ARR before the decision.
/// `RENEWAL_DECIDED`. The account can then have a new renewal forecast.
pub async fn decide(
    store: &Store,
    actor: &str,
    id: RenewalId,
    version: i32,
    decide: impl FnOnce(&Renewal, i64) -> tandem_domain::DomainResult<Decision>,
) -> PersistenceResult<Renewal> {
    let tx = store.begin_write().await?;
    let mut q = Sql::new(&format!(
        "SELECT {RENEWAL_COLUMNS} FROM renewals WHERE id = "
    ));
    q.bind(id.0);
    let current = match q.all(&tx).await?.first() {
        Some(r) => renewal(r)?,
        None => {
            return Err(PersistenceError::NotFound {
                entity: "renewal",
                id: id.to_string(),
            });
        }
    };
    if current.decision.is_some() {
        return Err(PersistenceError::Conflict(
            "the renewal is already decided".to_owned(),
        ));
    }
    versioned::check("renewal", version, current.version)?;
    let before = arr_on(&tx, current.account_id, Utc::now().date_naive()).await?;
    let decision = decide(&current, before)?;
    let now = Utc::now();
    let mut q = Sql::new("UPDATE renewals SET outcome = ");
    q.bind(decision.outcome.as_str())
        .push(", new_arr_minor = ")
        .bind(decision.new_arr)
        .push(", reason = ")
        .bind(decision.reason.map(|r| r.as_str()))
        .push(", decided_on = ")
        .bind(decision.decided_on)
        .push(", arr_at_decision_minor = ")
        .bind(before)
        .push(", version = ")
        .bind(version + 1)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(id.0);
    versioned::save_sql(&tx, q, version, "renewal").await?;
    crate::event::record(
        store,
        &tx,
        actor,
        current.account_id,
        SubjectKind::Renewal,
        id.0,
        EventKind::RenewalDecided,
        event::created(&serde_json::json!({
            "outcome": decision.outcome,
            "newArrMinor": decision.new_arr,
            "reason": decision.reason,
            "decidedOn": decision.decided_on,
            "arrBeforeMinor": before,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Renewal {
        decision: Some(decision),
        arr_at_decision: Some(before),
        version: version + 1,
        updated_at: now,
        ..current
    })
}

/// The renewals of `accounts`, newest first: the one in play and the decided ones.
pub async fn renewals_of(store: &Store, accounts: &[AccountId]) -> PersistenceResult<Vec<Renewal>> {
    let mut out = Vec::new();
    for chunk in accounts.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!(
            "SELECT {RENEWAL_COLUMNS} FROM renewals WHERE account_id IN "
        ));
        q.bind_list(chunk.iter().map(|a| a.0))
            .push(" ORDER BY renews_on DESC, created_at DESC");
        for r in q.all(store.conn()).await? {
            out.push(renewal(&r)?);
        }
    }
    Ok(out)
}

/// `WITH sliced AS (…)`: the accounts of `slice` with their id and `archived_at`, archived ones
/// too; the statements in `renewal.*.sql` that read a slice follow it.
fn with_sliced(slice: &Slice, today: NaiveDate) -> Sql {
    let mut q = Sql::new(
        "WITH sliced AS (SELECT accounts.id AS id, accounts.archived_at AS archived_at \
         FROM accounts WHERE ",
    );
    q.append(crate::figures::slice_condition(slice, today))
        .push(")\n");
    q
}

/// The renewal pipeline: renewals in play renewing from `from` to `to`, over the live accounts
/// of `slice`, by month and likelihood. The ARR at stake is today's.
pub async fn pipeline(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<Vec<PipelineRow>> {
    let mut q = with_sliced(slice, today);
    q.push(match store.backend() {
        crate::Backend::Postgres => include_str!("renewal.pipeline.pg.sql"),
        crate::Backend::Sqlite => include_str!("renewal.pipeline.sqlite.sql"),
    })
    .bind_value(today)
    .bind_value(from)
    .bind_value(to);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            Ok(PipelineRow {
                month: get(r, "month")?,
                likelihood: parse(r, "likelihood")?,
                renewals: get(r, "n")?,
                current_arr: get(r, "current_arr")?,
                forecast_arr: get(r, "forecast_arr")?,
            })
        })
        .collect()
}

/// Why renewals decided in the period churned or downgraded, over the accounts of `slice`.
pub async fn churn_reasons(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<Vec<ReasonRow>> {
    let mut q = with_sliced(slice, today);
    q.push(include_str!("renewal.churn_reasons.sql"))
        .bind_value(from)
        .bind_value(to);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            Ok(ReasonRow {
                reason: parse(r, "reason")?,
                outcome: parse(r, "outcome")?,
                renewals: get(r, "n")?,
                lost_arr: get(r, "lost")?,
            })
        })
        .collect()
}
