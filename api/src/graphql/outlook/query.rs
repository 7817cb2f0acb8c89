//! The outlook query root: a fitted renewal model by version (the latest by default), and
//! every model.

use async_graphql::{Context, Object};

use super::node::OutlookModelNode;
use crate::graphql::common::context::parts;
use crate::service::outlook as svc;

#[derive(Default)]
pub struct OutlookQuery;

#[Object]
impl OutlookQuery {
    /// The renewal model of `version`, or the latest when left out; `null` when there is none
    /// (never fitted, or no such version).
    async fn outlook_model(
        &self,
        ctx: &Context<'_>,
        version: Option<i32>,
    ) -> async_graphql::Result<Option<OutlookModelNode>> {
        let (s, who) = parts(ctx)?;
        Ok(svc::model(s, who, version)
            .await?
            .map(|m| OutlookModelNode(Box::new(m))))
    }

    /// Every fitted renewal model, the latest first, each with its backtest.
    async fn outlook_models(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<OutlookModelNode>> {
        let (s, who) = parts(ctx)?;
        Ok(svc::models(s, who)
            .await?
            .into_iter()
            .map(|m| OutlookModelNode(Box::new(m)))
            .collect())
    }
}
