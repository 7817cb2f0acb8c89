//! Catalog's mutations: edits of an account's draft (product types, axes, products, limits),
//! publishing it as a version, and scheduling and changing sessions; with their payloads.

use async_graphql::{Context, Object, SimpleObject};
use tandem_domain::catalog::session::{CatalogSession, Decision, SessionData};
use tandem_domain::catalog::{CatalogModel, OptionAxis, PlatformLimits, Product, ProductType};
use tandem_domain::ids::{AccountId, CatalogSessionId, PhaseId};

use super::input::{
    CatalogDraftRef, ProductInput, ScheduleCatalogSessionInput, UpdateCatalogSessionInput,
    contact_ids,
};
use super::model::{AxisValue, ProductTypeValue};
use super::session::SessionNode;
use super::version::{DraftNode, VersionNode};
use crate::graphql::common::context::parts;
use crate::graphql::ids::{self, Kind};
use crate::service;

/// The result of an edit.
#[derive(SimpleObject)]
pub(super) struct CatalogDraftPayload {
    /// The draft as it is now.
    pub draft: DraftNode,
}

/// The result of a session mutation.
#[derive(SimpleObject)]
pub(super) struct CatalogSessionPayload {
    /// The session as it is now.
    pub session: SessionNode,
}

#[derive(Default)]
pub struct CatalogMutation;

/// Applies `change` to the draft `draft` names, as one edit; errors are reported under `input`.
async fn edit(
    ctx: &Context<'_>,
    draft: CatalogDraftRef,
    change: impl FnOnce(&mut CatalogModel) -> tandem_domain::DomainResult<String>,
) -> async_graphql::Result<CatalogDraftPayload> {
    let (s, who) = parts(ctx)?;
    let id = ids::decode_as(
        Kind::Account,
        &draft.account_id,
        "input.draft.accountId",
        AccountId,
    )?;
    let d = service::catalog::edit(s, who, id, draft.version, change)
        .await
        .map_err(|e| e.under("input"))?;
    Ok(CatalogDraftPayload {
        draft: DraftNode::new(d),
    })
}

#[Object]
impl CatalogMutation {
    /// Adds a product type to the draft, or replaces the one with the same key. Needs SERVICES
    /// or ADMIN (as every catalog edit).
    async fn put_catalog_product_type(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        product_type: ProductTypeValue,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        let t = ProductType {
            key: product_type.key,
            name: product_type.name,
            attributes: product_type
                .attributes
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        edit(ctx, draft, |m| m.put_product_type(t)).await
    }

    /// Removes a product type no product uses.
    async fn remove_catalog_product_type(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        key: String,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.remove_product_type(&key)).await
    }

    /// Adds an option axis, or replaces the one with the same key.
    async fn put_catalog_axis(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        axis: AxisValue,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        let a = OptionAxis {
            key: axis.key,
            name: axis.name,
            values: axis.values,
        };
        edit(ctx, draft, |m| m.put_axis(a)).await
    }

    /// Removes an axis no product varies on.
    async fn remove_catalog_axis(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        key: String,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.remove_axis(&key)).await
    }

    /// Adds up to 1,000 products at once, replacing those with the same keys; all or nothing.
    async fn put_catalog_products(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        products: Vec<ProductInput>,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        let products: Vec<Product> = products.into_iter().map(Into::into).collect();
        edit(ctx, draft, |m| m.put_products(products)).await
    }

    /// Removes products by key.
    async fn remove_catalog_products(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        keys: Vec<String>,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.remove_products(&keys)).await
    }

    /// Imports products from CSV (header row; columns key, name, productType, productLine, axes
    /// as `size|colour`, skuPattern, optional excluded as `size=L;colour=Gold|…` and `attr:<key>`
    /// columns). Every row is checked; nothing is imported unless all are good.
    async fn import_catalog_products_csv(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        csv: String,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.import_csv(&csv)).await
    }

    /// Renames an axis value everywhere it is used.
    async fn rename_catalog_axis_value(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        axis: String,
        from: String,
        to: String,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        edit(ctx, draft, |m| m.rename_value(&axis, &from, &to)).await
    }

    /// Sets the target platform's limits (defaults 3 axes, 100 variants; up to 2,048 variants).
    async fn set_catalog_limits(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
        max_axes: i32,
        max_variants: i32,
    ) -> async_graphql::Result<CatalogDraftPayload> {
        let limits = PlatformLimits {
            max_axes: max_axes.max(0) as u32,
            max_variants: max_variants.max(0) as u32,
        };
        edit(ctx, draft, |m| m.set_limits(limits)).await
    }

    /// Publishes the draft as the next numbered version; refused while it has validation errors.
    async fn publish_catalog_model(
        &self,
        ctx: &Context<'_>,
        draft: CatalogDraftRef,
    ) -> async_graphql::Result<VersionNode> {
        let (s, who) = parts(ctx)?;
        let id = ids::decode_as(
            Kind::Account,
            &draft.account_id,
            "draft.accountId",
            AccountId,
        )?;
        Ok(VersionNode::new(
            service::catalog::publish(s, who, id, draft.version).await?,
        ))
    }

    /// Schedules a catalog-modeling session.
    async fn schedule_catalog_session(
        &self,
        ctx: &Context<'_>,
        input: ScheduleCatalogSessionInput,
    ) -> async_graphql::Result<CatalogSessionPayload> {
        let (s, who) = parts(ctx)?;
        let id = ids::decode_as(
            Kind::Account,
            &input.account_id,
            "input.accountId",
            AccountId,
        )?;
        let data = SessionData {
            title: input.title,
            phase_id: input
                .phase_id
                .map(|p| ids::decode(Kind::Phase, &p, "input.phaseId").map(PhaseId))
                .transpose()?,
            facilitator_id: input
                .facilitator_id
                .map(|f| ids::team_member(&f, "input.facilitatorId"))
                .transpose()?,
            scheduled_at: input.scheduled_at,
            attendees: contact_ids(&input.attendee_ids)?,
            notes: None,
            decisions: Vec::new(),
        };
        let session = service::catalog::schedule(s, who, id, data)
            .await
            .map_err(|e| e.under("input"))?;
        Ok(CatalogSessionPayload {
            session: SessionNode(session),
        })
    }

    /// Changes a session: status (SCHEDULED → IN_PROGRESS → COMPLETED, or CANCELLED), notes,
    /// decisions, attendees.
    async fn update_catalog_session(
        &self,
        ctx: &Context<'_>,
        input: UpdateCatalogSessionInput,
    ) -> async_graphql::Result<CatalogSessionPayload> {
        let (s, who) = parts(ctx)?;
        let id = CatalogSessionId(ids::decode(Kind::CatalogSession, &input.id, "input.id")?);
        let attendees = input.attendee_ids.as_deref().map(contact_ids).transpose()?;
        let notes = input.notes;
        let decisions = input.decisions;
        let change = move |current: &CatalogSession| {
            let mut data = current.data.clone();
            if let Some(n) = notes {
                data.notes = Some(n);
            }
            if let Some(d) = decisions {
                data.decisions = d
                    .into_iter()
                    .map(|d| Decision {
                        what: d.what,
                        why: d.why,
                        by: d.by,
                    })
                    .collect();
            }
            if let Some(a) = attendees {
                data.attendees = a;
            }
            data.validate()
        };
        let session = service::catalog::update_session(
            s,
            who,
            id,
            input.version,
            change,
            input.status.map(Into::into),
        )
        .await
        .map_err(|e| e.under("input"))?;
        Ok(CatalogSessionPayload {
            session: SessionNode(session),
        })
    }
}
