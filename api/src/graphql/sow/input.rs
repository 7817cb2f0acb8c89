//! The SOW inputs: filters, fields, status changes, change requests and logged time, with
//! their conversion to domain values.

use async_graphql::{ID, InputObject};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, EngagementId, PhaseId};
use tandem_domain::sow::{NewSow, Rate, ScopeItem};
use tandem_persistence::sow::SowFilter;

use crate::error::ApiResult;
use crate::graphql::common::input::bounded_ids;
use crate::graphql::enums::{ChangeRequestStatus, SowStatus, WorkKind};
use crate::graphql::ids::{self, Kind};
use crate::graphql::scalars::{Date, Long};

/// Which SOWs a list shows; every criterion narrows it.
#[derive(InputObject, Default)]
#[graphql(name = "SowFilter")]
pub(super) struct SowFilterInput {
    /// With any of these accounts.
    pub account_ids: Option<Vec<ID>>,
    /// For any of these engagements.
    pub engagement_ids: Option<Vec<ID>>,
    /// In any of these statuses.
    pub statuses: Option<Vec<SowStatus>>,
}

impl SowFilterInput {
    /// The filter the repository applies: ids decoded (at most 100 each), statuses mapped.
    pub(super) fn into_domain(self) -> ApiResult<SowFilter> {
        Ok(SowFilter {
            account_ids: bounded_ids(
                "filter.accountIds",
                Kind::Account,
                self.account_ids,
                AccountId,
            )?,
            engagement_ids: bounded_ids(
                "filter.engagementIds",
                Kind::Engagement,
                self.engagement_ids,
                EngagementId,
            )?,
            statuses: self
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        })
    }
}

/// A role and its hourly rate.
#[derive(InputObject)]
pub(super) struct RateInput {
    /// The role.
    pub role: String,
    /// What one hour costs, in the SOW currency's minor units.
    pub hourly_rate_minor: Long,
}

/// A fixed-price deliverable.
#[derive(InputObject)]
pub(super) struct ScopeItemInput {
    /// What is delivered.
    pub deliverable: String,
    /// Estimated hours (up to two decimals).
    pub estimated_hours: f64,
    /// The phase of the SOW's engagement it belongs to.
    pub phase_id: Option<ID>,
}

/// The fields of a SOW: all of them, for a new SOW or to replace a draft's.
#[derive(InputObject)]
pub(super) struct SowFieldsInput {
    /// A title.
    pub title: String,
    /// The ISO 4217 currency; USD when not given.
    pub currency: Option<String>,
    /// The fixed price of the scope, in minor units.
    pub fixed_price_minor: Long,
    /// Role → hourly rate.
    #[graphql(default)]
    pub rate_card: Vec<RateInput>,
    /// The fixed-price deliverables.
    #[graphql(default)]
    pub scope: Vec<ScopeItemInput>,
    /// The T&M hours cap.
    pub tm_hours_cap: Option<f64>,
    /// The T&M amount cap, in minor units.
    pub tm_amount_cap_minor: Option<Long>,
}

impl SowFieldsInput {
    pub(super) fn into_domain(self) -> ApiResult<NewSow> {
        let scope = self
            .scope
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(ScopeItem {
                    deliverable: s.deliverable,
                    estimated_hours: Hours::from_decimal(
                        &format!("fields.scope[{i}].estimatedHours"),
                        s.estimated_hours,
                    )?,
                    phase_id: s
                        .phase_id
                        .map(|id| {
                            ids::decode(Kind::Phase, &id, &format!("fields.scope[{i}].phaseId"))
                                .map(PhaseId)
                        })
                        .transpose()?,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(NewSow {
            title: self.title,
            currency: self.currency,
            fixed_price: self.fixed_price_minor.0,
            rate_card: self
                .rate_card
                .into_iter()
                .map(|r| Rate {
                    role: r.role,
                    hourly_rate: r.hourly_rate_minor.0,
                })
                .collect(),
            scope,
            tm_hours_cap: self
                .tm_hours_cap
                .map(|h| Hours::from_decimal("fields.tmHoursCap", h))
                .transpose()?,
            tm_amount_cap: self.tm_amount_cap_minor.map(|a| a.0),
        })
    }
}

/// A new SOW, in DRAFT.
#[derive(InputObject)]
pub(super) struct CreateSowInput {
    /// The account's id.
    pub account_id: ID,
    /// The engagement it prices (of the same account).
    pub engagement_id: Option<ID>,
    /// Its fields.
    pub fields: SowFieldsInput,
}

/// New fields for a draft or proposed SOW (a signed one changes only through change requests).
#[derive(InputObject)]
pub(super) struct UpdateSowInput {
    /// The SOW's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// Its new fields, replacing the old.
    pub fields: SowFieldsInput,
}

/// A status change for a SOW.
#[derive(InputObject)]
pub(super) struct ChangeSowStatusInput {
    /// The SOW's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// The status to move to.
    pub status: SowStatus,
}

/// A change request against a signed SOW's T&M budget.
#[derive(InputObject)]
pub(super) struct RaiseChangeRequestInput {
    /// The SOW's id.
    pub sow_id: ID,
    /// Hours to add to (negative: take from) the T&M hours cap.
    #[graphql(default)]
    pub hours: f64,
    /// Amount to add to (negative: take from) the T&M amount cap, in minor units.
    #[graphql(default_with = "Long(0)")]
    pub amount_minor: Long,
    /// Why.
    pub reason: String,
}

/// A decision on a change request.
#[derive(InputObject)]
pub(super) struct DecideChangeRequestInput {
    /// The change request's id.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// APPROVED or REJECTED.
    pub decision: ChangeRequestStatus,
}

/// Hours to log against a signed SOW.
#[derive(InputObject)]
pub(super) struct LogTimeInput {
    /// The SOW's id.
    pub sow_id: ID,
    /// Who worked; the caller when absent (their token's subject must be a team member's id).
    pub team_member_id: Option<ID>,
    /// The role, from the SOW's rate card.
    pub role: String,
    /// The phase of the SOW's engagement worked on.
    pub phase_id: Option<ID>,
    /// The day; today when absent; never in the future.
    pub worked_on: Option<Date>,
    /// Hours, more than 0 and at most 24, up to two decimals.
    pub hours: f64,
    /// In scope or T&M.
    pub kind: WorkKind,
    /// What was done.
    pub note: Option<String>,
}
