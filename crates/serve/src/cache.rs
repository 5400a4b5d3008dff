//! Memoisation of what is slow to compute (measure scores, account lists, timelines), keyed by
//! the store's state token so an ingest invalidates everything derived from the old state.
//!
//! Concurrent requests for the same key wait for one computation instead of each scanning the
//! store. What takes longer than a request should wait is computed in the background
//! ([`Memo::in_background`]): the caller answers with what it has (a point estimate) and the next
//! request finds the rest.

use crate::error::ApiResult;
use std::cell::Cell;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

thread_local! {
    /// What the memoised values this thread read cost to compute, wherever they were computed.
    static COST: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Runs `f` and returns, with its result, what the memoised values it read cost to compute
/// (by this call or by an earlier request): an answer read from a memo another request filled
/// is cheap to give but not to give again once the memo is gone ([`crate::answers`] keeps it).
pub fn costed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let before = COST.with(|c| c.replace(Duration::ZERO));
    let out = f();
    let cost = COST.with(|c| c.replace(before));
    (out, cost)
}

/// Adds `cost` to what the current [`costed`] call reports.
fn charge(cost: Duration) {
    COST.with(|c| c.set(c.get() + cost));
}

/// A computed value with what it cost.
type Timed<V> = ApiResult<(V, Duration)>;

/// `f` timed.
fn timed<V>(f: impl FnOnce() -> ApiResult<V>) -> Timed<V> {
    let started = Instant::now();
    f().map(|v| (v, started.elapsed()))
}

/// What [`Memo::in_background`] has for a key.
pub enum Progress<V> {
    /// Computed: the answer.
    Ready(V),
    /// Under way (started by this call or an earlier one).
    Pending,
    /// The computation failed; the next call starts it again.
    Failed(crate::error::ApiError),
}

/// Answers computed once per key and shared by every request asking for that key; when `cap`
/// keys are held, stale keys go first, then finished answers.
pub struct Memo<K, V> {
    cap: usize,
    map: Mutex<HashMap<K, Arc<OnceLock<Timed<V>>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    /// An empty memo that starts evicting at `cap` keys.
    pub fn new(cap: usize) -> Memo<K, V> {
        Memo {
            cap,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The cached value for `key`, computing it with `f` once. `stale` tells which keys belong
    /// to an older store state and may be dropped first when the cache is full. What computing
    /// it cost is charged to the current [`costed`] call, computed now or earlier.
    pub fn get(
        &self,
        key: &K,
        stale: impl Fn(&K) -> bool,
        f: impl FnOnce() -> ApiResult<V>,
    ) -> ApiResult<V> {
        let (cell, _) = self.cell(key, stale);
        // Nested memos charge their own cost inside `f`: only the outer time is kept for it.
        let ((), _) = costed(|| {
            cell.get_or_init(|| timed(f));
        });
        let out = cell.get().cloned().unwrap_or_else(|| {
            Err(crate::error::ApiError::internal(
                "a memoised value was not computed",
            ))
        });
        if let Ok((_, cost)) = &out {
            charge(*cost);
        }
        if out.is_err() {
            // Failures are not remembered: the next request tries again.
            let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            if map.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                map.remove(key);
            }
        }
        out.map(|(v, _)| v)
    }

    /// The cell of `key`, created if missing (dropping older states' entries first when the
    /// cache is full), and whether it was created by this call.
    fn cell(&self, key: &K, stale: impl Fn(&K) -> bool) -> (Arc<OnceLock<Timed<V>>>, bool) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = map.get(key) {
            return (c.clone(), false);
        }
        if map.len() >= self.cap {
            map.retain(|k, _| !stale(k));
            if map.len() >= self.cap {
                // Keep computations under way: their threads would otherwise fill cells no one
                // can find, and the next request would start them again.
                map.retain(|_, c| c.get().is_none());
            }
        }
        let c: Arc<OnceLock<Timed<V>>> = Arc::default();
        map.insert(key.clone(), c.clone());
        (c, true)
    }

    /// Whether `key` is computed or under way (without waiting or starting anything): a caller
    /// about to compute a batch leaves such keys out and waits on them through [`Memo::get`].
    pub fn known(&self, key: &K) -> bool {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .is_some_and(|cell| cell.get().is_none_or(|out| out.is_ok()))
    }

