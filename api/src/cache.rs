//! Bounded memo tables for work that is a pure function of request text and that every request
//! would otherwise repeat: parsing a GraphQL document, verifying a bearer token. Never answers:
//! what a request reads or may do is decided afresh each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Keys are whole query texts and tokens: foldhash reads them several times faster than the
/// standard library's SipHash, and is seeded at random per table like it.
type Table<V> = HashMap<Arc<str>, V, foldhash::fast::RandomState>;

/// Values by text key, at most `capacity` of them, in two generations: a hit in the older
/// generation moves to the newer one; when the newer is full, the older is dropped and the
/// newer takes its place. So what is in use stays, a flood of one-off keys evicts only other
/// one-off keys after a while, and every operation is O(1) under one short lock.
pub struct Memo<V> {
    half: usize,
    generations: Mutex<Generations<V>>,
}

struct Generations<V> {
    new: Table<V>,
    old: Table<V>,
}

impl<V: Clone> Memo<V> {
    /// A table of at most `capacity` entries (at least 2).
    pub fn new(capacity: usize) -> Memo<V> {
        Memo {
            half: (capacity / 2).max(1),
            generations: Mutex::new(Generations {
                new: Table::default(),
                old: Table::default(),
            }),
        }
    }

    /// The value kept for `key`, if any.
    pub fn get(&self, key: &str) -> Option<V> {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = g.new.get(key) {
            return Some(hit.clone());
        }
        let (key, hit) = g.old.remove_entry(key)?;
        self.insert(&mut g, key, hit.clone());
        Some(hit)
    }

    /// Keeps `value` for `key`.
    pub fn put(&self, key: &str, value: V) {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        self.insert(&mut g, Arc::from(key), value);
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &str) {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        g.new.remove(key);
        g.old.remove(key);
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        let g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        g.new.len() + g.old.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn insert(&self, g: &mut Generations<V>, key: Arc<str>, value: V) {
        if g.new.len() >= self.half && !g.new.contains_key(&key) {
            g.old = std::mem::take(&mut g.new);
        }
        g.new.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_never_holds_more_than_its_capacity() {
        let memo = Memo::new(8);
        for i in 0..100 {
            memo.put(&i.to_string(), i);
            assert!(memo.len() <= 8, "{} entries", memo.len());
        }
        assert_eq!(memo.get("99"), Some(99));
        assert_eq!(memo.get("0"), None);
    }

    #[test]
    fn what_is_in_use_stays() {
        let memo = Memo::new(8);
        memo.put("hot", 0);
        for i in 0..100 {
            memo.put(&i.to_string(), i);
            assert_eq!(memo.get("hot"), Some(0), "evicted after {i}");
        }
    }

    #[test]
    fn a_removed_key_is_gone() {
        let memo = Memo::new(8);
        memo.put("a", 1);
        memo.remove("a");
        assert_eq!(memo.get("a"), None);
        assert!(memo.is_empty());
    }
}
