//! Segments: saved filters over accounts.

use chrono::Utc;
use tandem_domain::auth::{Action, Principal};
use tandem_domain::ids::SegmentId;
use tandem_domain::segment::{Segment, SegmentFilter};
use tandem_persistence::segment;

use super::Services;
use crate::error::{ApiError, ApiResult, Code};

/// Saves a segment.
#[tracing::instrument(level = "debug", name = "service::segment::create_segment", skip_all)]
pub async fn create_segment(
    s: &Services,
    who: &Principal,
    name: &str,
    description: Option<&str>,
    filter: SegmentFilter,
) -> ApiResult<Segment> {
    who.authorize(Action::ManageHealth)?;
    let (name, description) = tandem_domain::segment::check_name(name, description)?;
    let filter = filter.validate()?;
    Ok(segment::create(&s.store, name, description, filter).await?)
}

/// Changes or archives a segment still at `version`.
#[tracing::instrument(level = "debug", name = "service::segment::update_segment", skip_all)]
pub async fn update_segment(
    s: &Services,
    who: &Principal,
    id: SegmentId,
    version: i32,
    change: SegmentChange,
) -> ApiResult<Segment> {
    who.authorize(Action::ManageHealth)?;
    Ok(segment::update(&s.store, id, version, |current| {
        let (name, description) = match &change.name {
            Some(n) => tandem_domain::segment::check_name(
                n,
                change
                    .description
                    .clone()
                    .apply(current.description.clone())
                    .as_deref(),
            )?,
            None => tandem_domain::segment::check_name(
                &current.name,
                change
                    .description
                    .clone()
                    .apply(current.description.clone())
                    .as_deref(),
            )?,
        };
        let filter = match &change.filter {
            Some(f) => f.clone().validate()?,
            None => current.filter.clone(),
        };
        Ok(Segment {
            name,
            description,
            filter,
            archived_at: if change.archive {
                Some(Utc::now())
            } else {
                None
            },
            ..current.clone()
        })
    })
    .await?)
}

/// A change to a segment.
#[derive(Debug, Clone, Default)]
pub struct SegmentChange {
    /// A new name.
    pub name: Option<String>,
    /// A new description, or none.
    pub description: tandem_domain::Patch<String>,
    /// A new filter.
    pub filter: Option<SegmentFilter>,
    /// Archive it.
    pub archive: bool,
}

/// Every live segment.
#[tracing::instrument(level = "debug", name = "service::segment::segments", skip_all)]
pub async fn segments(s: &Services, who: &Principal) -> ApiResult<Vec<Segment>> {
    who.authorize(Action::ReadInsights)?;
    Ok(segment::list(&s.store).await?)
}

/// One segment.
#[tracing::instrument(level = "debug", name = "service::segment::segment", skip_all)]
pub async fn segment(s: &Services, who: &Principal, id: SegmentId) -> ApiResult<Option<Segment>> {
    who.authorize(Action::ReadInsights)?;
    Ok(segment::get_one(&s.store, id).await?)
}

/// A segment that must exist and be live, for filtering.
#[tracing::instrument(level = "debug", name = "service::segment::live_segment", skip_all)]
pub async fn live_segment(s: &Services, who: &Principal, id: SegmentId) -> ApiResult<Segment> {
    who.authorize(Action::ReadInsights)?;
    match segment::get_one(&s.store, id).await? {
        Some(seg) if seg.archived_at.is_none() => Ok(seg),
        Some(seg) => Err(ApiError::new(
            Code::BadUserInput,
            format!("the segment '{}' is archived", seg.name),
        )),
        None => Err(ApiError::new(
            Code::NotFound,
            format!("no segment has the id {id}"),
        )),
    }
}
