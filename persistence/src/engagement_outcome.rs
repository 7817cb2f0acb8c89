//! Engagements' outcome figures for a whole batch of engagements at once: their phases' start and
//! acceptance dates, their approved hours by kind, and their accounts' MRR movements over the
//! union of the accepted phases' revenue windows — three statements per batch, whatever its size.

use std::collections::HashMap;

use chrono::NaiveDate;
use tandem_domain::engagement_outcome::{self as rules, EngagementOutcome};
use tandem_domain::hours::Hours;
use tandem_domain::ids::{AccountId, EngagementId};
use tandem_domain::money::Currency;
use tandem_domain::outcome::MrrMovement;
use tandem_domain::signals::RevenueKind;
use tandem_domain::sow::{LoggedTime, WorkKind};

use crate::error::corrupt;
use crate::sow::APPROVED_ONLY;
use crate::sql::MAX_IN_LIST;
use crate::sql::{Sql, get};
use crate::{PersistenceResult, Store};

/// Spans per revenue statement: four values each, far below either database's limit on them.
const CHUNK: usize = 200;

/// Per engagement and acceptance day, up to `WHERE e.id IN`: the chunk's ids and the grouping
/// are appended.
const ACCEPTED_DAYS: &str = include_str!("engagement_outcome.accepted_days.sql");

/// Approved hours per engagement and kind, up to `WHERE`: the approval condition, the chunk's
/// ids and the grouping are appended.
const APPROVED_HOURS: &str = include_str!("engagement_outcome.approved_hours.sql");

/// The movements in each engagement's windows, read from a table `t` of windows written before
/// it.
const MOVEMENTS_IN_WINDOWS: &str = include_str!("engagement_outcome.movements_in_windows.sql");

/// The outcome of each of `engagements` as it stands on `today`. Engagements that do not exist
/// are absent.
pub async fn of_engagements(
    store: &Store,
    engagements: &[EngagementId],
    today: NaiveDate,
) -> PersistenceResult<HashMap<EngagementId, EngagementOutcome>> {
    let mut out: HashMap<EngagementId, EngagementOutcome> = HashMap::new();
    let mut accepted: HashMap<EngagementId, Vec<NaiveDate>> = HashMap::new();
    for chunk in engagements.chunks(MAX_IN_LIST) {
        // One row per engagement and distinct acceptance day (one with a NULL day when nothing
        // is accepted): the windows are a set of days, the counts are SQL's.
        let mut q = Sql::new(ACCEPTED_DAYS);
        q.bind_list(chunk.iter().map(|e| e.0))
            .push(" GROUP BY e.id, e.account_id, a.currency, p.accepted_on");
        for r in q.all(store.conn()).await? {
            let id = EngagementId(get(&r, "engagement_id")?);
            let entry = match out.entry(id) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(EngagementOutcome {
                    engagement: id,
                    account: AccountId(get(&r, "account_id")?),
                    currency: Currency::parse("currency", &get::<String>(&r, "currency")?)?,
                    started_on: get(&r, "started_on")?,
                    first_accepted_on: None,
                    accepted_phases: 0,
                    logged: LoggedTime::default(),
                    window: None,
                    movement: None,
                }),
            };
            if let Some(day) = get::<Option<NaiveDate>>(&r, "accepted_on")? {
                entry.accepted_phases += get::<i64>(&r, "phases")?;
                entry.first_accepted_on = Some(entry.first_accepted_on.map_or(day, |d| d.min(day)));
                accepted.entry(id).or_default().push(day);
            }
        }

        // Approved hours only: logged but unapproved time is not spent yet.
        let mut q = Sql::new(APPROVED_HOURS);
        q.push(APPROVED_ONLY)
            .push(" AND s.engagement_id IN ")
            .bind_list(chunk.iter().map(|e| e.0))
            .push(" GROUP BY s.engagement_id, time_entries.kind");
        for r in q.all(store.conn()).await? {
            let Some(entry) = out.get_mut(&EngagementId(get(&r, "engagement_id")?)) else {
                continue;
            };
            let hours = Hours(get(&r, "hours")?);
            let kind: WorkKind = get::<String>(&r, "kind")?
                .parse()
                .map_err(|e| corrupt("time entry kind", e))?;
            match kind {
                WorkKind::InScope => entry.logged.in_scope_hours.0 += hours.0,
                WorkKind::TimeAndMaterials => entry.logged.tm_hours.0 += hours.0,
            }
        }
    }

    // The windows, merged so that no movement is counted twice; then one sum per batch.
    let mut spans: Vec<(EngagementId, AccountId, NaiveDate, NaiveDate)> = Vec::new();
    for (id, days) in &accepted {
        let Some(entry) = out.get_mut(id) else {
            continue;
        };
        let window = rules::window_union(days, today);
        if let Some(w) = &window {
            spans.extend(
                w.spans
                    .iter()
                    .map(|s| (*id, entry.account, s.after, s.through)),
            );
            entry.movement = Some(MrrMovement::default());
        }
        entry.window = window;
    }
    for chunk in spans.chunks(CHUNK) {
        let mut q =
            Sql::new("WITH t (engagement_id, account_id, after_day, through_day) AS (VALUES ");
        for (i, (e, a, after, through)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(e.0)
                .push(", ")
                .bind(a.0)
                .push(", ")
                .bind(*after)
                .push(", ")
                .bind(*through)
                .push(")");
        }
        q.push(") ").push(MOVEMENTS_IN_WINDOWS);
        for r in q.all(store.conn()).await? {
            let id = EngagementId(get(&r, "engagement_id")?);
            let kind: RevenueKind = get::<String>(&r, "kind")?
                .parse()
                .map_err(|e| corrupt("revenue kind", e))?;
            if let Some(m) = out.get_mut(&id).and_then(|e| e.movement.as_mut()) {
                m.add(kind, get(&r, "total")?);
            }
        }
    }
    Ok(out)
}
