//! Accounts: reading pages of them, and writing them together with their events.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::Value;
use tandem_domain::DomainResult;
use tandem_domain::account::{Account, AccountData, CompanySize, Needs, Unread, Untagged};
use tandem_domain::event::{self, EventKind, SubjectKind};
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_domain::money::Currency;
use uuid::Uuid;

mod count;
mod filter;

pub use count::{count, count_rows};
pub use filter::AccountFilter;
use filter::filter_condition;

use crate::change::{self, Aggregate, Archivable};
use crate::entity::{account, account_tag};
use crate::error::corrupt;
use crate::page::{Page, Window};
use crate::{PersistenceResult, Store, team_member};

/// The order of a list of accounts. Every order ends on the id, so it is total and stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountOrder {
    /// By name, A to Z, ignoring case.
    #[default]
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// Oldest first (ids are time-ordered).
    CreatedAsc,
    /// Newest first.
    CreatedDesc,
}

impl AccountOrder {
    fn descending(self) -> bool {
        matches!(self, AccountOrder::NameDesc | AccountOrder::CreatedDesc)
    }

    fn by_name(self) -> bool {
        matches!(self, AccountOrder::NameAsc | AccountOrder::NameDesc)
    }
}

/// An account's position in a list: what a pagination cursor encodes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountKey {
    /// The lower-cased name.
    #[serde(rename = "n")]
    pub name_key: String,
    /// The id, which breaks ties.
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl AccountKey {
    /// The key of `account`, whether its tags were read or not.
    pub fn of<Tags>(account: &Account<Tags>) -> AccountKey {
        AccountKey {
            name_key: name_key(&account.data.name),
            id: account.id.0,
        }
    }
}

fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// Rows strictly after (`after == true`) or before `key` in `order`.
fn keyset(order: AccountOrder, key: &AccountKey, after: bool) -> Condition {
    use account::Column as C;
    let greater = after != order.descending();
    let id_cmp = if greater {
        C::Id.gt(key.id)
    } else {
        C::Id.lt(key.id)
    };
    if !order.by_name() {
        return Condition::all().add(id_cmp);
    }
    let name = key.name_key.clone();
    let name_cmp = if greater {
        C::NameKey.gt(name.clone())
    } else {
        C::NameKey.lt(name.clone())
    };
    Condition::any()
        .add(name_cmp)
        .add(Condition::all().add(C::NameKey.eq(name)).add(id_cmp))
}

/// One account by id, archived or not.
pub async fn get(store: &Store, id: AccountId) -> PersistenceResult<Option<Account>> {
    Ok(by_ids(store, &[id]).await?.into_iter().next())
}

/// The accounts with these ids that exist, archived or not, in no particular order.
pub async fn by_ids(store: &Store, ids: &[AccountId]) -> PersistenceResult<Vec<Account>> {
    let rows = crate::page::rows_in_positional(
        store.conn(),
        account::Entity::find(),
        account::Column::Id,
        ids,
    )
    .await?;
    with_tags(store.conn(), rows).await
}

/// A page of accounts matching `filter`, in `order`, read without their tags: most pages do
/// not show them, and a page that does reads them in one statement more ([`list_with`]).
pub async fn list(
    store: &Store,
    filter: &AccountFilter,
    order: AccountOrder,
    window: &Window<AccountKey>,
) -> PersistenceResult<Page<Untagged>> {
    use account::Column as C;
    let mut cond = filter_condition(filter, store.backend());
    if let Some(after) = &window.after {
        cond = cond.add(keyset(order, after, true));
    }
    if let Some(before) = &window.before {
        cond = cond.add(keyset(order, before, false));
    }
    let descending = order.descending() != window.from_end;
    let sort = if descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let mut select = account::Entity::find().filter(cond);
    if order.by_name() {
        select = select.order_by(C::NameKey, sort.clone());
    }
    let select = select.order_by(C::Id, sort).limit(window.limit + 1);
    let rows = crate::page::all_positional(store.conn(), select).await?;
    let accounts = rows
        .into_iter()
        .map(|row| to_domain(row, Unread))
        .collect::<PersistenceResult<_>>()?;
    Ok(Page::from_rows(accounts, window))
}

