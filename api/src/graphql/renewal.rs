//! Risks and renewals in the API, with the renewal pipeline and the churn reasons.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::auth::Action;
use tandem_domain::ids::{AccountId, RenewalId, RiskId};
use tandem_domain::money::Currency;
use tandem_domain::renewal::{self as rules, Decision, RenewalData, RiskData};

use super::account::AccountNode;
use super::automation::TaskNode;
use super::common::context::{Allowed, loaders, parts};
use super::common::input::patch;
use super::figures::{PeriodInput, SliceInput};
use super::ids::{self, Kind};
use super::money::MoneyValue;
use super::scalars::{Date, Long};
use super::team_member::TeamMemberNode;
use crate::error::{ApiError, ApiResult};
use crate::service::renewal as svc;

/// What kind of threat a risk is; also why an account churned or downgraded.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::renewal::RiskCategory")]
pub enum RiskCategory {
    /// The product lacks something the customer needs.
    ProductGap,
    /// The customer is not adopting the product.
    Adoption,
    /// The customer's champion left.
    ChampionLeft,
    /// Money is tight.
    Budget,
    /// Support problems.
    Support,
    /// A competitor is circling.
    Competitor,
}

/// How bad a risk is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::renewal::RiskSeverity")]
pub enum RiskSeverity {
    /// Worth watching.
    Low,
    /// Needs a plan.
    Medium,
    /// Threatens the renewal.
    High,
    /// The account is about to go.
    Critical,
}

/// Where a risk stands: OPEN ↔ MITIGATING → RESOLVED, RESOLVED → OPEN when it comes back.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::renewal::RiskStatus")]
pub enum RiskStatus {
    /// Raised, nothing done yet.
    Open,
    /// Being worked on.
    Mitigating,
    /// No longer a threat.
    Resolved,
}

/// How likely a renewal is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(
    remote = "tandem_domain::renewal::Likelihood",
    name = "RenewalLikelihood"
)]
pub enum Likelihood {
    /// Signed or verbally committed.
    Committed,
    /// Expected.
    Probable,
    /// In doubt.
    AtRisk,
    /// Expected to be lost.
    Lost,
}

/// How a renewal ended.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "tandem_domain::renewal::RenewalOutcome")]
pub enum RenewalOutcome {
    /// Renewed, at the new ARR.
    Renewed,
    /// Renewed for less.
    Downgraded,
    /// Not renewed.
    Churned,
}

/// Something that threatens an account.
pub struct RiskNode(pub rules::Risk);

#[Object(name = "Risk")]
impl RiskNode {
    /// The risk's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Risk, self.0.id.0)
    }
    /// Bumped on every change; pass it back to `updateRisk`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What kind of threat.
    async fn category(&self) -> RiskCategory {
        self.0.data.category.into()
    }
    /// How bad.
    async fn severity(&self) -> RiskSeverity {
        self.0.data.severity.into()
    }
    /// Where it stands.
    async fn status(&self) -> RiskStatus {
        self.0.status.into()
    }
    /// A short name.
    async fn title(&self) -> &str {
        &self.0.data.title
    }
    /// What is going on.
    async fn description(&self) -> Option<&str> {
        self.0.data.description.as_deref()
    }
    /// What is being done about it.
    async fn mitigation_plan(&self) -> Option<&str> {
        self.0.data.mitigation_plan.as_deref()
    }
    /// Who owns the mitigation.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(id) = self.0.data.owner_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(id)
            .await?
            .map(TeamMemberNode))
    }
    /// The account it threatens.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AccountNode>> {
        Ok(AccountNode::load(ctx, self.0.account_id).await?)
    }
    /// The tasks that mitigate it.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn tasks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TaskNode>> {
        Ok(loaders(ctx)?
            .risk_tasks()
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(TaskNode)
            .collect())
    }
    /// Who raised it.
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    /// When it was raised.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was resolved.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
}

/// An account's renewal: the one in play with its forecast, or a decided one with its outcome.
pub struct RenewalNode(pub rules::Renewal, pub Currency);

impl RenewalNode {
    fn money(&self, minor: i64) -> MoneyValue {
        tandem_domain::money::Money::new(minor, self.1).into()
    }
}

