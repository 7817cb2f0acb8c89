//! An account's value timeline, read from the tables where each kind of entry lives — phases'
//! delivery and acceptance dates, goals, health scores, revenue movements and catalog versions —
//! in one statement: a `UNION ALL` of the wanted kinds, ordered and limited by the database.
//!
//! Health status changes come from the stored scores, not from the event outbox: the scores
//! hold every status with the time it was computed (imported history included, which records
//! no event), so a change is a score whose status differs from the account's previous score's.
//! A missed goal's day is that of its latest `GOAL_STATUS_CHANGED` event (the move to MISSED,
//! since the goal is MISSED now), or its creation when it was created MISSED.

use tandem_domain::health::HealthStatus;
use tandem_domain::ids::AccountId;
use tandem_domain::money::{Currency, Money};
use tandem_domain::signals::RevenueKind;
use tandem_domain::value_timeline::{TimelineQuery, ValueDetail, ValueEvent, ValueEventKind};
use uuid::Uuid;

use crate::error::corrupt;
use crate::sql::{Sql, get};
use crate::{Backend, PersistenceResult, Store};

/// The UTC day of a stored time, as a value comparable with a stored date on `backend`.
fn day_of(backend: Backend, timestamp: &str) -> String {
    match backend {
        Backend::Postgres => format!("CAST(({timestamp}) AT TIME ZONE 'UTC' AS DATE)"),
        // Times are stored as ISO 8601 text in UTC: the day is its first ten characters.
        Backend::Sqlite => format!("substr({timestamp}, 1, 10)"),
    }
}

/// The columns every branch selects, in order; `NULL`s are typed so that PostgreSQL can unify
/// the branches.
fn branch(
    kind: ValueEventKind,
    on_day: &str,
    source: &str,
    columns: [&str; 10],
    from: &str,
) -> String {
    let [
        label,
        parent_id,
        parent_name,
        note,
        from_status,
        to_status,
        score,
        amount,
        currency,
        number,
    ] = columns;
    format!(
        "SELECT {on_day} AS on_day, '{kind}' AS kind, {ord} AS ord, {source} AS source_id, \
         {label} AS label, {parent_id} AS parent_id, {parent_name} AS parent_name, {note} AS note, \
         {from_status} AS from_status, {to_status} AS to_status, {score} AS score, \
         {amount} AS amount, {currency} AS currency, {number} AS version_number {from}",
        kind = kind.as_str(),
        ord = kind.ordinal(),
    )
}

const NO_TEXT: &str = "CAST(NULL AS TEXT)";
const NO_UUID: &str = "CAST(NULL AS UUID)";
const NO_FLOAT: &str = "CAST(NULL AS DOUBLE PRECISION)";
const NO_BIGINT: &str = "CAST(NULL AS BIGINT)";
const NO_INT: &str = "CAST(NULL AS INTEGER)";

