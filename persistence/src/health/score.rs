//! Stored scores: each account's current one (with or without its breakdown), as they stood
//! at a past moment, an account's history, and scores imported from elsewhere.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tandem_domain::health::{ImportedScore, Score, ScoreOutline, ScoreRecord};
use tandem_domain::ids::{AccountId, HealthModelId, HealthScoreId};

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store};

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
/// neither cast, send nor parse its JSON.
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
