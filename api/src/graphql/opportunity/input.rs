//! The inputs of the opportunity mutations and of the list's filter.

use async_graphql::{ID, InputObject, MaybeUndefined};
use tandem_domain::ids::{AccountId, GoalId, OpportunityId, OpportunityStageId, PhaseId};
use tandem_persistence::opportunity::OpportunityFilter;

use super::node::{OpportunityKind, OpportunityStatus};
use crate::error::ApiResult;
use crate::graphql::common::input::bounded;
use crate::graphql::ids::{self, Kind};
use crate::graphql::scalars::{Date, Long};

/// An opportunity to open.
#[derive(InputObject)]
pub struct CreateOpportunityInput {
    /// The account.
    pub account_id: ID,
    /// What kind of revenue; fixed once opened.
    pub kind: OpportunityKind,
    /// A short name; a won services follow-on's SOW takes it.
    pub title: String,
    /// The stage to open it in; the pipeline's first when left out.
    pub stage_id: Option<ID>,
    /// The change in MRR if won, in minor units of the account's currency: positive for UPSELL
    /// and CROSS_SELL, negative for DOWNSELL, 0 for SERVICES_FOLLOW_ON, 0 or more for RENEWAL;
    /// 0 when left out.
    pub mrr_delta_minor: Option<Long>,
    /// One-off services value if won, in minor units: required for SERVICES_FOLLOW_ON; 0 when
    /// left out.
    pub services_value_minor: Option<Long>,
    /// Its own probability (0 to 1), overriding its stage's default.
    pub probability: Option<f64>,
    /// When it is expected to close.
    pub expected_close_on: Date,
    /// Who owns it.
    pub owner_id: Option<ID>,
    /// The success-plan goal (of the same account) that motivated it.
    pub goal_id: Option<ID>,
    /// The engagement phase (of the same account) whose outcome motivated it.
    pub phase_id: Option<ID>,
}

/// A change to an open opportunity; absent fields stay as they are. Its kind never changes.
#[derive(InputObject)]
pub struct UpdateOpportunityInput {
    /// The opportunity.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new title.
    pub title: Option<String>,
    /// A new MRR delta, in minor units.
    pub mrr_delta_minor: Option<Long>,
    /// A new services value, in minor units.
    pub services_value_minor: Option<Long>,
    /// A new probability override; `null` goes back to the stage's default.
    pub probability: MaybeUndefined<f64>,
    /// A new expected close day.
    pub expected_close_on: Option<Date>,
    /// A new owner; `null` clears it.
    pub owner_id: MaybeUndefined<ID>,
    /// A new motivating goal; `null` clears it.
    pub goal_id: MaybeUndefined<ID>,
    /// A new motivating phase; `null` clears it.
    pub phase_id: MaybeUndefined<ID>,
}

/// A move of an open opportunity to another stage.
#[derive(InputObject)]
pub struct MoveOpportunityStageInput {
    /// The opportunity.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The stage to move it to.
    pub stage_id: ID,
}

/// A win.
#[derive(InputObject)]
pub struct WinOpportunityInput {
    /// The opportunity.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// Why it was won.
    pub reason: Option<String>,
    /// The day it was won (and its revenue movement takes effect); today when left out.
    pub closed_on: Option<Date>,
}

/// A loss.
#[derive(InputObject)]
pub struct LoseOpportunityInput {
    /// The opportunity.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// Why it was lost.
    pub reason: String,
    /// The day it was lost; today when left out.
    pub closed_on: Option<Date>,
}

/// A stage to add (no `id`) or change (`id` and `version`).
#[derive(InputObject)]
pub struct SetOpportunityStageInput {
    /// The stage to change; leave it out to add one.
    pub id: Option<ID>,
    /// The version you read of the stage to change.
    pub version: Option<i32>,
    /// Its name, unique.
    pub name: String,
    /// Its place in the pipeline (0 to 1000); lower comes first.
    pub position: i32,
    /// The probability (0 to 1) an opportunity in it closes won.
    pub default_probability: f64,
}

/// What the list of opportunities is narrowed to.
#[derive(InputObject, Default)]
pub struct OpportunityFilterInput {
    /// Only these statuses (all when left out).
    pub statuses: Option<Vec<OpportunityStatus>>,
    /// Only these kinds (all when left out).
    pub kinds: Option<Vec<OpportunityKind>>,
    /// Only those expected to close on or after this day.
    pub closing_after: Option<Date>,
    /// Only those expected to close on or before this day.
    pub closing_before: Option<Date>,
    /// Only those of this account.
    pub account_id: Option<ID>,
}

impl OpportunityFilterInput {
    /// The filter storage applies.
    pub(super) fn into_domain(self) -> ApiResult<OpportunityFilter> {
        Ok(OpportunityFilter {
            statuses: bounded("filter.statuses", self.statuses)?
                .into_iter()
                .map(Into::into)
                .collect(),
            kinds: bounded("filter.kinds", self.kinds)?
                .into_iter()
                .map(Into::into)
                .collect(),
            closing_from: self.closing_after.map(|d| d.0),
            closing_to: self.closing_before.map(|d| d.0),
            account: self
                .account_id
                .map(|id| ids::decode_as(Kind::Account, &id, "filter.accountId", AccountId))
                .transpose()?,
        })
    }
}

/// An opportunity's id.
pub(super) fn opportunity_id(id: &ID) -> ApiResult<OpportunityId> {
    ids::decode_as(Kind::Opportunity, id, "id", OpportunityId)
}

/// A stage's id, naming `field` when it is not one.
pub(super) fn stage_id(id: &ID, field: &str) -> ApiResult<OpportunityStageId> {
    ids::decode_as(Kind::OpportunityStage, id, field, OpportunityStageId)
}

/// A goal's id, naming `field` when it is not one.
pub(super) fn goal_id(id: &ID, field: &str) -> ApiResult<GoalId> {
    ids::decode_as(Kind::Goal, id, field, GoalId)
}

/// A phase's id, naming `field` when it is not one.
pub(super) fn phase_id(id: &ID, field: &str) -> ApiResult<PhaseId> {
    ids::decode_as(Kind::Phase, id, field, PhaseId)
}