/// A page of accounts as [`list_with`] read it: the accounts without their tags, and their
/// tags when the reader asked for them.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The accounts.
    pub page: Page<Untagged>,
    /// The tags of the page's accounts (accounts without any absent), if they were read.
    tags: Option<HashMap<AccountId, Vec<String>>>,
}

impl Listing {
    /// The tags of `account`, one of the page's: `None` when the page was read without tags.
    pub fn tags_of(&self, account: AccountId) -> Option<Vec<String>> {
        let tags = self.tags.as_ref()?;
        Some(tags.get(&account).cloned().unwrap_or_default())
    }
}

/// [`list`], and the tags of the page's accounts when `tags` is true: a page shown without its
/// tags costs one statement, a page shown with them two (the GraphQL `accounts` query asks for
/// them when its selection names them). `a_page_shown_without_tags_reads_none` and
/// `a_page_shown_with_tags_reads_them_in_one_statement_more` (`persistence/tests/account_page.rs`)
/// hold it.
pub async fn list_with(
    store: &Store,
    filter: &AccountFilter,
    order: AccountOrder,
    window: &Window<AccountKey>,
    tags: bool,
) -> PersistenceResult<Listing> {
    let page = list(store, filter, order, window).await?;
    let tags = if tags {
        let ids: Vec<AccountId> = page.items.iter().map(|a| a.id).collect();
        Some(tags_in(store.conn(), &ids).await?)
    } else {
        None
    };
    Ok(Listing { page, tags })
}

/// Creates an account and records `ACCOUNT_CREATED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(store: &Store, actor: &str, data: AccountData) -> PersistenceResult<Account> {
    let tx = store.begin_write().await?;
    let account = create_in(store, &tx, actor, data).await?;
    tx.commit().await?;
    Ok(account)
}

/// [`create`] inside `tx`.
pub(crate) async fn create_in(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    data: AccountData,
) -> PersistenceResult<Account> {
    if let Some(owner) = data.owner_id {
        team_member::ensure_active(tx, owner, "ownerId").await?;
    }
    let now = Utc::now();
    let account = Account {
        id: AccountId::new(),
        data,
        version: 1,
        created_at: now,
        updated_at: now,
        archived_at: None,
    };
    let mut row = active_model(&account);
    row.id = Set(account.id.0);
    row.created_at = Set(now);
    account::Entity::insert(row)
        .exec_without_returning(tx)
        .await?;
    write_tags(tx, account.id, &account.data.tags).await?;
    let changes = event::created(&account.data);
    change::record(
        store,
        tx,
        actor,
        &account,
        EventKind::AccountCreated,
        changes,
    )
    .await?;
    Ok(account)
}

/// Applies `change` to the account if it is still at `version`, and records `ACCOUNT_UPDATED`
/// with the fields that changed. A change that changes nothing writes nothing.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    store: &Store,
    actor: &str,
    id: AccountId,
    version: i32,
    change: impl FnOnce(&Account) -> DomainResult<AccountData>,
) -> PersistenceResult<Account> {
    change::update(store, actor, id, version, change).await
}

/// [`update`] inside `tx`, at whatever version the account is when `version` is `None` (what a
/// playbook does). `Err(current)` inside the `Ok` when the change changes nothing.
pub(crate) async fn update_in(
    store: &Store,
    tx: &DatabaseTransaction,
    actor: &str,
    id: AccountId,
    version: Option<i32>,
    change: impl FnOnce(&Account) -> DomainResult<AccountData>,
) -> PersistenceResult<Result<Account, Account>> {
    change::update_in(store, tx, actor, id, version, change).await
}

