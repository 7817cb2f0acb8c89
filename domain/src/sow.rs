//! Statements of work: a fixed-price scope with a time-and-materials budget beside it, change
//! requests once signed, and the hours logged against them.
//!
//! Hours are kept in hundredths ([`Hours`](crate::hours::Hours)) and money in minor units, so
//! every sum is exact.

use chrono::{DateTime, NaiveDate, Utc};

use crate::engagement::{Phase, transition};
use crate::hours::{Hours, positive_hours};
use crate::ids::{
    AccountId, ChangeRequestId, EngagementId, PhaseId, SowId, TeamMemberId, TimeEntryId,
    TimesheetId,
};
use crate::money::Currency;
use crate::{DomainError, DomainResult, text};

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

/// What one hour of a role costs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rate {
    /// The role ("Solutions Architect").
    pub role: String,
    /// The hourly rate in the SOW's currency's minor units.
    pub hourly_rate: i64,
}

/// A fixed-price deliverable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeItem {
    /// What is delivered.
    pub deliverable: String,
    /// The hours it is estimated to take.
    pub estimated_hours: Hours,
    /// The phase it belongs to.
    pub phase_id: Option<PhaseId>,
}

/// The editable fields of a SOW.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SowData {
    /// A title.
    pub title: String,
    /// The currency of every amount in it.
    pub currency: Currency,
    /// The fixed price of the scope, in minor units.
    pub fixed_price: i64,
    /// Role → hourly rate.
    pub rate_card: Vec<Rate>,
    /// The fixed-price deliverables.
    pub scope: Vec<ScopeItem>,
    /// The T&M hours cap.
    pub tm_hours_cap: Option<Hours>,
    /// The T&M amount cap, in minor units.
    pub tm_amount_cap: Option<i64>,
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

/// A new SOW (or a full replacement of a draft's fields) as typed.
#[derive(Debug, Clone)]
pub struct NewSow {
    pub title: String,
    pub currency: Option<String>,
    pub fixed_price: i64,
    pub rate_card: Vec<Rate>,
    pub scope: Vec<ScopeItem>,
    pub tm_hours_cap: Option<Hours>,
    pub tm_amount_cap: Option<i64>,
}

impl NewSow {
    /// Validates every field. Scope items may only name phases of the SOW's engagement
    /// (`phases`).
    pub fn validate(self, phases: &[Phase]) -> DomainResult<SowData> {
        if self.fixed_price < 0 {
            return Err(DomainError::invalid("fixedPrice", "must not be negative"));
        }
        if self.rate_card.len() > 50 {
            return Err(DomainError::invalid("rateCard", "at most 50 roles"));
        }
        let mut rate_card: Vec<Rate> = Vec::with_capacity(self.rate_card.len());
        for (i, r) in self.rate_card.into_iter().enumerate() {
            let role = text::required(&format!("rateCard[{i}].role"), &r.role, 100)?;
            if rate_card.iter().any(|x| x.role.eq_ignore_ascii_case(&role)) {
                return Err(DomainError::invalid(
                    format!("rateCard[{i}].role"),
                    format!("'{role}' appears twice"),
                ));
            }
            if r.hourly_rate <= 0 {
                return Err(DomainError::invalid(
                    format!("rateCard[{i}].hourlyRate"),
                    "must be more than 0",
                ));
            }
            rate_card.push(Rate {
                role,
                hourly_rate: r.hourly_rate,
            });
        }
        if self.scope.len() > 200 {
            return Err(DomainError::invalid("scope", "at most 200 scope items"));
        }
        let scope = self
            .scope
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                if let Some(phase) = item.phase_id
                    && !phases.iter().any(|p| p.id == phase)
                {
                    return Err(DomainError::invalid(
                        format!("scope[{i}].phaseId"),
                        "is not a phase of this SOW's engagement",
                    ));
                }
                Ok(ScopeItem {
                    deliverable: text::required(
                        &format!("scope[{i}].deliverable"),
                        &item.deliverable,
                        500,
                    )?,
                    estimated_hours: positive_hours(
                        &format!("scope[{i}].estimatedHours"),
                        item.estimated_hours,
                    )?,
                    phase_id: item.phase_id,
                })
            })
            .collect::<DomainResult<Vec<_>>>()?;
        Ok(SowData {
            title: text::required("title", &self.title, 200)?,
            currency: match self.currency {
                Some(c) => Currency::parse("currency", &c)?,
                None => Currency::USD,
            },
            fixed_price: self.fixed_price,
            rate_card,
            scope,
            tm_hours_cap: self
                .tm_hours_cap
                .map(|h| positive_hours("tmHoursCap", h))
                .transpose()?,
            tm_amount_cap: match self.tm_amount_cap {
                Some(a) if a <= 0 => {
                    return Err(DomainError::invalid("tmAmountCap", "must be more than 0"));
                }
                other => other,
            },
        })
    }
}

