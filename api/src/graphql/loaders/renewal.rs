//! Loaders of risks, the tasks that mitigate them, and renewals.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use tandem_domain::ids::AccountId;
use tandem_persistence::Store;

use super::batch::group;
use crate::error::ApiError;

/// Loads each account's risks.
pub struct RisksLoader(pub(super) Store);

impl Loader<AccountId> for RisksLoader {
    type Value = Vec<tandem_domain::renewal::Risk>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        let risks = tandem_persistence::renewal::risks_of(&self.0, keys, &[]).await?;
        Ok(group(risks, |r| r.account_id))
    }
}

/// Loads each risk's linked tasks.
pub struct RiskTasksLoader(pub(super) Store);

impl Loader<tandem_domain::ids::RiskId> for RiskTasksLoader {
    type Value = Vec<tandem_domain::playbook::Task>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[tandem_domain::ids::RiskId],
    ) -> Result<HashMap<tandem_domain::ids::RiskId, Self::Value>, ApiError> {
        let tasks = tandem_persistence::task::of_risks(&self.0, keys).await?;
        let mut out: HashMap<tandem_domain::ids::RiskId, Self::Value> = HashMap::new();
        for t in tasks {
            if let Some(risk) = t.risk_id {
                out.entry(risk).or_default().push(t);
            }
        }
        Ok(out)
    }
}

/// Loads each account's renewals.
pub struct RenewalsLoader(pub(super) Store);

impl Loader<AccountId> for RenewalsLoader {
    type Value = Vec<tandem_domain::renewal::Renewal>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Self::Value>, ApiError> {
        let renewals = tandem_persistence::renewal::renewals_of(&self.0, keys).await?;
        Ok(group(renewals, |r| r.account_id))
    }
}