#[Object(name = "Renewal")]
impl RenewalNode {
    /// The renewal's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Renewal, self.0.id.0)
    }
    /// Bumped on every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the contract renews.
    async fn renews_on(&self) -> Date {
        Date(self.0.data.renews_on)
    }
    /// How likely it is.
    async fn likelihood(&self) -> Likelihood {
        self.0.data.likelihood.into()
    }
    /// The account's ARR today (12 × MRR from its revenue movements).
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn current_arr(&self, ctx: &Context<'_>) -> async_graphql::Result<MoneyValue> {
        let mrr = loaders(ctx)?
            .mrr()
            .load_one(self.0.account_id)
            .await?
            .unwrap_or(0);
        Ok(self.money(mrr * 12))
    }
    /// The ARR expected after the renewal.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn forecast_arr(&self) -> MoneyValue {
        self.money(self.0.data.forecast_arr)
    }
    /// Who owns it.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TeamMemberNode>> {
        let Some(id) = self.0.data.owner_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .team_members()
            .load_one(id)
            .await?
            .map(TeamMemberNode))
    }
    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.data.notes.as_deref()
    }
    /// How it ended; `null` while in play.
    async fn outcome(&self) -> Option<RenewalOutcome> {
        self.0.decision.map(|d| d.outcome.into())
    }
    /// The ARR after it (0 for a churn); `null` while in play.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn new_arr(&self) -> Option<MoneyValue> {
        self.0.decision.map(|d| self.money(d.new_arr))
    }
    /// The ARR when it was decided.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    async fn arr_at_decision(&self) -> Option<MoneyValue> {
        self.0.arr_at_decision.map(|a| self.money(a))
    }
    /// Why it churned or downgraded.
    async fn reason(&self) -> Option<RiskCategory> {
        self.0.decision.and_then(|d| d.reason.map(Into::into))
    }
    /// The day it was decided.
    async fn decided_on(&self) -> Option<Date> {
        self.0.decision.map(|d| Date(d.decided_on))
    }
    /// How likely it is to renew by the renewal model: a probability with the features that
    /// moved it and the model's version, or not enough history yet. A renewal in play is read
    /// as it stands now; a decided one as it stood at its snapshot, before the decision.
    #[graphql(guard = "Allowed(Action::ReadInsights)")]
    async fn likelihood_to_renew(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<super::outlook::LikelihoodToRenew> {
        let l = loaders(ctx)?;
        let (basis, features) = futures_util::try_join!(
            l.outlook_basis().load_one(super::loaders::outlook::Latest),
            l.renewal_features().load_one(self.0.id)
        )?;
        let (s, who) = parts(ctx)?;
        let basis = basis.ok_or_else(|| {
            ApiError::new(
                crate::error::Code::Internal,
                "the renewal model's basis was not read",
            )
        })?;
        let score =
            crate::service::outlook::likelihood(s, who, &basis, self.0.id, features.as_ref())?;
        Ok(score.into())
    }
}

/// A risk to raise.
#[derive(InputObject)]
pub struct RaiseRiskInput {
    /// The account.
    pub account_id: ID,
    /// What kind of threat.
    pub category: RiskCategory,
    /// How bad.
    pub severity: RiskSeverity,
    /// A short name.
    pub title: String,
    /// What is going on.
    pub description: Option<String>,
    /// What will be done about it.
    pub mitigation_plan: Option<String>,
    /// Who owns the mitigation.
    pub owner_id: Option<ID>,
}

/// A change to a risk; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateRiskInput {
    /// The risk.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new category.
    pub category: Option<RiskCategory>,
    /// A new severity.
    pub severity: Option<RiskSeverity>,
    /// A new status.
    pub status: Option<RiskStatus>,
    /// A new title.
    pub title: Option<String>,
    /// A new description; `null` clears it.
    pub description: MaybeUndefined<String>,
    /// A new mitigation plan; `null` clears it.
    pub mitigation_plan: MaybeUndefined<String>,
    /// A new owner; `null` clears it.
    pub owner_id: MaybeUndefined<ID>,
}

/// The forecast of an account's renewal in play.
#[derive(InputObject)]
pub struct SetRenewalForecastInput {
    /// The account.
    pub account_id: ID,
    /// The version of the renewal in play you read; leave it out to open the first one.
    pub version: Option<i32>,
    /// When the contract renews.
    pub renews_on: Date,
    /// The ARR expected after it, in minor units of the account's currency.
    pub forecast_arr_minor: Long,
    /// How likely it is.
    pub likelihood: Likelihood,
    /// Who owns it.
    pub owner_id: Option<ID>,
    /// Notes.
    pub notes: Option<String>,
}

/// A renewal's outcome.
#[derive(InputObject)]
pub struct DecideRenewalInput {
    /// The renewal.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// How it ended.
    pub outcome: RenewalOutcome,
    /// The ARR after it (RENEWED and DOWNGRADED), in minor units.
    pub new_arr_minor: Option<Long>,
    /// Why it churned or downgraded (required for those).
    pub reason: Option<RiskCategory>,
    /// The day it was decided; today when left out.
    pub decided_on: Option<Date>,
}

