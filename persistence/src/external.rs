//! External ids, and upserting accounts and contacts by them.
//!
//! An upsert runs in one transaction with a savepoint per record: a record that fails rolls back
//! alone and is reported; the others are created or updated, each with its account-change event.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
use tandem_domain::DomainError;
use tandem_domain::account::Account;
use tandem_domain::contact::Contact;
use tandem_domain::ids::{AccountId, ContactId};
use tandem_domain::sync::{
    AccountRecord, AccountRef, ContactRecord, ContactResult, ExternalId, ExternalKind,
    RecordResult, UpsertStatus,
};
use uuid::Uuid;

use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};

/// The objects of `kind` that `source` names by these ids.
async fn lookup(
    conn: &impl ConnectionTrait,
    kind: ExternalKind,
    source: &str,
    ids: &[&str],
) -> PersistenceResult<HashMap<String, Uuid>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new("SELECT external_id, entity_id FROM external_ids WHERE kind = ");
        q.bind(kind.as_str())
            .push(" AND source = ")
            .bind(source)
            .push(" AND external_id IN ")
            .bind_list(chunk.iter().map(|s| (*s).to_owned()));
        for r in q.all(conn).await? {
            out.insert(get(&r, "external_id")?, get(&r, "entity_id")?);
        }
    }
    Ok(out)
}

