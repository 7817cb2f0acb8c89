use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "phases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub position: i32,
    pub name: String,
    pub focus_kind: String,
    pub focus: String,
    pub objective: Option<String>,
    pub expected_value: Option<String>,
    pub planned_start: Option<Date>,
    pub planned_end: Option<Date>,
    #[sea_orm(column_type = "JsonBinary")]
    pub milestones: Json,
    pub status: String,
    pub actual_start: Option<Date>,
    pub actual_end: Option<Date>,
    pub accepted_on: Option<Date>,
    pub goal_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(column_type = "JsonBinary")]
    pub scope: Json,
    pub realised_value: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
