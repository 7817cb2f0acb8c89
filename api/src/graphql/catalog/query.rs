//! Catalog's query fields: an account's draft, its published versions and the diff between two,
//! a preview of products against the draft, and its sessions.

use async_graphql::{Context, ID, Object};
use tandem_domain::catalog::{Product, diff, generate};
use tandem_domain::ids::AccountId;

use super::input::ProductInput;
use super::model::ProductPreview;
use super::session::SessionNode;
use super::version::{DiffValue, DraftNode, VersionNode, changes};
use crate::error::ApiError;
use crate::graphql::common::context::parts;
use crate::graphql::ids::{self, Kind};
use crate::service;

/// The catalog fields of an account.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// The account's draft catalog model, with its issues and stats.
    async fn catalog_draft(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> async_graphql::Result<DraftNode> {
        let (s, who) = parts(ctx)?;
        let id = ids::decode_as(Kind::Account, &account_id, "accountId", AccountId)?;
        Ok(DraftNode::new(service::catalog::draft(s, who, id).await?))
    }

    /// The account's published catalog versions, oldest first.
    async fn catalog_versions(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> async_graphql::Result<Vec<VersionNode>> {
        let (s, who) = parts(ctx)?;
        let id = ids::decode_as(Kind::Account, &account_id, "accountId", AccountId)?;
        Ok(service::catalog::versions(s, who, id)
            .await?
            .into_iter()
            .map(VersionNode::new)
            .collect())
    }

    /// One published version.
    async fn catalog_version(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        number: i32,
    ) -> async_graphql::Result<Option<VersionNode>> {
        let (s, who) = parts(ctx)?;
        let id = ids::decode_as(Kind::Account, &account_id, "accountId", AccountId)?;
        Ok(service::catalog::version(s, who, id, number)
            .await?
            .map(VersionNode::new))
    }

    /// What changed from version `from` to version `to` of the account's model.
    async fn catalog_diff(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        from: i32,
        to: i32,
    ) -> async_graphql::Result<DiffValue> {
        let (s, who) = parts(ctx)?;
        let id = ids::decode_as(Kind::Account, &account_id, "accountId", AccountId)?;
        let load = |n: i32, field: &'static str| async move {
            service::catalog::version(s, who, id, n)
                .await?
                .ok_or_else(|| {
                    ApiError::invalid(field, format!("the account has no published version {n}"))
                })
        };
        let old = load(from, "from").await?;
        let new = load(to, "to").await?;
        let d = diff::diff(
            &old.model,
            &generate::variants(&old.model),
            &new.model,
            &generate::variants(&new.model),
        );
        Ok(DiffValue {
            from,
            to,
            product_types: changes(d.product_types),
            axes: changes(d.axes),
            products: changes(d.products),
            variants: changes(d.variants),
        })
    }

    /// How many variants products would yield against the account's draft, and their first
    /// SKUs, without saving anything.
    async fn preview_catalog_products(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        products: Vec<ProductInput>,
    ) -> async_graphql::Result<Vec<ProductPreview>> {
        let (s, who) = parts(ctx)?;
        let id = ids::decode_as(Kind::Account, &account_id, "accountId", AccountId)?;
        if products.len() > tandem_domain::catalog::edit::MAX_BULK {
            return Err(ApiError::invalid("products", "at most 1000 products per preview").into());
        }
        let mut model = service::catalog::draft(s, who, id).await?.model;
        let first = model.products.len();
        model
            .products
            .extend(products.into_iter().map(Product::from));
        let axes = generate::axes_by_key(&model);
        Ok((first..model.products.len())
            .map(|i| {
                let variants = generate::product_variants(&model, i, &axes);
                ProductPreview {
                    key: model.products[i].key.clone(),
                    variant_count: variants.len() as i64,
                    first_skus: variants.into_iter().take(20).map(|v| v.sku).collect(),
                }
            })
            .collect())
    }

    /// The account's catalog-modeling sessions, by time.
    async fn catalog_sessions(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
    ) -> async_graphql::Result<Vec<SessionNode>> {
        let (s, who) = parts(ctx)?;
        let id = ids::decode_as(Kind::Account, &account_id, "accountId", AccountId)?;
        Ok(service::catalog::sessions(s, who, id)
            .await?
            .into_iter()
            .map(SessionNode)
            .collect())
    }
}
