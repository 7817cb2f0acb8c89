//! How a batch's rows are handed to the keys that asked for them.

use std::collections::HashMap;
use std::sync::Arc;

/// Lists a loader hands out many times (into its cache, to each caller that asked) behind an
/// `Arc`: a dashboard's 600 phases were otherwise deep-copied twice before any was resolved.
pub(crate) fn shared<K: std::hash::Hash + Eq, T>(
    lists: HashMap<K, Vec<T>>,
) -> HashMap<K, Arc<[T]>> {
    lists.into_iter().map(|(k, v)| (k, v.into())).collect()
}

/// Groups `items` by `key`, in their order.
pub(crate) fn group<K: std::hash::Hash + Eq, V>(
    items: Vec<V>,
    key: impl Fn(&V) -> K,
) -> HashMap<K, Vec<V>> {
    let mut out: HashMap<K, Vec<V>> = HashMap::new();
    for item in items {
        out.entry(key(&item)).or_default().push(item);
    }
    out
}
