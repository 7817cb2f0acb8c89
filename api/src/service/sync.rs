//! Sync by external id.

use tandem_domain::DomainError;
use tandem_domain::auth::{Action, Principal};
use tandem_domain::sync::{
    AccountRecord, ContactRecord, ContactResult, ExternalKind, RecordResult,
};
use tandem_persistence::{PersistenceError, external};

use super::Services;
use crate::error::{ApiError, ApiResult, Code};

/// Upserts accounts by their ids in `source`.
#[tracing::instrument(level = "debug", name = "service::sync::upsert_accounts", skip_all)]
pub async fn upsert_accounts(
    s: &Services,
    who: &Principal,
    source: &str,
    records: Vec<Result<AccountRecord, (String, DomainError)>>,
) -> ApiResult<Vec<RecordResult<PersistenceError>>> {
    who.authorize(Action::WriteAccount)?;
    let results = external::upsert_accounts(&s.store, &who.subject, source, records).await?;
    Ok(s.committed(results))
}

/// Upserts contacts by their ids in `source`.
#[tracing::instrument(level = "debug", name = "service::sync::upsert_contacts", skip_all)]
pub async fn upsert_contacts(
    s: &Services,
    who: &Principal,
    source: &str,
    records: Vec<Result<ContactRecord, (String, DomainError)>>,
) -> ApiResult<Vec<ContactResult<PersistenceError>>> {
    who.authorize(Action::WriteContact)?;
    let results = external::upsert_contacts(&s.store, &who.subject, source, records).await?;
    Ok(s.committed(results))
}

/// Links an object to its id in a source, or unlinks it.
#[tracing::instrument(level = "debug", name = "service::sync::set_external_id", skip_all)]
pub async fn set_external_id(
    s: &Services,
    who: &Principal,
    kind: ExternalKind,
    entity: uuid::Uuid,
    source: &str,
    external_id: Option<&str>,
) -> ApiResult<()> {
    who.authorize(match kind {
        ExternalKind::Account => Action::WriteAccount,
        ExternalKind::Contact => Action::WriteContact,
        ExternalKind::TeamMember => Action::ManageTeam,
    })?;
    let exists = match kind {
        ExternalKind::Account => tandem_persistence::account::get(&s.store, entity.into())
            .await?
            .is_some(),
        ExternalKind::Contact => !tandem_persistence::contact::by_ids(&s.store, &[entity.into()])
            .await?
            .is_empty(),
        ExternalKind::TeamMember => {
            !tandem_persistence::team_member::by_ids(&s.store, &[entity.into()])
                .await?
                .is_empty()
        }
    };
    if !exists {
        return Err(ApiError::new(
            Code::NotFound,
            format!("nothing has the id {entity}"),
        ));
    }
    external::set(&s.store, kind, entity, source, external_id).await?;
    Ok(())
}
