//! Memoisation of what is slow to compute (measure scores, account lists, timelines), keyed by
//! the store's state token so an ingest invalidates everything derived from the old state.
//!
//! Concurrent requests for the same key wait for one computation instead of each scanning the
//! store.

use crate::error::ApiResult;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

pub struct Memo<K, V> {
    cap: usize,
    map: Mutex<HashMap<K, Arc<OnceLock<ApiResult<V>>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    pub fn new(cap: usize) -> Memo<K, V> {
        Memo {
            cap,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The cached value for `key`, computing it with `f` once. `stale` tells which keys belong
    /// to an older store state and may be dropped first when the cache is full.
    pub fn get(
        &self,
        key: &K,
        stale: impl Fn(&K) -> bool,
        f: impl FnOnce() -> ApiResult<V>,
    ) -> ApiResult<V> {
        let cell = {
            let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            if !map.contains_key(key) && map.len() >= self.cap {
                map.retain(|k, _| !stale(k));
                if map.len() >= self.cap {
                    map.clear();
                }
            }
            map.entry(key.clone()).or_default().clone()
        };
        let out = cell.get_or_init(f).clone();
        if out.is_err() {
            // Failures are not remembered: the next request tries again.
            let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            if map.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                map.remove(key);
            }
        }
        out
    }

    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
