//! Product usage: batches of raw events in, daily roll-ups per account and feature out.
//!
//! A batch is written in one transaction: the raw events (append-only, for audit and
//! reprocessing) and, rolled up in memory first, the per-day counts, the day's active users and
//! each feature's first day. Reads use only the roll-ups, so they cost the same whether an
//! account sent a hundred events or a million.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::Value;
use tandem_domain::ids::AccountId;
use tandem_domain::signals::{DayUsage, FeatureUsage, Ingested, UsageEvent, UsageSummary};
use uuid::Uuid;

use crate::sql::{Sql, get};
use crate::{PersistenceError, PersistenceResult, Store};

/// A statement written for each database: PostgreSQL's text, then SQLite's.
type ByBackend = (&'static str, &'static str);

/// Appends a batch's raw events from JSON.
const INSERT_EVENTS: ByBackend = (
    include_str!("usage.insert_events.pg.sql"),
    include_str!("usage.insert_events.sqlite.sql"),
);

/// Adds a batch's daily counts from JSON to the roll-up.
const UPSERT_DAILY: ByBackend = (
    include_str!("usage.upsert_daily.pg.sql"),
    include_str!("usage.upsert_daily.sqlite.sql"),
);

/// Records a batch's active users per day from JSON.
const INSERT_ACTORS: ByBackend = (
    include_str!("usage.insert_actors.pg.sql"),
    include_str!("usage.insert_actors.sqlite.sql"),
);

/// Moves each feature's first day earlier from JSON.
const UPSERT_FIRSTS: ByBackend = (
    include_str!("usage.upsert_firsts.pg.sql"),
    include_str!("usage.upsert_firsts.sqlite.sql"),
);

/// An account's usage per day.
const DAILY: &str = include_str!("usage.daily.sql");

/// An account's usage per feature.
const FEATURES: &str = include_str!("usage.features.sql");

/// A fingerprint of a batch's content, so that a key reused for a different batch is caught.
fn fingerprint(events: &[UsageEvent]) -> String {
    // FNV-1a, 64-bit: stable across builds and platforms, which a std hasher is not.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for e in events {
        eat(e.account_id.0.as_bytes());
        eat(e.feature.as_bytes());
        eat(&[0]);
        eat(e.actor.as_bytes());
        eat(&[0]);
        eat(&e.occurred_at.timestamp_micros().to_le_bytes());
        eat(&e.quantity.to_le_bytes());
    }
    format!("{:016x}:{}", h, events.len())
}

