use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub name_key: String,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub company_size: Option<String>,
    pub region: Option<String>,
    pub plan: Option<String>,
    pub touch_tier: String,
    pub lifecycle_stage: String,
    pub owner_id: Option<Uuid>,
    pub renewal_date: Option<Date>,
    pub currency: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub traits: Json,
    #[sea_orm(column_type = "JsonBinary")]
    pub needs: Json,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
