//! Contacts: the people at a customer organisation.

use chrono::{DateTime, Utc};

use crate::ids::{AccountId, ContactId};
use crate::{DomainError, DomainResult, Patch, text};

crate::text_enum! {
    /// The part a contact plays in the relationship.
    pub enum StakeholderRole {
        /// Argues for the product inside the customer.
        Champion = "CHAMPION",
        /// Signs or vetoes.
        DecisionMaker = "DECISION_MAKER",
        /// Uses the product day to day.
        EndUser = "END_USER",
        /// Receives and pays the invoices.
        Billing = "BILLING",
    }
}

/// The editable fields of a contact, validated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactData {
    /// Full name.
    pub name: String,
    /// E-mail address, unique among the account's active contacts.
    pub email: String,
    /// Job title.
    pub title: Option<String>,
    /// Phone number, as typed.
    pub phone: Option<String>,
    /// The part the contact plays.
    pub stakeholder_role: StakeholderRole,
}

/// A contact as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// Its id.
    pub id: ContactId,
    /// The account it belongs to.
    pub account_id: AccountId,
    /// Its fields.
    pub data: ContactData,
    /// Bumped on every change.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was archived, if it was.
    pub archived_at: Option<DateTime<Utc>>,
}

/// A new contact as typed.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub name: String,
    pub email: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub stakeholder_role: StakeholderRole,
}

/// A change to a contact as typed.
#[derive(Debug, Clone, Default)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub title: Patch<String>,
    pub phone: Patch<String>,
    pub stakeholder_role: Option<StakeholderRole>,
}

fn phone(field: &str, value: Option<&str>) -> DomainResult<Option<String>> {
    let value = text::optional(field, value, 40)?;
    if let Some(v) = &value {
        let digits = v.chars().filter(char::is_ascii_digit).count();
        let allowed = v
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.'));
        if digits < 4 || !allowed {
            return Err(DomainError::invalid(
                field,
                format!("'{v}' is not a phone number (digits, spaces and + - ( ) . only)"),
            ));
        }
    }
    Ok(value)
}

impl NewContact {
    /// Validates every field.
    pub fn validate(self) -> DomainResult<ContactData> {
        Ok(ContactData {
            name: text::required("name", &self.name, 200)?,
            email: text::email("email", &self.email)?,
            title: text::optional("title", self.title.as_deref(), 200)?,
            phone: phone("phone", self.phone.as_deref())?,
            stakeholder_role: self.stakeholder_role,
        })
    }
}

impl Contact {
    /// The contact's fields after `patch`; refused when the contact is archived.
    pub fn patched(&self, patch: ContactPatch) -> DomainResult<ContactData> {
        self.ensure_active()?;
        let d = self.data.clone();
        Ok(ContactData {
            name: match patch.name {
                Some(n) => text::required("name", &n, 200)?,
                None => d.name,
            },
            email: match patch.email {
                Some(e) => text::email("email", &e)?,
                None => d.email,
            },
            title: patch
                .title
                .try_apply(d.title, |v| text::optional("title", Some(&v), 200))?,
            phone: patch
                .phone
                .try_apply(d.phone, |v| phone("phone", Some(&v)))?,
            stakeholder_role: patch.stakeholder_role.unwrap_or(d.stakeholder_role),
        })
    }

    /// Refuses changes to an archived contact.
    pub fn ensure_active(&self) -> DomainResult<()> {
        match self.archived_at {
            Some(_) => Err(DomainError::Conflict(format!(
                "contact '{}' is archived; archived contacts cannot be changed",
                self.data.name
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_contact() -> NewContact {
        NewContact {
            name: "Ann Lee".into(),
            email: "Ann@Acme.com".into(),
            title: Some("VP Digital".into()),
            phone: Some("+1 (555) 010-2000".into()),
            stakeholder_role: StakeholderRole::Champion,
        }
    }

    #[test]
    fn a_new_contact_is_normalised() {
        let data = new_contact().validate().unwrap();
        assert_eq!(data.email, "ann@acme.com");
        assert_eq!(data.phone.as_deref(), Some("+1 (555) 010-2000"));
    }

    #[test]
    fn a_bad_phone_number_is_refused() {
        for bad in ["call me", "12", "+1 555 CALL"] {
            let err = NewContact {
                phone: Some(bad.into()),
                ..new_contact()
            }
            .validate()
            .unwrap_err();
            assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "phone"));
        }
    }

    #[test]
    fn a_patch_can_clear_the_title() {
        let now = Utc::now();
        let contact = Contact {
            id: ContactId::new(),
            account_id: AccountId::new(),
            data: new_contact().validate().unwrap(),
            version: 1,
            created_at: now,
            updated_at: now,
            archived_at: None,
        };
        let patched = contact
            .patched(ContactPatch {
                title: Patch::Clear,
                ..ContactPatch::default()
            })
            .unwrap();
        assert_eq!(patched.title, None);
        assert_eq!(patched.name, "Ann Lee");
    }
}
