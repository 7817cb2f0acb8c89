//! The SOW itself and its state machine: draft, proposal, signature (which freezes the
//! [`Baseline`]), delivery and close.

use chrono::{DateTime, NaiveDate, Utc};

use super::scope::SowData;
use crate::hours::Hours;
use crate::ids::{AccountId, EngagementId, SowId};
use crate::machine::transition;
use crate::{DomainError, DomainResult};

crate::text_enum! {
    /// Where a statement of work stands.
    pub enum SowStatus {
        /// Being written.
        Draft = "DRAFT",
        /// Sent to the customer.
        Proposed = "PROPOSED",
        /// Signed: scope and budget now change only through change requests.
        Signed = "SIGNED",
        /// Work is being delivered against it.
        InDelivery = "IN_DELIVERY",
        /// Delivered and closed.
        Completed = "COMPLETED",
        /// Withdrawn or terminated.
        Cancelled = "CANCELLED",
    }
}

impl SowStatus {
    /// The statuses this one may move to. A proposal can go back to draft for revision.
    pub fn next(self) -> &'static [SowStatus] {
        use SowStatus::*;
        match self {
            Draft => &[Proposed, Cancelled],
            Proposed => &[Signed, Draft, Cancelled],
            Signed => &[InDelivery, Cancelled],
            InDelivery => &[Completed, Cancelled],
            Completed | Cancelled => &[],
        }
    }

    /// Whether the SOW is signed and not closed: time and change requests go against it.
    pub fn is_binding(self) -> bool {
        matches!(self, SowStatus::Signed | SowStatus::InDelivery)
    }

    /// Whether scope, budget and rates can still be edited directly.
    pub fn is_editable(self) -> bool {
        matches!(self, SowStatus::Draft | SowStatus::Proposed)
    }
}

/// The figures frozen when a SOW is signed, to compare the current ones with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Baseline {
    /// The fixed price at signing.
    pub fixed_price: i64,
    /// The estimated in-scope hours at signing.
    pub estimated_hours: Hours,
    /// The T&M hours cap at signing.
    pub tm_hours_cap: Option<Hours>,
    /// The T&M amount cap at signing.
    pub tm_amount_cap: Option<i64>,
}

/// A statement of work as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Sow {
    /// Its id.
    pub id: SowId,
    /// The account it is with.
    pub account_id: AccountId,
    /// The engagement it prices, if any.
    pub engagement_id: Option<EngagementId>,
    /// Its fields (current figures).
    pub data: SowData,
    /// Its status.
    pub status: SowStatus,
    /// The figures at signing.
    pub baseline: Option<Baseline>,
    /// The day it was signed.
    pub signed_on: Option<NaiveDate>,
    /// Bumped on every change.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Sow {
    /// Refuses a direct edit once the SOW is signed.
    pub fn ensure_editable(&self) -> DomainResult<()> {
        if !self.status.is_editable() {
            return Err(DomainError::Conflict(format!(
                "SOW '{}' is {}; once signed, scope and budget change only through change requests",
                self.data.title, self.status
            )));
        }
        Ok(())
    }

    /// Checks a move to `next`, and returns the SOW after it: signing freezes the baseline.
    pub fn moved(&self, next: SowStatus, today: NaiveDate) -> DomainResult<Sow> {
        transition("SOW", self.status, next, self.status.next())?;
        let mut sow = self.clone();
        sow.status = next;
        if next == SowStatus::Signed {
            sow.signed_on = Some(today);
            sow.baseline = Some(Baseline {
                fixed_price: self.data.fixed_price,
                estimated_hours: self.data.estimated_hours(),
                tm_hours_cap: self.data.tm_hours_cap,
                tm_amount_cap: self.data.tm_amount_cap,
            });
        }
        Ok(sow)
    }

    /// Refuses time and change requests unless the SOW is signed and open.
    pub fn ensure_binding(&self, what: &str) -> DomainResult<()> {
        if !self.status.is_binding() {
            return Err(DomainError::invalid(
                "sowId",
                format!(
                    "SOW '{}' is {}; {what} only against a SIGNED or IN_DELIVERY SOW",
                    self.data.title, self.status
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sow::fixtures::{draft, signed, today};

    #[test]
    fn the_sow_machine_refuses_illegal_moves_naming_both_statuses() {
        use SowStatus::*;
        for (from, to, ok) in [
            (Draft, Proposed, true),
            (Draft, Signed, false),
            (Proposed, Signed, true),
            (Proposed, Draft, true),
            (Signed, InDelivery, true),
            (Signed, Draft, false),
            (InDelivery, Completed, true),
            (Completed, Cancelled, false),
        ] {
            let mut s = draft();
            s.status = from;
            let result = s.moved(to, today());
            assert_eq!(result.is_ok(), ok, "{from} → {to}");
            if let Err(e) = result {
                assert!(
                    e.to_string().contains(&format!("from {from} to {to}")),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn signing_freezes_the_baseline_and_the_scope() {
        let s = signed();
        let b = s.baseline.unwrap();
        assert_eq!(b.estimated_hours, Hours(8000));
        assert_eq!(b.tm_amount_cap, Some(500_000));
        assert_eq!(s.signed_on, Some(today()));
        assert!(matches!(s.ensure_editable(), Err(DomainError::Conflict(_))));
        assert!(draft().ensure_editable().is_ok());
    }
}
