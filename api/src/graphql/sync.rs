//! Sync by external id: upserting accounts and contacts keyed by another system's ids, and
//! linking any account, contact or team member to its id in a source.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use tandem_domain::account::{AccountPatch, NewAccount};
use tandem_domain::contact::{ContactPatch, NewContact};
use tandem_domain::ids::{AccountId, TeamMemberId};
use tandem_domain::sync::{
    self as rules, AccountRecord, AccountRef, ContactRecord, ExternalKind, MAX_UPSERT,
};
use tandem_domain::{DomainError, Patch};

use super::account::AccountNode;
use super::common::context::parts;
use super::contact::ContactNode;
use super::enums::{CompanySize, LifecycleStage, StakeholderRole, TouchTier};
use super::ids::{self, Kind};
use super::scalars::Date;
use crate::error::{ApiError, Code};
use crate::service::sync as svc;

/// What an upsert did with one record.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::sync::UpsertStatus")]
pub enum UpsertStatus {
    /// A new object was created.
    Created,
    /// The object changed.
    Updated,
    /// The object already matched the record.
    Unchanged,
    /// The record was refused; the others went on.
    Failed,
}

/// One account as a source system has it. On creation, fields left out take their defaults
/// (`name` is then required); on update, fields left out stay as they are.
#[derive(InputObject)]
pub struct AccountRecordInput {
    /// The account's id in the source: unique there.
    pub external_id: String,
    /// The organisation's name.
    pub name: Option<String>,
    /// Its main internet domain.
    pub domain: Option<String>,
    /// Its industry.
    pub industry: Option<String>,
    /// Its size band.
    pub company_size: Option<CompanySize>,
    /// Its sales region.
    pub region: Option<String>,
    /// The plan it is on.
    pub plan: Option<String>,
    /// How it is served.
    pub touch_tier: Option<TouchTier>,
    /// Where it is in its life with the vendor.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// The owner's Tandem id.
    pub owner_id: Option<ID>,
    /// When its contract renews.
    pub renewal_date: Option<Date>,
    /// The currency it is billed in (ISO 4217).
    pub currency: Option<String>,
    /// Its tags (replacing the current ones).
    pub tags: Option<Vec<String>>,
    /// Free-form attributes (replacing the current ones).
    pub traits: Option<Json<serde_json::Value>>,
}

impl AccountRecordInput {
    fn into_record(self, i: usize) -> Result<AccountRecord, (String, DomainError)> {
        let external_id = self.external_id.clone();
        let fail = |e: DomainError| (external_id.clone(), e);
        let external = rules::external_id(&format!("records[{i}].externalId"), &self.external_id)
            .map_err(fail)?;
        let owner = match &self.owner_id {
            Some(id) => Some(
                ids::decode(Kind::TeamMember, id, "ownerId")
                    .map(TeamMemberId)
                    .map_err(|e| fail(DomainError::invalid("ownerId", e.message)))?,
            ),
            None => None,
        };
        let set = |v: Option<String>| v.map_or(Patch::Keep, Patch::Set);
        let patch = AccountPatch {
            name: self.name.clone(),
            domain: set(self.domain.clone()),
            industry: set(self.industry.clone()),
            company_size: self
                .company_size
                .map_or(Patch::Keep, |c| Patch::Set(c.into())),
            region: set(self.region.clone()),
            plan: set(self.plan.clone()),
            touch_tier: self.touch_tier.map(Into::into),
            lifecycle_stage: self.lifecycle_stage.map(Into::into),
            owner_id: owner.map_or(Patch::Keep, Patch::Set),
            renewal_date: self.renewal_date.map_or(Patch::Keep, |d| Patch::Set(d.0)),
            currency: self.currency.clone(),
            tags: self.tags.clone(),
            traits: self.traits.clone().map_or(Patch::Keep, |t| Patch::Set(t.0)),
            needs: None,
        };
        let create = NewAccount {
            name: self.name.unwrap_or_default(),
            domain: self.domain,
            industry: self.industry,
            company_size: self.company_size.map(Into::into),
            region: self.region,
            plan: self.plan,
            touch_tier: self.touch_tier.map(Into::into).unwrap_or_default(),
            lifecycle_stage: self.lifecycle_stage.map(Into::into).unwrap_or_default(),
            owner_id: owner,
            renewal_date: self.renewal_date.map(|d| d.0),
            currency: self.currency,
            tags: self.tags.unwrap_or_default(),
            traits: self.traits.map(|t| t.0),
            needs: Default::default(),
        };
        Ok(AccountRecord {
            external_id: external,
            create,
            patch,
        })
    }
}

