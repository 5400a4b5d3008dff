//! Long computations: a small pool of slots and cooperative cancellation.
//!
//! Every blocking request runs with a [`Cancel`] that is set when its handler goes away — the
//! client disconnected, the read timeout fired, or the server is shutting down — so a
//! computation nobody waits for stops at its next check instead of keeping a core busy. The
//! token reaches the computation through [`current_cancel`] (the blocking thread's own), which
//! keeps every handler's signature unchanged.
//!
//! Computations whose cost the caller controls (the dynamics bootstrap) also take one of a few
//! slots; when none is free the request is answered 503 with `Retry-After` at once rather than
//! queued behind work that may take minutes.

use crate::error::{ApiError, ApiResult};
use renown_model::Cancel;
use std::cell::RefCell;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Seconds a client is told to wait when every slot is taken.
const BUSY_RETRY_AFTER: u32 = 10;

/// The slots for long computations: a request takes one or is answered 503 at once.
pub struct Jobs {
    slots: Arc<Semaphore>,
    capacity: usize,
}

/// A taken slot, given back when dropped.
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

impl Jobs {
    /// `capacity` slots (at least one).
    pub fn new(capacity: usize) -> Jobs {
        let capacity = capacity.max(1);
        Jobs {
            slots: Arc::new(Semaphore::new(capacity)),
            capacity,
        }
    }

    /// A free slot, or 503 with `Retry-After` when all are taken.
    pub fn start(&self) -> ApiResult<Slot> {
        self.slots
            .clone()
            .try_acquire_owned()
            .map(Slot)
            .map_err(|_| {
                ApiError::unavailable(
                    format!(
                        "the server is already running its {} long computations; try again later",
                        self.capacity
                    ),
                    BUSY_RETRY_AFTER,
                )
            })
    }

    /// Slots in use now.
    pub fn running(&self) -> usize {
        self.capacity - self.slots.available_permits()
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Cancel>> = const { RefCell::new(None) };
}

/// Runs `f` with `cancel` as this thread's [`current_cancel`].
pub fn with_cancel<T>(cancel: Cancel, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Cancel>);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| *c.borrow_mut() = self.0.take());
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.borrow_mut().replace(cancel)));
    f()
}

/// The cancellation token of the request this blocking thread is serving (a fresh, never
/// cancelled one outside a request).
pub fn current_cancel() -> Cancel {
    CURRENT.with(|c| c.borrow().clone()).unwrap_or_default()
}

/// 503 for a computation stopped because its request went away; only another request waiting
/// on the same shared computation can see it.
pub fn cancelled() -> ApiError {
    ApiError::unavailable(
        "the computation was cancelled when the request that started it went away; try again",
        1,
    )
}
