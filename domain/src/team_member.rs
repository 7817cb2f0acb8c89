//! Team members: the people at the vendor.

use chrono::{DateTime, Utc};

use crate::auth::Role;
use crate::hours::Hours;
use crate::ids::TeamMemberId;
use crate::{DomainError, DomainResult, Patch, text};

crate::text_enum! {
    /// The team a person works in.
    pub enum Team {
        /// Professional services: engagements and statements of work.
        Services = "SERVICES",
        /// Customer success: health, plans and renewals.
        CustomerSuccess = "CUSTOMER_SUCCESS",
        /// Product management.
        Product = "PRODUCT",
        /// Sales.
        Sales = "SALES",
    }
}

/// The editable fields of a team member, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMemberData {
    /// Full name.
    pub name: String,
    /// Work e-mail address, unique across the team.
    pub email: String,
    /// Job title.
    pub title: Option<String>,
    /// The team they work in.
    pub team: Team,
    /// The access role their tokens carry.
    pub role: Role,
    /// Hours they work in a full week: the base of their capacity.
    pub weekly_capacity: Hours,
    /// A services lead: with the SERVICES role, may approve and return other people's
    /// timesheets.
    pub lead: bool,
}

/// The hours of a full week when none is given.
pub const DEFAULT_WEEKLY_CAPACITY: Hours = Hours(4000);

/// A team member as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamMember {
    /// Its id; also the `sub` of the person's tokens.
    pub id: TeamMemberId,
    /// Its fields.
    pub data: TeamMemberData,
    /// Bumped on every change.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was archived, if it was.
    pub archived_at: Option<DateTime<Utc>>,
}

/// A new team member as typed.
#[derive(Debug, Clone)]
pub struct NewTeamMember {
    pub name: String,
    pub email: String,
    pub title: Option<String>,
    pub team: Team,
    pub role: Role,
    pub weekly_capacity: Option<Hours>,
    pub lead: bool,
}

/// A change to a team member as typed.
#[derive(Debug, Clone, Default)]
pub struct TeamMemberPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub title: Patch<String>,
    pub team: Option<Team>,
    pub role: Option<Role>,
    pub weekly_capacity: Option<Hours>,
    pub lead: Option<bool>,
}

/// A team member works at the vendor: CUSTOMER is a customer's token, never a member's role.
fn vendor_role(role: Role) -> DomainResult<Role> {
    if !role.is_vendor() {
        return Err(DomainError::invalid(
            "role",
            "CUSTOMER is for a customer's contacts, not for people at the vendor; choose one of \
             ADMIN, CS_MANAGER, SERVICES, PRODUCT, VIEWER or INTEGRATION",
        ));
    }
    Ok(role)
}

/// Weekly capacity is at most 80 hours.
fn capacity(hours: Hours) -> DomainResult<Hours> {
    if !(0..=8000).contains(&hours.0) {
        return Err(DomainError::invalid(
            "weeklyCapacityHours",
            format!("{hours} is not in [0, 80] hours a week"),
        ));
    }
    Ok(hours)
}

impl NewTeamMember {
    /// Validates every field.
    pub fn validate(self) -> DomainResult<TeamMemberData> {
        Ok(TeamMemberData {
            name: text::required("name", &self.name, 200)?,
            email: text::email("email", &self.email)?,
            title: text::optional("title", self.title.as_deref(), 200)?,
            team: self.team,
            role: vendor_role(self.role)?,
            weekly_capacity: capacity(self.weekly_capacity.unwrap_or(DEFAULT_WEEKLY_CAPACITY))?,
            lead: self.lead,
        })
    }
}

impl TeamMember {
    /// The member's fields after `patch`; refused when the member is archived.
    pub fn patched(&self, patch: TeamMemberPatch) -> DomainResult<TeamMemberData> {
        if self.archived_at.is_some() {
            return Err(DomainError::Conflict(format!(
                "team member '{}' is archived; archived team members cannot be changed",
                self.data.name
            )));
        }
        let d = self.data.clone();
        Ok(TeamMemberData {
            name: match patch.name {
                Some(n) => text::required("name", &n, 200)?,
                None => d.name,
            },
            email: match patch.email {
                Some(e) => text::email("email", &e)?,
                None => d.email,
            },
            title: match patch.title {
                Patch::Keep => d.title,
                Patch::Clear => None,
                Patch::Set(t) => text::optional("title", Some(&t), 200)?,
            },
            team: patch.team.unwrap_or(d.team),
            role: match patch.role {
                Some(r) => vendor_role(r)?,
                None => d.role,
            },
            weekly_capacity: match patch.weekly_capacity {
                Some(h) => capacity(h)?,
                None => d.weekly_capacity,
            },
            lead: patch.lead.unwrap_or(d.lead),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_member_needs_a_valid_email() {
        let err = NewTeamMember {
            name: "Sam".into(),
            email: "sam".into(),
            title: None,
            team: Team::Services,
            role: Role::Services,
            weekly_capacity: None,
            lead: false,
        }
        .validate()
        .unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "email"));
    }

    #[test]
    fn a_team_member_never_holds_the_customer_role() {
        let err = NewTeamMember {
            name: "Sam".into(),
            email: "sam@vendor.example".into(),
            title: None,
            team: Team::Services,
            role: Role::Customer,
            weekly_capacity: None,
            lead: false,
        }
        .validate()
        .unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "role"));
    }
}