/// Links `entity` to `external_id` in `source`, replacing its previous id there; `None` unlinks.
pub async fn set(
    store: &Store,
    kind: ExternalKind,
    entity: Uuid,
    source: &str,
    external_id: Option<&str>,
) -> PersistenceResult<()> {
    let tx = store.begin_write().await?;
    let mut q = Sql::new("DELETE FROM external_ids WHERE kind = ");
    q.bind(kind.as_str())
        .push(" AND source = ")
        .bind(source)
        .push(" AND entity_id = ")
        .bind(entity);
    q.execute(&tx).await?;
    if let Some(id) = external_id {
        link(&tx, kind, source, id, entity).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn link(
    conn: &impl ConnectionTrait,
    kind: ExternalKind,
    source: &str,
    external_id: &str,
    entity: Uuid,
) -> PersistenceResult<()> {
    let mut q = Sql::new(
        "INSERT INTO external_ids (kind, source, external_id, entity_id, created_at) VALUES (",
    );
    q.bind(kind.as_str())
        .push(", ")
        .bind(source)
        .push(", ")
        .bind(external_id)
        .push(", ")
        .bind(entity)
        .push(", ")
        .bind(Utc::now())
        .push(")");
    q.execute(conn).await.map_err(|e| match e {
        PersistenceError::Conflict(_) => PersistenceError::Conflict(format!(
            "the {source} id '{external_id}' already names another {}",
            kind.as_str().to_lowercase().replace('_', " ")
        )),
        other => other,
    })?;
    Ok(())
}

/// The external ids of these objects.
pub async fn of(
    store: &Store,
    kind: ExternalKind,
    entities: &[Uuid],
) -> PersistenceResult<Vec<ExternalId>> {
    let mut out = Vec::new();
    for chunk in entities.chunks(crate::sql::MAX_IN_LIST) {
        let mut q =
            Sql::new("SELECT entity_id, source, external_id FROM external_ids WHERE kind = ");
        q.bind(kind.as_str())
            .push(" AND entity_id IN ")
            .bind_list(chunk.iter().copied())
            .push(" ORDER BY source");
        for r in q.all(store.conn()).await? {
            out.push(ExternalId {
                entity_id: get(&r, "entity_id")?,
                source: get(&r, "source")?,
                external_id: get(&r, "external_id")?,
            });
        }
    }
    Ok(out)
}

/// Runs one record's `work` under a savepoint of `tx`: its writes stay when it succeeds and
/// roll back alone when it fails (`Ok(Err(…))`, reported with the record); an outage or an
/// internal error aborts the whole upsert.
async fn per_record<T>(
    tx: &DatabaseTransaction,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> PersistenceResult<T>,
) -> PersistenceResult<Result<T, PersistenceError>> {
    let sp = tx.begin().await?;
    match work(&sp).await {
        Ok(value) => {
            sp.commit().await?;
            Ok(Ok(value))
        }
        Err(e @ (PersistenceError::Unavailable(_) | PersistenceError::Internal(_))) => Err(e),
        Err(e) => {
            sp.rollback().await?;
            Ok(Err(e))
        }
    }
}

/// Creates or updates each account `source` names, in one transaction with a savepoint per
/// record. `records` holds, per position, a record or the reason it was refused before storage.
pub async fn upsert_accounts(
    store: &Store,
    actor: &str,
    source: &str,
    records: Vec<Result<AccountRecord, (String, DomainError)>>,
) -> PersistenceResult<Vec<RecordResult<PersistenceError>>> {
    let tx = store.begin_write().await?;
    let keys: Vec<&str> = records
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.external_id.as_str()))
        .collect();
    let mut known = lookup(&tx, ExternalKind::Account, source, &keys).await?;
    let mut out = Vec::with_capacity(records.len());
    for (index, record) in records.into_iter().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err((external_id, e)) => {
                out.push(RecordResult {
                    index,
                    external_id,
                    status: UpsertStatus::Failed,
                    account: None,
                    error: Some(e.into()),
                });
                continue;
            }
        };
        let existing = known.get(&record.external_id).copied();
        let result = per_record(
            &tx,
            async |sp| -> PersistenceResult<(UpsertStatus, Account)> {
                match existing {
                    Some(id) => {
                        let patch = record.patch.clone();
                        match crate::account::update_in(
                            store,
                            sp,
                            actor,
                            AccountId(id),
                            None,
                            |a| a.patched(patch),
                        )
                        .await?
                        {
                            Ok(updated) => Ok((UpsertStatus::Updated, updated)),
                            Err(same) => Ok((UpsertStatus::Unchanged, same)),
                        }
                    }
                    None => {
                        let data = record.create.clone().validate()?;
                        let created = crate::account::create_in(store, sp, actor, data).await?;
                        link(
                            sp,
                            ExternalKind::Account,
                            source,
                            &record.external_id,
                            created.id.0,
                        )
                        .await?;
                        Ok((UpsertStatus::Created, created))
                    }
                }
            },
        )
        .await?;
        match result {
            Ok((status, account)) => {
                known.insert(record.external_id.clone(), account.id.0);
                out.push(RecordResult {
                    index,
                    external_id: record.external_id,
                    status,
                    account: Some(account),
                    error: None,
                });
            }
            Err(e) => {
                out.push(RecordResult {
                    index,
                    external_id: record.external_id,
                    status: UpsertStatus::Failed,
                    account: None,
                    error: Some(e),
                });
            }
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// Creates or updates each contact `source` names, in one transaction with a savepoint per
/// record; accounts named by external id are looked up in the same source.
pub async fn upsert_contacts(
    store: &Store,
    actor: &str,
    source: &str,
    records: Vec<Result<ContactRecord, (String, DomainError)>>,
) -> PersistenceResult<Vec<ContactResult<PersistenceError>>> {
    let tx = store.begin_write().await?;
    let keys: Vec<&str> = records
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.external_id.as_str()))
        .collect();
    let mut known = lookup(&tx, ExternalKind::Contact, source, &keys).await?;
    let account_keys: Vec<&str> = records
        .iter()
        .filter_map(|r| match r.as_ref().ok()?.account.as_ref()? {
            AccountRef::External(e) => Some(e.as_str()),
            AccountRef::Id(_) => None,
        })
        .collect();
    let accounts = lookup(&tx, ExternalKind::Account, source, &account_keys).await?;
    let mut out = Vec::with_capacity(records.len());
    for (index, record) in records.into_iter().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err((external_id, e)) => {
                out.push(ContactResult {
                    index,
                    external_id,
                    status: UpsertStatus::Failed,
                    contact: None,
                    error: Some(e.into()),
                });
                continue;
            }
        };
        let account = match &record.account {
            None => Ok(None),
            Some(AccountRef::Id(id)) => Ok(Some(*id)),
            Some(AccountRef::External(e)) => match accounts.get(e) {
                Some(id) => Ok(Some(AccountId(*id))),
                None => Err(DomainError::invalid(
                    "accountExternalId",
                    format!("no account has the {source} id '{e}'; upsert the account first"),
                )),
            },
        };
        let existing = known.get(&record.external_id).copied();
        let result = per_record(
            &tx,
            async |sp| -> PersistenceResult<(UpsertStatus, Contact)> {
                let account = account?;
                match existing {
                    Some(id) => {
                        let patch = record.patch.clone();
                        let changed =
                            crate::contact::update_in(store, sp, actor, ContactId(id), None, |c| {
                                if let Some(a) = account
                                    && a != c.account_id
                                {
                                    return Err(DomainError::invalid(
                                        "account",
                                        "the contact belongs to another account; contacts do not \
                                     move between accounts",
                                    ));
                                }
                                c.patched(patch)
                            })
                            .await?;
                        Ok(match changed {
                            Ok(updated) => (UpsertStatus::Updated, updated),
                            Err(same) => (UpsertStatus::Unchanged, same),
                        })
                    }
                    None => {
                        let account = account.ok_or_else(|| {
                            DomainError::invalid(
                                "accountExternalId",
                                "a new contact needs its account: accountExternalId or accountId",
                            )
                        })?;
                        let data = record.create.clone().validate()?;
                        let created =
                            crate::contact::create_in(store, sp, actor, account, data).await?;
                        link(
                            sp,
                            ExternalKind::Contact,
                            source,
                            &record.external_id,
                            created.id.0,
                        )
                        .await?;
                        Ok((UpsertStatus::Created, created))
                    }
                }
            },
        )
        .await?;
        match result {
            Ok((status, contact)) => {
                known.insert(record.external_id.clone(), contact.id.0);
                out.push(ContactResult {
                    index,
                    external_id: record.external_id,
                    status,
                    contact: Some(contact),
                    error: None,
                });
            }
            Err(e) => {
                out.push(ContactResult {
                    index,
                    external_id: record.external_id,
                    status: UpsertStatus::Failed,
                    contact: None,
                    error: Some(e),
                });
            }
        }
    }
    tx.commit().await?;
    Ok(out)
}
