//! Revenue movements and the MRR derived from them. Sums run in SQL; Rust never adds up rows.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use tandem_domain::ids::AccountId;
use tandem_domain::money::Money;
use tandem_domain::signals::{NewRevenueMovement, RevenueMovement};
use uuid::Uuid;

use crate::entity::revenue_event;
use crate::sql::MAX_IN_LIST;
use crate::{PersistenceResult, Store};

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

/// Records a movement of `kind` and records `REVENUE_RECORDED`. The amount is checked against
/// the account's MRR on `effective_on` (see [`tandem_domain::signals::signed_movement`]); the
/// currency is the account's.
pub async fn record(
    store: &Store,
    actor: &str,
    account: AccountId,
    kind: tandem_domain::signals::RevenueKind,
    amount: Option<i64>,
    effective_on: NaiveDate,
) -> PersistenceResult<RevenueMovement> {
    let tx = store.begin_write().await?;
    let standing = standing_in(&tx, account, effective_on).await?;
    let movement = record_in(store, &tx, actor, &standing, kind, amount, effective_on).await?;
    tx.commit().await?;
    Ok(movement)
}

/// Where a live account stands on a day, as a new movement is checked against it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Standing {
    /// The account.
    pub account: AccountId,
    /// Its currency.
    pub currency: tandem_domain::money::Currency,
    /// Its MRR on the day, in minor units.
    pub mrr: i64,
    /// Whether it ever had a positive movement up to the day.
    pub ever_paid: bool,
}

/// Reads where `account` stands on `on` inside `tx`; refuses a missing or archived account.
pub(crate) async fn standing_in(
    tx: &sea_orm::DatabaseTransaction,
    account: AccountId,
    on: NaiveDate,
) -> PersistenceResult<Standing> {
    use crate::sql::{Sql, get};
    let mut q = Sql::new("SELECT currency, archived_at IS NULL AS live FROM accounts WHERE id = ");
    q.bind(account.0);
    let rows = q.all(tx).await?;
    let Some(row) = rows.first() else {
        return Err(crate::PersistenceError::NotFound {
            entity: "account",
            id: account.to_string(),
        });
    };
    if !get::<bool>(row, "live")? {
        return Err(crate::PersistenceError::Conflict(format!(
            "the account {account} is archived; it takes no new revenue"
        )));
    }
    let currency: tandem_domain::money::Currency =
        tandem_domain::money::Currency::parse("currency", &get::<String>(row, "currency")?)?;
    let mut q = Sql::new(
        "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS mrr, \
         CAST(COALESCE(SUM(CASE WHEN amount_minor > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS gains \
         FROM revenue_events WHERE account_id = ",
    );
    q.bind(account.0).push(" AND effective_on <= ").bind(on);
    let rows = q.all(tx).await?;
    let (mrr, gains): (i64, i64) = match rows.first() {
        Some(r) => (get(r, "mrr")?, get(r, "gains")?),
        None => (0, 0),
    };
    Ok(Standing {
        account,
        currency,
        mrr,
        ever_paid: gains > 0,
    })
}

/// Records a movement of `kind` inside `tx`, checked against `standing` (read on
/// `effective_on`), with its `REVENUE_RECORDED` event: what [`record`] does, and what a won
/// opportunity does in its own transaction.
pub(crate) async fn record_in(
    store: &Store,
    tx: &sea_orm::DatabaseTransaction,
    actor: &str,
    standing: &Standing,
    kind: tandem_domain::signals::RevenueKind,
    amount: Option<i64>,
    effective_on: NaiveDate,
) -> PersistenceResult<RevenueMovement> {
    use crate::sql::Sql;
    use tandem_domain::event::{EventKind, FieldChange, SubjectKind};
    let (account, currency, mrr) = (standing.account, standing.currency, standing.mrr);
    let signed = tandem_domain::signals::signed_movement(kind, amount, mrr, standing.ever_paid)?;
    let movement = RevenueMovement {
        id: tandem_domain::ids::RevenueEventId::new(),
        account_id: account,
        kind,
        amount: Money::new(signed, currency),
        effective_on,
        recorded_by: Some(actor.to_owned()),
        recorded_at: Utc::now(),
    };
    let mut ins = Sql::new(
        "INSERT INTO revenue_events (id, account_id, kind, amount_minor, currency, effective_on, created_at, recorded_by) VALUES (",
    );
    ins.bind(movement.id.0)
        .push(", ")
        .bind(account.0)
        .push(", ")
        .bind(kind.as_str())
        .push(", ")
        .bind(signed)
        .push(", ")
        .bind(currency.as_str())
        .push(", ")
        .bind(effective_on)
        .push(", ")
        .bind(movement.recorded_at)
        .push(", ")
        .bind(actor)
        .push(")");
    ins.execute(tx).await?;
    crate::event::record(
        store,
        tx,
        actor,
        account,
        SubjectKind::RevenueEvent,
        movement.id.0,
        EventKind::RevenueRecorded,
        vec![
            FieldChange::set("kind", kind.as_str()),
            FieldChange::set("amountMinor", signed),
            FieldChange::set("effectiveOn", effective_on.to_string()),
            FieldChange::new("mrrMinor", mrr, mrr + signed),
        ],
    )
    .await?;
    Ok(movement)
}

/// An account's movements, newest first, at most `limit`; only those `recorded_by` recorded
/// when given.
pub async fn movements(
    store: &Store,
    account: AccountId,
    recorded_by: Option<&str>,
    limit: u64,
) -> PersistenceResult<Vec<RevenueMovement>> {
    use crate::sql::{Sql, get};
    let mut q = Sql::new(
        "SELECT id, account_id, kind, amount_minor, currency, effective_on, recorded_by, created_at \
         FROM revenue_events WHERE account_id = ",
    );
    q.bind(account.0);
    if let Some(who) = recorded_by {
        q.push(" AND recorded_by = ").bind(who);
    }
    q.push(" ORDER BY effective_on DESC, created_at DESC LIMIT ")
        .bind(limit as i64);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            let currency =
                tandem_domain::money::Currency::parse("currency", &get::<String>(r, "currency")?)?;
            Ok(RevenueMovement {
                id: tandem_domain::ids::RevenueEventId(get(r, "id")?),
                account_id: AccountId(get(r, "account_id")?),
                kind: get::<String>(r, "kind")?
                    .parse()
                    .map_err(|e| crate::error::corrupt("revenue kind", e))?,
                amount: Money::new(get(r, "amount_minor")?, currency),
                effective_on: get(r, "effective_on")?,
                recorded_by: get(r, "recorded_by")?,
                recorded_at: get(r, "created_at")?,
            })
        })
        .collect()
}
