use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "time_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sow_id: Uuid,
    pub team_member_id: Uuid,
    pub role: String,
    pub phase_id: Option<Uuid>,
    pub worked_on: Date,
    pub hours: i64,
    pub kind: String,
    pub amount_minor: i64,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub timesheet_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