/// One pipeline cell.
#[derive(SimpleObject)]
pub struct RenewalPipelineRow {
    /// The month the renewals fall in, `YYYY-MM`.
    pub month: String,
    /// Their likelihood.
    pub likelihood: Likelihood,
    /// How many renewals.
    pub renewals: i32,
    /// Their ARR today: what is at stake.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    pub current_arr: MoneyValue,
    /// Their forecast ARR.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    pub forecast_arr: MoneyValue,
}

/// Renewals lost or shrunk for one reason.
#[derive(SimpleObject)]
pub struct ChurnReasonRow {
    /// The reason.
    pub reason: RiskCategory,
    /// CHURNED or DOWNGRADED.
    pub outcome: RenewalOutcome,
    /// How many renewals.
    pub renewals: i32,
    /// ARR lost: before the decisions minus after them.
    #[graphql(guard = "Allowed(Action::SeeMoney)")]
    pub lost_arr: MoneyValue,
}

#[derive(Default)]
pub struct RenewalQuery;

#[Object]
impl RenewalQuery {
    /// The renewal pipeline: renewals in play renewing in `window`, over the live accounts of a
    /// slice, by month and likelihood, with the ARR at stake and the forecast.
    async fn renewal_pipeline(
        &self,
        ctx: &Context<'_>,
        window: PeriodInput,
        slice: Option<SliceInput>,
    ) -> async_graphql::Result<Vec<RenewalPipelineRow>> {
        let (s, who) = parts(ctx)?;
        let slice = SliceInput::slice(ctx, slice).await?;
        let currency = slice.currency;
        let money = |m: i64| -> MoneyValue { tandem_domain::money::Money::new(m, currency).into() };
        Ok(svc::pipeline(s, who, &slice, window.from.0, window.to.0)
            .await?
            .into_iter()
            .map(|r| RenewalPipelineRow {
                month: r.month,
                likelihood: r.likelihood.into(),
                renewals: r.renewals as i32,
                current_arr: money(r.current_arr),
                forecast_arr: money(r.forecast_arr),
            })
            .collect())
    }

    /// Why renewals decided in `period` churned or downgraded, most frequent first.
    async fn churn_reasons(
        &self,
        ctx: &Context<'_>,
        period: PeriodInput,
        slice: Option<SliceInput>,
    ) -> async_graphql::Result<Vec<ChurnReasonRow>> {
        let (s, who) = parts(ctx)?;
        let slice = SliceInput::slice(ctx, slice).await?;
        let currency = slice.currency;
        Ok(
            svc::churn_reasons(s, who, &slice, period.from.0, period.to.0)
                .await?
                .into_iter()
                .map(|r| ChurnReasonRow {
                    reason: r.reason.into(),
                    outcome: r.outcome.into(),
                    renewals: r.renewals as i32,
                    lost_arr: tandem_domain::money::Money::new(r.lost_arr, currency).into(),
                })
                .collect(),
        )
    }

    /// One risk.
    async fn risk(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<RiskNode>> {
        let (s, who) = parts(ctx)?;
        let id = RiskId(ids::decode(Kind::Risk, &id, "id")?);
        Ok(svc::risk(s, who, id).await?.map(RiskNode))
    }
}

#[derive(Default)]
pub struct RenewalMutation;

#[Object]
impl RenewalMutation {
    /// Raises a risk on an account (ADMIN, CS_MANAGER, SERVICES); `RISK_RAISED`.
    async fn raise_risk(
        &self,
        ctx: &Context<'_>,
        input: RaiseRiskInput,
    ) -> async_graphql::Result<RiskNode> {
        let (s, who) = parts(ctx)?;
        let under = |e: ApiError| e.under("input");
        let account =
            AccountId(ids::decode(Kind::Account, &input.account_id, "accountId").map_err(under)?);
        let owner = input
            .owner_id
            .map(|id| ids::team_member(&id, "ownerId"))
            .transpose()
            .map_err(under)?;
        let data = RiskData::validate(
            input.category.into(),
            input.severity.into(),
            &input.title,
            input.description.as_deref(),
            input.mitigation_plan.as_deref(),
            owner,
        )
        .map_err(|e| under(e.into()))?;
        Ok(RiskNode(
            svc::raise(s, who, account, data).await.map_err(under)?,
        ))
    }

