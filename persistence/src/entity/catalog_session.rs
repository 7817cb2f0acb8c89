use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub title: String,
    pub phase_id: Option<Uuid>,
    pub facilitator_id: Option<Uuid>,
    pub scheduled_at: DateTimeUtc,
    #[sea_orm(column_type = "JsonBinary")]
    pub attendees: Json,
    pub notes: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub decisions: Json,
    pub status: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
