//! Tandem's database schema, as migrations that run unchanged on SQLite and PostgreSQL.
//!
//! `tandem serve` and `tandem migrate` apply whatever is pending at start-up. A migration, once
//! released, is never edited: a change to the schema is a new migration.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_engagements;
mod m20261123_000003_sows;
mod m20261123_000004_catalog;
mod m20261123_000005_idempotency;
mod m20261123_000006_health;
mod m20261123_000007_automation;
mod m20261123_000008_activities;
mod m20261123_000009_renewals;
mod m20261123_000010_external_ids;
mod m20261123_000011_timesheets;
mod m20261123_000012_templates;
mod m20261123_000013_outcomes;
mod m20261123_000014_catalog_scope;
mod m20261123_000015_outcome_indexes;
mod m20261123_000016_live_accounts;
mod m20261123_000017_account_tallies;
mod m20261123_000018_phase_outlines;
mod m20261123_000019_tally_search_path;
mod m20261123_000020_webhook_standards;
mod m20261123_000021_webhook_rate_limit;
mod m20261123_000022_event_relay;
mod m20261123_000023_opportunities;
mod m20261123_000024_outlook_models;
mod m20261123_000027_account_counts;
mod m20261123_000028_account_search;

pub use m20261123_000006_health::DEFAULT_MODEL_ID;

/// Applies Tandem's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_engagements::Migration),
            Box::new(m20261123_000003_sows::Migration),
            Box::new(m20261123_000004_catalog::Migration),
            Box::new(m20261123_000005_idempotency::Migration),
            Box::new(m20261123_000006_health::Migration),
            Box::new(m20261123_000007_automation::Migration),
            Box::new(m20261123_000008_activities::Migration),
            Box::new(m20261123_000009_renewals::Migration),
            Box::new(m20261123_000010_external_ids::Migration),
            Box::new(m20261123_000011_timesheets::Migration),
            Box::new(m20261123_000012_templates::Migration),
            Box::new(m20261123_000013_outcomes::Migration),
            Box::new(m20261123_000014_catalog_scope::Migration),
            Box::new(m20261123_000015_outcome_indexes::Migration),
            Box::new(m20261123_000016_live_accounts::Migration),
            Box::new(m20261123_000017_account_tallies::Migration),
            Box::new(m20261123_000018_phase_outlines::Migration),
            Box::new(m20261123_000019_tally_search_path::Migration),
            Box::new(m20261123_000020_webhook_standards::Migration),
            Box::new(m20261123_000021_webhook_rate_limit::Migration),
            Box::new(m20261123_000022_event_relay::Migration),
            Box::new(m20261123_000023_opportunities::Migration),
            Box::new(m20261123_000024_outlook_models::Migration),
            Box::new(m20261123_000027_account_counts::Migration),
            Box::new(m20261123_000028_account_search::Migration),
        ]
    }
}
