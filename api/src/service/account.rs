//! Account operations.

use tandem_domain::account::{Account, AccountPatch, NewAccount};
use tandem_domain::auth::{Action, Principal};
use tandem_domain::ids::AccountId;
use tandem_persistence::account::{self, AccountFilter, AccountKey, AccountOrder, Listing};
use tandem_persistence::page::Window;

use super::Services;
use crate::error::ApiResult;

/// One account, or `None`.
#[tracing::instrument(level = "debug", name = "service::account::get", skip_all)]
pub async fn get(s: &Services, who: &Principal, id: AccountId) -> ApiResult<Option<Account>> {
    who.authorize(Action::Read)?;
    Ok(account::get(&s.store, id).await?)
}

/// A page of accounts, with their tags when `tags` (see [`account::list_with`]).
#[tracing::instrument(level = "debug", name = "service::account::list", skip_all)]
pub async fn list(
    s: &Services,
    who: &Principal,
    filter: &AccountFilter,
    order: AccountOrder,
    window: &Window<AccountKey>,
    tags: bool,
) -> ApiResult<Listing> {
    who.authorize(Action::Read)?;
    Ok(account::list_with(&s.store, filter, order, window, tags).await?)
}

/// How many accounts match.
#[tracing::instrument(level = "debug", name = "service::account::count", skip_all)]
pub async fn count(s: &Services, who: &Principal, filter: &AccountFilter) -> ApiResult<u64> {
    who.authorize(Action::Read)?;
    Ok(account::count(&s.store, filter).await?)
}

/// Creates an account.
#[tracing::instrument(skip_all, fields(subject = %who.subject))]
pub async fn create(s: &Services, who: &Principal, input: NewAccount) -> ApiResult<Account> {
    who.authorize(Action::WriteAccount)?;
    let data = input.validate()?;
    let created = account::create(&s.store, &who.subject, data).await?;
    Ok(s.committed(created))
}

/// Updates an account that is still at `version`.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %id))]
pub async fn update(
    s: &Services,
    who: &Principal,
    id: AccountId,
    version: i32,
    patch: AccountPatch,
) -> ApiResult<Account> {
    who.authorize(Action::WriteAccount)?;
    let updated =
        account::update(&s.store, &who.subject, id, version, |a| a.patched(patch)).await?;
    Ok(s.committed(updated))
}

/// Archives an account that is still at `version`.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %id))]
pub async fn archive(
    s: &Services,
    who: &Principal,
    id: AccountId,
    version: i32,
) -> ApiResult<Account> {
    who.authorize(Action::ArchiveAccount)?;
    let archived = account::archive(&s.store, &who.subject, id, version).await?;
    Ok(s.committed(archived))
}
