//! Health models, and the scores computed from them: for one account on demand or for every
//! account in one batch. Signals are gathered with one grouped query per kind of signal, so a
//! batch over ten thousand accounts costs a dozen queries plus its inserts.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use tandem_domain::account::TouchTier;
use tandem_domain::event::{EventKind, FieldChange, NewEvent, SubjectKind};
use tandem_domain::health::{GoalCounts, HealthModelDef, Score, Signals};
use tandem_domain::health::{
    HealthModel, ImportedScore, RecomputeReport, ScoreOutline, ScoreRecord,
};
use tandem_domain::ids::{AccountId, HealthModelId, HealthScoreId, SegmentId};
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};

const MODEL_COLUMNS: &str = "id, touch_tier, segment_id, version, CAST(definition AS TEXT) AS definition, created_at, updated_at, archived_at";

fn model_row(r: &sea_orm::QueryResult) -> PersistenceResult<HealthModel> {
    Ok(HealthModel {
        id: HealthModelId(get(r, "id")?),
        def: serde_json::from_str(&get::<String>(r, "definition")?)
            .map_err(|e| corrupt("health model", e))?,
        touch_tier: get::<Option<String>>(r, "touch_tier")?
            .map(|t| t.parse().map_err(|e| corrupt("touch tier", e)))
            .transpose()?,
        segment_id: get::<Option<Uuid>>(r, "segment_id")?.map(SegmentId),
        version: get(r, "version")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        archived_at: get(r, "archived_at")?,
    })
}

/// Every model, live ones first, oldest first.
pub async fn models(store: &Store, include_archived: bool) -> PersistenceResult<Vec<HealthModel>> {
    let mut q = Sql::new(&format!("SELECT {MODEL_COLUMNS} FROM health_models"));
    if !include_archived {
        q.push(" WHERE archived_at IS NULL");
    }
    q.push(" ORDER BY CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END, created_at, id");
    q.all(store.conn()).await?.iter().map(model_row).collect()
}

/// A model's definition at one of its versions.
pub async fn model_version(
    store: &Store,
    id: HealthModelId,
    version: i32,
) -> PersistenceResult<Option<HealthModelDef>> {
    let mut q = Sql::new(
        "SELECT CAST(definition AS TEXT) AS definition FROM health_model_versions WHERE model_id = ",
    );
    q.bind(id.0).push(" AND version = ").bind(version);
    q.all(store.conn())
        .await?
        .first()
        .map(|r| {
            serde_json::from_str(&get::<String>(r, "definition")?)
                .map_err(|e| corrupt("health model", e))
        })
        .transpose()
}

async fn ensure_free_scope(
    conn: &impl sea_orm::ConnectionTrait,
    touch_tier: Option<TouchTier>,
    segment: Option<SegmentId>,
    except: Option<HealthModelId>,
) -> PersistenceResult<()> {
    let mut q = Sql::new("SELECT id FROM health_models WHERE archived_at IS NULL");
    match touch_tier {
        Some(t) => q.push(" AND touch_tier = ").bind(t.as_str()),
        None => q.push(" AND touch_tier IS NULL"),
    };
    match segment {
        Some(s) => q.push(" AND segment_id = ").bind(s.0),
        None => q.push(" AND segment_id IS NULL"),
    };
    if let Some(id) = except {
        q.push(" AND id <> ").bind(id.0);
    }
    if !q.all(conn).await?.is_empty() {
        let scope = match (touch_tier, segment) {
            (Some(t), _) => format!("the {t} touch tier"),
            (None, Some(_)) => "that segment".to_owned(),
            (None, None) => "every account (the default model)".to_owned(),
        };
        return Err(PersistenceError::Conflict(format!(
            "a live health model already scores {scope}; change it, or archive it first"
        )));
    }
    if let Some(s) = segment {
        let mut q = Sql::new("SELECT id FROM segments WHERE archived_at IS NULL AND id = ");
        q.bind(s.0);
        if q.all(conn).await?.is_empty() {
            return Err(PersistenceError::NotFound {
                entity: "segment",
                id: s.to_string(),
            });
        }
    }
    Ok(())
}

async fn save_version(
    conn: &impl sea_orm::ConnectionTrait,
    actor: &str,
    model: &HealthModel,
) -> PersistenceResult<()> {
    let json = serde_json::to_value(&model.def).map_err(|e| corrupt("health model", e))?;
    let mut q = Sql::new(
        "INSERT INTO health_model_versions (model_id, version, definition, created_by, created_at) VALUES (",
    );
    q.bind(model.id.0)
        .push(", ")
        .bind(model.version)
        .push(", ")
        .bind(json)
        .push(", ")
        .bind(actor)
        .push(", ")
        .bind(model.updated_at)
        .push(")");
    q.execute(conn).await?;
    Ok(())
}

