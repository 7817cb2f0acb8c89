//! How a loader batches (at most [`MAX_BATCH`] keys, cached per request or not) and how a
//! batch's rows are handed to the keys that asked for them.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

/// The most keys one batch carries.
const MAX_BATCH: usize = 500;

/// A loader that batches at most [`MAX_BATCH`] keys and caches what it loaded when `cached`.
pub(crate) fn make<T: Loader<K>, K: Send + Sync + std::hash::Hash + Eq + Clone + 'static>(
    loader: T,
    cached: bool,
) -> DataLoader<T, HashMapCache> {
    let loader = DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
        .max_batch_size(MAX_BATCH);
    loader.enable_all_cache(cached);
    loader
}

/// Lists a loader hands out many times (into its cache, to each caller that asked) behind an
/// `Arc`: a dashboard's phases would otherwise be deep-copied twice before any is resolved.
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
