//! Contacts: the people at an account.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use tandem_domain::DomainResult;
use tandem_domain::contact::{Contact, ContactData};
use tandem_domain::event::{self, EventKind, NewEvent, SubjectKind};
use tandem_domain::ids::{AccountId, ContactId};

use crate::entity::contact;
use crate::error::corrupt;
use crate::{PersistenceError, PersistenceResult, Store, versioned};

/// The contacts with these ids that exist, archived or not.
pub async fn by_ids(store: &Store, ids: &[ContactId]) -> PersistenceResult<Vec<Contact>> {
    let rows = crate::page::rows_in(
        store.conn(),
        contact::Entity::find(),
        contact::Column::Id,
        ids,
    )
    .await?;
    rows.into_iter().map(to_domain).collect()
}

/// The active contacts of each of these accounts, by name: one query per chunk of accounts,
/// however many accounts a page shows.
pub async fn by_accounts(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, Vec<Contact>>> {
    let mut out: HashMap<AccountId, Vec<Contact>> = HashMap::new();
    let rows = crate::page::rows_in(
        store.conn(),
        contact::Entity::find()
            .filter(contact::Column::ArchivedAt.is_null())
            .order_by_asc(contact::Column::Name)
            .order_by_asc(contact::Column::Id),
        contact::Column::AccountId,
        accounts,
    )
    .await?;
    for row in rows {
        let c = to_domain(row)?;
        out.entry(c.account_id).or_default().push(c);
    }
    Ok(out)
}

/// Adds a contact to an active account and records `CONTACT_CREATED` on it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    store: &Store,
    actor: &str,
    account_id: AccountId,
    data: ContactData,
) -> PersistenceResult<Contact> {
    let tx = store.begin_write().await?;
    let contact = create_in(store, &tx, actor, account_id, data).await?;
    tx.commit().await?;
    Ok(contact)
}

/// [`create`] inside the caller's transaction.
pub(crate) async fn create_in(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    account_id: AccountId,
    data: ContactData,
) -> PersistenceResult<Contact> {
    crate::account::ensure_exists(tx, account_id)
        .await?
        .ensure_active()?;
    ensure_email_free(tx, account_id, &data.email, None).await?;
    let now = Utc::now();
    let contact = Contact {
        id: ContactId::new(),
        account_id,
        data,
        version: 1,
        created_at: now,
        updated_at: now,
        archived_at: None,
    };
    let mut row = active_model(&contact);
    row.id = Set(contact.id.0);
    row.account_id = Set(account_id.0);
    row.created_at = Set(now);
    contact::Entity::insert(row)
        .exec_without_returning(tx)
        .await?;
    let changes = event::created(&contact.data);
    record(
        store,
        tx,
        actor,
        &contact,
        EventKind::ContactCreated,
        changes,
    )
    .await?;
    Ok(contact)
}

/// Applies `change` if the contact is still at `version`; records `CONTACT_UPDATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    store: &Store,
    actor: &str,
    id: ContactId,
    version: i32,
    change: impl FnOnce(&Contact) -> DomainResult<ContactData>,
) -> PersistenceResult<Contact> {
    let tx = store.begin_write().await?;
    match update_in(store, &tx, actor, id, Some(version), change).await? {
        Ok(updated) => {
            tx.commit().await?;
            Ok(updated)
        }
        Err(same) => Ok(same),
    }
}

/// [`update`] inside the caller's transaction, at `version` when given, else at whatever
/// version the contact has. `Err` holds the contact when the change changes nothing.
pub(crate) async fn update_in(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    id: ContactId,
    version: Option<i32>,
    change: impl FnOnce(&Contact) -> DomainResult<ContactData>,
) -> PersistenceResult<Result<Contact, Contact>> {
    let current = load_for_write(tx, id, version).await?;
    let version = current.version;
    let data = change(&current)?;
    if data.email != current.data.email {
        ensure_email_free(tx, current.account_id, &data.email, Some(id)).await?;
    }
    let changes = event::diff(&current.data, &data);
    if changes.is_empty() {
        return Ok(Err(current));
    }
    let updated = Contact {
        data,
        version: version + 1,
        updated_at: Utc::now(),
        ..current
    };
    save(tx, &updated, version).await?;
    record(
        store,
        tx,
        actor,
        &updated,
        EventKind::ContactUpdated,
        changes,
    )
    .await?;
    Ok(Ok(updated))
}

