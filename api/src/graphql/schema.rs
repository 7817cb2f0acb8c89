//! The schema assembled: every feature's queries, mutations and subscriptions merged into one
//! root each, and the options (limits, introspection) it is built with.

use async_graphql::{MergedObject, MergedSubscription, Schema, ValidationMode};

use super::audience::{Audience, CustomerView};
use super::{
    account, activity, automation, catalog, catalog_scope, contact, engagement, event, figures,
    health, node, opportunity, outcome_comparison, outlook, renewal, revenue_outlook, segment,
    signals, sow, success, sync, team_member, template, timesheet, viewer,
};
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
    opportunity::OpportunityQuery,
    revenue_outlook::RevenueOutlookQuery,
    outlook::OutlookQuery,
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
    opportunity::OpportunityMutation,
    outlook::OutlookMutation,
    sync::SyncMutation,
    timesheet::TimesheetMutation,
    template::TemplateMutation,
);

/// Every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(event::EventSubscription);

/// The schema type.
pub type TandemSchema = Schema<Query, Mutation, Subscription>;

/// How the schema is built: limits, what it reveals about itself, and for whom.
#[derive(Debug, Clone, Copy)]
pub struct SchemaOptions {
    /// Whom it serves: the vendor (all of it) or a customer (what [`super::audience::CUSTOMER_SEES`]
    /// lists).
    pub audience: Audience,
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
            audience: Audience::Vendor,
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
    if options.audience == Audience::Customer {
        builder = builder.register_output_type::<CustomerView>();
    }
    builder.finish()
}

/// The SDL of the schema, as `tandem schema` prints it and `schema.graphql` holds it.
pub fn sdl() -> String {
    build_schema(SchemaOptions::default(), None, ValidationMode::Strict).sdl()
}
