//! What a SOW sells: its rate card, its fixed-price scope and T&M caps ([`SowData`]), and
//! their validation as typed ([`NewSow`]).

use crate::engagement::Phase;
use crate::hours::{Hours, positive_hours};
use crate::ids::PhaseId;
use crate::money::Currency;
use crate::{DomainError, DomainResult, text};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
