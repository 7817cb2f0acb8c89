//! Engagement templates and baselines: phases gain a scope (deliverables with estimated hours,
//! whose sum is the phase's planned hours), engagements remember the template they were made
//! from, templates hold a reusable plan, and baselines freeze an engagement's planned dates and
//! hours.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // SQLite cannot drop a column that takes part in a foreign key, so there the link from
        // an engagement to its template is kept by the write path alone (templates are never
        // deleted, only archived), and `down` stays possible.
        let (uuid, ts, json, empty_list, template_fk) = match manager.get_database_backend() {
            DbBackend::Postgres => (
                "UUID",
                "TIMESTAMPTZ",
                "JSONB",
                "'[]'::jsonb",
                " REFERENCES engagement_templates (id)",
            ),
            _ => (
                "uuid_text",
                "timestamp_with_timezone_text",
                "TEXT",
                "'[]'",
                "",
            ),
        };
        let statements = [
            // Existing phases have no scope yet.
            format!("ALTER TABLE phases ADD COLUMN scope {json} NOT NULL DEFAULT {empty_list}"),
            format!(
                "CREATE TABLE engagement_templates (
                    id {uuid} PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    description TEXT NULL,
                    phases {json} NOT NULL,
                    version INTEGER NOT NULL,
                    archived_at {ts} NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            // Names are unique among the templates in use; archived ones free their name.
            "CREATE UNIQUE INDEX engagement_templates_name ON engagement_templates (name_key) \
             WHERE archived_at IS NULL"
                .to_owned(),
            format!("ALTER TABLE engagements ADD COLUMN template_id {uuid} NULL{template_fk}"),
            "ALTER TABLE engagements ADD COLUMN template_version INTEGER NULL".to_owned(),
            format!(
                "CREATE TABLE engagement_baselines (
                    id {uuid} PRIMARY KEY,
                    engagement_id {uuid} NOT NULL REFERENCES engagements (id),
                    name TEXT NOT NULL,
                    taken_at {ts} NOT NULL,
                    taken_by TEXT NOT NULL,
                    phases {json} NOT NULL
                )"
            ),
            "CREATE INDEX engagement_baselines_engagement ON engagement_baselines \
             (engagement_id, taken_at)"
                .to_owned(),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP TABLE engagement_baselines",
            "ALTER TABLE engagements DROP COLUMN template_version",
            "ALTER TABLE engagements DROP COLUMN template_id",
            "DROP TABLE engagement_templates",
            "ALTER TABLE phases DROP COLUMN scope",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