    /// The value for `key` if it is computed (without waiting or starting anything).
    pub fn ready(&self, key: &K) -> Option<V> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(key)?.get()? {
            Ok((v, _)) => Some(v.clone()),
            Err(_) => None,
        }
    }

    /// The value for `key` if it is computed; otherwise starts `f` on a thread of its own
    /// (unless a computation of `key` is already under way) and says it is pending. A failure is
    /// reported once and forgotten, so the next call starts again.
    pub fn in_background(
        &self,
        key: &K,
        stale: impl Fn(&K) -> bool,
        f: impl FnOnce() -> ApiResult<V> + Send + 'static,
    ) -> Progress<V>
    where
        V: Send + Sync + 'static,
    {
        self.in_background_then(key, stale, f, |_| {})
    }

    /// [`Memo::in_background`], and when a computation this call starts has ended, `then` is
    /// given its outcome — after the memo holds it, so whoever `then` wakes finds it there.
    pub fn in_background_then(
        &self,
        key: &K,
        stale: impl Fn(&K) -> bool,
        f: impl FnOnce() -> ApiResult<V> + Send + 'static,
        then: impl FnOnce(ApiResult<&V>) + Send + 'static,
    ) -> Progress<V>
    where
        V: Send + Sync + 'static,
    {
        let (cell, created) = self.cell(key, stale);
        if let Some(done) = self.settled(key, &cell) {
            return done;
        }
        if created {
            let computing = cell.clone();
            let spawned = std::thread::Builder::new()
                .name("renown-background".into())
                .spawn(move || {
                    let out = computing.get_or_init(|| timed(f));
                    then(out.as_ref().map(|(v, _)| v).map_err(Clone::clone));
                });
            if let Err(e) = spawned {
                let _ = cell.set(Err(crate::error::ApiError::internal(format!(
                    "cannot start a background computation: {e}"
                ))));
            }
        }
        Progress::Pending
    }

    /// What [`Memo::in_background`] would say of `key`, without starting anything: `None` when
    /// the memo holds nothing for it (never computed, or its failure already reported).
    pub fn poll(&self, key: &K) -> Option<Progress<V>> {
        let cell = self
            .map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)?
            .clone();
        Some(self.settled(key, &cell).unwrap_or(Progress::Pending))
    }

    /// Forgets a failed computation of `key` without reporting it (its waiters were told):
    /// the next call starts again. A computation under way or an answer is kept.
    pub fn forget_failure(&self, key: &K) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map
            .get(key)
            .is_some_and(|c| matches!(c.get(), Some(Err(_))))
        {
            map.remove(key);
        }
    }

    /// The outcome in `cell` (the memo's cell of `key`) if it has one, charged to the current
    /// [`costed`] call; a failure is removed as it is reported.
    fn settled(&self, key: &K, cell: &Arc<OnceLock<Timed<V>>>) -> Option<Progress<V>> {
        match cell.get()? {
            Ok((v, cost)) => {
                charge(*cost);
                Some(Progress::Ready(v.clone()))
            }
            Err(e) => {
                let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
                if map.get(key).is_some_and(|c| Arc::ptr_eq(c, cell)) {
                    map.remove(key);
                }
                Some(Progress::Failed(e.clone()))
            }
        }
    }

    /// Keys held (answered, under way or failed).
    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    fn until_ready(m: &Memo<u32, u32>, key: u32) -> Progress<u32> {
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            let p = m.in_background(&key, |_| false, || panic!("started twice"));
            if !matches!(p, Progress::Pending) || Instant::now() > until {
                return p;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn what_a_memo_cost_is_charged_to_every_reader_and_only_once_when_nested() {
        let outer: Memo<u32, u32> = Memo::new(4);
        let inner: Memo<u32, u32> = Memo::new(4);
        let nap = std::time::Duration::from_millis(30);
        let compute = || {
            outer.get(
                &1,
                |_| false,
                || {
                    std::thread::sleep(nap);
                    inner.get(
                        &2,
                        |_| false,
                        || {
                            std::thread::sleep(nap);
                            Ok(2)
                        },
                    )
                },
            )
        };
        let (v, first) = costed(compute);
        assert_eq!(v.unwrap(), 2);
        assert!(first >= 2 * nap && first < 4 * nap, "{first:?}");
        // Read again, computed by nobody now: charged what it cost to compute.
        let (v, again) = costed(compute);
        assert_eq!(v.unwrap(), 2);
        assert!(again >= 2 * nap && again < 4 * nap, "{again:?}");
        // Outside a memo nothing is charged.
        assert_eq!(costed(|| 1).1, Duration::ZERO);
    }

    #[test]
    fn a_background_computation_runs_once_and_is_then_ready() {
        let m: Memo<u32, u32> = Memo::new(4);
        let runs = Arc::new(AtomicUsize::new(0));
        let (gate, wait) = std::sync::mpsc::channel::<()>();
        let counted = runs.clone();
        let first = m.in_background(
            &7,
            |_| false,
            move || {
                wait.recv().unwrap();
                counted.fetch_add(1, Ordering::SeqCst);
                Ok(49)
            },
        );
        assert!(matches!(first, Progress::Pending));
        assert_eq!(m.ready(&7), None);
        // Asked again while under way: still pending, and nothing new starts.
        assert!(matches!(
            m.in_background(&7, |_| false, || panic!("started twice")),
            Progress::Pending
        ));
        gate.send(()).unwrap();
        assert!(matches!(until_ready(&m, 7), Progress::Ready(49)));
        assert_eq!(m.ready(&7), Some(49));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // `get` finds the same value without computing.
        assert_eq!(m.get(&7, |_| false, || panic!("recomputed")).ok(), Some(49));
    }

    #[test]
    fn a_key_under_way_or_computed_is_known_and_a_failed_one_is_not() {
        let m: Memo<u32, u32> = Memo::new(4);
        assert!(!m.known(&3));
        let (gate, wait) = std::sync::mpsc::channel::<()>();
        m.in_background(
            &3,
            |_| false,
            move || {
                wait.recv().unwrap();
                Ok(9)
            },
        );
        assert!(m.known(&3), "under way");
        assert_eq!(m.ready(&3), None);
        gate.send(()).unwrap();
        assert!(matches!(until_ready(&m, 3), Progress::Ready(9)));
        assert!(m.known(&3), "computed");
        assert!(m
            .get(&4, |_| false, || Err(ApiError::bad_request("no")))
            .is_err());
        assert!(!m.known(&4), "a failure is forgotten");
    }

    #[test]
    fn a_failed_background_computation_is_reported_once_then_started_again() {
        let m: Memo<u32, u32> = Memo::new(4);
        m.in_background(&1, |_| false, || Err(ApiError::bad_request("no")));
        assert!(matches!(until_ready(&m, 1), Progress::Failed(_)));
        assert!(matches!(
            m.in_background(&1, |_| false, || Ok(2)),
            Progress::Pending
        ));
        assert!(matches!(until_ready(&m, 1), Progress::Ready(2)));
    }

    #[test]
    fn the_one_told_of_an_outcome_finds_it_in_the_memo() {
        let m: Arc<Memo<u32, u32>> = Arc::new(Memo::new(4));
        for (key, outcome) in [(1, Ok(5)), (2, Err(ApiError::bad_request("no")))] {
            let failed = outcome.is_err();
            let (tell, told) = std::sync::mpsc::channel();
            let memo = m.clone();
            let start = m.in_background_then(
                &key,
                |_| false,
                move || outcome,
                move |out| {
                    let held = memo.poll(&key);
                    let held_it = match (&out, held) {
                        (Ok(&v), Some(Progress::Ready(h))) => v == h,
                        (Err(_), Some(Progress::Failed(_))) => true,
                        _ => false,
                    };
                    tell.send((out.is_err(), held_it)).unwrap();
                },
            );
            assert!(matches!(start, Progress::Pending));
            let (was_err, held_it) = told.recv_timeout(Duration::from_secs(5)).unwrap();
            assert_eq!(was_err, failed);
            assert!(held_it, "key {key}: told before the memo held the outcome");
        }
        // The failure was reported to `poll` above: forgotten, nothing starts.
        assert!(m.poll(&2).is_none());
        assert!(matches!(m.poll(&1), Some(Progress::Ready(5))));
    }

    #[test]
    fn a_forgotten_failure_is_not_reported_and_an_answer_is_kept() {
        let m: Memo<u32, u32> = Memo::new(4);
        m.in_background(&1, |_| false, || Err(ApiError::bad_request("no")));
        m.in_background(&2, |_| false, || Ok(4));
        let until = Instant::now() + Duration::from_secs(5);
        while (m.len() < 2 || m.ready(&2).is_none() || m.known(&1)) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        m.forget_failure(&1);
        m.forget_failure(&2);
        assert!(m.poll(&1).is_none(), "the failure is gone unreported");
        assert!(matches!(m.poll(&2), Some(Progress::Ready(4))));
        assert!(matches!(
            m.in_background(&1, |_| false, || Ok(3)),
            Progress::Pending
        ));
        assert!(matches!(until_ready(&m, 1), Progress::Ready(3)));
    }
}