impl SowData {
    /// The estimated in-scope hours: the sum over the scope items.
    pub fn estimated_hours(&self) -> Hours {
        Hours(self.scope.iter().map(|s| s.estimated_hours.0).sum())
    }

    /// The rate of `role` (compared ignoring case), if the rate card has it.
    pub fn rate(&self, role: &str) -> Option<&Rate> {
        self.rate_card
            .iter()
            .find(|r| r.role.eq_ignore_ascii_case(role.trim()))
    }
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

crate::text_enum! {
    /// Whether hours are part of the fixed-price scope or billed as time and materials.
    pub enum WorkKind {
        /// Part of the fixed-price scope.
        InScope = "IN_SCOPE",
        /// Outside the scope, billed against the T&M budget.
        TimeAndMaterials = "TIME_AND_MATERIALS",
    }
}

/// Hours logged against a SOW.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeEntry {
    /// Its id.
    pub id: TimeEntryId,
    /// The SOW.
    pub sow_id: SowId,
    /// Who worked.
    pub team_member_id: TeamMemberId,
    /// In which role (from the rate card).
    pub role: String,
    /// On which phase.
    pub phase_id: Option<PhaseId>,
    /// On which day.
    pub worked_on: NaiveDate,
    /// How long.
    pub hours: Hours,
    /// In scope or T&M.
    pub kind: WorkKind,
    /// The value of the hours at the role's rate when logged, in minor units.
    pub amount: i64,
    /// What was done.
    pub note: Option<String>,
    /// When it was logged.
    pub created_at: DateTime<Utc>,
    /// The person's timesheet for the week it falls in (set when stored).
    pub timesheet_id: Option<TimesheetId>,
}

/// A time entry as typed.
#[derive(Debug, Clone)]
pub struct NewTimeEntry {
    pub team_member_id: TeamMemberId,
    pub role: String,
    pub phase_id: Option<PhaseId>,
    pub worked_on: NaiveDate,
    pub hours: Hours,
    pub kind: WorkKind,
    pub note: Option<String>,
}

