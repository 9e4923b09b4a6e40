//! [`Slots`]: the session cap. A [`Slot`] is held for as long as its session lives.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live sessions against a cap.
#[derive(Debug)]
pub(crate) struct Slots {
    active: AtomicUsize,
    max: usize,
}

/// One session's place; dropping it frees the place.
#[derive(Debug)]
pub(crate) struct Slot(Arc<Slots>);

impl Slots {
    /// No sessions yet, at most `max`.
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(Slots { active: AtomicUsize::new(0), max })
    }

    /// A place for a new session, or `None` when all `max` are taken.
    pub(crate) fn acquire(self: &Arc<Self>) -> Option<Slot> {
        self.active
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < self.max).then_some(n + 1))
            .ok()
            .map(|_| Slot(self.clone()))
    }

    /// Sessions alive now.
    pub(crate) fn active(&self) -> usize {
        self.active.load(Ordering::Acquire)
    }

    /// The cap.
    pub(crate) fn max(&self) -> usize {
        self.max
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_holds_and_dropping_frees_a_place() {
        let slots = Slots::new(2);
        let first = slots.acquire().expect("first");
        let second = slots.acquire().expect("second");
        assert!(slots.acquire().is_none());
        assert_eq!(slots.active(), 2);
        drop(first);
        let third = slots.acquire().expect("a freed place");
        drop((second, third));
        assert_eq!(slots.active(), 0);
    }
}
