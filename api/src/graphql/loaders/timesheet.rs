//! Loaders of timesheets, their hours and entries, and phase allocations.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use tandem_domain::hours::Hours;
use tandem_domain::ids::{PhaseId, TimesheetId};
use tandem_domain::sow::TimeEntry;
use tandem_domain::timesheet::{Allocation, Timesheet};
use tandem_persistence::{Store, sow};

use super::batch::group;
use crate::error::ApiError;

/// Loads timesheets by id.
pub struct TimesheetLoader(pub(super) Store);

impl Loader<TimesheetId> for TimesheetLoader {
    type Value = Timesheet;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[TimesheetId],
    ) -> Result<HashMap<TimesheetId, Timesheet>, ApiError> {
        Ok(tandem_persistence::timesheet::by_ids(&self.0, keys)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }
}

/// Loads each timesheet's hours.
pub struct TimesheetHoursLoader(pub(super) Store);

impl Loader<TimesheetId> for TimesheetHoursLoader {
    type Value = Hours;
    type Error = ApiError;

    async fn load(&self, keys: &[TimesheetId]) -> Result<HashMap<TimesheetId, Hours>, ApiError> {
        Ok(tandem_persistence::timesheet::hours(&self.0, keys).await?)
    }
}

/// Loads each timesheet's time entries.
pub struct TimesheetEntriesLoader(pub(super) Store);

impl Loader<TimesheetId> for TimesheetEntriesLoader {
    type Value = Vec<TimeEntry>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[TimesheetId],
    ) -> Result<HashMap<TimesheetId, Vec<TimeEntry>>, ApiError> {
        let entries = sow::entries_of_timesheets(&self.0, keys).await?;
        let mut out: HashMap<TimesheetId, Vec<TimeEntry>> = HashMap::new();
        for e in entries {
            if let Some(sheet) = e.timesheet_id {
                out.entry(sheet).or_default().push(e);
            }
        }
        Ok(out)
    }
}

/// Loads each phase's allocations.
pub struct PhaseAllocationsLoader(pub(super) Store);

impl Loader<PhaseId> for PhaseAllocationsLoader {
    type Value = Vec<Allocation>;
    type Error = ApiError;

    async fn load(&self, keys: &[PhaseId]) -> Result<HashMap<PhaseId, Vec<Allocation>>, ApiError> {
        let all =
            tandem_persistence::timesheet::allocation::allocations_of_phases(&self.0, keys).await?;
        Ok(group(all, |a| a.phase_id))
    }
}
