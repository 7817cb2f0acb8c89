//! The GraphQL schema: types that wrap domain types, resolvers that call one service each, and
//! the limits every request runs under.

pub mod account;
pub mod activity;
pub mod automation;
pub mod catalog;
pub mod catalog_scope;
pub mod contact;
pub mod engagement;
pub mod engagement_outcome;
pub mod enums;
pub mod event;
pub mod figures;
pub mod health;
pub mod ids;
pub mod json;
pub mod known;
pub mod limits;
pub mod loaders;
pub mod money;
pub mod node;
pub mod outcome;
pub mod outcome_comparison;
pub mod plain;
pub mod renewal;
pub mod scalars;
pub mod segment;
pub mod signals;
pub mod sow;
pub mod success;
pub mod sync;
pub mod team_member;
pub mod template;
pub mod timesheet;
pub mod value_timeline;
pub mod viewer;

use async_graphql::{Context, Guard, MergedObject, MergedSubscription, Schema, ValidationMode};
use tandem_domain::auth::{Action, Principal};

use crate::error::{ApiError, ApiResult, Code};
use crate::service::Services;
use crate::settings::Limits;

/// Every query.
#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    viewer::ViewerQuery,
    account::AccountQuery,
    contact::ContactQuery,
    team_member::TeamMemberQuery,
    engagement::EngagementQuery,
    sow::SowQuery,
    catalog::CatalogQuery,
    event::EventQuery,
    health::HealthQuery,
    segment::SegmentQuery,
    success::SuccessQuery,
    figures::FiguresQuery,
    automation::AutomationQuery,
    renewal::RenewalQuery,
    timesheet::TimesheetQuery,
    template::TemplateQuery,
    outcome_comparison::OutcomeComparisonQuery,
);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    account::AccountMutation,
    contact::ContactMutation,
    team_member::TeamMemberMutation,
    engagement::EngagementMutation,
    sow::SowMutation,
    catalog::CatalogMutation,
    catalog_scope::CatalogScopeMutation,
    signals::SignalsMutation,
    health::HealthMutation,
    success::SuccessMutation,
    segment::SegmentMutation,
    figures::FiguresMutation,
    automation::AutomationMutation,
    activity::ActivityMutation,
    renewal::RenewalMutation,
    sync::SyncMutation,
    timesheet::TimesheetMutation,
    template::TemplateMutation,
);

/// Every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(event::EventSubscription);

/// The schema type.
pub type TandemSchema = Schema<Query, Mutation, Subscription>;

/// How the schema is built: limits and what it reveals about itself.
#[derive(Debug, Clone, Copy)]
pub struct SchemaOptions {
    /// Request limits.
    pub limits: Limits,
    /// Whether introspection is answered.
    pub introspection: bool,
    /// Whether validation errors suggest similar names.
    pub suggestions: bool,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        SchemaOptions {
            limits: Limits::default(),
            introspection: true,
            suggestions: true,
        }
    }
}

/// Builds the schema. `services` is `None` for printing the SDL, which needs no database.
pub fn build_schema(
    options: SchemaOptions,
    services: Option<Services>,
    validation: ValidationMode,
) -> TandemSchema {
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .validation_mode(validation)
    .limit_depth(options.limits.max_depth)
    .limit_complexity(options.limits.max_complexity)
    .limit_directives(20);
    // No extensions: one would put every field of every request through async-graphql's
    // extension chain. The alias limit is checked when the transports parse (`limits::parse`).
    if !options.introspection {
        builder = builder.disable_introspection();
    }
    if !options.suggestions {
        builder = builder.disable_suggestions();
    }
    if let Some(services) = services {
        builder = builder.data(services);
    }
    builder.finish()
}

/// The SDL of the schema, as `tandem schema` prints it and `schema.graphql` holds it.
pub fn sdl() -> String {
    build_schema(SchemaOptions::default(), None, ValidationMode::Strict).sdl()
}

/// The services and the caller of a resolver's request.
pub(crate) fn parts<'a>(ctx: &Context<'a>) -> ApiResult<(&'a Services, &'a Principal)> {
    let principal = ctx
        .data::<Principal>()
        .map_err(|_| ApiError::new(Code::Unauthenticated, "this API needs a bearer token"))?;
    let services = ctx
        .data::<Services>()
        .map_err(|_| ApiError::new(Code::Internal, "the server is not fully started"))?;
    Ok((services, principal))
}

/// Hides a field from roles that may not take `action` (money fields from PRODUCT and VIEWER):
/// the field resolves to `null` with a FORBIDDEN error at its path.
pub(crate) struct Allowed(pub Action);

impl Guard for Allowed {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let (_, who) = parts(ctx)?;
        who.authorize(self.0).map_err(|e| ApiError::from(e).into())
    }
}

/// The loaders of a resolver's request.
pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a loaders::Loaders> {
    ctx.data::<loaders::Loaders>()
        .map_err(|_| ApiError::new(Code::Internal, "the request has no data loaders"))
}

/// Checks a page size argument: 0 to [`MAX_PAGE`].
pub(crate) fn page_size(field: &str, value: Option<i32>) -> ApiResult<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if (0..=MAX_PAGE as i32).contains(&n) => Ok(Some(n as u64)),
        Some(n) => Err(ApiError::invalid(
            field,
            format!("{n} is out of range; a page holds 0 to {MAX_PAGE} items"),
        )),
    }
}

/// The window of a list ordered by id, from Relay arguments: `first`/`after` reads forwards,
/// `last`/`before` backwards; 20 when neither size is given.
pub(crate) fn id_window(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> ApiResult<tandem_persistence::page::Window<uuid::Uuid>> {
    if first.is_some() && last.is_some() {
        return Err(ApiError::invalid(
            "last",
            "pass either first or last, not both",
        ));
    }
    let first = page_size("first", first)?;
    let last = page_size("last", last)?;
    Ok(tandem_persistence::page::Window {
        limit: first.or(last).unwrap_or(DEFAULT_PAGE),
        after: after.map(|c| ids::decode_cursor(&c, "after")).transpose()?,
        before: before
            .map(|c| ids::decode_cursor(&c, "before"))
            .transpose()?,
        from_end: last.is_some(),
    })
}

/// The largest page a list returns.
pub const MAX_PAGE: u64 = 100;
/// The page size when none is given.
pub const DEFAULT_PAGE: u64 = 20;
