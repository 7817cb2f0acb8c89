//! Who may do what. Every authorization rule lives here, once, so that the API and the tests
//! ask the same table: the roles and their actions in [`role`], the caller in [`Principal`].

pub(crate) mod role;

pub use role::{Action, Role};

use crate::ids::{AccountId, ContactId};
use crate::{DomainError, DomainResult};

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's subject: a team member's id, a machine client's name, or (for a customer)
    /// whatever the identity provider names the person by.
    pub subject: String,
    /// The role the token grants.
    pub role: Role,
    /// What a CUSTOMER token names: `Some` exactly when the principal was made by
    /// [`Principal::customer`]. A CUSTOMER without it sees nothing at all.
    pub customer: Option<CustomerScope>,
}

/// The accounts a customer's token lets it see (one, or several for a group) and the contact it
/// acts as: the boundary of every row a CUSTOMER may reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerScope {
    accounts: Vec<AccountId>,
    contact: ContactId,
}

impl CustomerScope {
    /// A scope over `accounts` (at least one; repeats are dropped) acting as `contact`.
    pub fn new(accounts: Vec<AccountId>, contact: ContactId) -> DomainResult<CustomerScope> {
        let mut accounts = accounts;
        accounts.sort_by_key(|a| a.0);
        accounts.dedup();
        if accounts.is_empty() {
            return Err(DomainError::invalid(
                "accounts",
                "a customer's token must name at least one account",
            ));
        }
        Ok(CustomerScope { accounts, contact })
    }

    /// The accounts the customer may see, in id order.
    pub fn accounts(&self) -> &[AccountId] {
        &self.accounts
    }

    /// The contact the customer acts as: the author of what it does.
    pub fn contact(&self) -> ContactId {
        self.contact
    }

    /// Whether `account` is one of the customer's own.
    pub fn includes(&self, account: AccountId) -> bool {
        self.accounts
            .binary_search_by_key(&account.0, |a| a.0)
            .is_ok()
    }
}

impl Principal {
    /// A vendor's caller: a team member or a machine client with `role`.
    pub fn vendor(subject: impl Into<String>, role: Role) -> Principal {
        Principal {
            subject: subject.into(),
            role,
            customer: None,
        }
    }

    /// A customer's caller, seeing only `scope`.
    pub fn customer(subject: impl Into<String>, scope: CustomerScope) -> Principal {
        Principal {
            subject: subject.into(),
            role: Role::Customer,
            customer: Some(scope),
        }
    }

    /// Whether the caller is a customer rather than the vendor. A principal that claims the
    /// CUSTOMER role is one, with or without a scope.
    pub fn is_customer(&self) -> bool {
        self.role == Role::Customer || self.customer.is_some()
    }

    /// Whether the caller may see `account` at all: a vendor role that may read sees every
    /// account, a customer only its own.
    pub fn may_see_account(&self, account: AccountId) -> bool {
        if self.is_customer() {
            self.customer.as_ref().is_some_and(|s| s.includes(account))
        } else {
            self.can(Action::Read)
        }
    }

    /// Whether the caller may take `action`. Never for a customer: its allowances are decided
    /// field by field and row by row, not by the vendor's table.
    pub fn can(&self, action: Action) -> bool {
        !self.is_customer() && action.allowed_roles().contains(&self.role)
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
        Principal::vendor("test", role)
    }

    fn customer(accounts: &[u128], contact: u128) -> Principal {
        let accounts = accounts
            .iter()
            .map(|n| AccountId(uuid::Uuid::from_u128(*n)))
            .collect();
        let scope = CustomerScope::new(accounts, ContactId(uuid::Uuid::from_u128(contact)));
        Principal::customer("someone@customer.example", scope.unwrap())
    }

    /// Every action there is, so that a new one cannot be forgotten by the tests below.
    const ACTIONS: [Action; 24] = [
        Action::Read,
        Action::SeeMoney,
        Action::WriteAccount,
        Action::ArchiveAccount,
        Action::WriteContact,
        Action::ArchiveContact,
        Action::ManageTeam,
        Action::WriteEngagement,
        Action::WriteCatalog,
        Action::ReadInsights,
        Action::WriteSignals,
        Action::RecordRevenue,
        Action::WriteSuccessPlan,
        Action::ManageHealth,
        Action::ManagePlaybooks,
        Action::WriteTask,
        Action::ManageWebhooks,
        Action::LogActivity,
        Action::WriteRisk,
        Action::ManageRenewals,
        Action::PlanCapacity,
        Action::ManageOpportunities,
        Action::ManageServicesOpportunities,
        Action::ConfigureOpportunityStages,
    ];

    #[test]
    fn every_vendor_role_may_read() {
        for role in Role::VENDOR {
            assert!(principal(role).can(Action::Read), "{role}");
        }
    }

    #[test]
    fn a_customer_is_granted_no_action() {
        let scoped = customer(&[1], 9);
        // A principal that claims the role without a scope (as a careless caller might build
        // it) is no better off.
        let bare = Principal::vendor("x", Role::Customer);
        for action in ACTIONS {
            assert!(!scoped.can(action), "{action}");
            assert!(!bare.can(action), "{action}");
            let err = scoped.authorize(action).unwrap_err();
            assert!(
                err.to_string().starts_with("the CUSTOMER role may not"),
                "{err}"
            );
        }
        assert!(
            ACTIONS
                .iter()
                .all(|a| !a.allowed_roles().contains(&Role::Customer))
        );
    }

    #[test]
    fn a_customer_sees_only_its_own_accounts() {
        let group = customer(&[3, 1, 3], 9);
        let account = |n: u128| AccountId(uuid::Uuid::from_u128(n));
        assert!(group.may_see_account(account(1)));
        assert!(group.may_see_account(account(3)));
        assert!(!group.may_see_account(account(2)));
        assert!(!Principal::vendor("x", Role::Customer).may_see_account(account(1)));
        assert!(principal(Role::Viewer).may_see_account(account(2)));
        let scope = group.customer.as_ref().unwrap();
        assert_eq!(scope.accounts(), &[account(1), account(3)]);
        assert_eq!(scope.contact(), ContactId(uuid::Uuid::from_u128(9)));
        assert!(group.is_customer());
        assert!(!principal(Role::Admin).is_customer());
    }

    #[test]
    fn a_customer_scope_needs_an_account() {
        let err = CustomerScope::new(vec![], ContactId(uuid::Uuid::from_u128(9))).unwrap_err();
        assert!(err.to_string().contains("at least one account"), "{err}");
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
        assert_eq!("customer".parse::<Role>().unwrap(), Role::Customer);
        assert!(Role::VENDOR.iter().all(|r| r.is_vendor()));
        assert!(!Role::Customer.is_vendor());
    }
}
