//! The foundation: team members, accounts and their tags, contacts, revenue movements and the
//! account-change event outbox.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Columns every mutable object carries: optimistic-concurrency version, timestamps, archival.
fn lifecycle_columns(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(integer("version").default(1))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(timestamp_with_time_zone_null("archived_at"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();

        manager
            .create_table(
                lifecycle_columns(
                    Table::create()
                        .table("team_members")
                        .col(uuid("id").primary_key())
                        .col(text("name"))
                        .col(text("email"))
                        .col(text_null("title"))
                        .col(text("team"))
                        .col(text("role")),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                lifecycle_columns(
                    Table::create()
                        .table("accounts")
                        .col(uuid("id").primary_key())
                        .col(text("name"))
                        // The name lower-cased: the key for ordering and text search, so that
                        // both behave the same on SQLite and PostgreSQL whatever the collation.
                        .col(text("name_key"))
                        .col(text_null("domain"))
                        .col(text_null("industry"))
                        .col(text_null("company_size"))
                        .col(text_null("region"))
                        .col(text_null("plan"))
                        .col(text("touch_tier"))
                        .col(text("lifecycle_stage"))
                        .col(uuid_null("owner_id"))
                        .col(date_null("renewal_date"))
                        .col(text("currency"))
                        .col(json_binary("traits"))
                        .col(json_binary("needs"))
                        .foreign_key(
                            ForeignKey::create()
                                .from("accounts", "owner_id")
                                .to("team_members", "id"),
                        ),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("account_tags")
                    .col(uuid("account_id"))
                    .col(text("tag"))
                    .primary_key(Index::create().col("account_id").col("tag"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("account_tags", "account_id")
                            .to("accounts", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                lifecycle_columns(
                    Table::create()
                        .table("contacts")
                        .col(uuid("id").primary_key())
                        .col(uuid("account_id"))
                        .col(text("name"))
                        .col(text("email"))
                        .col(text_null("title"))
                        .col(text_null("phone"))
                        .col(text("stakeholder_role"))
                        .foreign_key(
                            ForeignKey::create()
                                .from("contacts", "account_id")
                                .to("accounts", "id"),
                        ),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("revenue_events")
                    .col(uuid("id").primary_key())
                    .col(uuid("account_id"))
                    .col(text("kind"))
                    // Signed: expansion and new revenue are positive, contraction and churn
                    // negative, so MRR at a date is a plain SUM.
                    .col(big_integer("amount_minor"))
                    .col(text("currency"))
                    .col(date("effective_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("revenue_events", "account_id")
                            .to("accounts", "id"),
                    )
                    .to_owned(),
            )
            .await?;

        // The outbox. The cursor must be a true auto-increment on both databases; sea-query's
        // portable column types do not produce SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT`.
        let cursor = match backend {
            DbBackend::Postgres => "cursor BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            _ => "cursor INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        let json = match backend {
            DbBackend::Postgres => "JSONB",
            _ => "TEXT",
        };
        let (uuid_t, ts_t) = match backend {
            DbBackend::Postgres => ("UUID", "TIMESTAMPTZ"),
            _ => ("uuid_text", "timestamp_with_timezone_text"),
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE account_events (
                {cursor},
                account_id {uuid_t} NULL,
                subject_kind TEXT NOT NULL,
                subject_id {uuid_t} NOT NULL,
                kind TEXT NOT NULL,
                actor TEXT NOT NULL,
                occurred_at {ts_t} NOT NULL,
                changes {json} NOT NULL
            )"
        ))
        .await?;

        for sql in [
            "CREATE UNIQUE INDEX team_members_email_active ON team_members (email) WHERE archived_at IS NULL",
            "CREATE INDEX accounts_name_key ON accounts (name_key, id)",
            "CREATE INDEX accounts_owner ON accounts (owner_id)",
            "CREATE INDEX accounts_touch_tier ON accounts (touch_tier, name_key, id)",
            "CREATE INDEX accounts_lifecycle_stage ON accounts (lifecycle_stage, name_key, id)",
            "CREATE INDEX account_tags_tag ON account_tags (tag, account_id)",
            "CREATE INDEX contacts_account ON contacts (account_id)",
            "CREATE UNIQUE INDEX contacts_email_active ON contacts (account_id, email) WHERE archived_at IS NULL",
            "CREATE INDEX revenue_events_account ON revenue_events (account_id, effective_on)",
            "CREATE INDEX account_events_account ON account_events (account_id, cursor)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "account_events",
            "revenue_events",
            "contacts",
            "account_tags",
            "accounts",
            "team_members",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
