//! Contacts in the API.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::contact::{Contact, ContactPatch, NewContact};
use tandem_domain::ids::{AccountId, ContactId};

use super::account::AccountNode;
use super::common::context::parts;
use super::common::input::patch;
use super::enums::StakeholderRole;
use super::ids::{self, Kind};
use crate::service;

/// A person at a customer organisation.
pub struct ContactNode(pub Contact);

#[Object(name = "Contact")]
impl ContactNode {
    /// Its ids in other systems (a CRM, HR), one per source.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::sync::ExternalIdValue>> {
        super::sync::ExternalIdValue::of(ctx, self.0.id).await
    }
    /// The contact's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Contact, self.0.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The account the contact belongs to.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<AccountNode> {
        Ok(AccountNode::of(ctx, self.0.account_id, "the contact's").await?)
    }
    /// Full name.
    async fn name(&self) -> &str {
        &self.0.data.name
    }
    /// E-mail address, unique among the account's active contacts.
    async fn email(&self) -> &str {
        &self.0.data.email
    }
    /// Job title.
    async fn title(&self) -> Option<&str> {
        self.0.data.title.as_deref()
    }
    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.data.phone.as_deref()
    }
    /// The part the contact plays in the relationship.
    async fn stakeholder_role(&self) -> StakeholderRole {
        self.0.data.stakeholder_role.into()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

#[derive(Default)]
pub struct ContactQuery;

#[Object]
impl ContactQuery {
    /// The contact with this id, or `null`.
    async fn contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<ContactNode>> {
        let (s, who) = parts(ctx)?;
        let id = ContactId(ids::decode(Kind::Contact, &id, "id")?);
        Ok(service::contact::get(s, who, id).await?.map(ContactNode))
    }
}

/// A new contact on an account.
#[derive(InputObject)]
pub struct CreateContactInput {
    /// The account's id.
    pub account_id: ID,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Job title.
    pub title: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// The part the contact plays.
    #[graphql(default_with = "StakeholderRole::EndUser")]
    pub stakeholder_role: StakeholderRole,
}

/// A change to a contact. Absent fields stay; `null` clears an optional field.
#[derive(InputObject)]
pub struct UpdateContactInput {
    /// The contact's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new e-mail address.
    pub email: Option<String>,
    /// A new title, or `null`.
    pub title: MaybeUndefined<String>,
    /// A new phone number, or `null`.
    pub phone: MaybeUndefined<String>,
    /// A new stakeholder role.
    pub stakeholder_role: Option<StakeholderRole>,
}

/// Which contact to archive.
#[derive(InputObject)]
pub struct ArchiveContactInput {
    /// The contact's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
}

/// The result of a contact mutation.
#[derive(SimpleObject)]
pub struct ContactPayload {
    /// The contact as it is now.
    pub contact: ContactNode,
}

#[derive(Default)]
pub struct ContactMutation;

#[Object]
impl ContactMutation {
    /// Adds a contact to an active account. Needs ADMIN, CS_MANAGER, SERVICES or INTEGRATION.
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> async_graphql::Result<ContactPayload> {
        let (s, who) = parts(ctx)?;
        let account = AccountId(ids::decode(
            Kind::Account,
            &input.account_id,
            "input.accountId",
        )?);
        let new = NewContact {
            name: input.name,
            email: input.email,
            title: input.title,
            phone: input.phone,
            stakeholder_role: input.stakeholder_role.into(),
        };
        let contact = service::contact::create(s, who, account, new)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(ContactPayload {
            contact: ContactNode(contact),
        })
    }

    /// Changes a contact that is still at `input.version`. Needs ADMIN, CS_MANAGER, SERVICES
    /// or INTEGRATION.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateContactInput,
    ) -> async_graphql::Result<ContactPayload> {
        let (s, who) = parts(ctx)?;
        let id = ContactId(ids::decode(Kind::Contact, &input.id, "input.id")?);
        let change = ContactPatch {
            name: input.name,
            email: input.email,
            title: patch(input.title, Ok)?,
            phone: patch(input.phone, Ok)?,
            stakeholder_role: input.stakeholder_role.map(Into::into),
        };
        let contact = service::contact::update(s, who, id, input.version, change)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(ContactPayload {
            contact: ContactNode(contact),
        })
    }

    /// Archives a contact that is still at `input.version`. Needs ADMIN, CS_MANAGER or
    /// SERVICES.
    async fn archive_contact(
        &self,
        ctx: &Context<'_>,
        input: ArchiveContactInput,
    ) -> async_graphql::Result<ContactPayload> {
        let (s, who) = parts(ctx)?;
        let id = ContactId(ids::decode(Kind::Contact, &input.id, "input.id")?);
        let contact = service::contact::archive(s, who, id, input.version).await?;
        Ok(ContactPayload {
            contact: ContactNode(contact),
        })
    }
}
