//! The outlook mutation root: fitting the renewal model again.

use async_graphql::{Context, Object};

use super::node::{NotEnoughHistory, OutlookModelNode, RefitOutcome};
use crate::graphql::common::context::parts;
use crate::service::outlook::{self as svc, Refit};

#[derive(Default)]
pub struct OutlookMutation;

#[Object]
impl OutlookMutation {
    /// Fits the renewal model on every closed renewal as the next version, with its backtest
    /// (ADMIN, CS_MANAGER); `OUTLOOK_MODEL_FITTED`, an event of no account. With too few closed
    /// renewals nothing is stored and the answer says how many there are of how many needed.
    async fn refit_outlook_model(&self, ctx: &Context<'_>) -> async_graphql::Result<RefitOutcome> {
        let (s, who) = parts(ctx)?;
        Ok(match svc::refit(s, who).await? {
            Refit::Fitted(m) => RefitOutcome::Fitted(OutlookModelNode(m)),
            Refit::NotEnoughHistory { closed, needed } => {
                RefitOutcome::NotEnoughHistory(NotEnoughHistory::new(closed, needed))
            }
        })
    }
}
