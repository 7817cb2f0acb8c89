//! sea-orm entities: the tables as rows. They never leave this crate; repositories convert them
//! to domain types at the boundary.

pub mod account;
pub mod account_event;
pub mod account_tag;
pub mod catalog_draft;
pub mod catalog_session;
pub mod catalog_version;
pub mod change_request;
pub mod contact;
pub mod engagement;
pub mod idempotency_key;
pub mod opportunity;
pub mod phase;
pub mod phase_dependency;
pub mod revenue_event;
pub mod sow;
pub mod sow_scope_item;
pub mod team_member;
pub mod time_entry;

// The rows the hot read paths decode by position (see `crate::page::Positional`), each field in
// its column's order.
crate::page::positional!(phase {
    id,
    engagement_id,
    position,
    name,
    focus_kind,
    focus,
    objective,
    expected_value,
    planned_start,
    planned_end,
    milestones,
    status,
    actual_start,
    actual_end,
    accepted_on,
    goal_id,
    version,
    created_at,
    updated_at,
    scope,
    realised_value,
});
crate::page::positional!(engagement {
    id,
    account_id,
    name,
    kind,
    source_platform,
    target_platform,
    lead_id,
    description,
    planned_start,
    status,
    version,
    created_at,
    updated_at,
    template_id,
    template_version,
});
crate::page::positional!(account {
    id,
    name,
    name_key,
    domain,
    industry,
    company_size,
    region,
    plan,
    touch_tier,
    lifecycle_stage,
    owner_id,
    renewal_date,
    currency,
    traits,
    needs,
    version,
    created_at,
    updated_at,
    archived_at,
});
