//! Segments in the API: saved filters over accounts, their members and their figures.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use tandem_domain::ids::{SegmentId, TeamMemberId};
use tandem_domain::segment::{Segment, SegmentFilter};

use super::common::context::parts;
use super::common::input::{bounded, bounded_ids};
use super::enums::{LifecycleStage, TouchTier};
use super::health::HealthStatus;
use super::ids::{self, Kind};
use super::scalars::Long;
use crate::error::ApiResult;
use crate::service;
use crate::service::segment::SegmentChange;

/// Criteria over accounts: firmographics, health, money, usage and needs. Every criterion
/// narrows the selection; a list matches any of its values (tags: all of them).
#[derive(InputObject, Clone, Default)]
pub struct SegmentCriteriaInput {
    /// Any of these touch tiers.
    pub touch_tiers: Option<Vec<TouchTier>>,
    /// Any of these lifecycle stages.
    pub lifecycle_stages: Option<Vec<LifecycleStage>>,
    /// In any of these industries.
    pub industries: Option<Vec<String>>,
    /// On any of these plans.
    pub plans: Option<Vec<String>>,
    /// In any of these regions.
    pub regions: Option<Vec<String>>,
    /// In any of these company-size bands (as `accounts` spells them: `S_51_200`…).
    pub company_sizes: Option<Vec<String>>,
    /// Owned by any of these team members.
    pub owner_ids: Option<Vec<ID>>,
    /// Carrying all of these tags.
    pub tags: Option<Vec<String>>,
    /// Whose latest health status is any of these.
    pub health_statuses: Option<Vec<HealthStatus>>,
    /// Latest health score at least this (0–100).
    pub min_health_score: Option<f64>,
    /// Latest health score at most this (0–100).
    pub max_health_score: Option<f64>,
    /// MRR today at least this, in minor units.
    pub min_mrr_minor: Option<Long>,
    /// MRR today at most this, in minor units.
    pub max_mrr_minor: Option<Long>,
    /// Active on at least this many of the last 30 days.
    pub min_active_days30: Option<i32>,
    /// Active on at most this many of the last 30 days.
    pub max_active_days30: Option<i32>,
    /// Needs (jobs, pains, value drivers) mentioning this text, ignoring case.
    pub needs_text: Option<String>,
}

impl SegmentCriteriaInput {
    /// The domain filter; `path` names the input in errors.
    pub fn into_domain(self, path: &str) -> ApiResult<SegmentFilter> {
        let owner_ids = bounded_ids(
            &format!("{path}.ownerIds"),
            Kind::TeamMember,
            self.owner_ids,
            TeamMemberId,
        )?;
        Ok(SegmentFilter {
            touch_tiers: bounded(&format!("{path}.touchTiers"), self.touch_tiers)?
                .into_iter()
                .map(Into::into)
                .collect(),
            lifecycle_stages: bounded(&format!("{path}.lifecycleStages"), self.lifecycle_stages)?
                .into_iter()
                .map(Into::into)
                .collect(),
            industries: bounded(&format!("{path}.industries"), self.industries)?,
            plans: bounded(&format!("{path}.plans"), self.plans)?,
            regions: bounded(&format!("{path}.regions"), self.regions)?,
            company_sizes: bounded(&format!("{path}.companySizes"), self.company_sizes)?,
            owner_ids,
            tags: bounded(&format!("{path}.tags"), self.tags)?,
            health_statuses: bounded(&format!("{path}.healthStatuses"), self.health_statuses)?
                .into_iter()
                .map(Into::into)
                .collect(),
            min_health_score: self.min_health_score,
            max_health_score: self.max_health_score,
            min_mrr_minor: self.min_mrr_minor.map(|l| l.0),
            max_mrr_minor: self.max_mrr_minor.map(|l| l.0),
            min_active_days_30: self.min_active_days30.map(i64::from),
            max_active_days_30: self.max_active_days30.map(i64::from),
            needs_text: self.needs_text,
        })
    }
}

/// A segment's criteria, as saved.
#[derive(SimpleObject)]
pub struct SegmentCriteria {
    /// Any of these touch tiers.
    pub touch_tiers: Vec<TouchTier>,
    /// Any of these lifecycle stages.
    pub lifecycle_stages: Vec<LifecycleStage>,
    /// In any of these industries.
    pub industries: Vec<String>,
    /// On any of these plans.
    pub plans: Vec<String>,
    /// In any of these regions.
    pub regions: Vec<String>,
    /// In any of these company-size bands.
    pub company_sizes: Vec<String>,
    /// Owned by any of these team members.
    pub owner_ids: Vec<ID>,
    /// Carrying all of these tags.
    pub tags: Vec<String>,
    /// Whose latest health status is any of these.
    pub health_statuses: Vec<HealthStatus>,
    /// Latest health score at least this.
    pub min_health_score: Option<f64>,
    /// Latest health score at most this.
    pub max_health_score: Option<f64>,
    /// MRR today at least this, in minor units.
    pub min_mrr_minor: Option<Long>,
    /// MRR today at most this, in minor units.
    pub max_mrr_minor: Option<Long>,
    /// Active on at least this many of the last 30 days.
    pub min_active_days30: Option<i32>,
    /// Active on at most this many of the last 30 days.
    pub max_active_days30: Option<i32>,
    /// Needs mentioning this text.
    pub needs_text: Option<String>,
}

