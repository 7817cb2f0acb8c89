//! The renewal model's schedule: the automation worker's leader (one server of those sharing a
//! database, under the cluster lease) refits the revenue outlook's model every
//! `TANDEM_OUTLOOK_REFIT_EVERY`, so a fleet fits once per period rather than once per server.
//!
//! The schedule looks every period (at most hourly), the first time one look after the leader
//! starts. A period passes when the latest model is older than it (or none exists); a period in which
//! no renewal was decided since the latest fit refits nothing, since the model would learn from
//! the same history. "Not enough history" is logged and tried again next period.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::service::Services;
use crate::service::outlook::{Refit, fit};

/// How often the schedule looks whether a refit is due, at most.
const LOOK_EVERY: Duration = Duration::from_secs(3600);

/// Who the schedule's fits are recorded as.
pub const ACTOR: &str = "system";

/// Runs the schedule until `stop` turns true; returns at once when it is off.
pub async fn run(services: Services, mut stop: watch::Receiver<bool>) {
    let Some(every) = services.outlook.refit_every else {
        return;
    };
    // The first look waits too, so that a server starting (or taking the worker over) runs no
    // statement for the schedule in its first moments.
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every.min(LOOK_EVERY)) => {}
            _ = stop.changed() => return,
        }
        if let Err(e) = once(&services, every).await {
            tracing::warn!(error = %e.message, "cannot refit the renewal model; trying again later");
        }
    }
}

/// Refits when a period has passed since the latest model and renewals were decided since.
async fn once(services: &Services, every: Duration) -> crate::error::ApiResult<()> {
    let store = &services.store;
    let latest = tandem_persistence::outlook::latest_model(store).await?;
    if let Some(m) = &latest {
        let age = (Utc::now() - m.fitted_at).to_std().unwrap_or_default();
        if age < every {
            return Ok(());
        }
        let closed = tandem_persistence::outlook::closed_count(store).await?;
        if closed == m.closed_renewals {
            tracing::debug!(
                version = m.version,
                "no renewal decided since the latest fit"
            );
            return Ok(());
        }
    }
    match fit(store, ACTOR, &services.outlook).await? {
        Refit::Fitted(m) => {
            services.committed(());
            tracing::info!(
                version = m.version,
                closed = m.closed_renewals,
                auc = ?m.fitted.backtest.model.auc,
                "refitted the renewal model"
            );
        }
        Refit::NotEnoughHistory { closed, needed } => {
            tracing::info!(
                closed,
                needed,
                "not enough history to fit the renewal model"
            );
        }
    }
    Ok(())
}
