//! What the revenue outlook of a period weighs (`domain::outlook::revenue`): the slice's MRR
//! today, its renewals in play that fall in the period with the manager's calls, and its open
//! opportunities expected to close in it. Three statements, run side by side; none reads more
//! than the slice's live accounts and what is in play.

use chrono::NaiveDate;
use tandem_domain::ids::{AccountId, RenewalId};
use tandem_domain::outlook::revenue::{Book, RenewalAtStake};
use tandem_domain::segment::Slice;

use crate::error::corrupt;
use crate::sql::get;
use crate::{PersistenceResult, Store};

/// What the outlook of `from`–`to` over `slice` weighs, with MRR as of `today`; renewals
/// carry the manager's call only (the model's probability is the caller's to add).
pub async fn book(
    store: &Store,
    slice: &Slice,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<Book> {
    let starting = async {
        let mut q = crate::figures::with_live_sliced(slice, today);
        q.push(include_str!("revenue_outlook.starting_mrr.sql"))
            .bind_value(today);
        match q.all(store.conn()).await?.first() {
            Some(r) => get::<i64>(r, "mrr"),
            None => Ok(0),
        }
    };
    let renewals = async {
        let mut q = crate::figures::with_live_sliced(slice, today);
        q.push(include_str!("revenue_outlook.renewals.sql"))
            .bind_value(today)
            .bind_value(from)
            .bind_value(to);
        q.all(store.conn())
            .await?
            .iter()
            .map(|r| {
                let call: String = get(r, "likelihood")?;
                Ok(RenewalAtStake {
                    renewal_id: RenewalId(get(r, "id")?),
                    account_id: AccountId(get(r, "account_id")?),
                    mrr_minor: get(r, "mrr")?,
                    manager_call: call.parse().map_err(|e| corrupt("likelihood", e))?,
                    model_probability: None,
                })
            })
            .collect::<PersistenceResult<Vec<_>>>()
    };
    let opportunities = crate::opportunity::open_in(store, slice, today, from, to);
    let (starting_mrr_minor, renewals, opportunities) =
        tokio::try_join!(starting, renewals, opportunities)?;
    Ok(Book {
        starting_mrr_minor,
        renewals,
        opportunities,
    })
}
