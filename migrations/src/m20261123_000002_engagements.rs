//! Engagements, their ordered phases, and the dependencies between phases.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager
            .create_table(
                Table::create()
                    .table("engagements")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id"))
                    .col(text("name"))
                    .col(text("kind"))
                    .col(text_null("source_platform"))
                    .col(text_null("target_platform"))
                    .col(uuid_null("lead_id"))
                    .col(text_null("description"))
                    .col(date_null("planned_start"))
                    .col(text("status"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("engagements", "account_id")
                            .to("accounts", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("engagements", "lead_id")
                            .to("team_members", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("phases")
                    .col(uuid("id").primary_key())
                    .col(uuid("engagement_id"))
                    .col(integer("position"))
                    .col(text("name"))
                    .col(text("focus_kind"))
                    .col(text("focus"))
                    .col(text_null("objective"))
                    .col(text_null("expected_value"))
                    .col(date_null("planned_start"))
                    .col(date_null("planned_end"))
                    .col(json_binary("milestones"))
                    .col(text("status"))
                    .col(date_null("actual_start"))
                    .col(date_null("actual_end"))
                    .col(date_null("accepted_on"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("phases", "engagement_id")
                            .to("engagements", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("phase_dependencies")
                    .col(uuid("phase_id"))
                    .col(uuid("depends_on_id"))
                    .primary_key(Index::create().col("phase_id").col("depends_on_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("phase_dependencies", "phase_id")
                            .to("phases", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("phase_dependencies", "depends_on_id")
                            .to("phases", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for sql in [
            "CREATE INDEX engagements_account ON engagements (account_id, id)",
            "CREATE INDEX engagements_status ON engagements (status, id)",
            "CREATE INDEX engagements_lead ON engagements (lead_id, id)",
            // Positions are dense and unique within an engagement.
            "CREATE UNIQUE INDEX phases_position ON phases (engagement_id, position)",
            "CREATE INDEX phase_dependencies_depends_on ON phase_dependencies (depends_on_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["phase_dependencies", "phases", "engagements"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