impl NewTimeEntry {
    /// Validates the entry against its SOW, the engagement's phases and `today`, and prices it
    /// at the role's rate (rounded to the nearest minor unit).
    pub fn validate(
        self,
        sow: &Sow,
        phases: &[Phase],
        today: NaiveDate,
    ) -> DomainResult<TimeEntry> {
        sow.ensure_binding("time can be logged")?;
        if self.hours.0 <= 0 || self.hours.0 > 2400 {
            return Err(DomainError::invalid(
                "hours",
                format!("{} is not in (0, 24] hours", self.hours),
            ));
        }
        if self.worked_on > today {
            return Err(DomainError::invalid(
                "workedOn",
                format!("{} is in the future", self.worked_on),
            ));
        }
        let rate = sow.data.rate(&self.role).ok_or_else(|| {
            let roles: Vec<&str> = sow.data.rate_card.iter().map(|r| r.role.as_str()).collect();
            DomainError::invalid(
                "role",
                format!(
                    "'{}' is not on the SOW's rate card ({})",
                    self.role.trim(),
                    roles.join(", ")
                ),
            )
        })?;
        if let Some(phase) = self.phase_id
            && !phases.iter().any(|p| p.id == phase)
        {
            return Err(DomainError::invalid(
                "phaseId",
                "is not a phase of this SOW's engagement",
            ));
        }
        let amount = (self.hours.0 as i128 * rate.hourly_rate as i128 + 50) / 100;
        Ok(TimeEntry {
            id: TimeEntryId::new(),
            sow_id: sow.id,
            team_member_id: self.team_member_id,
            role: rate.role.clone(),
            phase_id: self.phase_id,
            worked_on: self.worked_on,
            hours: self.hours,
            kind: self.kind,
            amount: i64::try_from(amount).unwrap_or(i64::MAX),
            note: text::optional("note", self.note.as_deref(), 2000)?,
            created_at: Utc::now(),
            timesheet_id: None,
        })
    }
}

/// Sums of logged time, as storage aggregates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoggedTime {
    /// In-scope hours.
    pub in_scope_hours: Hours,
    /// T&M hours.
    pub tm_hours: Hours,
    /// The value of the T&M hours, in minor units.
    pub tm_amount: i64,
}

/// A SOW's (or a phase's) budget position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetFigures {
    /// Estimated in-scope hours.
    pub estimated_hours: Hours,
    /// In-scope hours logged.
    pub in_scope_hours: Hours,
    /// T&M hours logged.
    pub tm_hours: Hours,
    /// The value of the T&M hours.
    pub tm_amount: i64,
    /// T&M used against its cap, in percent to the hundredth: by amount when there is an amount
    /// cap, else by hours; `None` without a cap.
    pub burn_percent: Option<f64>,
    /// T&M hours as a percentage of all hours logged: the scope-creep signal.
    pub tm_share_percent: Option<f64>,
    /// In-scope hours at completion: logged hours plus the estimate of the scope not yet
    /// delivered.
    pub forecast_in_scope_hours: Hours,
}

