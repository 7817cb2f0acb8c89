//! Reading opportunities: one, an account's, a filtered page, and the open ones of a slice
//! with their probability, as the revenue outlook weighs them.

use chrono::NaiveDate;
use tandem_domain::ids::{AccountId, OpportunityId};
use tandem_domain::opportunity::{
    OpenOpportunity, Opportunity, OpportunityKind, OpportunityStatus,
};
use tandem_domain::segment::Slice;
use uuid::Uuid;

use super::row::{COLUMNS, one, opportunity, parse};
use crate::page::{Page, Window};
use crate::sql::{MAX_IN_LIST, Sql, get};
use crate::{PersistenceResult, Store};

/// One opportunity.
pub async fn by_id(store: &Store, id: OpportunityId) -> PersistenceResult<Option<Opportunity>> {
    one(store.conn(), id).await
}

/// The opportunities of `accounts`, every status, in closing order.
pub async fn of_accounts(
    store: &Store,
    accounts: &[AccountId],
) -> PersistenceResult<Vec<Opportunity>> {
    let mut out = Vec::new();
    for chunk in accounts.chunks(MAX_IN_LIST) {
        let mut q = Sql::new(&format!(
            "SELECT {COLUMNS} FROM opportunities WHERE account_id IN "
        ));
        q.bind_list(chunk.iter().map(|a| a.0))
            .push(" ORDER BY expected_close_on, id");
        for r in q.all(store.conn()).await? {
            out.push(opportunity(&r)?);
        }
    }
    Ok(out)
}

/// What the list of opportunities is narrowed to; empty lists and `None` narrow nothing.
#[derive(Debug, Clone, Default)]
pub struct OpportunityFilter {
    /// Only these statuses.
    pub statuses: Vec<OpportunityStatus>,
    /// Only these kinds.
    pub kinds: Vec<OpportunityKind>,
    /// Only those expected to close on or after this day.
    pub closing_from: Option<NaiveDate>,
    /// Only those expected to close on or before this day.
    pub closing_to: Option<NaiveDate>,
    /// Only those of this account.
    pub account: Option<AccountId>,
}

/// The key of the list's order: expected close day, then id.
pub type OpportunityKey = (NaiveDate, Uuid);

/// A page of opportunities matching `filter`, soonest to close first (forwards only).
pub async fn list(
    store: &Store,
    filter: &OpportunityFilter,
    window: &Window<OpportunityKey>,
) -> PersistenceResult<Page<Opportunity>> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM opportunities WHERE 1 = 1"));
    if !filter.statuses.is_empty() {
        q.push(" AND status IN ")
            .bind_list(filter.statuses.iter().map(|s| s.as_str()));
    }
    if !filter.kinds.is_empty() {
        q.push(" AND kind IN ")
            .bind_list(filter.kinds.iter().map(|k| k.as_str()));
    }
    if let Some(from) = filter.closing_from {
        q.push(" AND expected_close_on >= ").bind(from);
    }
    if let Some(to) = filter.closing_to {
        q.push(" AND expected_close_on <= ").bind(to);
    }
    if let Some(a) = filter.account {
        q.push(" AND account_id = ").bind(a.0);
    }
    if let Some((day, id)) = window.after {
        q.push(" AND (expected_close_on > ")
            .bind(day)
            .push(" OR (expected_close_on = ")
            .bind(day)
            .push(" AND id > ")
            .bind(id)
            .push("))");
    }
    q.push(" ORDER BY expected_close_on, id LIMIT ")
        .bind(window.limit as i64 + 1);
    let rows = q
        .all(store.conn())
        .await?
        .iter()
        .map(opportunity)
        .collect::<PersistenceResult<Vec<_>>>()?;
    Ok(Page::from_rows(rows, window))
}

/// The open opportunities of the live accounts of `slice` expected to close from `from` to
/// `to`, with their probability (their override, else their stage's default): what the revenue
/// outlook weighs.
pub async fn open_in(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<Vec<OpenOpportunity>> {
    let mut q = crate::figures::with_live_sliced(slice, today);
    q.push(include_str!("open.sql"))
        .bind_value(from)
        .bind_value(to);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            Ok(OpenOpportunity {
                id: OpportunityId(get(r, "id")?),
                account_id: AccountId(get(r, "account_id")?),
                kind: parse(r, "kind")?,
                mrr_delta_minor: get(r, "mrr_delta_minor")?,
                services_value_minor: get(r, "services_value_minor")?,
                probability: get(r, "probability")?,
                expected_close_on: get(r, "expected_close_on")?,
            })
        })
        .collect()
}