/// Archives the account if it is still at `version`, and records `ACCOUNT_ARCHIVED`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn archive(
    store: &Store,
    actor: &str,
    id: AccountId,
    version: i32,
) -> PersistenceResult<Account> {
    change::archive(store, actor, id, version).await
}

impl Aggregate for Account {
    type Id = AccountId;
    type Data = AccountData;
    type Entity = account::Entity;
    const NAME: &'static str = "account";
    const SUBJECT: SubjectKind = SubjectKind::Account;
    const UPDATED: EventKind = EventKind::AccountUpdated;
    const KEY: (account::Column, account::Column) = (account::Column::Id, account::Column::Version);

    fn id(&self) -> AccountId {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn data(&self) -> &AccountData {
        &self.data
    }
    fn account(&self) -> Option<AccountId> {
        Some(self.id)
    }
    fn row(&self) -> account::ActiveModel {
        active_model(self)
    }
    fn with_data(&self, data: AccountData) -> Account {
        Account { data, ..*self }
    }
    fn stamp(&mut self, version: i32, at: DateTime<Utc>) {
        self.version = version;
        self.updated_at = at;
    }
    /// The account with its tags.
    async fn find<C: ConnectionTrait>(
        conn: &C,
        id: AccountId,
    ) -> PersistenceResult<Option<Account>> {
        let Some(row) = account::Entity::find_by_id(id.0).one(conn).await? else {
            return Ok(None);
        };
        Ok(with_tags(conn, vec![row]).await?.pop())
    }
    /// A new owner must be an active team member.
    async fn vet(
        tx: &DatabaseTransaction,
        current: &Account,
        data: &AccountData,
    ) -> PersistenceResult<()> {
        if data.owner_id != current.data.owner_id
            && let Some(owner) = data.owner_id
        {
            team_member::ensure_active(tx, owner, "ownerId").await?;
        }
        Ok(())
    }
    /// Tags that changed are written anew.
    async fn saved(
        tx: &DatabaseTransaction,
        before: &Account,
        after: &Account,
    ) -> PersistenceResult<()> {
        if after.data.tags != before.data.tags {
            account_tag::Entity::delete_many()
                .filter(account_tag::Column::AccountId.eq(after.id.0))
                .exec(tx)
                .await?;
            write_tags(tx, after.id, &after.data.tags).await?;
        }
        Ok(())
    }
}

impl Archivable for Account {
    const ARCHIVED: EventKind = EventKind::AccountArchived;

