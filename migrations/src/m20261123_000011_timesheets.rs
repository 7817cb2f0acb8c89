//! Weekly timesheets (time entries gather into one per person and week; only approved hours
//! count as burn), team members' weekly capacity and lead mark, time off, and allocations of
//! people to phases.
//!
//! Time logged before timesheets existed counted as burn; it is gathered into APPROVED
//! timesheets here (decided by `migration`) so that every figure stays as it was.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let (uuid, ts, date) = if postgres {
            ("UUID", "TIMESTAMPTZ", "DATE")
        } else {
            ("uuid_text", "timestamp_with_timezone_text", "date_text")
        };
        // The Monday of an entry's week, and the first entry's id as the backfilled sheet's id
        // (unique among timesheets, and portable: no UUID generation in SQL).
        let (monday, first_id) = if postgres {
            (
                "(worked_on - (EXTRACT(ISODOW FROM worked_on)::int - 1))",
                "MIN(id::text)::uuid",
            )
        } else {
            (
                "date(worked_on, '-' || ((CAST(strftime('%w', worked_on) AS INTEGER) + 6) % 7) || ' days')",
                "MIN(id)",
            )
        };
        let statements = [
            "ALTER TABLE team_members ADD COLUMN weekly_capacity BIGINT NOT NULL DEFAULT 4000"
                .to_owned(),
            "ALTER TABLE team_members ADD COLUMN lead BOOLEAN NOT NULL DEFAULT FALSE".to_owned(),
            format!(
                "CREATE TABLE timesheets (
                    id {uuid} PRIMARY KEY,
                    team_member_id {uuid} NOT NULL REFERENCES team_members (id),
                    week_start {date} NOT NULL,
                    status TEXT NOT NULL,
                    submitted_at {ts} NULL,
                    decided_by TEXT NULL,
                    decided_at {ts} NULL,
                    return_reason TEXT NULL,
                    version INTEGER NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL,
                    UNIQUE (team_member_id, week_start)
                )"
            ),
            format!(
                "ALTER TABLE time_entries ADD COLUMN timesheet_id {uuid} NULL REFERENCES timesheets (id)"
            ),
            format!(
                "INSERT INTO timesheets (id, team_member_id, week_start, status, submitted_at, \
                 decided_by, decided_at, return_reason, version, created_at, updated_at) \
                 SELECT {first_id}, team_member_id, {monday}, 'APPROVED', MAX(created_at), \
                 'migration', MAX(created_at), NULL, 1, MIN(created_at), MAX(created_at) \
                 FROM time_entries GROUP BY team_member_id, {monday}"
            ),
            format!(
                "UPDATE time_entries SET timesheet_id = (SELECT t.id FROM timesheets t \
                 WHERE t.team_member_id = time_entries.team_member_id AND t.week_start = {monday})"
            ),
            "CREATE INDEX time_entries_timesheet ON time_entries (timesheet_id)".to_owned(),
            "CREATE INDEX timesheets_status ON timesheets (status, week_start)".to_owned(),
            format!(
                "CREATE TABLE time_off (
                    id {uuid} PRIMARY KEY,
                    team_member_id {uuid} NOT NULL REFERENCES team_members (id),
                    starts_on {date} NOT NULL,
                    ends_on {date} NOT NULL,
                    reason TEXT NULL,
                    created_by TEXT NOT NULL,
                    created_at {ts} NOT NULL
                )"
            ),
            "CREATE INDEX time_off_member ON time_off (team_member_id, ends_on)".to_owned(),
            format!(
                "CREATE TABLE allocations (
                    id {uuid} PRIMARY KEY,
                    team_member_id {uuid} NOT NULL REFERENCES team_members (id),
                    phase_id {uuid} NOT NULL REFERENCES phases (id),
                    starts_on {date} NOT NULL,
                    ends_on {date} NOT NULL,
                    hours_per_week BIGINT NOT NULL,
                    note TEXT NULL,
                    version INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at {ts} NOT NULL,
                    updated_at {ts} NOT NULL
                )"
            ),
            "CREATE INDEX allocations_member ON allocations (team_member_id, ends_on)".to_owned(),
            "CREATE INDEX allocations_phase ON allocations (phase_id)".to_owned(),
        ];
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP INDEX time_entries_timesheet",
            "ALTER TABLE time_entries DROP COLUMN timesheet_id",
            "ALTER TABLE team_members DROP COLUMN weekly_capacity",
            "ALTER TABLE team_members DROP COLUMN lead",
        ] {
            db.execute_unprepared(sql).await?;
        }
        for table in ["allocations", "time_off", "timesheets"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
