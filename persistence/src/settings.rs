//! Installation-wide settings kept in the database, as JSON under a key: what admins change
//! through the API without a restart.

use chrono::Utc;
use tandem_domain::metrics::AnalyticsSettings;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store};

const ANALYTICS: &str = "analytics";

/// The figures' settings, or the defaults when none were saved.
pub async fn analytics(store: &Store) -> PersistenceResult<AnalyticsSettings> {
    let mut q = Sql::new("SELECT CAST(value AS TEXT) AS value FROM settings WHERE key = ");
    q.bind(ANALYTICS);
    match q.all(store.conn()).await?.first() {
        Some(r) => serde_json::from_str(&get::<String>(r, "value")?)
            .map_err(|e| corrupt("analytics settings", e)),
        None => Ok(AnalyticsSettings::default()),
    }
}

/// Saves the figures' settings.
pub async fn save_analytics(store: &Store, settings: &AnalyticsSettings) -> PersistenceResult<()> {
    let json = serde_json::to_value(settings).map_err(|e| corrupt("analytics settings", e))?;
    let mut q = Sql::new("INSERT INTO settings (key, value, updated_at) VALUES (");
    q.bind(ANALYTICS)
        .push(", ")
        .bind(json)
        .push(", ")
        .bind(Utc::now())
        .push(") ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
    q.execute(store.conn()).await?;
    Ok(())
}