    async fn may_archive(&self, _tx: &DatabaseTransaction) -> PersistenceResult<()> {
        Ok(self.ensure_active()?)
    }
    fn archived(&self, at: DateTime<Utc>) -> Account {
        Account {
            archived_at: Some(at),
            ..self.clone()
        }
    }
}

async fn write_tags(
    tx: &DatabaseTransaction,
    id: AccountId,
    tags: &[String],
) -> PersistenceResult<()> {
    if tags.is_empty() {
        return Ok(());
    }
    account_tag::Entity::insert_many(tags.iter().map(|tag| account_tag::ActiveModel {
        account_id: Set(id.0),
        tag: Set(tag.clone()),
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

/// The columns of `account` that a write sets (all but `id` and `created_at`).
fn active_model(account: &Account) -> account::ActiveModel {
    let d = &account.data;
    account::ActiveModel {
        id: NotSet,
        name: Set(d.name.clone()),
        name_key: Set(name_key(&d.name)),
        domain: Set(d.domain.clone()),
        industry: Set(d.industry.clone()),
        company_size: Set(d.company_size.map(|s| s.as_str().to_owned())),
        region: Set(d.region.clone()),
        plan: Set(d.plan.clone()),
        touch_tier: Set(d.touch_tier.as_str().to_owned()),
        lifecycle_stage: Set(d.lifecycle_stage.as_str().to_owned()),
        owner_id: Set(d.owner_id.map(|o| o.0)),
        renewal_date: Set(d.renewal_date),
        currency: Set(d.currency.as_str().to_owned()),
        traits: Set(Value::Object(d.traits.clone())),
        needs: Set(serde_json::to_value(&d.needs).unwrap_or(Value::Null)),
        version: Set(account.version),
        created_at: NotSet,
        updated_at: Set(account.updated_at),
        archived_at: Set(account.archived_at),
    }
}

/// The tags of each of these accounts, sorted; accounts without any are absent. One statement
/// per chunk of accounts.
async fn tags_in<C: ConnectionTrait>(
    conn: &C,
    accounts: &[AccountId],
) -> PersistenceResult<HashMap<AccountId, Vec<String>>> {
    let select = account_tag::Entity::find().order_by_asc(account_tag::Column::Tag);
    let rows = crate::page::rows_in(conn, select, account_tag::Column::AccountId, accounts).await?;
    let mut tags: HashMap<AccountId, Vec<String>> = HashMap::new();
    for row in rows {
        tags.entry(AccountId(row.account_id))
            .or_default()
            .push(row.tag);
    }
    Ok(tags)
}

/// Converts rows to accounts, reading all their tags at once.
async fn with_tags<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<account::Model>,
) -> PersistenceResult<Vec<Account>> {
    let ids: Vec<AccountId> = rows.iter().map(|r| AccountId(r.id)).collect();
    let mut tags = tags_in(conn, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let t = tags.remove(&AccountId(row.id)).unwrap_or_default();
            to_domain(row, t)
        })
        .collect()
}

/// The account in row `m`, with `tags` for its tags (or [`Unread`] when they were not read).
fn to_domain<Tags>(m: account::Model, tags: Tags) -> PersistenceResult<Account<Tags>> {
    let parse_err = |what: &str| {
        let what = what.to_owned();
        move |e: String| corrupt(&what, e)
    };
    Ok(Account {
        id: AccountId(m.id),
        data: AccountData {
            name: m.name,
            domain: m.domain,
            industry: m.industry,
            company_size: m
                .company_size
                .map(|s| s.parse::<CompanySize>())
                .transpose()
                .map_err(parse_err("company size"))?,
            region: m.region,
            plan: m.plan,
            touch_tier: m.touch_tier.parse().map_err(parse_err("touch tier"))?,
            lifecycle_stage: m
                .lifecycle_stage
                .parse()
                .map_err(parse_err("lifecycle stage"))?,
            owner_id: m.owner_id.map(TeamMemberId),
            renewal_date: m.renewal_date,
            currency: Currency::parse("currency", &m.currency)
                .map_err(|e| corrupt("currency", e))?,
            tags,
            traits: match m.traits {
                Value::Object(map) => map,
                _ => serde_json::Map::new(),
            },
            needs: serde_json::from_value::<Needs>(m.needs).map_err(|e| corrupt("needs", e))?,
        },
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
        archived_at: m.archived_at,
    })
}

/// Refuses a change that names a missing account.
pub(crate) async fn ensure_exists(
    tx: &DatabaseTransaction,
    id: AccountId,
) -> PersistenceResult<Account> {
    change::load(tx, id, None).await
}

/// Refuses an account that does not exist (NOT_FOUND) or is archived (CONFLICT, saying
/// `refusal`): the check every write about an account makes first.
pub(crate) async fn ensure_live(
    conn: &impl sea_orm::ConnectionTrait,
    account: AccountId,
    refusal: &str,
) -> PersistenceResult<()> {
    let mut q =
        crate::sql::Sql::new("SELECT archived_at IS NULL AS live FROM accounts WHERE id = ");
    q.bind(account.0);
    match q.all(conn).await?.first() {
        None => Err(crate::PersistenceError::NotFound {
            entity: "account",
            id: account.to_string(),
        }),
        Some(r) if !crate::sql::get::<bool>(r, "live")? => Err(crate::PersistenceError::Conflict(
            format!("the account {account} is archived; {refusal}"),
        )),
        Some(_) => Ok(()),
    }
}
