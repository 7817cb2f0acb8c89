//! What the SOW object types share: amounts in the SOW's currency, and the phase an entry
//! or scope item names.

use std::sync::Arc;

use async_graphql::Context;
use tandem_domain::engagement::Phase;
use tandem_domain::ids::{EngagementId, PhaseId};
use tandem_domain::money::{Currency, Money};

use crate::graphql::common::context::loaders;
use crate::graphql::engagement::PhaseNode;
use crate::graphql::money::MoneyValue;

pub(super) fn money(minor: i64, currency: Currency) -> MoneyValue {
    Money::new(minor, currency).into()
}

pub(super) async fn phase_of(
    ctx: &Context<'_>,
    engagement: Option<EngagementId>,
    phase: Option<PhaseId>,
) -> async_graphql::Result<Option<PhaseNode>> {
    let (Some(engagement), Some(phase)) = (engagement, phase) else {
        return Ok(None);
    };
    let phases: Arc<[Phase]> = loaders(ctx)?
        .phases()
        .load_one(engagement)
        .await?
        .unwrap_or_default();
    Ok(phases
        .iter()
        .find(|p| p.id == phase)
        .cloned()
        .map(PhaseNode))
}
