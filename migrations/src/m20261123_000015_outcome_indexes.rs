//! Indexes for the portfolio outcome comparison, which reads every account's accepted phases in
//! a period and the approved hours on its statements of work: a partial index over accepted
//! phases by engagement and day, and a covering index over time entries by SOW and day (SQLite
//! then answers from the index alone; PostgreSQL can too).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "CREATE INDEX phases_accepted ON phases (engagement_id, accepted_on) \
             WHERE status = 'ACCEPTED'",
            "CREATE INDEX time_entries_sow_day ON time_entries \
             (sow_id, worked_on, timesheet_id, hours, kind)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP INDEX time_entries_sow_day",
            "DROP INDEX phases_accepted",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