impl From<&SegmentFilter> for SegmentCriteria {
    fn from(f: &SegmentFilter) -> Self {
        SegmentCriteria {
            touch_tiers: f.touch_tiers.iter().map(|t| (*t).into()).collect(),
            lifecycle_stages: f.lifecycle_stages.iter().map(|t| (*t).into()).collect(),
            industries: f.industries.clone(),
            plans: f.plans.clone(),
            regions: f.regions.clone(),
            company_sizes: f.company_sizes.clone(),
            owner_ids: f
                .owner_ids
                .iter()
                .map(|o| ids::encode(Kind::TeamMember, o.0))
                .collect(),
            tags: f.tags.clone(),
            health_statuses: f.health_statuses.iter().map(|s| (*s).into()).collect(),
            min_health_score: f.min_health_score,
            max_health_score: f.max_health_score,
            min_mrr_minor: f.min_mrr_minor.map(Long),
            max_mrr_minor: f.max_mrr_minor.map(Long),
            min_active_days30: f.min_active_days_30.map(|d| d as i32),
            max_active_days30: f.max_active_days_30.map(|d| d as i32),
            needs_text: f.needs_text.clone(),
        }
    }
}

/// A saved, named filter over accounts. Membership is computed when read.
pub struct SegmentNode(pub Segment);

#[Object(name = "Segment")]
impl SegmentNode {
    /// The segment's opaque global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Segment, self.0.id.0)
    }
    /// Bumped on every change; pass it back to `updateSegment`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Its name, unique among live segments.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What it is for.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// What it selects.
    async fn criteria(&self) -> SegmentCriteria {
        (&self.0.filter).into()
    }
    /// How many live accounts are in it now.
    async fn account_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let (s, who) = parts(ctx)?;
        let filter = tandem_persistence::account::AccountFilter {
            criteria: vec![self.0.filter.clone()],
            ..Default::default()
        };
        Ok(service::account::count(s, who, &filter).await? as i64)
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
pub struct SegmentQuery;

#[Object]
impl SegmentQuery {
    /// Every live segment, by name. Members: `accounts(filter: {segmentId})`; figures:
    /// `figures(segmentId:)`.
    async fn segments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SegmentNode>> {
        let (s, who) = parts(ctx)?;
        Ok(service::segment::segments(s, who)
            .await?
            .into_iter()
            .map(SegmentNode)
            .collect())
    }
    /// The segment with this id, or `null`.
    async fn segment(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<SegmentNode>> {
        let (s, who) = parts(ctx)?;
        let id = SegmentId(ids::decode(Kind::Segment, &id, "id")?);
        Ok(service::segment::segment(s, who, id)
            .await?
            .map(SegmentNode))
    }
}

/// A new segment.
#[derive(InputObject)]
pub struct CreateSegmentInput {
    /// Its name, unique among live segments.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// What it selects.
    pub criteria: SegmentCriteriaInput,
}

/// A change to a segment; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateSegmentInput {
    /// The segment.
    pub id: ID,
    /// The version you read.
    pub version: i32,
    /// A new name.
    pub name: Option<String>,
    /// A new description; `null` clears it.
    pub description: MaybeUndefined<String>,
    /// New criteria, replacing the old ones.
    pub criteria: Option<SegmentCriteriaInput>,
}

/// What a segment mutation returns.
#[derive(SimpleObject)]
pub struct SegmentPayload {
    /// The segment after the change.
    pub segment: SegmentNode,
}

#[derive(Default)]
pub struct SegmentMutation;

#[Object]
impl SegmentMutation {
    /// Saves a segment (ADMIN, CS_MANAGER).
    async fn create_segment(
        &self,
        ctx: &Context<'_>,
        input: CreateSegmentInput,
    ) -> async_graphql::Result<SegmentPayload> {
        let (s, who) = parts(ctx)?;
        let filter = input.criteria.into_domain("input.criteria")?;
        let segment = service::segment::create_segment(
            s,
            who,
            &input.name,
            input.description.as_deref(),
            filter,
        )
        .await?;
        Ok(SegmentPayload {
            segment: SegmentNode(segment),
        })
    }
    /// Changes a segment still at `version` (ADMIN, CS_MANAGER).
    async fn update_segment(
        &self,
        ctx: &Context<'_>,
        input: UpdateSegmentInput,
    ) -> async_graphql::Result<SegmentPayload> {
        let (s, who) = parts(ctx)?;
        let id = SegmentId(ids::decode(Kind::Segment, &input.id, "input.id")?);
        let change = SegmentChange {
            name: input.name,
            description: super::common::input::patch(input.description, Ok)?,
            filter: input
                .criteria
                .map(|c| c.into_domain("input.criteria"))
                .transpose()?,
            archive: false,
        };
        let segment = service::segment::update_segment(s, who, id, input.version, change).await?;
        Ok(SegmentPayload {
            segment: SegmentNode(segment),
        })
    }
    /// Archives a segment still at `version` (ADMIN, CS_MANAGER).
    async fn archive_segment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> async_graphql::Result<SegmentPayload> {
        let (s, who) = parts(ctx)?;
        let id = SegmentId(ids::decode(Kind::Segment, &id, "id")?);
        let change = SegmentChange {
            archive: true,
            ..Default::default()
        };
        let segment = service::segment::update_segment(s, who, id, version, change).await?;
        Ok(SegmentPayload {
            segment: SegmentNode(segment),
        })
    }
}
