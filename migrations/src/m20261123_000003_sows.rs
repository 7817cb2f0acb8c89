//! Statements of work, their scope items, change requests and time entries.

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
                    .table("sows")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id"))
                    .col(uuid_null("engagement_id"))
                    .col(text("title"))
                    .col(text("currency"))
                    .col(big_integer("fixed_price_minor"))
                    .col(json_binary("rate_card"))
                    // Current T&M caps; the figures at signing are in `baseline`.
                    .col(big_integer_null("tm_hours_cap"))
                    .col(big_integer_null("tm_amount_cap_minor"))
                    .col(text("status"))
                    .col(json_binary_null("baseline"))
                    .col(date_null("signed_on"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sows", "account_id")
                            .to("accounts", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("sows", "engagement_id")
                            .to("engagements", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sow_scope_items")
                    .col(uuid("sow_id"))
                    .col(integer("position"))
                    .col(text("deliverable"))
                    // Hours in hundredths.
                    .col(big_integer("estimated_hours"))
                    .col(uuid_null("phase_id"))
                    .primary_key(Index::create().col("sow_id").col("position"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sow_scope_items", "sow_id")
                            .to("sows", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("sow_scope_items", "phase_id")
                            .to("phases", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("change_requests")
                    .col(uuid("id").primary_key())
                    .col(uuid("sow_id"))
                    .col(big_integer("hours"))
                    .col(big_integer("amount_minor"))
                    .col(text("reason"))
                    .col(text("requested_by"))
                    .col(text("status"))
                    .col(text_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("change_requests", "sow_id")
                            .to("sows", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("time_entries")
                    .col(uuid("id").primary_key())
                    .col(uuid("sow_id"))
                    .col(uuid("team_member_id"))
                    .col(text("role"))
                    .col(uuid_null("phase_id"))
                    .col(date("worked_on"))
                    .col(big_integer("hours"))
                    .col(text("kind"))
                    // The hours priced at the role's rate when they were logged.
                    .col(big_integer("amount_minor"))
                    .col(text_null("note"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("time_entries", "sow_id")
                            .to("sows", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("time_entries", "team_member_id")
                            .to("team_members", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("time_entries", "phase_id")
                            .to("phases", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        for sql in [
            "CREATE INDEX sows_account ON sows (account_id, id)",
            "CREATE INDEX sows_engagement ON sows (engagement_id)",
            "CREATE INDEX sows_status ON sows (status, id)",
            "CREATE INDEX change_requests_sow ON change_requests (sow_id, id)",
            "CREATE INDEX time_entries_sow ON time_entries (sow_id, kind, phase_id)",
            "CREATE INDEX time_entries_member ON time_entries (team_member_id, worked_on)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["time_entries", "change_requests", "sow_scope_items", "sows"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
