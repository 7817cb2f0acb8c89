//! Creating, changing and archiving accounts: each mutation calls one service function.

use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, SimpleObject};

use tandem_domain::account::{AccountPatch, Needs, NewAccount};
use tandem_domain::ids::AccountId;

use super::node::AccountNode;
use crate::error::ApiResult;
use crate::graphql::common::context::parts;
use crate::graphql::common::input::patch;
use crate::graphql::enums::{CompanySize, LifecycleStage, TouchTier};
use crate::graphql::ids::{self, Kind};
use crate::graphql::scalars::Date;
use crate::service;

/// What an account needs, as lists of short statements.
#[derive(InputObject, Default)]
pub struct AccountNeedsInput {
    /// The jobs the customer hires the product to do.
    #[graphql(default)]
    pub jobs_to_be_done: Vec<String>,
    /// What hurts today.
    #[graphql(default)]
    pub pain_points: Vec<String>,
    /// What the customer values most.
    #[graphql(default)]
    pub value_drivers: Vec<String>,
}

/// A new account.
#[derive(InputObject)]
pub struct CreateAccountInput {
    /// The organisation's name (1–200 characters).
    pub name: String,
    /// Its main internet domain; a pasted URL is reduced to its host.
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
    #[graphql(default_with = "TouchTier::Medium")]
    pub touch_tier: TouchTier,
    /// Where it is in its life with the vendor.
    #[graphql(default_with = "LifecycleStage::Onboarding")]
    pub lifecycle_stage: LifecycleStage,
    /// The owning team member's id.
    pub owner_id: Option<ID>,
    /// When its contract next renews.
    pub renewal_date: Option<Date>,
    /// The ISO 4217 currency it is billed in; USD when not given.
    pub currency: Option<String>,
    /// Labels (letters, digits, `-`, `_`, `:`, `.`; at most 50).
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Free-form attributes: a JSON object of at most 16 KiB.
    pub traits: Option<Json<serde_json::Value>>,
    /// What it needs from the vendor.
    pub needs: Option<AccountNeedsInput>,
}

impl CreateAccountInput {
    fn into_domain(self) -> ApiResult<NewAccount> {
        Ok(NewAccount {
            name: self.name,
            domain: self.domain,
            industry: self.industry,
            company_size: self.company_size.map(Into::into),
            region: self.region,
            plan: self.plan,
            touch_tier: self.touch_tier.into(),
            lifecycle_stage: self.lifecycle_stage.into(),
            owner_id: self
                .owner_id
                .map(|id| ids::team_member(&id, "input.ownerId"))
                .transpose()?,
            renewal_date: self.renewal_date.map(|d| d.0),
            currency: self.currency,
            tags: self.tags,
            traits: self.traits.map(|j| j.0),
            needs: self.needs.map(Into::into).unwrap_or_default(),
        })
    }
}

/// A change to an account. Absent fields stay as they are; `null` clears an optional field.
#[derive(InputObject)]
pub struct UpdateAccountInput {
    /// The account's id.
    pub id: ID,
    /// The version you read; a stale version is refused with CONFLICT.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new domain, or `null` to clear it.
    pub domain: MaybeUndefined<String>,
    /// A new industry, or `null`.
    pub industry: MaybeUndefined<String>,
    /// A new size band, or `null`.
    pub company_size: MaybeUndefined<CompanySize>,
    /// A new region, or `null`.
    pub region: MaybeUndefined<String>,
    /// A new plan, or `null`.
    pub plan: MaybeUndefined<String>,
    /// A new touch tier.
    pub touch_tier: Option<TouchTier>,
    /// A new lifecycle stage.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// A new owner's id, or `null` for none.
    pub owner_id: MaybeUndefined<ID>,
    /// A new renewal date, or `null`.
    pub renewal_date: MaybeUndefined<Date>,
    /// A new currency.
    pub currency: Option<String>,
    /// The full new set of tags.
    pub tags: Option<Vec<String>>,
    /// New traits (replacing the old), or `null` to clear them.
    pub traits: MaybeUndefined<Json<serde_json::Value>>,
    /// New needs (replacing the old).
    pub needs: Option<AccountNeedsInput>,
}

impl UpdateAccountInput {
    fn into_domain(self) -> ApiResult<(AccountId, i32, AccountPatch)> {
        let id = AccountId(ids::decode(Kind::Account, &self.id, "input.id")?);
        let ok = |v| Ok(v);
        Ok((
            id,
            self.version,
            AccountPatch {
                name: self.name,
                domain: patch(self.domain, ok)?,
                industry: patch(self.industry, ok)?,
                company_size: patch(self.company_size, |c| Ok(c.into()))?,
                region: patch(self.region, ok)?,
                plan: patch(self.plan, ok)?,
                touch_tier: self.touch_tier.map(Into::into),
                lifecycle_stage: self.lifecycle_stage.map(Into::into),
                owner_id: patch(self.owner_id, |id| ids::team_member(&id, "input.ownerId"))?,
                renewal_date: patch(self.renewal_date, |d| Ok(d.0))?,
                currency: self.currency,
                tags: self.tags,
                traits: patch(self.traits, |j| Ok(j.0))?,
                needs: self.needs.map(Into::into),
            },
        ))
    }
}

/// Which account to archive.
#[derive(InputObject)]
pub struct ArchiveAccountInput {
    /// The account's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// The result of `createAccount`.
#[derive(SimpleObject)]
pub struct CreateAccountPayload {
    /// The new account.
    pub account: AccountNode,
}

/// The result of `updateAccount`.
#[derive(SimpleObject)]
pub struct UpdateAccountPayload {
    /// The account as it is now.
    pub account: AccountNode,
}

/// The result of `archiveAccount`.
#[derive(SimpleObject)]
pub struct ArchiveAccountPayload {
    /// The archived account.
    pub account: AccountNode,
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates an account. Needs ADMIN, CS_MANAGER or INTEGRATION.
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountInput,
    ) -> async_graphql::Result<CreateAccountPayload> {
        let (s, who) = parts(ctx)?;
        let input = input.into_domain()?;
        let account = service::account::create(s, who, input)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(CreateAccountPayload {
            account: AccountNode::from(account),
        })
    }

    /// Changes an account that is still at `input.version`. Needs ADMIN, CS_MANAGER or
    /// INTEGRATION.
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        input: UpdateAccountInput,
    ) -> async_graphql::Result<UpdateAccountPayload> {
        let (s, who) = parts(ctx)?;
        let (id, version, patch) = input.into_domain()?;
        let account = service::account::update(s, who, id, version, patch)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(UpdateAccountPayload {
            account: AccountNode::from(account),
        })
    }

    /// Archives an account that is still at `input.version`. Needs ADMIN or CS_MANAGER.
    async fn archive_account(
        &self,
        ctx: &Context<'_>,
        input: ArchiveAccountInput,
    ) -> async_graphql::Result<ArchiveAccountPayload> {
        let (s, who) = parts(ctx)?;
        let id = AccountId(ids::decode(Kind::Account, &input.id, "input.id")?);
        let account = service::account::archive(s, who, id, input.version).await?;
        Ok(ArchiveAccountPayload {
            account: AccountNode::from(account),
        })
    }
}

impl From<AccountNeedsInput> for Needs {
    fn from(n: AccountNeedsInput) -> Self {
        Needs {
            jobs_to_be_done: n.jobs_to_be_done,
            pain_points: n.pain_points,
            value_drivers: n.value_drivers,
        }
    }
}