    /// Changes a risk: its fields and/or its status; `RISK_UPDATED`.
    async fn update_risk(
        &self,
        ctx: &Context<'_>,
        input: UpdateRiskInput,
    ) -> async_graphql::Result<RiskNode> {
        let (s, who) = parts(ctx)?;
        let under = |e: ApiError| e.under("input");
        let id = RiskId(ids::decode(Kind::Risk, &input.id, "id").map_err(under)?);
        let description = patch(input.description, Ok)?;
        let plan = patch(input.mitigation_plan, Ok)?;
        let owner = patch(input.owner_id, |id| ids::team_member(&id, "ownerId")).map_err(under)?;
        let risk = svc::update_risk(s, who, id, input.version, |current| {
            let d = &current.data;
            let data = RiskData::validate(
                input.category.map(Into::into).unwrap_or(d.category),
                input.severity.map(Into::into).unwrap_or(d.severity),
                input.title.as_deref().unwrap_or(&d.title),
                description.apply(d.description.clone()).as_deref(),
                plan.apply(d.mitigation_plan.clone()).as_deref(),
                owner.apply(d.owner_id),
            )?;
            Ok((data, input.status.map(Into::into).unwrap_or(current.status)))
        })
        .await
        .map_err(under)?;
        Ok(RiskNode(risk))
    }

    /// Sets the forecast of an account's renewal in play, opening one when none is
    /// (ADMIN, CS_MANAGER); `RENEWAL_FORECAST`.
    async fn set_renewal_forecast(
        &self,
        ctx: &Context<'_>,
        input: SetRenewalForecastInput,
    ) -> async_graphql::Result<RenewalNode> {
        let (s, who) = parts(ctx)?;
        let under = |e: ApiError| e.under("input");
        let account =
            AccountId(ids::decode(Kind::Account, &input.account_id, "accountId").map_err(under)?);
        let owner = input
            .owner_id
            .map(|id| ids::team_member(&id, "ownerId"))
            .transpose()
            .map_err(under)?;
        let data = RenewalData::validate(
            input.renews_on.0,
            input.forecast_arr_minor.0,
            input.likelihood.into(),
            owner,
            input.notes.as_deref(),
        )
        .map_err(|e| under(e.into()))?;
        let renewal = svc::forecast(s, who, account, input.version, data)
            .await
            .map_err(under)?;
        let currency = currency_of(ctx, account).await?;
        Ok(RenewalNode(renewal, currency))
    }

    /// Records how a renewal ended (ADMIN, CS_MANAGER); `RENEWAL_DECIDED`. Revenue movements
    /// still come from billing: this records the decision and its reason.
    async fn decide_renewal(
        &self,
        ctx: &Context<'_>,
        input: DecideRenewalInput,
    ) -> async_graphql::Result<RenewalNode> {
        let (s, who) = parts(ctx)?;
        let under = |e: ApiError| e.under("input");
        let id = RenewalId(ids::decode(Kind::Renewal, &input.id, "id").map_err(under)?);
        let on = input
            .decided_on
            .map_or_else(|| Utc::now().date_naive(), |d| d.0);
        let renewal = svc::decide(s, who, id, input.version, |_, before| {
            Decision::validate(
                input.outcome.into(),
                input.new_arr_minor.map(|l| l.0),
                input.reason.map(Into::into),
                on,
                before,
            )
        })
        .await
        .map_err(under)?;
        let currency = currency_of(ctx, renewal.account_id).await?;
        Ok(RenewalNode(renewal, currency))
    }
}

async fn currency_of(ctx: &Context<'_>, account: AccountId) -> ApiResult<Currency> {
    Ok(loaders(ctx)?
        .accounts()
        .load_one(account)
        .await?
        .map_or(Currency::USD, |a| a.data.currency))
}

impl RiskNode {
    /// `Account.risks`.
    pub(crate) async fn of_account(
        ctx: &Context<'_>,
        account: AccountId,
        statuses: Vec<RiskStatus>,
    ) -> async_graphql::Result<Vec<RiskNode>> {
        let statuses: Vec<rules::RiskStatus> = statuses.into_iter().map(Into::into).collect();
        Ok(loaders(ctx)?
            .risks()
            .load_one(account)
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|r| statuses.is_empty() || statuses.contains(&r.status))
            .map(RiskNode)
            .collect())
    }
}

impl RenewalNode {
    /// `Account.renewals`.
    pub(crate) async fn of_account(
        ctx: &Context<'_>,
        account: AccountId,
        currency: Currency,
    ) -> async_graphql::Result<Vec<RenewalNode>> {
        Ok(loaders(ctx)?
            .renewals()
            .load_one(account)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|r| RenewalNode(r, currency))
            .collect())
    }
}