/// Creates a model, optionally scoped to a touch tier or a segment (one live model per scope).
pub async fn create_model(
    store: &Store,
    actor: &str,
    def: HealthModelDef,
    touch_tier: Option<TouchTier>,
    segment_id: Option<SegmentId>,
) -> PersistenceResult<HealthModel> {
    if touch_tier.is_some() && segment_id.is_some() {
        return Err(PersistenceError::Domain(
            tandem_domain::DomainError::invalid(
                "segmentId",
                "a model is scoped to a touch tier or to a segment, not both",
            ),
        ));
    }
    let tx = store.begin_write().await?;
    ensure_free_scope(&tx, touch_tier, segment_id, None).await?;
    let now = Utc::now();
    let model = HealthModel {
        id: HealthModelId::new(),
        def,
        touch_tier,
        segment_id,
        version: 1,
        created_at: now,
        updated_at: now,
        archived_at: None,
    };
    let json = serde_json::to_value(&model.def).map_err(|e| corrupt("health model", e))?;
    let mut q = Sql::new(
        "INSERT INTO health_models (id, name, touch_tier, segment_id, version, definition, created_at, updated_at) VALUES (",
    );
    q.bind(model.id.0)
        .push(", ")
        .bind(model.def.name.as_str())
        .push(", ")
        .bind(touch_tier.map(|t| t.as_str().to_owned()))
        .push(", ")
        .bind(segment_id.map(|s| s.0))
        .push(", 1, ")
        .bind(json)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    q.execute(&tx).await?;
    save_version(&tx, actor, &model).await?;
    tx.commit().await?;
    Ok(model)
}

/// Gives a model still at `version` a new definition (its next version; earlier scores keep
/// naming the version they came from), or archives it.
pub async fn update_model(
    store: &Store,
    actor: &str,
    id: HealthModelId,
    version: i32,
    def: Option<HealthModelDef>,
    archive: bool,
) -> PersistenceResult<HealthModel> {
    let tx = store.begin_write().await?;
    let mut q = Sql::new(&format!(
        "SELECT {MODEL_COLUMNS} FROM health_models WHERE id = "
    ));
    q.bind(id.0);
    let rows = q.all(&tx).await?;
    let current = match rows.first() {
        Some(r) => model_row(r)?,
        None => {
            return Err(PersistenceError::NotFound {
                entity: "health model",
                id: id.to_string(),
            });
        }
    };
    if current.archived_at.is_some() {
        return Err(PersistenceError::Conflict(
            "the health model is archived and can no longer change".to_owned(),
        ));
    }
    if current.version != version {
        return Err(PersistenceError::Stale {
            entity: "health model",
            read: version,
            current: current.version,
        });
    }
    let now = Utc::now();
    let mut next = current.clone();
    if archive {
        next.archived_at = Some(now);
    }
    if let Some(def) = def
        && def != current.def
    {
        next.def = def;
        next.version = version + 1;
        next.updated_at = now;
        save_version(&tx, actor, &next).await?;
    }
    if next == current {
        return Ok(current);
    }
    let json = serde_json::to_value(&next.def).map_err(|e| corrupt("health model", e))?;
    let mut q = Sql::new("UPDATE health_models SET name = ");
    q.bind(next.def.name.as_str())
        .push(", definition = ")
        .bind(json)
        .push(", version = ")
        .bind(next.version)
        .push(", updated_at = ")
        .bind(now)
        .push(", archived_at = ")
        .bind(next.archived_at)
        .push(" WHERE id = ")
        .bind(id.0);
    q.execute(&tx).await?;
    tx.commit().await?;
    Ok(next)
}

/// A score's columns but its breakdown.
const OUTLINE_COLUMNS: &str = "hs.id AS id, hs.account_id AS account_id, hs.model_id AS model_id, hs.model_version AS model_version, hs.score AS score, hs.status AS status, hs.computed_at AS computed_at";
const SCORE_COLUMNS: &str = "hs.id AS id, hs.account_id AS account_id, hs.model_id AS model_id, hs.model_version AS model_version, hs.score AS score, hs.status AS status, hs.computed_at AS computed_at, CAST(hs.breakdown AS TEXT) AS breakdown";

fn score_row(r: &sea_orm::QueryResult) -> PersistenceResult<ScoreRecord> {
    let outline = outline_row(r)?;
    Ok(ScoreRecord {
        id: outline.id,
        account_id: outline.account_id,
        model_id: outline.model_id,
        model_version: outline.model_version,
        score: Score {
            value: outline.value,
            status: outline.status,
            breakdown: serde_json::from_str(&get::<String>(r, "breakdown")?)
                .map_err(|e| corrupt("score breakdown", e))?,
        },
        computed_at: outline.computed_at,
    })
}

/// A row of [`OUTLINE_COLUMNS`] (or of [`SCORE_COLUMNS`], its breakdown unread).
fn outline_row(r: &sea_orm::QueryResult) -> PersistenceResult<ScoreOutline> {
    Ok(ScoreOutline {
        id: HealthScoreId(get(r, "id")?),
        account_id: AccountId(get(r, "account_id")?),
        model_id: HealthModelId(get(r, "model_id")?),
        model_version: get(r, "model_version")?,
        value: get(r, "score")?,
        status: get::<String>(r, "status")?
            .parse()
            .map_err(|e| corrupt("health status", e))?,
        computed_at: get(r, "computed_at")?,
    })
}

