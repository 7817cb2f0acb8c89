//! Loaders of accounts, team members, contacts and MRR.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::Utc;
use tandem_domain::account::Account;
use tandem_domain::contact::Contact;
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_domain::team_member::TeamMember;
use tandem_persistence::{Store, account, contact, revenue, team_member};

use crate::error::ApiError;

/// Loads accounts by id.
pub struct AccountLoader(pub(super) Store);

impl Loader<AccountId> for AccountLoader {
    type Value = Account;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Account>, ApiError> {
        Ok(account::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect())
    }
}

/// Loads team members by id.
pub struct TeamMemberLoader(pub(super) Store);

impl Loader<TeamMemberId> for TeamMemberLoader {
    type Value = TeamMember;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[TeamMemberId],
    ) -> Result<HashMap<TeamMemberId, TeamMember>, ApiError> {
        Ok(team_member::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect())
    }
}

/// Loads each account's active contacts.
pub struct ContactsLoader(pub(super) Store);

impl Loader<AccountId> for ContactsLoader {
    type Value = Vec<Contact>;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, Vec<Contact>>, ApiError> {
        Ok(contact::by_accounts(&self.0, keys).await?)
    }
}

/// Loads each account's MRR today, summed in SQL.
pub struct MrrLoader(pub(super) Store);

impl Loader<AccountId> for MrrLoader {
    type Value = i64;
    type Error = ApiError;

    async fn load(&self, keys: &[AccountId]) -> Result<HashMap<AccountId, i64>, ApiError> {
        Ok(revenue::mrr_on(&self.0, keys, Utc::now().date_naive()).await?)
    }
}
