//! Customer health: usage (raw events and their daily roll-ups), surveys, support tickets,
//! billing status, success plans (goals and business reviews), segments, health models and the
//! scores computed from them, and the adoption settings that time to value and activation use.
//!
//! Written as SQL with a small type map, because the roll-up tables need composite keys and
//! upserts that both databases must treat the same way.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The id of the default health model every installation starts with.
pub const DEFAULT_MODEL_ID: &str = "0193a000-0000-7000-8000-000000000001";

/// Its definition, in the JSON form the domain's `HealthModelDef` reads.
const DEFAULT_MODEL: &str = r#"{"name":"Standard","weights":[{"component":"USAGE","basisPoints":2500},{"component":"ADOPTION_BREADTH","basisPoints":1500},{"component":"NPS","basisPoints":1500},{"component":"CSAT","basisPoints":1000},{"component":"SUPPORT_LOAD","basisPoints":1000},{"component":"BILLING_STATUS","basisPoints":1000},{"component":"ENGAGEMENT_RECENCY","basisPoints":500},{"component":"GOAL_ATTAINMENT","basisPoints":1000}],"healthyFrom":70,"atRiskFrom":40}"#;

struct Types {
    uuid: &'static str,
    ts: &'static str,
    date: &'static str,
    json: &'static str,
    float: &'static str,
    serial: &'static str,
}

