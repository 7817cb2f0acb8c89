//! Stored renewal models: each fit kept whole (the model and its backtest as JSON, with the
//! settings it used), numbered 1, 2, 3… like health model versions.

use chrono::Utc;
use sea_orm::QueryResult;
use tandem_domain::event::{self, EventKind, NewEvent, SubjectKind};
use tandem_domain::outlook::{Fitted, OutlookModel, Settings};
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store};

const COLUMNS: &str = "id, version, fitted_at, fitted_by, closed_renewals, \
                       CAST(fitted AS TEXT) AS fitted, CAST(settings AS TEXT) AS settings";

fn model(r: &QueryResult) -> PersistenceResult<OutlookModel> {
    Ok(OutlookModel {
        id: get(r, "id")?,
        version: get(r, "version")?,
        fitted_at: get(r, "fitted_at")?,
        fitted_by: get(r, "fitted_by")?,
        closed_renewals: usize::try_from(get::<i32>(r, "closed_renewals")?)
            .map_err(|e| corrupt("outlook model", e))?,
        fitted: serde_json::from_str(&get::<String>(r, "fitted")?)
            .map_err(|e| corrupt("outlook model", e))?,
        settings: serde_json::from_str(&get::<String>(r, "settings")?)
            .map_err(|e| corrupt("outlook model settings", e))?,
    })
}

/// Stores a fit as the next version, with `OUTLOOK_MODEL_FITTED` (an event of no account: its
/// version, how many closed renewals it learned from, and the backtest's headline figures).
pub async fn save(
    store: &Store,
    actor: &str,
    closed_renewals: usize,
    fitted: Fitted,
    settings: Settings,
) -> PersistenceResult<OutlookModel> {
    let tx = store.begin_write().await?;
    let q = Sql::new("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM outlook_models");
    let last = match q.all(&tx).await?.first() {
        Some(r) => get::<i64>(r, "v")?,
        None => 0,
    };
    let saved = OutlookModel {
        id: Uuid::now_v7(),
        version: i32::try_from(last + 1).map_err(|e| corrupt("outlook model version", e))?,
        fitted_at: Utc::now(),
        fitted_by: actor.to_owned(),
        closed_renewals,
        fitted,
        settings,
    };
    let fitted_json =
        serde_json::to_value(&saved.fitted).map_err(|e| corrupt("outlook model", e))?;
    let settings_json =
        serde_json::to_value(saved.settings).map_err(|e| corrupt("outlook model settings", e))?;
    let mut q = Sql::new(
        "INSERT INTO outlook_models (id, version, fitted_at, fitted_by, closed_renewals, fitted, \
         settings) VALUES (",
    );
    q.bind(saved.id)
        .push(", ")
        .bind(saved.version)
        .push(", ")
        .bind(saved.fitted_at)
        .push(", ")
        .bind(actor)
        .push(", ")
        .bind(i32::try_from(closed_renewals).unwrap_or(i32::MAX))
        .push(", ")
        .bind(fitted_json)
        .push(", ")
        .bind(settings_json)
        .push(")");
    q.execute(&tx).await?;
    let bt = &saved.fitted.backtest;
    crate::event::append(
        store,
        &tx,
        NewEvent {
            account_id: None,
            subject_kind: SubjectKind::OutlookModel,
            subject_id: saved.id,
            kind: EventKind::OutlookModelFitted,
            actor: actor.to_owned(),
            changes: event::created(&serde_json::json!({
                "version": saved.version,
                "closedRenewals": closed_renewals,
                "heldOut": bt.held_out,
                "auc": bt.model.auc,
                "brier": bt.model.brier,
                "managerAuc": bt.manager.auc,
                "managerBrier": bt.manager.brier,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// The latest model, if one was ever fitted.
pub async fn latest(store: &Store) -> PersistenceResult<Option<OutlookModel>> {
    let q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM outlook_models ORDER BY version DESC LIMIT 1"
    ));
    q.all(store.conn()).await?.first().map(model).transpose()
}

/// The model of this version.
pub async fn by_version(store: &Store, version: i32) -> PersistenceResult<Option<OutlookModel>> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM outlook_models WHERE version = "
    ));
    q.bind(version);
    q.all(store.conn()).await?.first().map(model).transpose()
}

/// Every model, the latest first.
pub async fn all(store: &Store) -> PersistenceResult<Vec<OutlookModel>> {
    let q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM outlook_models ORDER BY version DESC"
    ));
    q.all(store.conn()).await?.iter().map(model).collect()
}

/// What scoring any renewal needs besides its features: how many renewals have been decided,
/// and the latest model.
#[derive(Debug, Clone, PartialEq)]
pub struct Basis {
    /// Renewals decided so far.
    pub closed: usize,
    /// The latest model, if one was ever fitted.
    pub model: Option<OutlookModel>,
}

/// How many renewals have been decided, and the latest model: two statements, whatever the
/// number of renewals scored with it.
pub async fn basis(store: &Store) -> PersistenceResult<Basis> {
    Ok(Basis {
        closed: super::history::closed_count(store).await?,
        model: latest(store).await?,
    })
}