/// The entries of `account`'s value timeline that `query` asks for, newest first: by day, then
/// by kind in the reverse of [`ValueEventKind`]'s order, then by source id, descending — the
/// exact reverse of reading it oldest first.
pub async fn read(
    store: &Store,
    account: AccountId,
    query: &TimelineQuery,
) -> PersistenceResult<Vec<ValueEvent>> {
    if query.limit == 0 {
        return Ok(Vec::new());
    }
    let backend = store.backend();
    // Each branch filters on the account with its own placeholder.
    let mut branches: Vec<String> = Vec::new();
    use ValueEventKind as K;
    let phase_cols = |note: &'static str| {
        [
            "p.name", "e.id", "e.name", note, NO_TEXT, NO_TEXT, NO_FLOAT, NO_BIGINT, NO_TEXT,
            NO_INT,
        ]
    };
    if query.wants(K::PhaseDelivered) {
        branches.push(branch(
            K::PhaseDelivered,
            "p.actual_end",
            "p.id",
            phase_cols(NO_TEXT),
            "FROM phases p JOIN engagements e ON e.id = p.engagement_id \
             WHERE e.account_id = ? AND p.actual_end IS NOT NULL",
        ));
    }
    if query.wants(K::PhaseAccepted) {
        branches.push(branch(
            K::PhaseAccepted,
            "p.accepted_on",
            "p.id",
            phase_cols("p.realised_value"),
            "FROM phases p JOIN engagements e ON e.id = p.engagement_id \
             WHERE e.account_id = ? AND p.status = 'ACCEPTED' AND p.accepted_on IS NOT NULL",
        ));
    }
    let goal_cols = [
        "g.title", NO_UUID, NO_TEXT, NO_TEXT, NO_TEXT, NO_TEXT, NO_FLOAT, NO_BIGINT, NO_TEXT,
        NO_INT,
    ];
    if query.wants(K::GoalAchieved) {
        branches.push(branch(
            K::GoalAchieved,
            "g.achieved_on",
            "g.id",
            goal_cols,
            "FROM goals g WHERE g.account_id = ? AND g.status = 'ACHIEVED' \
             AND g.achieved_on IS NOT NULL",
        ));
    }
    if query.wants(K::GoalMissed) {
        let missed_at = "COALESCE((SELECT MAX(ev.occurred_at) FROM account_events ev \
             WHERE ev.account_id = g.account_id AND ev.subject_id = g.id \
             AND ev.kind = 'GOAL_STATUS_CHANGED'), g.created_at)";
        branches.push(branch(
            K::GoalMissed,
            &day_of(backend, missed_at),
            "g.id",
            goal_cols,
            "FROM goals g WHERE g.account_id = ? AND g.status = 'MISSED'",
        ));
    }
    if query.wants(K::HealthStatusChanged) {
        branches.push(branch(
            K::HealthStatusChanged,
            &day_of(backend, "h.computed_at"),
            "h.id",
            [
                NO_TEXT,
                NO_UUID,
                NO_TEXT,
                NO_TEXT,
                "h.previous",
                "h.status",
                "h.score",
                NO_BIGINT,
                NO_TEXT,
                NO_INT,
            ],
            "FROM (SELECT id, computed_at, status, score, \
             LAG(status) OVER (ORDER BY computed_at, id) AS previous \
             FROM health_scores WHERE account_id = ?) h \
             WHERE h.previous IS NULL OR h.previous <> h.status",
        ));
    }
    if query.wants(K::RevenueMovement) {
        branches.push(branch(
            K::RevenueMovement,
            "re.effective_on",
            "re.id",
            [
                "re.kind",
                NO_UUID,
                NO_TEXT,
                NO_TEXT,
                NO_TEXT,
                NO_TEXT,
                NO_FLOAT,
                "re.amount_minor",
                "re.currency",
                NO_INT,
            ],
            "FROM revenue_events re WHERE re.account_id = ?",
        ));
    }
    if query.wants(K::CatalogVersionPublished) {
        branches.push(branch(
            K::CatalogVersionPublished,
            &day_of(backend, "cv.published_at"),
            "cv.id",
            [
                NO_TEXT,
                NO_UUID,
                NO_TEXT,
                NO_TEXT,
                NO_TEXT,
                NO_TEXT,
                NO_FLOAT,
                NO_BIGINT,
                NO_TEXT,
                "cv.number",
            ],
            "FROM catalog_versions cv WHERE cv.account_id = ?",
        ));
    }
    let mut q = Sql::new("SELECT * FROM (");
    q.push(&branches.join(" UNION ALL "));
    for _ in &branches {
        q.bind_value(account.0);
    }
    q.push(") v WHERE 1 = 1");
    if let Some(from) = query.from {
        q.push(" AND v.on_day >= ").bind(from);
    }
    if let Some(to) = query.to {
        q.push(" AND v.on_day <= ").bind(to);
    }
    q.push(" ORDER BY v.on_day DESC, v.ord DESC, v.source_id DESC LIMIT ")
        .bind(query.limit as i64);
    q.all(store.conn()).await?.iter().map(row).collect()
}

fn row(r: &sea_orm::QueryResult) -> PersistenceResult<ValueEvent> {
    let kind: ValueEventKind = get::<String>(r, "kind")?
        .parse()
        .map_err(|e| corrupt("value event kind", e))?;
    let text = |name: &str| -> PersistenceResult<String> {
        get::<Option<String>>(r, name)?.ok_or_else(|| corrupt("value timeline", name))
    };
    let health = |name: &str| -> PersistenceResult<Option<HealthStatus>> {
        get::<Option<String>>(r, name)?
            .map(|s| s.parse().map_err(|e| corrupt("health status", e)))
            .transpose()
    };
    use ValueEventKind as K;
    let detail = match kind {
        K::PhaseDelivered | K::PhaseAccepted => ValueDetail::Phase {
            phase_id: get(r, "source_id")?,
            name: text("label")?,
            engagement_id: get::<Option<Uuid>>(r, "parent_id")?
                .ok_or_else(|| corrupt("value timeline", "phase without engagement"))?,
            engagement_name: text("parent_name")?,
            realised_value: get(r, "note")?,
        },
        K::GoalAchieved | K::GoalMissed => ValueDetail::Goal {
            goal_id: get(r, "source_id")?,
            title: text("label")?,
        },
        K::HealthStatusChanged => ValueDetail::Health {
            from: health("from_status")?,
            to: health("to_status")?
                .ok_or_else(|| corrupt("value timeline", "health change without status"))?,
            score: get::<Option<f64>>(r, "score")?.unwrap_or_default(),
        },
        K::RevenueMovement => ValueDetail::Revenue {
            kind: text("label")?
                .parse::<RevenueKind>()
                .map_err(|e| corrupt("revenue kind", e))?,
            amount: Money::new(
                get::<Option<i64>>(r, "amount")?.unwrap_or_default(),
                Currency::parse("currency", &text("currency")?)?,
            ),
        },
        K::CatalogVersionPublished => ValueDetail::Catalog {
            number: get::<Option<i32>>(r, "version_number")?.unwrap_or_default(),
        },
    };
    Ok(ValueEvent {
        on: get(r, "on_day")?,
        kind,
        source_id: get(r, "source_id")?,
        detail,
    })
}
