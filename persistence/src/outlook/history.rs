//! The history the model learns from: every decided renewal with its features and the manager's
//! call as they stood at its snapshot, read in a bounded number of statements (one for the
//! renewals, one per chunk of 500 for the calls, one per chunk of 200 for the features).

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use tandem_domain::event::{EventKind, FieldChange, SubjectKind};
use tandem_domain::ids::{AccountId, RenewalId};
use tandem_domain::outlook::backtest::{ClosedRenewal, renews};
use tandem_domain::outlook::features::Features;
use tandem_domain::renewal::{Likelihood, RenewalOutcome};

use super::features::{Snapshot, features_at};
use crate::error::corrupt;
use crate::sql::{MAX_IN_LIST, Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};

/// How long before its renewal date a closed renewal is read: a quarter ahead, when a forecast
/// call is usually made and there is still time to act.
pub const SNAPSHOT_DAYS_BEFORE: u64 = 90;

/// The moment a decided renewal's features are read at: 90 days before its renewal date, or
/// the day it was decided if that came first (never after the decision), at the start of that
/// day (UTC), so nothing of the snapshot's own day counts.
pub fn snapshot_of(renews_on: NaiveDate, decided_on: NaiveDate) -> DateTime<Utc> {
    let before = renews_on
        .checked_sub_days(Days::new(SNAPSHOT_DAYS_BEFORE))
        .unwrap_or(renews_on);
    before.min(decided_on).and_time(NaiveTime::MIN).and_utc()
}

/// How many renewals have been decided.
pub async fn closed_count(store: &Store) -> PersistenceResult<usize> {
    let q =
        Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM renewals WHERE outcome IS NOT NULL");
    let n = match q.all(store.conn()).await?.first() {
        Some(r) => get::<i64>(r, "n")?,
        None => 0,
    };
    Ok(usize::try_from(n).unwrap_or(0))
}

struct Closed {
    id: RenewalId,
    account: AccountId,
    decided_on: NaiveDate,
    at: DateTime<Utc>,
    renewed: bool,
    current_call: Likelihood,
}

/// Every decided renewal as the model learns from it: its features at its snapshot
/// ([`snapshot_of`]), whether it renewed (DOWNGRADED counts), and the manager's call at the
/// snapshot: the likelihood its last `RENEWAL_FORECAST` event at or before the snapshot set,
/// or, when none had (history imported without events, or a renewal opened after its
/// snapshot), the likelihood it holds now: the best available, if kinder to the manager.
pub async fn closed_renewals(store: &Store) -> PersistenceResult<Vec<ClosedRenewal>> {
    let q = Sql::new(
        "SELECT id, account_id, renews_on, decided_on, outcome, likelihood FROM renewals \
         WHERE outcome IS NOT NULL ORDER BY decided_on, id",
    );
    let mut closed = Vec::new();
    for r in q.all(store.conn()).await? {
        let renews_on: NaiveDate = get(&r, "renews_on")?;
        let decided_on: NaiveDate = get::<Option<NaiveDate>>(&r, "decided_on")?
            .ok_or_else(|| corrupt("renewal", "decided without a day"))?;
        let outcome: RenewalOutcome = get::<String>(&r, "outcome")?
            .parse()
            .map_err(|e| corrupt("outcome", e))?;
        closed.push(Closed {
            id: RenewalId(get(&r, "id")?),
            account: AccountId(get(&r, "account_id")?),
            decided_on,
            at: snapshot_of(renews_on, decided_on),
            renewed: renews(outcome),
            current_call: get::<String>(&r, "likelihood")?
                .parse()
                .map_err(|e| corrupt("likelihood", e))?,
        });
    }
    let snapshots: Vec<Snapshot> = closed
        .iter()
        .map(|c| Snapshot {
            renewal_id: c.id,
            account_id: c.account,
            at: c.at,
        })
        .collect();
    let mut features = features_at(store, &snapshots).await?;
    let calls = calls_at(store, &snapshots).await?;
    closed
        .into_iter()
        .map(|c| {
            let features: Features =
                features
                    .remove(&c.id)
                    .ok_or_else(|| PersistenceError::NotFound {
                        entity: "account of renewal",
                        id: c.id.to_string(),
                    })?;
            Ok(ClosedRenewal {
                renewal_id: c.id,
                decided_on: c.decided_on,
                features,
                renewed: c.renewed,
                manager_call: Some(calls.get(&c.id).copied().unwrap_or(c.current_call)),
            })
        })
        .collect()
}

/// The likelihood each renewal's `RENEWAL_FORECAST` events had set by its snapshot; renewals
/// without one are absent. The events are found by account (account_events_account).
async fn calls_at(
    store: &Store,
    snapshots: &[Snapshot],
) -> PersistenceResult<HashMap<RenewalId, Likelihood>> {
    let at: HashMap<RenewalId, DateTime<Utc>> =
        snapshots.iter().map(|s| (s.renewal_id, s.at)).collect();
    let mut out = HashMap::new();
    for chunk in snapshots.chunks(MAX_IN_LIST) {
        let mut q = Sql::new(
            "SELECT subject_id, occurred_at, CAST(changes AS TEXT) AS changes FROM account_events \
             WHERE kind = ",
        );
        let mut accounts: Vec<AccountId> = chunk.iter().map(|s| s.account_id).collect();
        accounts.sort_unstable();
        accounts.dedup();
        q.bind(EventKind::RenewalForecast.as_str())
            .push(" AND account_id IN ")
            .bind_list(accounts.iter().map(|a| a.0))
            .push(" AND subject_kind = ")
            .bind(SubjectKind::Renewal.as_str())
            .push(" AND subject_id IN ")
            .bind_list(chunk.iter().map(|s| s.renewal_id.0))
            .push(" ORDER BY cursor");
        for r in q.all(store.conn()).await? {
            let id = RenewalId(get(&r, "subject_id")?);
            let occurred: DateTime<Utc> = get(&r, "occurred_at")?;
            if at.get(&id).is_none_or(|snap| occurred > *snap) {
                continue;
            }
            let changes: Vec<FieldChange> = serde_json::from_str(&get::<String>(&r, "changes")?)
                .map_err(|e| corrupt("event changes", e))?;
            let call = changes
                .iter()
                .find(|c| c.field == "likelihood")
                .and_then(|c| c.after.as_str())
                .and_then(|s| s.parse::<Likelihood>().ok());
            if let Some(call) = call {
                out.insert(id, call);
            }
        }
    }
    Ok(out)
}

/// The features of each of these renewals, to score them: an open renewal's as they stand now,
/// a decided one's at its snapshot (what the model would have read before the decision).
/// Unknown ids are absent.
pub async fn features_of(
    store: &Store,
    renewals: &[RenewalId],
) -> PersistenceResult<HashMap<RenewalId, Features>> {
    let now = Utc::now();
    let mut snapshots = Vec::with_capacity(renewals.len());
    for chunk in renewals.chunks(MAX_IN_LIST) {
        let mut q =
            Sql::new("SELECT id, account_id, renews_on, decided_on FROM renewals WHERE id IN ");
        q.bind_list(chunk.iter().map(|r| r.0));
        for r in q.all(store.conn()).await? {
            let at = match get::<Option<NaiveDate>>(&r, "decided_on")? {
                Some(decided_on) => snapshot_of(get(&r, "renews_on")?, decided_on),
                None => now,
            };
            snapshots.push(Snapshot {
                renewal_id: RenewalId(get(&r, "id")?),
                account_id: AccountId(get(&r, "account_id")?),
                at,
            });
        }
    }
    features_at(store, &snapshots).await
}