/// The latest score of each of `accounts` that has one, as `row` decodes `columns`.
async fn current_with<T>(
    store: &Store,
    accounts: &[AccountId],
    columns: &str,
    row: impl Fn(&sea_orm::QueryResult) -> PersistenceResult<T>,
    account_of: impl Fn(&T) -> AccountId,
) -> PersistenceResult<HashMap<AccountId, T>> {
    let mut out = HashMap::with_capacity(accounts.len());
    for chunk in accounts.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(&format!(
            "SELECT {columns} FROM health_current hc JOIN health_scores hs ON hs.id = hc.score_id \
             WHERE hc.account_id IN "
        ));
        q.bind_list(chunk.iter().map(|a| a.0));
        for r in q.all(store.conn()).await? {
            let s = row(&r)?;
            out.insert(account_of(&s), s);
        }
    }
    Ok(out)
}

/// Each account's latest score, for those that have one.
pub async fn current(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, ScoreRecord>> {
    current_with(store, accounts, SCORE_COLUMNS, score_row, |s| s.account_id).await
}

/// Each account's latest score without its breakdown: for lists that show none, which then
/// neither cast, send nor parse its JSON (parsing it was most of decoding a dashboard's 50
/// scores).
pub async fn current_outlines(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, ScoreOutline>> {
    current_with(store, accounts, OUTLINE_COLUMNS, outline_row, |s| {
        s.account_id
    })
    .await
}

/// Each account's latest score as it stood at `at` (for trends: the score 30 or 90 days ago).
pub async fn as_of(
    store: &Store,
    accounts: &[AccountId],
    at: DateTime<Utc>,
) -> PersistenceResult<HashMap<AccountId, f64>> {
    let mut out = HashMap::with_capacity(accounts.len());
    for chunk in accounts.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(
            "SELECT hs.account_id AS account_id, hs.score AS score FROM health_scores hs WHERE hs.account_id IN ",
        );
        q.bind_list(chunk.iter().map(|a| a.0))
            .push(
                " AND hs.computed_at = (SELECT MAX(h2.computed_at) FROM health_scores h2 \
                 WHERE h2.account_id = hs.account_id AND h2.computed_at <= ",
            )
            .bind(at)
            .push(")");
        for r in q.all(store.conn()).await? {
            out.insert(AccountId(get(&r, "account_id")?), get(&r, "score")?);
        }
    }
    Ok(out)
}

/// An account's scores since `since`, newest first, at most `limit`.
pub async fn history(
    store: &Store,
    account: AccountId,
    since: Option<DateTime<Utc>>,
    limit: u64,
) -> PersistenceResult<Vec<ScoreRecord>> {
    let mut q = Sql::new(&format!(
        "SELECT {SCORE_COLUMNS} FROM health_scores hs WHERE hs.account_id = "
    ));
    q.bind(account.0);
    if let Some(since) = since {
        q.push(" AND hs.computed_at >= ").bind(since);
    }
    q.push(" ORDER BY hs.computed_at DESC, hs.id DESC LIMIT ")
        .bind(limit as i64);
    q.all(store.conn()).await?.iter().map(score_row).collect()
}

/// The windows over which the latest score is compared with an earlier one (days), kept on
/// each account's current score.
pub const MOVER_WINDOWS: [i64; 3] = [7, 30, 90];

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
    let mut q = Sql::new(
        "SELECT account_id, \
         CAST(SUM(CASE WHEN score >= 9 THEN 1 ELSE 0 END) AS BIGINT) AS promoters, \
         CAST(SUM(CASE WHEN score BETWEEN 7 AND 8 THEN 1 ELSE 0 END) AS BIGINT) AS passives, \
         CAST(SUM(CASE WHEN score <= 6 THEN 1 ELSE 0 END) AS BIGINT) AS detractors \
         FROM survey_responses WHERE kind = 'NPS' AND responded_at >= ",
    );
    q.bind(survey_since).push(" AND responded_at <= ").bind(now);
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

/// Stores scores in bulk as history, without events and without touching each account's
/// current score (the next computation sets that): the revenue module's `import` for health.
pub async fn import_scores(store: &Store, scores: &[ImportedScore]) -> PersistenceResult<()> {
    for chunk in scores.chunks(1000) {
        let mut q = Sql::new(
            "INSERT INTO health_scores (id, account_id, model_id, model_version, score, status, breakdown, computed_at) VALUES ",
        );
        for (i, s) in chunk.iter().enumerate() {
            let breakdown =
                serde_json::to_value(&s.score.breakdown).map_err(|e| corrupt("breakdown", e))?;
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(HealthScoreId::new().0)
                .push(", ")
                .bind(s.account_id.0)
                .push(", ")
                .bind(s.model_id.0)
                .push(", ")
                .bind(s.model_version)
                .push(", ")
                .bind(s.score.value)
                .push(", ")
                .bind(s.score.status.as_str())
                .push(", ")
                .bind(breakdown)
                .push(", ")
                .bind(s.computed_at)
                .push(")");
        }
        q.execute(store.conn()).await?;
    }
    Ok(())
}
