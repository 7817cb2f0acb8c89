//! Change requests: the only way a signed SOW's T&M budget moves.

use chrono::{DateTime, Utc};

use super::scope::SowData;
use super::statement::Sow;
use crate::hours::Hours;
use crate::ids::{ChangeRequestId, SowId};
use crate::machine::transition;
use crate::{DomainError, DomainResult, text};

crate::text_enum! {
    /// Where a change request stands.
    pub enum ChangeRequestStatus {
        /// Raised, awaiting a decision.
        Proposed = "PROPOSED",
        /// Approved: the budget moved by its hours and amount.
        Approved = "APPROVED",
        /// Rejected: nothing changed.
        Rejected = "REJECTED",
    }
}

/// A change to a signed SOW's T&M budget.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRequest {
    /// Its id.
    pub id: ChangeRequestId,
    /// The SOW it changes.
    pub sow_id: SowId,
    /// Hours added to (or, negative, taken from) the T&M hours cap.
    pub hours: Hours,
    /// Amount added to (or taken from) the T&M amount cap, in minor units.
    pub amount: i64,
    /// Why.
    pub reason: String,
    /// Who asked for it (the subject of their token).
    pub requested_by: String,
    /// Where it stands.
    pub status: ChangeRequestStatus,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Bumped on every change.
    pub version: i32,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
}

impl ChangeRequest {
    /// Validates a new change request against its SOW.
    pub fn validate_new(
        sow: &Sow,
        hours: Hours,
        amount: i64,
        reason: &str,
    ) -> DomainResult<String> {
        sow.ensure_binding("change requests can be raised")?;
        if hours.0 == 0 && amount == 0 {
            return Err(DomainError::invalid(
                "hours",
                "a change request must change the hours, the amount, or both",
            ));
        }
        text::required("reason", reason, 2000)
    }

    /// The SOW's budget after approving this request; refused when a cap would go below zero.
    pub fn apply(&self, sow: &Sow) -> DomainResult<SowData> {
        sow.ensure_binding("change requests can be decided")?;
        let mut data = sow.data.clone();
        if self.hours.0 != 0 {
            let cap = data.tm_hours_cap.unwrap_or_default().0 + self.hours.0;
            if cap < 0 {
                return Err(DomainError::invalid(
                    "hours",
                    "the T&M hours cap would fall below zero",
                ));
            }
            data.tm_hours_cap = Some(Hours(cap));
        }
        if self.amount != 0 {
            let cap = data.tm_amount_cap.unwrap_or(0) + self.amount;
            if cap < 0 {
                return Err(DomainError::invalid(
                    "amount",
                    "the T&M amount cap would fall below zero",
                ));
            }
            data.tm_amount_cap = Some(cap);
        }
        Ok(data)
    }

    /// Checks a decision: only a proposed request can be decided.
    pub fn check_decision(&self, next: ChangeRequestStatus) -> DomainResult<()> {
        let allowed: &[ChangeRequestStatus] = match self.status {
            ChangeRequestStatus::Proposed => {
                &[ChangeRequestStatus::Approved, ChangeRequestStatus::Rejected]
            }
            _ => &[],
        };
        transition("change request", self.status, next, allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sow::fixtures::{draft, signed};

    #[test]
    fn an_approved_change_request_moves_the_caps() {
        let s = signed();
        let cr = ChangeRequest {
            id: ChangeRequestId::new(),
            sow_id: s.id,
            hours: Hours(1000),
            amount: 150_000,
            reason: "B2B price lists".into(),
            requested_by: "ann".into(),
            status: ChangeRequestStatus::Proposed,
            decided_by: None,
            decided_at: None,
            version: 1,
            created_at: Utc::now(),
        };
        let data = cr.apply(&s).unwrap();
        assert_eq!(data.tm_hours_cap, Some(Hours(5000)));
        assert_eq!(data.tm_amount_cap, Some(650_000));
        let shrink = ChangeRequest {
            amount: -1_000_000,
            ..cr.clone()
        };
        assert!(shrink.apply(&s).is_err());
        let decided = ChangeRequest {
            status: ChangeRequestStatus::Approved,
            ..cr
        };
        assert!(
            decided
                .check_decision(ChangeRequestStatus::Rejected)
                .is_err()
        );
        assert!(ChangeRequest::validate_new(&draft(), Hours(1), 0, "x").is_err());
        assert!(ChangeRequest::validate_new(&s, Hours(0), 0, "x").is_err());
    }
}