/// Records a batch of usage events sent by `subject`. With a `key`, a batch already recorded
/// under the same key is not counted again (`duplicate`), and a different batch under a used
/// key is a conflict. Every account must exist and not be archived.
pub async fn ingest(
    store: &Store,
    subject: &str,
    key: Option<&str>,
    events: &[UsageEvent],
) -> PersistenceResult<Ingested> {
    let now = Utc::now();
    let tx = store.begin_write().await?;
    let batch = match key {
        Some(key) => {
            let print = fingerprint(events);
            let mut claim = Sql::new(
                "INSERT INTO usage_batches (subject, key, fingerprint, events, created_at) VALUES (",
            );
            claim
                .bind(subject)
                .push(", ")
                .bind(key)
                .push(", ")
                .bind(print.as_str())
                .push(", ")
                .bind(events.len() as i64)
                .push(", ")
                .bind(now)
                .push(") ON CONFLICT (subject, key) DO NOTHING");
            if claim.execute(&tx).await? == 0 {
                let mut existing =
                    Sql::new("SELECT fingerprint FROM usage_batches WHERE subject = ");
                existing.bind(subject).push(" AND key = ").bind(key);
                let rows = existing.all(&tx).await?;
                let stored: String = match rows.first() {
                    Some(row) => get(row, "fingerprint")?,
                    None => String::new(),
                };
                if stored != print {
                    return Err(PersistenceError::Conflict(format!(
                        "the idempotency key '{key}' was already used for a different batch; use a new key for new events"
                    )));
                }
                return Ok(Ingested {
                    events: events.len(),
                    duplicate: true,
                });
            }
            format!("{subject}/{key}")
        }
        None => format!("{subject}/{}", Uuid::now_v7()),
    };
    check_accounts(&tx, events).await?;

    // Rows travel as one JSON array per table, expanded by the database itself (json_each on
    // SQLite, jsonb_array_elements on PostgreSQL): one bound value per table, however many rows.
    let postgres = store.backend() == crate::Backend::Postgres;
    let text = |(pg, sqlite): ByBackend| if postgres { pg } else { sqlite };
    let hex = |id: Uuid| id.simple().to_string();
    fn json<T: serde::Serialize>(rows: &T) -> PersistenceResult<String> {
        serde_json::to_string(rows).map_err(|e| crate::error::corrupt("usage rows", e))
    }

    let raw: Vec<(String, &str, &str, String, i64)> = events
        .iter()
        .map(|e| {
            (
                hex(e.account_id.0),
                e.feature.as_str(),
                e.actor.as_str(),
                e.occurred_at
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
                e.quantity,
            )
        })
        .collect();
    let mut insert = Sql::new(text(INSERT_EVENTS));
    insert.bind_value(batch.as_str()).bind_value(json(&raw)?);
    insert.execute(&tx).await?;

    let mut daily: BTreeMap<(Uuid, NaiveDate, &str), (i64, i64)> = BTreeMap::new();
    let mut actors: BTreeSet<(Uuid, NaiveDate, &str)> = BTreeSet::new();
    let mut firsts: BTreeMap<(Uuid, &str), NaiveDate> = BTreeMap::new();
    for e in events {
        let day = e.day();
        let slot = daily
            .entry((e.account_id.0, day, e.feature.as_str()))
            .or_default();
        slot.0 += 1;
        slot.1 += e.quantity;
        actors.insert((e.account_id.0, day, e.actor.as_str()));
        firsts
            .entry((e.account_id.0, e.feature.as_str()))
            .and_modify(|d| *d = (*d).min(day))
            .or_insert(day);
    }
    let mut up = Sql::new(text(UPSERT_DAILY));
    up.bind_value(json(
        &daily
            .iter()
            .map(|((a, d, f), (n, q))| (hex(*a), d.to_string(), f, n, q))
            .collect::<Vec<_>>(),
    )?);
    up.execute(&tx).await?;
    let mut ins = Sql::new(text(INSERT_ACTORS));
    ins.bind_value(json(
        &actors
            .iter()
            .map(|(a, d, u)| (hex(*a), d.to_string(), u))
            .collect::<Vec<_>>(),
    )?);
    ins.execute(&tx).await?;
    let mut ins = Sql::new(text(UPSERT_FIRSTS));
    ins.bind_value(json(
        &firsts
            .iter()
            .map(|((a, f), d)| (hex(*a), f, d.to_string()))
            .collect::<Vec<_>>(),
    )?);
    ins.execute(&tx).await?;
    tx.commit().await?;
    Ok(Ingested {
        events: events.len(),
        duplicate: false,
    })
}

/// Refuses a batch naming an account that does not exist or is archived, naming the first
/// event that does.
async fn check_accounts(
    tx: &sea_orm::DatabaseTransaction,
    events: &[UsageEvent],
) -> PersistenceResult<()> {
    let wanted: HashSet<Uuid> = events.iter().map(|e| e.account_id.0).collect();
    let mut live = HashSet::with_capacity(wanted.len());
    let wanted: Vec<Uuid> = wanted.into_iter().collect();
    for chunk in wanted.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new("SELECT id FROM accounts WHERE archived_at IS NULL AND id IN ");
        q.bind_list(chunk.iter().copied());
        for row in q.all(tx).await? {
            live.insert(get::<Uuid>(&row, "id")?);
        }
    }
    if let Some((i, e)) = events
        .iter()
        .enumerate()
        .find(|(_, e)| !live.contains(&e.account_id.0))
    {
        return Err(PersistenceError::Domain(
            tandem_domain::DomainError::invalid(
                format!("events[{i}].accountId"),
                format!(
                    "no active account has the id {}; nothing in the batch was recorded",
                    e.account_id
                ),
            ),
        ));
    }
    Ok(())
}

