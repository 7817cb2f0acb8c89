//! An account's value timeline: what it received and what followed, as one dated list.

use chrono::NaiveDate;
use tandem_domain::auth::{Action, Principal};
use tandem_domain::ids::AccountId;
use tandem_domain::value_timeline::{TimelineQuery, ValueEvent, ValueEventKind};
use tandem_persistence::value_timeline;

use super::Services;
use crate::error::ApiResult;

/// Up to `first` entries ([`DEFAULT_ENTRIES`](tandem_domain::value_timeline::DEFAULT_ENTRIES)
/// when not given) of `account`'s value timeline between `from` and `to` (inclusive,
/// either open), of `kinds` (all when empty), newest first. Not for INTEGRATION: it shows
/// goals and health. Amounts are in the entries; the caller hides them from roles that may not
/// see money.
#[tracing::instrument(skip_all, fields(subject = %who.subject, account = %account))]
pub async fn read(
    s: &Services,
    who: &Principal,
    account: AccountId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    first: Option<i32>,
    kinds: Vec<ValueEventKind>,
) -> ApiResult<Vec<ValueEvent>> {
    who.authorize(Action::ReadInsights)?;
    let query = TimelineQuery::new(from, to, first.map(i64::from), kinds)?;
    Ok(value_timeline::read(&s.store, account, &query).await?)
}
