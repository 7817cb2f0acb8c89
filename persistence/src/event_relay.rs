//! Where a relay of the event stream to an external log (NATS JetStream) stands, and the outbox
//! as Debezium's outbox event router reads it.
//!
//! A relay's position is the cursor of the last event the broker acknowledged. It is moved only
//! after that acknowledgement and only forward, so a restart neither skips an event (it resumes
//! after the position) nor moves back over one another relay already published.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::account_event::{self, Column};
use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{Backend, PersistenceResult, Store};

/// The cursor of the last event relay `name` has had acknowledged; 0 before its first.
pub async fn position(store: &Store, name: &str) -> PersistenceResult<i64> {
    let mut q = Sql::new("SELECT position FROM event_relays WHERE name = ");
    q.bind(name);
    match q.all(store.conn()).await?.first() {
        Some(r) => get(r, "position"),
        None => Ok(0),
    }
}

/// Records that the broker acknowledged every event of relay `name` up to `cursor`. A position
/// never moves back: a smaller `cursor` than the recorded one changes nothing.
pub async fn advance(store: &Store, name: &str, cursor: i64) -> PersistenceResult<()> {
    let mut q = Sql::new("INSERT INTO event_relays (name, position, updated_at) VALUES (");
    q.bind(name)
        .push(", ")
        .bind(cursor)
        .push(", ")
        .bind(Utc::now())
        .push(
            ") ON CONFLICT (name) DO UPDATE SET position = excluded.position, \
             updated_at = excluded.updated_at WHERE event_relays.position < excluded.position",
        );
    q.execute(store.conn()).await?;
    Ok(())
}

/// How far a relay is behind the outbox.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelayLag {
    /// The relay's position.
    pub position: i64,
    /// The newest cursor in the outbox (0 when it is empty).
    pub latest: i64,
    /// When the oldest event not yet acknowledged was written; `None` when the relay is level.
    pub oldest_pending_at: Option<DateTime<Utc>>,
}

/// Where relay `name` stands against the outbox: two reads by primary key.
pub async fn lag(store: &Store, name: &str) -> PersistenceResult<RelayLag> {
    let position = position(store, name).await?;
    let latest = crate::event::latest_cursor(store).await?;
    let oldest_pending_at: Option<DateTime<Utc>> = account_event::Entity::find()
        .select_only()
        .column(Column::OccurredAt)
        .filter(Column::Cursor.gt(position))
        .order_by_asc(Column::Cursor)
        .limit(1)
        .into_tuple()
        .one(store.conn())
        .await?;
    Ok(RelayLag {
        position,
        latest,
        oldest_pending_at,
    })
}

/// A row of the `event_outbox` view: an event in the columns Debezium's outbox event router
/// reads by default.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    /// The event's cursor.
    pub id: i64,
    /// The kind of object the event is about (`ACCOUNT`, `PHASE`…).
    pub aggregate_type: String,
    /// The account's UUID, or the subject's when the event belongs to no account.
    pub aggregate_id: String,
    /// The event kind.
    pub event_type: String,
    /// The event as a JSON object.
    pub payload: serde_json::Value,
}

/// Rows of the `event_outbox` view after cursor `after`, in cursor order.
pub async fn outbox(store: &Store, after: i64, limit: u64) -> PersistenceResult<Vec<OutboxRow>> {
    let mut q = Sql::new(
        "SELECT id, aggregatetype, aggregateid, type, payload FROM event_outbox WHERE id > ",
    );
    q.bind(after).push(" ORDER BY id LIMIT ").bind(limit as i64);
    let rows = q.all(store.conn()).await?;
    rows.iter()
        .map(|r| {
            let payload = match store.backend() {
                Backend::Postgres => get(r, "payload")?,
                Backend::Sqlite => {
                    let text: String = get(r, "payload")?;
                    serde_json::from_str(&text).map_err(|e| corrupt("outbox payload", e))?
                }
            };
            Ok(OutboxRow {
                id: get(r, "id")?,
                aggregate_type: get(r, "aggregatetype")?,
                aggregate_id: get(r, "aggregateid")?,
                event_type: get(r, "type")?,
                payload,
            })
        })
        .collect()
}