/// Archives the contact if still at `version`; records `CONTACT_ARCHIVED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn archive(
    store: &Store,
    actor: &str,
    id: ContactId,
    version: i32,
) -> PersistenceResult<Contact> {
    let tx = store.begin_write().await?;
    let current = load_for_write(&tx, id, version).await?;
    current.ensure_active()?;
    let now = Utc::now();
    let archived = Contact {
        version: version + 1,
        updated_at: now,
        archived_at: Some(now),
        ..current
    };
    save(&tx, &archived, version).await?;
    let changes = event::archived(now);
    record(
        store,
        &tx,
        actor,
        &archived,
        EventKind::ContactArchived,
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(archived)
}

async fn ensure_email_free(
    tx: &DatabaseTransaction,
    account_id: AccountId,
    email: &str,
    except: Option<ContactId>,
) -> PersistenceResult<()> {
    let mut select = contact::Entity::find()
        .filter(contact::Column::AccountId.eq(account_id.0))
        .filter(contact::Column::Email.eq(email))
        .filter(contact::Column::ArchivedAt.is_null());
    if let Some(id) = except {
        select = select.filter(contact::Column::Id.ne(id.0));
    }
    if select.count(tx).await? > 0 {
        return Err(PersistenceError::Conflict(format!(
            "this account already has a contact with the e-mail address {email}"
        )));
    }
    Ok(())
}

async fn record(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    contact: &Contact,
    kind: EventKind,
    changes: Vec<event::FieldChange>,
) -> PersistenceResult<i64> {
    crate::event::append(
        store,
        tx,
        NewEvent {
            account_id: Some(contact.account_id),
            subject_kind: SubjectKind::Contact,
            subject_id: contact.id.0,
            kind,
            actor: actor.to_owned(),
            changes,
        },
    )
    .await
}

async fn load_for_write(
    tx: &DatabaseTransaction,
    id: ContactId,
    version: impl Into<Option<i32>>,
) -> PersistenceResult<Contact> {
    let current = contact::Entity::find_by_id(id.0)
        .one(tx)
        .await?
        .ok_or_else(|| PersistenceError::NotFound {
            entity: "contact",
            id: id.to_string(),
        })
        .and_then(to_domain)?;
    if let Some(version) = version.into() {
        versioned::check("contact", version, current.version)?;
    }
    Ok(current)
}

async fn save(
    tx: &DatabaseTransaction,
    contact: &Contact,
    read_version: i32,
) -> PersistenceResult<()> {
    let columns = (contact::Column::Id, contact::Column::Version);
    versioned::save::<contact::Entity>(
        tx,
        active_model(contact),
        columns,
        contact.id.0,
        read_version,
        "contact",
    )
    .await
}

fn active_model(c: &Contact) -> contact::ActiveModel {
    let d = &c.data;
    contact::ActiveModel {
        id: NotSet,
        account_id: NotSet,
        name: Set(d.name.clone()),
        email: Set(d.email.clone()),
        title: Set(d.title.clone()),
        phone: Set(d.phone.clone()),
        stakeholder_role: Set(d.stakeholder_role.as_str().to_owned()),
        version: Set(c.version),
        created_at: NotSet,
        updated_at: Set(c.updated_at),
        archived_at: Set(c.archived_at),
    }
}

fn to_domain(m: contact::Model) -> PersistenceResult<Contact> {
    Ok(Contact {
        id: ContactId(m.id),
        account_id: AccountId(m.account_id),
        data: ContactData {
            name: m.name,
            email: m.email,
            title: m.title,
            phone: m.phone,
            stakeholder_role: m
                .stakeholder_role
                .parse()
                .map_err(|e: String| corrupt("stakeholder role", e))?,
        },
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
        archived_at: m.archived_at,
    })
}
