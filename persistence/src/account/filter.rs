//! Which accounts a list shows ([`AccountFilter`]) and the condition that selects them.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition};
use tandem_domain::account::{LifecycleStage, TouchTier};
use tandem_domain::ids::TeamMemberId;

use crate::entity::{account, account_tag};

/// Which accounts a list shows. Every criterion narrows the list; empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Case-insensitive text that the name or the domain contains.
    pub search: Option<String>,
    /// Any of these touch tiers.
    pub touch_tiers: Vec<TouchTier>,
    /// Any of these lifecycle stages.
    pub lifecycle_stages: Vec<LifecycleStage>,
    /// Owned by any of these team members.
    pub owner_ids: Vec<TeamMemberId>,
    /// In any of these industries (exact match).
    pub industries: Vec<String>,
    /// On any of these plans (exact match).
    pub plans: Vec<String>,
    /// Carrying every one of these tags.
    pub tags: Vec<String>,
    /// Include archived accounts too.
    pub include_archived: bool,
    /// Segment criteria (health, money, usage, needs…), each of which must hold: a saved
    /// segment's filter and the list's own.
    pub criteria: Vec<tandem_domain::segment::SegmentFilter>,
}

impl AccountFilter {
    /// Whether the filter narrows nothing beyond whether archived accounts count.
    pub(super) fn is_everything(&self) -> bool {
        let AccountFilter {
            search,
            touch_tiers,
            lifecycle_stages,
            owner_ids,
            industries,
            plans,
            tags,
            include_archived: _,
            criteria,
        } = self;
        search.is_none()
            && touch_tiers.is_empty()
            && lifecycle_stages.is_empty()
            && owner_ids.is_empty()
            && industries.is_empty()
            && plans.is_empty()
            && tags.is_empty()
            && criteria.is_empty()
    }

    /// Whether the filter narrows by the enumerated dimensions alone (touch tiers, lifecycle
    /// stages, owners, industries, plans), which `account_counts` counts (migration 27): no text
    /// search, tags or segment criteria.
    pub(super) fn is_enumerated(&self) -> bool {
        self.search.is_none() && self.tags.is_empty() && self.criteria.is_empty()
    }
}

pub(super) fn filter_condition(filter: &AccountFilter, backend: crate::Backend) -> Condition {
    use account::Column as C;
    let mut cond = Condition::all();
    if !filter.include_archived {
        cond = cond.add(C::ArchivedAt.is_null());
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let escaped = search
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        cond = cond.add(
            Condition::any()
                .add(Expr::col(C::NameKey).like(LikeExpr::new(pattern.clone()).escape('\\')))
                .add(Expr::col(C::Domain).like(LikeExpr::new(pattern).escape('\\'))),
        );
    }
    if !filter.touch_tiers.is_empty() {
        cond = cond.add(C::TouchTier.is_in(filter.touch_tiers.iter().map(|t| t.as_str())));
    }
    if !filter.lifecycle_stages.is_empty() {
        cond =
            cond.add(C::LifecycleStage.is_in(filter.lifecycle_stages.iter().map(|s| s.as_str())));
    }
    if !filter.owner_ids.is_empty() {
        cond = cond.add(C::OwnerId.is_in(filter.owner_ids.iter().map(|o| o.0)));
    }
    if !filter.industries.is_empty() {
        cond = cond.add(C::Industry.is_in(filter.industries.iter().map(String::as_str)));
    }
    if !filter.plans.is_empty() {
        cond = cond.add(C::Plan.is_in(filter.plans.iter().map(String::as_str)));
    }
    let today = Utc::now().date_naive();
    for criteria in filter.criteria.iter().filter(|c| !c.is_empty()) {
        let (text, values) = crate::segment::condition(criteria, today).into_parts();
        // sea-query takes `?` placeholders on SQLite and `$n` on PostgreSQL.
        let text = match backend {
            crate::Backend::Postgres => crate::sql::number_placeholders(&text),
            crate::Backend::Sqlite => text,
        };
        cond = cond.add(Expr::cust_with_values(text, values));
    }
    for tag in &filter.tags {
        cond = cond.add(
            C::Id.in_subquery(
                Query::select()
                    .column(account_tag::Column::AccountId)
                    .from(account_tag::Entity)
                    .and_where(account_tag::Column::Tag.eq(tag.trim().to_lowercase()))
                    .to_owned(),
            ),
        );
    }
    cond
}