/// One contact as a source system has it. On creation, `name`, `email` and the account
/// (`accountExternalId`, its id in the same source, or `accountId`) are required and the
/// stakeholder role defaults to END_USER; on update, fields left out stay as they are.
#[derive(InputObject)]
pub struct ContactRecordInput {
    /// The contact's id in the source: unique there.
    pub external_id: String,
    /// Its account's id in the same source.
    pub account_external_id: Option<String>,
    /// Its account's Tandem id (when the source does not hold accounts).
    pub account_id: Option<ID>,
    /// Full name.
    pub name: Option<String>,
    /// E-mail address, unique among the account's active contacts.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// The part the contact plays.
    pub stakeholder_role: Option<StakeholderRole>,
}

impl ContactRecordInput {
    fn into_record(self, i: usize) -> Result<ContactRecord, (String, DomainError)> {
        let external_id = self.external_id.clone();
        let fail = |e: DomainError| (external_id.clone(), e);
        let external = rules::external_id(&format!("records[{i}].externalId"), &self.external_id)
            .map_err(fail)?;
        let account = match (&self.account_external_id, &self.account_id) {
            (Some(_), Some(_)) => {
                return Err(fail(DomainError::invalid(
                    "accountId",
                    "give accountExternalId or accountId, not both",
                )));
            }
            (Some(e), None) => Some(AccountRef::External(
                rules::external_id("accountExternalId", e).map_err(fail)?,
            )),
            (None, Some(id)) => Some(AccountRef::Id(AccountId(
                ids::decode(Kind::Account, id, "accountId")
                    .map_err(|e| fail(DomainError::invalid("accountId", e.message)))?,
            ))),
            (None, None) => None,
        };
        let set = |v: Option<String>| v.map_or(Patch::Keep, Patch::Set);
        let patch = ContactPatch {
            name: self.name.clone(),
            email: self.email.clone(),
            title: set(self.title.clone()),
            phone: set(self.phone.clone()),
            stakeholder_role: self.stakeholder_role.map(Into::into),
        };
        let create = NewContact {
            name: self.name.unwrap_or_default(),
            email: self.email.unwrap_or_default(),
            title: self.title,
            phone: self.phone,
            stakeholder_role: self
                .stakeholder_role
                .map_or(tandem_domain::contact::StakeholderRole::EndUser, Into::into),
        };
        Ok(ContactRecord {
            external_id: external,
            account,
            create,
            patch,
        })
    }
}

/// What an upsert did with one contact record.
#[derive(SimpleObject)]
pub struct UpsertContactResult {
    /// The record's position in the request (0-based).
    pub index: i32,
    /// Its external id.
    pub external_id: String,
    /// What was done.
    pub status: UpsertStatus,
    /// The contact, unless the record failed.
    pub contact: Option<ContactNode>,
    /// Why it failed.
    pub error: Option<UpsertError>,
}

/// An upsert's source, checked, and its records, numbered and made domain records by `into`
/// (one that fails keeps its error for that record's result): 1 to [`MAX_UPSERT`] of them.
type Numbered<R> = Vec<Result<R, (String, DomainError)>>;

fn batch<I, R>(
    source: &str,
    records: Vec<I>,
    into: fn(I, usize) -> Result<R, (String, DomainError)>,
) -> Result<(String, Numbered<R>), ApiError> {
    let source = rules::source("source", source).map_err(ApiError::from)?;
    if records.is_empty() || records.len() > MAX_UPSERT {
        return Err(ApiError::invalid(
            "records",
            format!("an upsert takes 1 to {MAX_UPSERT} records; split larger syncs into batches"),
        ));
    }
    let records = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| into(r, i))
        .collect();
    Ok((source, records))
}

fn upsert_error(e: tandem_persistence::PersistenceError) -> UpsertError {
    let e = ApiError::from(e);
    UpsertError {
        code: e.code.as_str().to_owned(),
        message: e.message,
        field: e.field,
    }
}

/// Why a record failed.
#[derive(SimpleObject)]
pub struct UpsertError {
    /// BAD_USER_INPUT, CONFLICT, NOT_FOUND…
    pub code: String,
    /// What a person should know.
    pub message: String,
    /// The offending field of the record, for validation errors.
    pub field: Option<String>,
}

