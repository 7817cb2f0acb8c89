//! Contacts: the people at an account.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use tandem_domain::DomainResult;
use tandem_domain::contact::{Contact, ContactData};
use tandem_domain::event::{self, EventKind, SubjectKind};
use tandem_domain::ids::{AccountId, ContactId};

use crate::change::{self, Aggregate, Archivable};
use crate::entity::contact;
use crate::error::corrupt;
use crate::{PersistenceError, PersistenceResult, Store};

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
    change::record(
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
    change::update(store, actor, id, version, change).await
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
    change::update_in(store, tx, actor, id, version, change).await
}

/// Archives the contact if still at `version`; records `CONTACT_ARCHIVED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn archive(
    store: &Store,
    actor: &str,
    id: ContactId,
    version: i32,
) -> PersistenceResult<Contact> {
    change::archive(store, actor, id, version).await
}

impl Aggregate for Contact {
    type Id = ContactId;
    type Data = ContactData;
    type Entity = contact::Entity;
    const NAME: &'static str = "contact";
    const SUBJECT: SubjectKind = SubjectKind::Contact;
    const UPDATED: EventKind = EventKind::ContactUpdated;
    const KEY: (contact::Column, contact::Column) = (contact::Column::Id, contact::Column::Version);

    fn id(&self) -> ContactId {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn data(&self) -> &ContactData {
        &self.data
    }
    fn account(&self) -> Option<AccountId> {
        Some(self.account_id)
    }
    fn row(&self) -> contact::ActiveModel {
        active_model(self)
    }
    fn with_data(&self, data: ContactData) -> Contact {
        Contact { data, ..*self }
    }
    fn stamp(&mut self, version: i32, at: DateTime<Utc>) {
        self.version = version;
        self.updated_at = at;
    }
    async fn find<C: ConnectionTrait>(
        conn: &C,
        id: ContactId,
    ) -> PersistenceResult<Option<Contact>> {
        contact::Entity::find_by_id(id.0)
            .one(conn)
            .await?
            .map(to_domain)
            .transpose()
    }
    /// A new e-mail address must be free among the account's active contacts.
    async fn vet(
        tx: &DatabaseTransaction,
        current: &Contact,
        data: &ContactData,
    ) -> PersistenceResult<()> {
        if data.email != current.data.email {
            ensure_email_free(tx, current.account_id, &data.email, Some(current.id)).await?;
        }
        Ok(())
    }
}

impl Archivable for Contact {
    const ARCHIVED: EventKind = EventKind::ContactArchived;

    async fn may_archive(&self, _tx: &DatabaseTransaction) -> PersistenceResult<()> {
        Ok(self.ensure_active()?)
    }
    fn archived(&self, at: DateTime<Utc>) -> Contact {
        Contact {
            archived_at: Some(at),
            ..self.clone()
        }
    }
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
