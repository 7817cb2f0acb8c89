//! Who may do what. Every authorization rule lives here, once, so that the API and the tests
//! ask the same table: the roles and their actions in [`role`], the caller in [`Principal`].

pub(crate) mod role;

pub use role::{Action, Role};

use crate::{DomainError, DomainResult};

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's subject: a team member's id, or a machine client's name.
    pub subject: String,
    /// The role the token grants.
    pub role: Role,
}

impl Principal {
    /// Whether the caller may take `action`.
    pub fn can(&self, action: Action) -> bool {
        action.allowed_roles().contains(&self.role)
    }

    /// `Ok` when the caller may take `action`, else a [`DomainError::Forbidden`] that names the
    /// role and the action.
    pub fn authorize(&self, action: Action) -> DomainResult<()> {
        if self.can(action) {
            Ok(())
        } else {
            Err(DomainError::Forbidden {
                role: self.role,
                action,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            subject: "test".into(),
            role,
        }
    }

    #[test]
    fn every_role_may_read() {
        for role in Role::ALL {
            assert!(principal(role).can(Action::Read), "{role}");
        }
    }

    #[test]
    fn product_and_viewer_do_not_see_money() {
        for (role, sees) in [
            (Role::Admin, true),
            (Role::CsManager, true),
            (Role::Services, true),
            (Role::Integration, true),
            (Role::Product, false),
            (Role::Viewer, false),
        ] {
            assert_eq!(principal(role).can(Action::SeeMoney), sees, "{role}");
        }
    }

    #[test]
    fn only_admins_manage_the_team() {
        for role in Role::ALL {
            assert_eq!(principal(role).can(Action::ManageTeam), role == Role::Admin);
        }
    }

    #[test]
    fn a_refusal_names_the_role_and_the_action() {
        let err = principal(Role::Viewer)
            .authorize(Action::WriteAccount)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the VIEWER role may not create or update accounts"
        );
    }

    #[test]
    fn roles_parse_case_insensitively_and_name_the_choices_when_unknown() {
        assert_eq!("cs_manager".parse::<Role>().unwrap(), Role::CsManager);
        let err = "boss".parse::<Role>().unwrap_err();
        assert!(err.contains("ADMIN, CS_MANAGER"), "{err}");
    }
}
