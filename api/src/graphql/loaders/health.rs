//! Loaders of health scores (current and past) and usage summaries.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::Utc;
use tandem_domain::health::{ScoreOutline, ScoreRecord};
use tandem_domain::ids::AccountId;
use tandem_persistence::Store;

use crate::error::ApiError;

/// Loads each account's latest health score.
pub struct HealthLoader(pub(super) Store);

impl Loader<AccountId> for HealthLoader {
    type Value = ScoreRecord;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(tandem_persistence::health::score::current(&self.0, keys).await?)
    }
}

/// Loads each account's latest health score without its breakdown
/// (`tandem_persistence::health::score::current_outlines`).
pub struct HealthOutlineLoader(pub(super) Store);

impl Loader<AccountId> for HealthOutlineLoader {
    type Value = ScoreOutline;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(tandem_persistence::health::score::current_outlines(&self.0, keys).await?)
    }
}

/// Loads each account's score as it stood some days ago.
pub struct HealthThenLoader(pub(super) Store);

impl Loader<(AccountId, i64)> for HealthThenLoader {
    type Value = f64;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[(AccountId, i64)],
    ) -> Result<HashMap<(AccountId, i64), f64>, ApiError> {
        let mut by_days: HashMap<i64, Vec<AccountId>> = HashMap::new();
        for (account, days) in keys {
            by_days.entry(*days).or_default().push(*account);
        }
        let mut out = HashMap::with_capacity(keys.len());
        let now = Utc::now();
        for (days, accounts) in by_days {
            let scores = tandem_persistence::health::score::as_of(
                &self.0,
                &accounts,
                now - chrono::Duration::days(days),
            )
            .await?;
            out.extend(scores.into_iter().map(|(a, s)| ((a, days), s)));
        }
        Ok(out)
    }
}

/// Loads each account's 30-day usage summary.
pub struct UsageLoader(pub(super) Store);

impl Loader<AccountId> for UsageLoader {
    type Value = tandem_domain::signals::UsageSummary;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        Ok(tandem_persistence::usage::summaries(&self.0, keys, Utc::now().date_naive()).await?)
    }
}
