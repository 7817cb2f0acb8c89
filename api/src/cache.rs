//! Bounded memo tables for work that is a pure function of request text and that every request
//! would otherwise repeat: parsing a GraphQL document, verifying a bearer token. Never answers:
//! what a request reads or may do is decided afresh each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use thread_local::ThreadLocal;

/// Keys are whole query texts and tokens: foldhash reads them several times faster than the
/// standard library's SipHash, and is seeded at random per table like it.
type Table<V> = HashMap<Arc<str>, V, foldhash::fast::RandomState>;

/// Values by text key, at most `capacity` of them per thread, in two generations: a hit in the
/// older generation moves to the newer one; when the newer is full, the older is dropped and the
/// newer takes its place. So what is in use stays, a flood of one-off keys evicts only other
/// one-off keys after a while, and every operation is O(1).
///
/// Each thread (each HTTP worker) keeps its own table. A table shared by the workers made every
/// lookup take a lock that the last lookup had left in the other core's cache; a worker now
/// finds its own lock where it left it, at the price of learning each key once per worker.
pub struct Memo<V: Send> {
    half: usize,
    shards: ThreadLocal<Mutex<Generations<V>>>,
}

struct Generations<V> {
    new: Table<V>,
    old: Table<V>,
}

impl<V: Clone + Send> Memo<V> {
    /// A table of at most `capacity` entries per thread (at least 2).
    pub fn new(capacity: usize) -> Memo<V> {
        Memo {
            half: (capacity / 2).max(1),
            shards: ThreadLocal::new(),
        }
    }

    /// This thread's table.
    fn shard(&self) -> MutexGuard<'_, Generations<V>> {
        self.shards
            .get_or(|| {
                Mutex::new(Generations {
                    new: Table::default(),
                    old: Table::default(),
                })
            })
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The value kept for `key`, if any.
    pub fn get(&self, key: &str) -> Option<V> {
        let mut g = self.shard();
        if let Some(hit) = g.new.get(key) {
            return Some(hit.clone());
        }
        let (key, hit) = g.old.remove_entry(key)?;
        self.insert(&mut g, key, hit.clone());
        Some(hit)
    }

    /// Keeps `value` for `key`.
    pub fn put(&self, key: &str, value: V) {
        let mut g = self.shard();
        self.insert(&mut g, Arc::from(key), value);
    }

    /// Forgets `key`, on every thread.
    pub fn remove(&self, key: &str) {
        for shard in self.shards.iter() {
            let mut g = shard.lock().unwrap_or_else(|e| e.into_inner());
            g.new.remove(key);
            g.old.remove(key);
        }
    }

    /// How many entries are kept, on all threads together.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| {
                let g = shard.lock().unwrap_or_else(|e| e.into_inner());
                g.new.len() + g.old.len()
            })
            .sum()
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

    #[test]
    fn each_thread_keeps_its_own_table() {
        let memo = Memo::new(4);
        memo.put("here", 1);
        std::thread::scope(|s| {
            s.spawn(|| {
                assert_eq!(memo.get("here"), None, "another thread's entry");
                for i in 0..10 {
                    memo.put(&i.to_string(), i);
                }
                assert_eq!(memo.len(), 1 + 4, "each thread is bounded by itself");
            });
        });
        assert_eq!(
            memo.get("here"),
            Some(1),
            "evicted by another thread's keys"
        );
        memo.remove("9");
        assert_eq!(memo.len(), 1 + 3, "a removed key is gone on every thread");
    }
}
