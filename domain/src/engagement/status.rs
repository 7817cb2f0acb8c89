//! What kind of work an engagement is, where an engagement and each of its phases stand, and
//! the moves their status machines allow.

crate::text_enum! {
    /// What kind of services work an engagement is.
    pub enum EngagementKind {
        /// Moving a merchant off a legacy platform, phase by phase.
        Replatforming = "REPLATFORMING",
        /// Getting a new customer live.
        Onboarding = "ONBOARDING",
        /// Improving how an existing customer uses the product.
        Optimization = "OPTIMIZATION",
    }
}

crate::text_enum! {
    /// Where an engagement stands.
    pub enum EngagementStatus {
        /// Scoped, not started.
        Planned = "PLANNED",
        /// Work is under way.
        Active = "ACTIVE",
        /// Paused; can resume.
        OnHold = "ON_HOLD",
        /// Every phase accepted; closed.
        Completed = "COMPLETED",
        /// Stopped for good.
        Cancelled = "CANCELLED",
    }
}

impl EngagementStatus {
    /// The statuses this one may move to.
    pub fn next(self) -> &'static [EngagementStatus] {
        use EngagementStatus::*;
        match self {
            Planned => &[Active, Cancelled],
            Active => &[OnHold, Completed, Cancelled],
            OnHold => &[Active, Cancelled],
            Completed | Cancelled => &[],
        }
    }

    /// Whether the engagement is closed to changes.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            EngagementStatus::Completed | EngagementStatus::Cancelled
        )
    }
}

crate::text_enum! {
    /// Where a phase stands.
    pub enum PhaseStatus {
        /// Not started.
        Planned = "PLANNED",
        /// Work is under way.
        InProgress = "IN_PROGRESS",
        /// Handed over; awaiting the customer's acceptance.
        Delivered = "DELIVERED",
        /// Accepted by the customer: its value counts.
        Accepted = "ACCEPTED",
    }
}

impl PhaseStatus {
    /// The statuses this one may move to. A delivery the customer rejects goes back to work.
    pub fn next(self) -> &'static [PhaseStatus] {
        use PhaseStatus::*;
        match self {
            Planned => &[InProgress],
            InProgress => &[Delivered],
            Delivered => &[Accepted, InProgress],
            Accepted => &[],
        }
    }

    /// Whether phases that depend on this one may start.
    pub fn unblocks_dependents(self) -> bool {
        matches!(self, PhaseStatus::Delivered | PhaseStatus::Accepted)
    }
}

crate::text_enum! {
    /// What a phase is organised around.
    pub enum FocusKind {
        /// One product line (for example "Apparel").
        ProductLine = "PRODUCT_LINE",
        /// One problem (for example "Slow checkout").
        Problem = "PROBLEM",
    }
}
