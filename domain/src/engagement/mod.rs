//! Engagements and their phases: a piece of services work for an account, run phase by phase.
//!
//! The rules here are pure: the status machines, the phase dependency graph (no cycles; a phase
//! starts only when what it depends on is delivered), dense ordering, and the derived figures
//! (progress, next startable phases, slippage).
//!
//! The kinds and statuses ([`status`]), the engagement ([`aggregate`]), a phase ([`phase`]), the
//! phase plan as a whole ([`plan`]) and the moves that involve both ([`transition`]).

mod aggregate;
#[cfg(test)]
pub(crate) mod fixtures;
mod phase;
mod plan;
mod status;
mod transition;
mod view;

pub use aggregate::{Engagement, EngagementData, EngagementPatch, NewEngagement, TemplateRef};
pub(crate) use phase::scope;
pub use phase::{Milestone, NewPhase, Phase, PhaseData, PhasePatch, PhaseScopeItem, Slippage};
pub use plan::{
    Progress, blockers, check_dependencies, next_startable, progress, reorder, weighted_progress,
};
pub use status::{EngagementKind, EngagementStatus, FocusKind, PhaseStatus};
pub use view::{PhaseHead, PhaseOutline};
