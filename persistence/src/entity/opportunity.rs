use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "opportunities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: String,
    pub title: String,
    pub stage_id: Uuid,
    pub status: String,
    pub mrr_delta_minor: i64,
    pub services_value_minor: i64,
    pub probability: Option<f64>,
    pub expected_close_on: Date,
    pub owner_id: Option<Uuid>,
    pub goal_id: Option<Uuid>,
    pub phase_id: Option<Uuid>,
    pub close_reason: Option<String>,
    pub closed_on: Option<Date>,
    pub revenue_event_id: Option<Uuid>,
    pub sow_id: Option<Uuid>,
    pub version: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
