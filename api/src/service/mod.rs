//! Services: the operations the API offers, each one authorizing the caller, applying the
//! domain's rules and calling storage. Resolvers call exactly one service function each.

pub mod account;
pub mod activity;
pub mod automation;
pub mod catalog;
pub mod catalog_scope;
pub mod contact;
pub mod engagement;
pub mod event;
pub mod figures;
pub mod health;
pub mod opportunity;
pub mod outlook;
pub mod renewal;
pub mod revenue_outlook;
pub mod segment;
pub mod signals;
pub mod sow;
pub mod success;
pub mod sync;
pub mod team_member;
pub mod template;
pub mod timesheet;
pub mod value_timeline;

use tandem_persistence::Store;

use crate::relay::EventRelay;

/// What every service needs: storage and the event relay to wake after a write.
#[derive(Clone)]
pub struct Services {
    /// Storage.
    pub store: Store,
    /// The event relay.
    pub relay: EventRelay,
    /// Wakes the automation worker (threshold playbooks) after a write.
    pub automation: std::sync::Arc<tokio::sync::Notify>,
    /// Networks webhook endpoints may point at although they are loopback or link-local.
    pub webhook_allowed_networks: std::sync::Arc<[tandem_domain::webhook::Network]>,
    /// The revenue outlook's renewal model: the history it needs, how often it is refitted.
    pub outlook: crate::settings::OutlookSettings,
}

impl Services {
    /// Wakes the relay after a committed write, so subscribers hear of it at once.
    pub(crate) fn committed<T>(&self, value: T) -> T {
        self.relay.notify();
        self.automation.notify_one();
        value
    }
}
