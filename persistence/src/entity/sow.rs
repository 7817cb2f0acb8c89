use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub engagement_id: Option<Uuid>,
    pub title: String,
    pub currency: String,
    pub fixed_price_minor: i64,
    #[sea_orm(column_type = "JsonBinary")]
    pub rate_card: Json,
    pub tm_hours_cap: Option<i64>,
    pub tm_amount_cap_minor: Option<i64>,
    pub status: String,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub baseline: Option<Json>,
    pub signed_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