/// What an upsert did with one record.
#[derive(SimpleObject)]
pub struct UpsertAccountResult {
    /// The record's position in the request (0-based).
    pub index: i32,
    /// Its external id.
    pub external_id: String,
    /// What was done.
    pub status: UpsertStatus,
    /// The account, unless the record failed.
    pub account: Option<AccountNode>,
    /// Why it failed.
    pub error: Option<UpsertError>,
}

/// One id of an object in another system.
#[derive(SimpleObject)]
pub struct ExternalIdValue {
    /// The system (`salesforce`, `billing`).
    pub source: String,
    /// The id there.
    pub external_id: String,
}

impl ExternalIdValue {
    /// `Account.externalIds`, `Contact.externalIds` and `TeamMember.externalIds`: `key` is the
    /// object's typed id.
    pub(crate) async fn of<K>(
        ctx: &Context<'_>,
        key: K,
    ) -> async_graphql::Result<Vec<ExternalIdValue>>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        super::loaders::sync::ExternalIdsLoader: async_graphql::dataloader::Loader<
                K,
                Value = Vec<tandem_domain::sync::ExternalId>,
                Error = ApiError,
            >,
    {
        Ok(super::common::context::loaders(ctx)?
            .external_ids()
            .load_one(key)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|e| ExternalIdValue {
                source: e.source,
                external_id: e.external_id,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct SyncMutation;

#[Object]
impl SyncMutation {
    /// Creates or updates up to 1,000 accounts keyed by their ids in `source` (ADMIN, CS_MANAGER,
    /// INTEGRATION). Each record gets its own result — created, updated, unchanged, or failed
    /// with a coded error — and one bad record never blocks the rest. Send an `Idempotency-Key`
    /// header so that a retried call changes nothing.
    async fn upsert_accounts(
        &self,
        ctx: &Context<'_>,
        source: String,
        records: Vec<AccountRecordInput>,
    ) -> async_graphql::Result<Vec<UpsertAccountResult>> {
        let (s, who) = parts(ctx)?;
        let (source, records) = batch(&source, records, AccountRecordInput::into_record)?;
        let results = svc::upsert_accounts(s, who, &source, records).await?;
        Ok(results
            .into_iter()
            .map(|r| UpsertAccountResult {
                index: r.index as i32,
                external_id: r.external_id,
                status: r.status.into(),
                account: r.account.map(AccountNode::from),
                error: r.error.map(upsert_error),
            })
            .collect())
    }

    /// Creates or updates up to 1,000 contacts keyed by their ids in `source` (ADMIN, CS_MANAGER,
    /// SERVICES, INTEGRATION), each on the account its record names — by the account's id in
    /// the same source, or its Tandem id. Per-record results as for `upsertAccounts`; send an
    /// `Idempotency-Key` header so that a retried call changes nothing.
    async fn upsert_contacts(
        &self,
        ctx: &Context<'_>,
        source: String,
        records: Vec<ContactRecordInput>,
    ) -> async_graphql::Result<Vec<UpsertContactResult>> {
        let (s, who) = parts(ctx)?;
        let (source, records) = batch(&source, records, ContactRecordInput::into_record)?;
        let results = svc::upsert_contacts(s, who, &source, records).await?;
        Ok(results
            .into_iter()
            .map(|r| UpsertContactResult {
                index: r.index as i32,
                external_id: r.external_id,
                status: r.status.into(),
                contact: r.contact.map(ContactNode),
                error: r.error.map(upsert_error),
            })
            .collect())
    }

    /// Links an account, contact or team member to its id in `source` (replacing its previous id
    /// there); `externalId: null` unlinks it. Ids are unique per source: an id that already
    /// names another object is a CONFLICT.
    async fn set_external_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
        source: String,
        external_id: Option<String>,
    ) -> async_graphql::Result<bool> {
        let (s, who) = parts(ctx)?;
        let (kind, uuid) = match ids::decode_any(&id) {
            Some((Kind::Account, u)) => (ExternalKind::Account, u),
            Some((Kind::Contact, u)) => (ExternalKind::Contact, u),
            Some((Kind::TeamMember, u)) => (ExternalKind::TeamMember, u),
            _ => {
                return Err(ApiError::new(
                    Code::BadUserInput,
                    "id: must be an account's, a contact's or a team member's id",
                )
                .into());
            }
        };
        let source = rules::source("source", &source).map_err(ApiError::from)?;
        let external = external_id
            .map(|e| rules::external_id("externalId", &e))
            .transpose()
            .map_err(ApiError::from)?;
        svc::set_external_id(s, who, kind, uuid, &source, external.as_deref()).await?;
        Ok(true)
    }
}
