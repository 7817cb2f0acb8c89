//! Tandem's domain: the types, rules, state machines and formulas that every other crate
//! builds on.
//!
//! Nothing here performs I/O or knows about SQL, HTTP or GraphQL, so every rule is unit-testable
//! on its own. The persistence layer stores these types; the API layer exposes them.

pub mod account;
pub mod activity;
pub mod auth;
pub mod baseline;
pub mod catalog;
pub mod contact;
pub mod engagement;
pub mod engagement_outcome;
pub mod engagement_progress;
pub mod error;
pub mod event;
pub mod health;
pub mod hours;
pub mod ids;
mod machine;
pub mod metrics;
pub mod money;
pub mod opportunity;
pub mod outcome;
pub mod outcome_comparison;
pub mod outlook;
pub mod playbook;
pub mod relay;
pub mod renewal;
pub mod segment;
pub mod signals;
pub mod sow;
pub mod success;
pub mod sync;
pub mod team_member;
pub mod template;
pub mod text;
pub mod timesheet;
pub mod value_timeline;
pub mod webhook;

pub use error::{DomainError, DomainResult};

/// Declares a closed set of named values, stored and exchanged as upper-case text.
///
/// Each variant gets its text name (`as_str`), a parser that names the allowed values when it
/// refuses one, and `ALL`, the list of values.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's name, as stored and as shown in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "'{}' is not a {}; expected one of {}",
                        s,
                        stringify!($name),
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

/// A change to one optional field of an update: leave it, set it, or clear it.
///
/// GraphQL distinguishes an absent field (leave it) from an explicit `null` (clear it); this
/// keeps that distinction through the layers.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Patch<T> {
    /// Leave the field as it is.
    #[default]
    Keep,
    /// Set the field to a value.
    Set(T),
    /// Clear the field.
    Clear,
}

impl<T> Patch<T> {
    /// The field's new value, given its current one.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Keep => current,
            Patch::Set(v) => Some(v),
            Patch::Clear => None,
        }
    }

    /// [`apply`](Self::apply) with a value that is set passing `check` first, which may refuse
    /// it or turn it into none (a blank text, say).
    pub fn try_apply<E>(
        self,
        current: Option<T>,
        check: impl FnOnce(T) -> Result<Option<T>, E>,
    ) -> Result<Option<T>, E> {
        match self {
            Patch::Keep => Ok(current),
            Patch::Set(v) => check(v),
            Patch::Clear => Ok(None),
        }
    }

    /// Converts a value that is set, keeping `Keep` and `Clear`; stops at the first error.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<Patch<U>, E> {
        Ok(match self {
            Patch::Keep => Patch::Keep,
            Patch::Set(v) => Patch::Set(f(v)?),
            Patch::Clear => Patch::Clear,
        })
    }
}
