//! Revenue movements and the MRR derived from them. Sums run in SQL; Rust never adds up rows.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use tandem_domain::ids::AccountId;
use tandem_domain::money::Money;
use uuid::Uuid;

use crate::account::MAX_IN_LIST;
use crate::entity::revenue_event;
use crate::{PersistenceResult, Store};

/// A dated MRR movement to record (a signed amount: negative for contraction and churn).
#[derive(Debug, Clone)]
pub struct NewRevenueMovement {
    /// The account it belongs to.
    pub account_id: AccountId,
    /// NEW, EXPANSION, CONTRACTION, CHURN or REACTIVATION.
    pub kind: &'static str,
    /// The change in MRR.
    pub amount: Money,
    /// The day it takes effect.
    pub effective_on: NaiveDate,
}

/// Records movements in bulk, without events: used to load demo and benchmark data. The
/// revenue module's own mutation (which emits `REVENUE_RECORDED`) is built on the same table.
pub async fn import(store: &Store, movements: &[NewRevenueMovement]) -> PersistenceResult<()> {
    let now = Utc::now();
    for chunk in movements.chunks(MAX_IN_LIST) {
        revenue_event::Entity::insert_many(chunk.iter().map(|m| revenue_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(m.account_id.0),
            kind: Set(m.kind.to_owned()),
            amount_minor: Set(m.amount.minor),
            currency: Set(m.amount.currency.as_str().to_owned()),
            effective_on: Set(m.effective_on),
            created_at: Set(now),
        }))
        .exec_without_returning(store.conn())
        .await?;
    }
    Ok(())
}

/// Each account's MRR on `on` in minor units: the sum of its movements up to that day. Accounts
/// without movements are absent from the map (their MRR is zero).
pub async fn mrr_on(
    store: &Store,
    accounts: &[AccountId],
    on: NaiveDate,
) -> PersistenceResult<HashMap<AccountId, i64>> {
    use revenue_event::Column as C;
    let mut out = HashMap::with_capacity(accounts.len());
    for chunk in accounts.chunks(MAX_IN_LIST) {
        let rows: Vec<(Uuid, Option<i64>)> = revenue_event::Entity::find()
            .select_only()
            .column(C::AccountId)
            // PostgreSQL sums BIGINT to NUMERIC; cast back so both databases answer an i64.
            .column_as(
                Expr::expr(Func::sum(Expr::col(C::AmountMinor))).cast_as("BIGINT"),
                "mrr",
            )
            .filter(C::AccountId.is_in(chunk.iter().map(|a| a.0)))
            .filter(C::EffectiveOn.lte(on))
            .group_by(C::AccountId)
            .into_tuple()
            .all(store.conn())
            .await?;
        out.extend(
            rows.into_iter()
                .map(|(id, sum)| (AccountId(id), sum.unwrap_or(0))),
        );
    }
    Ok(out)
}