/// An account's usage per day from `from` to `to`, days without usage left out.
pub async fn daily(
    store: &Store,
    account: AccountId,
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<Vec<DayUsage>> {
    let mut q = Sql::new(DAILY);
    q.bind_value(account.0).bind_value(from).bind_value(to);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            Ok(DayUsage {
                day: get(r, "day")?,
                events: get(r, "events")?,
                quantity: get(r, "quantity")?,
                active_users: get(r, "users")?,
            })
        })
        .collect()
}

/// An account's usage per feature from `from` to `to`, most used first.
pub async fn features(
    store: &Store,
    account: AccountId,
    from: NaiveDate,
    to: NaiveDate,
) -> PersistenceResult<Vec<FeatureUsage>> {
    let mut q = Sql::new(FEATURES);
    q.bind_value(account.0).bind_value(from).bind_value(to);
    q.all(store.conn())
        .await?
        .iter()
        .map(|r| {
            Ok(FeatureUsage {
                feature: get(r, "feature")?,
                events: get(r, "events")?,
                quantity: get(r, "quantity")?,
                active_days: get(r, "days")?,
                first_used_on: get(r, "first_day")?,
                last_used_on: get(r, "last_day")?,
            })
        })
        .collect()
}

/// The 30-day usage summaries of `accounts` up to `today`, in three grouped queries.
pub async fn summaries(
    store: &Store,
    accounts: &[AccountId],
    today: NaiveDate,
) -> PersistenceResult<HashMap<AccountId, UsageSummary>> {
    let since = today - chrono::Duration::days(29);
    let mut out: HashMap<AccountId, UsageSummary> = HashMap::new();
    let ids: Vec<Value> = accounts.iter().map(|a| a.0.into()).collect();
    for chunk in ids.chunks(crate::sql::MAX_IN_LIST) {
        let mut q = Sql::new(
            "SELECT account_id, COUNT(DISTINCT day) AS days, CAST(SUM(events) AS BIGINT) AS events \
             FROM usage_daily WHERE day >= ",
        );
        q.bind(since)
            .push(" AND day <= ")
            .bind(today)
            .push(" AND account_id IN ")
            .bind_list(chunk.iter().cloned())
            .push(" GROUP BY account_id");
        for r in q.all(store.conn()).await? {
            let s = out.entry(AccountId(get(&r, "account_id")?)).or_default();
            s.active_days = get(&r, "days")?;
            s.events = get(&r, "events")?;
        }
        let mut q = Sql::new(
            "SELECT account_id, COUNT(DISTINCT actor) AS users FROM usage_actors WHERE day >= ",
        );
        q.bind(since)
            .push(" AND day <= ")
            .bind(today)
            .push(" AND account_id IN ")
            .bind_list(chunk.iter().cloned())
            .push(" GROUP BY account_id");
        for r in q.all(store.conn()).await? {
            out.entry(AccountId(get(&r, "account_id")?))
                .or_default()
                .active_users = get(&r, "users")?;
        }
        let mut q = Sql::new(
            "SELECT account_id, MAX(day) AS last_day FROM usage_daily WHERE account_id IN ",
        );
        q.bind_list(chunk.iter().cloned())
            .push(" GROUP BY account_id");
        for r in q.all(store.conn()).await? {
            out.entry(AccountId(get(&r, "account_id")?))
                .or_default()
                .last_active_on = get(&r, "last_day")?;
        }
    }
    Ok(out)
}
