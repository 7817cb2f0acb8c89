//! Contact operations.

use tandem_domain::auth::{Action, Principal};
use tandem_domain::contact::{Contact, ContactPatch, NewContact};
use tandem_domain::ids::{AccountId, ContactId};
use tandem_persistence::contact;

use super::Services;
use crate::error::ApiResult;

/// One contact, or `None`.
#[tracing::instrument(level = "debug", name = "service::contact::get", skip_all)]
pub async fn get(s: &Services, who: &Principal, id: ContactId) -> ApiResult<Option<Contact>> {
    who.authorize(Action::Read)?;
    Ok(contact::by_ids(&s.store, &[id]).await?.pop())
}

/// Adds a contact to an account.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account_id))]
pub async fn create(
    s: &Services,
    who: &Principal,
    account_id: AccountId,
    input: NewContact,
) -> ApiResult<Contact> {
    who.authorize(Action::WriteContact)?;
    let data = input.validate()?;
    let created = contact::create(&s.store, &who.subject, account_id, data).await?;
    Ok(s.committed(created))
}

/// Updates a contact that is still at `version`.
#[tracing::instrument(skip_all, fields(subject = %who.subject, contact = %id))]
pub async fn update(
    s: &Services,
    who: &Principal,
    id: ContactId,
    version: i32,
    patch: ContactPatch,
) -> ApiResult<Contact> {
    who.authorize(Action::WriteContact)?;
    let updated =
        contact::update(&s.store, &who.subject, id, version, |c| c.patched(patch)).await?;
    Ok(s.committed(updated))
}

/// Archives a contact that is still at `version`.
#[tracing::instrument(skip_all, fields(subject = %who.subject, contact = %id))]
pub async fn archive(
    s: &Services,
    who: &Principal,
    id: ContactId,
    version: i32,
) -> ApiResult<Contact> {
    who.authorize(Action::ArchiveContact)?;
    let archived = contact::archive(&s.store, &who.subject, id, version).await?;
    Ok(s.committed(archived))
}
