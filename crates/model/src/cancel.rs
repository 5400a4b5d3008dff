//! Cooperative cancellation: long computations check a shared flag between units of work, so a
//! caller that stopped waiting (an abandoned or timed-out HTTP request, a shutdown) stops them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A flag shared between whoever may cancel and the computation that checks it. Cloning shares
/// the flag; the default is a fresh, never-cancelled one.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A fresh flag, not cancelled.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks every holder's computation to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether someone asked to stop: checked between units of work.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// A guard that cancels when dropped: held by the waiting side, it stops the work when the
    /// waiter goes away for any reason.
    pub fn cancel_on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }
}

/// Cancels its flag when dropped (see [`Cancel::cancel_on_drop`]).
#[must_use = "the computation is cancelled as soon as the guard is dropped"]
pub struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag_and_the_guard_cancels_on_drop() {
        let c = Cancel::new();
        let seen_by_worker = c.clone();
        assert!(!seen_by_worker.is_cancelled());
        drop(c.cancel_on_drop());
        assert!(seen_by_worker.is_cancelled());
    }
}