fn types(backend: DbBackend) -> Types {
    match backend {
        DbBackend::Postgres => Types {
            uuid: "UUID",
            ts: "TIMESTAMPTZ",
            date: "DATE",
            json: "JSONB",
            float: "DOUBLE PRECISION",
            serial: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        },
        _ => Types {
            uuid: "uuid_text",
            ts: "timestamp_with_timezone_text",
            date: "date_text",
            json: "TEXT",
            float: "REAL",
            serial: "INTEGER PRIMARY KEY",
        },
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let Types {
            uuid,
            ts,
            date,
            json,
            float,
            serial,
        } = types(manager.get_database_backend());
        let statements = [
            // Raw usage, append-only and unindexed so that ingest stays fast; reads use the
            // roll-ups below and never scan it.
            format!(
                "CREATE TABLE usage_events (
                    id {serial},
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    feature TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    occurred_at {ts} NOT NULL,
                    quantity BIGINT NOT NULL,
                    batch TEXT NOT NULL
                )"
            ),
            format!(
                "CREATE TABLE usage_daily (
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    day {date} NOT NULL,
                    feature TEXT NOT NULL,
                    events BIGINT NOT NULL,
                    quantity BIGINT NOT NULL,
                    PRIMARY KEY (account_id, day, feature)
                )"
            ),
            // Who was active on a day: active users without counting raw events.
            format!(
                "CREATE TABLE usage_actors (
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    day {date} NOT NULL,
                    actor TEXT NOT NULL,
                    PRIMARY KEY (account_id, day, actor)
                )"
            ),
            // The first day each account used each feature: activation and time to value.
            format!(
                "CREATE TABLE usage_firsts (
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    feature TEXT NOT NULL,
                    first_day {date} NOT NULL,
                    PRIMARY KEY (account_id, feature)
                )"
            ),
            // Batches already counted, per caller and idempotency key.
            format!(
                "CREATE TABLE usage_batches (
                    subject TEXT NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    events BIGINT NOT NULL,
                    created_at {ts} NOT NULL,
                    PRIMARY KEY (subject, key)
                )"
            ),
            format!(
                "CREATE TABLE survey_responses (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    contact_id {uuid} NULL REFERENCES contacts (id),
                    kind TEXT NOT NULL,
                    score INTEGER NOT NULL,
                    comment TEXT NULL,
                    responded_at {ts} NOT NULL,
                    recorded_by TEXT NOT NULL,
                    created_at {ts} NOT NULL
                )"
            ),
            format!(
                "CREATE TABLE support_tickets (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    external_id TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    priority TEXT NOT NULL,
                    status TEXT NOT NULL,
                    opened_at {ts} NOT NULL,
                    closed_at {ts} NULL,
                    recorded_by TEXT NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    UNIQUE (account_id, external_id)
                )"
            ),
            format!(
                "CREATE TABLE billing_statuses (
                    account_id {uuid} PRIMARY KEY REFERENCES accounts (id),
                    status TEXT NOT NULL,
                    recorded_by TEXT NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            format!(
                "CREATE TABLE goals (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    title TEXT NOT NULL,
                    target TEXT NULL,
                    due_on {date} NULL,
                    status TEXT NOT NULL,
                    achieved_on {date} NULL,
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    archived_at {ts} NULL
                )"
            ),
            format!(
                "CREATE TABLE business_reviews (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    held_on {date} NOT NULL,
                    attendees {json} NOT NULL,
                    summary TEXT NOT NULL,
                    outcomes {json} NOT NULL,
                    recorded_by TEXT NOT NULL,
                    created_at {ts} NOT NULL
                )"
            ),
            format!(
                "CREATE TABLE segments (
                    id {uuid} PRIMARY KEY,
                    name TEXT NOT NULL,
                    description TEXT NULL,
                    filter {json} NOT NULL,
                    version INTEGER NOT NULL DEFAULT 1,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    archived_at {ts} NULL
                )"
            ),
            // A model's current definition; every version it had stays in the next table.
            format!(
                "CREATE TABLE health_models (
                    id {uuid} PRIMARY KEY,
                    name TEXT NOT NULL,
                    touch_tier TEXT NULL,
                    segment_id {uuid} NULL REFERENCES segments (id),
                    version INTEGER NOT NULL,
                    definition {json} NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    archived_at {ts} NULL
                )"
            ),
            format!(
                "CREATE TABLE health_model_versions (
                    model_id {uuid} NOT NULL REFERENCES health_models (id),
                    version INTEGER NOT NULL,
                    definition {json} NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at {ts} NOT NULL,
                    PRIMARY KEY (model_id, version)
                )"
            ),
            format!(
                "CREATE TABLE health_scores (
                    id {uuid} PRIMARY KEY,
                    account_id {uuid} NOT NULL REFERENCES accounts (id),
                    model_id {uuid} NOT NULL REFERENCES health_models (id),
                    model_version INTEGER NOT NULL,
                    score {float} NOT NULL,
                    status TEXT NOT NULL,
                    breakdown {json} NOT NULL,
                    computed_at {ts} NOT NULL
                )"
            ),
            // Each account's latest score, so that lists, segments and the portfolio filter
            // and count by health without looking for the newest row among many; with the
            // scores it had 7, 30 and 90 days before, so that the biggest movers are a scan of
            // one row per account.
            format!(
                "CREATE TABLE health_current (
                    account_id {uuid} PRIMARY KEY REFERENCES accounts (id),
                    score_id {uuid} NOT NULL REFERENCES health_scores (id),
                    score {float} NOT NULL,
                    status TEXT NOT NULL,
                    computed_at {ts} NOT NULL,
                    score_7d {float} NULL,
                    score_30d {float} NULL,
                    score_90d {float} NULL
                )"
            ),
            format!(
                "CREATE TABLE settings (
                    key TEXT PRIMARY KEY,
                    value {json} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            "ALTER TABLE revenue_events ADD COLUMN recorded_by TEXT NULL".to_owned(),
            format!("ALTER TABLE phases ADD COLUMN goal_id {uuid} NULL REFERENCES goals (id)"),
            "CREATE INDEX survey_responses_account ON survey_responses (account_id, responded_at)"
                .to_owned(),
            "CREATE INDEX support_tickets_account ON support_tickets (account_id, status)"
                .to_owned(),
            "CREATE INDEX goals_account ON goals (account_id, id)".to_owned(),
            "CREATE INDEX business_reviews_account ON business_reviews (account_id, held_on)"
                .to_owned(),
            "CREATE INDEX health_scores_account ON health_scores (account_id, computed_at)"
                .to_owned(),
            "CREATE INDEX health_current_status ON health_current (status, account_id)".to_owned(),
            "CREATE INDEX usage_daily_day ON usage_daily (day, account_id)".to_owned(),
            "CREATE INDEX accounts_renewal ON accounts (renewal_date)".to_owned(),
            "CREATE INDEX revenue_events_kind ON revenue_events (effective_on, kind)".to_owned(),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        // A new installation scores health with a sensible default model; teams adjust its
        // weights or add per-segment models from there.
        let now = "'2026-11-23T00:00:00+00:00'";
        let now = match manager.get_database_backend() {
            DbBackend::Postgres => format!("{now}::timestamptz"),
            _ => now.to_owned(),
        };
        let id = match manager.get_database_backend() {
            DbBackend::Postgres => format!("'{DEFAULT_MODEL_ID}'::uuid"),
            _ => format!("X'{}'", DEFAULT_MODEL_ID.replace('-', "")),
        };
        db.execute_unprepared(&format!(
            "INSERT INTO health_models (id, name, touch_tier, segment_id, version, definition, created_at, updated_at)
             VALUES ({id}, 'Standard', NULL, NULL, 1, '{DEFAULT_MODEL}', {now}, {now})"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "INSERT INTO health_model_versions (model_id, version, definition, created_by, created_at)
             VALUES ({id}, 1, '{DEFAULT_MODEL}', 'system', {now})"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE phases DROP COLUMN goal_id")
            .await?;
        db.execute_unprepared("ALTER TABLE revenue_events DROP COLUMN recorded_by")
            .await?;
        for table in [
            "settings",
            "health_current",
            "health_scores",
            "health_model_versions",
            "health_models",
            "segments",
            "business_reviews",
            "goals",
            "billing_statuses",
            "support_tickets",
            "survey_responses",
            "usage_batches",
            "usage_firsts",
            "usage_actors",
            "usage_daily",
            "usage_events",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
