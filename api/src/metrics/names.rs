//! Operation names to counter slots: read per request without a lock or an allocation.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use foldhash::fast::RandomState;
use thread_local::ThreadLocal;

use super::series::{ANONYMOUS, FIRST_NAMED, MAX_OPERATIONS, OTHER};

type Map = HashMap<Box<str>, usize, RandomState>;

/// The longest operation name given a slot of its own.
const MAX_NAME_LEN: usize = 128;

/// The names given slots, in slot order, and the way to find a name's slot.
#[derive(Default)]
pub(super) struct Names {
    /// Every name given a slot; taken only when a thread meets a name it has not seen.
    registered: Mutex<Registered>,
    /// The full table, shared read-only once no slot is left: from then on a lookup needs
    /// neither the lock nor a thread's own copy.
    frozen: OnceLock<Map>,
    /// Each thread's copy of the names it has met, while slots are left.
    local: ThreadLocal<RefCell<Map>>,
}

#[derive(Default)]
struct Registered {
    slots: Map,
    names: Vec<Box<str>>,
}

impl Names {
    /// The slot of a request's operation name.
    #[inline]
    pub(super) fn slot(&self, name: Option<&str>) -> usize {
        let Some(name) = name else {
            return ANONYMOUS;
        };
        if let Some(frozen) = self.frozen.get() {
            return frozen.get(name).copied().unwrap_or(OTHER);
        }
        let local = self.local.get_or(RefCell::default);
        if let Some(&slot) = local.borrow().get(name) {
            return slot;
        }
        self.register(name, local)
    }

    #[cold]
    fn register(&self, name: &str, local: &RefCell<Map>) -> usize {
        if !is_graphql_name(name) {
            return OTHER;
        }
        let slot = {
            let mut registered = self
                .registered
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match registered.slots.get(name) {
                Some(&slot) => slot,
                None if registered.names.len() < MAX_OPERATIONS => {
                    let slot = FIRST_NAMED + registered.names.len();
                    registered.slots.insert(name.into(), slot);
                    registered.names.push(name.into());
                    if registered.names.len() == MAX_OPERATIONS {
                        let _ = self.frozen.set(registered.slots.clone());
                    }
                    slot
                }
                None => OTHER,
            }
        };
        if slot != OTHER {
            local.borrow_mut().insert(name.into(), slot);
        }
        slot
    }

    /// The label of every slot that may have counts, in slot order.
    pub(super) fn labels(&self) -> Vec<Box<str>> {
        let registered = self
            .registered
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut labels: Vec<Box<str>> = vec!["(anonymous)".into(), "(other)".into()];
        labels.extend(registered.names.iter().cloned());
        labels
    }
}

/// `/[_A-Za-z][_0-9A-Za-z]*/`, not too long: what a GraphQL operation may be called, and a
/// label value that needs no escaping.
fn is_graphql_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= MAX_NAME_LEN
        && bytes
            .next()
            .is_some_and(|b| b == b'_' || b.is_ascii_alphabetic())
        && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_past_the_cap_and_odd_names_share_a_slot() {
        let names = Names::default();
        assert_eq!(names.slot(None), ANONYMOUS);
        assert_eq!(names.slot(Some("First")), FIRST_NAMED);
        assert_eq!(names.slot(Some("First")), FIRST_NAMED, "found again");
        assert_eq!(names.slot(Some("not a name")), OTHER);
        assert_eq!(names.slot(Some("(other)")), OTHER);
        assert_eq!(names.slot(Some(&"a".repeat(MAX_NAME_LEN + 1))), OTHER);
        for i in 1..MAX_OPERATIONS {
            assert_eq!(names.slot(Some(&format!("Op{i}"))), FIRST_NAMED + i);
        }
        assert!(names.frozen.get().is_some(), "the table is full");
        assert_eq!(names.slot(Some("OneTooMany")), OTHER);
        assert_eq!(names.slot(Some("Op7")), FIRST_NAMED + 7);
        // Another thread, with no copy of its own, finds the same slots.
        std::thread::scope(|s| {
            s.spawn(|| assert_eq!(names.slot(Some("First")), FIRST_NAMED));
        });
        let labels = names.labels();
        assert_eq!(labels.len(), FIRST_NAMED + MAX_OPERATIONS);
        assert_eq!(&*labels[FIRST_NAMED], "First");
    }
}
