//! Phase heads and outlines: a list of phases read with only the columns a glance shows, for the
//! API's lists that ask for nothing else, as the domain's [`PhaseHead`] and [`PhaseOutline`].
//! A dashboard's 600 phases then cost six or thirteen columns each instead of twenty-one, and
//! both databases answer from an index that carries those columns (migration 18,
//! `m20261123_000018_phase_outlines`): each view's column list is here, beside the type it
//! decodes into; keep them and that index in step.
//!
//! The cells are read by position ([`crate::page::cell`]), in the order the column lists name
//! them; `phase_heads_and_outlines_read_what_the_phase_holds` (`persistence/tests/
//! phase_outline.rs`) holds both reads to the whole phase's, on both databases.

use std::collections::HashMap;

use sea_orm::QueryResult;
use tandem_domain::engagement::{PhaseHead, PhaseOutline};
use tandem_domain::ids::{EngagementId, PhaseId};

use crate::error::corrupt;
use crate::page::cell;
use crate::sql::Sql;
use crate::{PersistenceResult, Store};

/// The phases of each of these engagements, in position order, their heads only: id,
/// engagement, position, name, status and version.
pub async fn heads_of_engagements(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<PhaseHead>>> {
    read_by_engagement(store, engagements).await
}

/// The phases of each of these engagements, in position order, their outlines only: the head,
/// the focus and the planned and actual dates. A dashboard's 600 phases cost PostgreSQL and
/// Tandem less without the two JSON columns, the timestamps and the long texts.
pub async fn outlines_of_engagements(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<PhaseOutline>>> {
    read_by_engagement(store, engagements).await
}

/// A view of a phase read from some of its row's columns.
trait View: Sized {
    /// The columns read, in the order [`View::decode`] reads them; all of them in migration 18's
    /// index.
    const COLUMNS: &'static str;
    /// The view from a row of [`View::COLUMNS`].
    fn decode(row: &QueryResult) -> PersistenceResult<Self>;
    /// The engagement the phase belongs to.
    fn engagement(&self) -> EngagementId;
}

impl View for PhaseHead {
    const COLUMNS: &'static str = "id, engagement_id, position, name, status, version";

    fn decode(row: &QueryResult) -> PersistenceResult<Self> {
        let status: String = cell(row, 4)?;
        Ok(PhaseHead {
            id: PhaseId(cell(row, 0)?),
            engagement_id: EngagementId(cell(row, 1)?),
            position: cell(row, 2)?,
            name: cell(row, 3)?,
            status: status
                .parse()
                .map_err(|e: String| corrupt("phase status", e))?,
            version: cell(row, 5)?,
        })
    }

    fn engagement(&self) -> EngagementId {
        self.engagement_id
    }
}

impl View for PhaseOutline {
    /// The head's columns first, so that the head decodes from the same cells.
    const COLUMNS: &'static str = "id, engagement_id, position, name, status, version, \
         focus_kind, focus, planned_start, planned_end, actual_start, actual_end, accepted_on";

    fn decode(row: &QueryResult) -> PersistenceResult<Self> {
        let focus_kind: String = cell(row, 6)?;
        Ok(PhaseOutline {
            head: PhaseHead::decode(row)?,
            focus_kind: focus_kind
                .parse()
                .map_err(|e: String| corrupt("focus kind", e))?,
            focus: cell(row, 7)?,
            planned_start: cell(row, 8)?,
            planned_end: cell(row, 9)?,
            actual_start: cell(row, 10)?,
            actual_end: cell(row, 11)?,
            accepted_on: cell(row, 12)?,
        })
    }

    fn engagement(&self) -> EngagementId {
        self.head.engagement_id
    }
}

/// The phases of these engagements as `V`, by engagement and in position order.
async fn read_by_engagement<V: View>(
    store: &Store,
    engagements: &[EngagementId],
) -> PersistenceResult<HashMap<EngagementId, Vec<V>>> {
    let rows = crate::sql::all_in_chunks(store.conn(), engagements, |chunk| {
        let mut sql = Sql::new("SELECT ");
        sql.push(V::COLUMNS)
            .push(" FROM phases WHERE engagement_id IN ");
        sql.bind_list(chunk.iter().map(|e| e.0))
            .push(" ORDER BY engagement_id, position");
        sql
    })
    .await?;
    let mut out: HashMap<EngagementId, Vec<V>> = HashMap::new();
    for row in &rows {
        let view = V::decode(row)?;
        out.entry(view.engagement()).or_default().push(view);
    }
    Ok(out)
}
