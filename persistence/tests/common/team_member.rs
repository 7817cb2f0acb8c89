//! The vendor's people as tests arrange them.

use tandem_domain::auth::{Principal, Role};
use tandem_domain::ids::TeamMemberId;
use tandem_domain::team_member::{NewTeamMember, Team, TeamMember};
use tandem_persistence::{Store, team_member};

/// A customer success manager named `name`, at `name@vendor.io` in lower case.
pub async fn member(store: &Store, name: &str) -> TeamMemberId {
    create(store, name, Team::CustomerSuccess, Role::CsManager, false)
        .await
        .id
}

/// A services developer named `name`, at `name@vendor.io` in lower case; a lead when `lead`.
pub async fn developer(store: &Store, name: &str, lead: bool) -> TeamMember {
    create(store, name, Team::Services, Role::Services, lead).await
}

async fn create(store: &Store, name: &str, team: Team, role: Role, lead: bool) -> TeamMember {
    team_member::create(
        store,
        "t",
        NewTeamMember {
            name: name.into(),
            email: format!("{}@vendor.io", name.to_lowercase()),
            title: None,
            team,
            role,
            weekly_capacity: None,
            lead,
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap()
}

/// An administrator, who may decide any timesheet.
pub fn admin() -> Principal {
    Principal::vendor("admin", Role::Admin)
}
