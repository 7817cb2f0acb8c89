//! Catalog modeling: sessions, each account's draft model, and its published versions.

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
                    .table("catalog_sessions")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id"))
                    .col(text("title"))
                    .col(uuid_null("phase_id"))
                    .col(uuid_null("facilitator_id"))
                    .col(timestamp_with_time_zone("scheduled_at"))
                    .col(json_binary("attendees"))
                    .col(text_null("notes"))
                    .col(json_binary("decisions"))
                    .col(text("status"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("catalog_sessions", "account_id")
                            .to("accounts", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("catalog_sessions", "phase_id")
                            .to("phases", "id"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("catalog_sessions", "facilitator_id")
                            .to("team_members", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("catalog_drafts")
                    .col(uuid("account_id").primary_key())
                    // The whole model as one document: variants are generated, never stored.
                    .col(json_binary("model"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("catalog_drafts", "account_id")
                            .to("accounts", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("catalog_versions")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id"))
                    .col(integer("number"))
                    .col(json_binary("model"))
                    .col(text("published_by"))
                    .col(timestamp_with_time_zone("published_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("catalog_versions", "account_id")
                            .to("accounts", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        for sql in [
            "CREATE INDEX catalog_sessions_account ON catalog_sessions (account_id, scheduled_at)",
            // Version numbers are dense and unique per account; publishing races lose on this.
            "CREATE UNIQUE INDEX catalog_versions_number ON catalog_versions (account_id, number)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["catalog_versions", "catalog_drafts", "catalog_sessions"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