/// The budget figures of `sow` from its logged time (`logged`) and the status of its phases.
pub fn figures(data: &SowData, logged: LoggedTime, phases: &[Phase]) -> BudgetFigures {
    // Percentages to the hundredth, in integer arithmetic so that every reader gets the same
    // number.
    let percent = |part: i64, whole: i64| {
        (whole > 0)
            .then(|| ((part as i128 * 10_000 + whole as i128 / 2) / whole as i128) as f64 / 100.0)
    };
    let burn_percent = match (data.tm_amount_cap, data.tm_hours_cap) {
        (Some(cap), _) => percent(logged.tm_amount, cap),
        (None, Some(cap)) => percent(logged.tm_hours.0, cap.0),
        (None, None) => None,
    };
    let delivered = |phase: Option<PhaseId>| {
        phase.is_some_and(|id| {
            phases
                .iter()
                .any(|p| p.id == id && p.status.unblocks_dependents())
        })
    };
    let remaining: i64 = data
        .scope
        .iter()
        .filter(|item| !delivered(item.phase_id))
        .map(|item| item.estimated_hours.0)
        .sum();
    BudgetFigures {
        estimated_hours: data.estimated_hours(),
        in_scope_hours: logged.in_scope_hours,
        tm_hours: logged.tm_hours,
        tm_amount: logged.tm_amount,
        burn_percent,
        tm_share_percent: percent(
            logged.tm_hours.0,
            logged.tm_hours.0 + logged.in_scope_hours.0,
        ),
        forecast_in_scope_hours: Hours(logged.in_scope_hours.0 + remaining),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn draft() -> Sow {
        let data = NewSow {
            title: "Replatforming, phases 1–3".into(),
            currency: Some("eur".into()),
            fixed_price: 4_800_000,
            rate_card: vec![
                Rate {
                    role: "Solutions Architect".into(),
                    hourly_rate: 18_000,
                },
                Rate {
                    role: "Developer".into(),
                    hourly_rate: 12_000,
                },
            ],
            scope: vec![ScopeItem {
                deliverable: "Catalog model".into(),
                estimated_hours: Hours(8000),
                phase_id: None,
            }],
            tm_hours_cap: Some(Hours(4000)),
            tm_amount_cap: Some(500_000),
        }
        .validate(&[])
        .unwrap();
        Sow {
            id: SowId::new(),
            account_id: AccountId::new(),
            engagement_id: None,
            data,
            status: SowStatus::Draft,
            baseline: None,
            signed_on: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn signed() -> Sow {
        let s = draft();
        let s = s.moved(SowStatus::Proposed, today()).unwrap();
        s.moved(SowStatus::Signed, today()).unwrap()
    }

    #[test]
    fn hours_are_exact_hundredths() {
        assert_eq!(Hours::from_decimal("h", 1.5).unwrap(), Hours(150));
        assert_eq!(Hours::from_decimal("h", 0.25).unwrap(), Hours(25));
        assert!(Hours::from_decimal("h", 0.125).is_err());
        assert!(Hours::from_decimal("h", f64::NAN).is_err());
        assert_eq!(Hours(150).to_string(), "1.50 h");
    }

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

    #[test]
    fn rate_cards_refuse_duplicate_roles_and_free_rates() {
        let bad = NewSow {
            title: "T".into(),
            currency: None,
            fixed_price: 0,
            rate_card: vec![
                Rate {
                    role: "Dev".into(),
                    hourly_rate: 1,
                },
                Rate {
                    role: "dev".into(),
                    hourly_rate: 2,
                },
            ],
            scope: vec![],
            tm_hours_cap: None,
            tm_amount_cap: None,
        };
        assert!(
            bad.validate(&[])
                .unwrap_err()
                .to_string()
                .contains("appears twice")
        );
    }

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

    #[test]
    fn time_is_validated_and_priced_at_the_roles_rate() {
        let s = signed();
        let entry = |hours: i64, role: &str, day: NaiveDate| NewTimeEntry {
            team_member_id: TeamMemberId::new(),
            role: role.into(),
            phase_id: None,
            worked_on: day,
            hours: Hours(hours),
            kind: WorkKind::TimeAndMaterials,
            note: None,
        };
        let e = entry(150, "developer", today())
            .validate(&s, &[], today())
            .unwrap();
        assert_eq!(e.amount, 18_000);
        assert_eq!(e.role, "Developer");
        assert!(
            entry(0, "Developer", today())
                .validate(&s, &[], today())
                .is_err()
        );
        assert!(
            entry(2401, "Developer", today())
                .validate(&s, &[], today())
                .is_err()
        );
        let future = today().succ_opt().unwrap();
        assert!(
            entry(100, "Developer", future)
                .validate(&s, &[], today())
                .is_err()
        );
        let err = entry(100, "Designer", today())
            .validate(&s, &[], today())
            .unwrap_err();
        assert!(
            err.to_string().contains("Solutions Architect, Developer"),
            "{err}"
        );
        assert!(
            entry(100, "Developer", today())
                .validate(&draft(), &[], today())
                .is_err()
        );
    }

    #[test]
    fn figures_show_burn_share_and_forecast() {
        let s = signed();
        let logged = LoggedTime {
            in_scope_hours: Hours(3000),
            tm_hours: Hours(1000),
            tm_amount: 125_000,
        };
        let f = figures(&s.data, logged, &[]);
        assert_eq!(f.burn_percent, Some(25.0));
        assert_eq!(f.tm_share_percent, Some(25.0));
        assert_eq!(f.forecast_in_scope_hours, Hours(11000));
        let none = figures(&s.data, LoggedTime::default(), &[]);
        assert_eq!(none.tm_share_percent, None);
    }
}
