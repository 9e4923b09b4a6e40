//! [`Store`]: values kept by id (HTTP episodes, MCP sessions), bounded in number, in bytes and
//! in age: least recently used first out, idle ones expire. Every operation is amortised O(1).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::LiveGame;

/// A stored episode; steps on it are serialised by its lock.
pub(crate) type Shared = Arc<Mutex<LiveGame>>;

/// Locks a stored episode. A panic while stepping cannot leave a game half-changed in a way
/// later steps could not handle, so a poisoned lock is taken as it is.
pub(crate) fn lock(game: &Shared) -> MutexGuard<'_, LiveGame> {
    game.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A game made shareable for a store, with the bytes to charge for it under `id`.
pub(crate) fn share(id: &str, game: LiveGame) -> (Shared, usize) {
    let cost = entry_cost(id, game.footprint());
    (Arc::new(Mutex::new(game)), cost)
}

/// What an entry costs: its value's bytes plus what the store spends on it (the id twice, in
/// the map and the use queue, the map slot and the use record).
pub(crate) fn entry_cost(id: &str, value_bytes: usize) -> usize {
    const OVERHEAD: usize = 160;
    OVERHEAD + 2 * id.len() + value_bytes
}

/// How many values and bytes a store may hold, and for how long unused.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    /// Values held at most.
    pub(crate) count: usize,
    /// Bytes held at most (the sum of the costs given on insert).
    pub(crate) bytes: usize,
    /// A value unused for this long expires.
    pub(crate) ttl: Duration,
}

/// Values by id, least recently used first out.
#[derive(Debug)]
pub(crate) struct Store<T> {
    inner: Mutex<Inner<T>>,
    bounds: Bounds,
}

#[derive(Debug)]
struct Inner<T> {
    entries: HashMap<Arc<str>, Entry<T>>,
    /// Uses in order, oldest first: `(stamp, id)`. A use is stale when its entry has been used
    /// since (its stamp is no longer the entry's) or removed; stale uses are skipped when met
    /// and swept when they outnumber the live ones.
    uses: VecDeque<(u64, Arc<str>)>,
    next_stamp: u64,
    bytes: usize,
}

#[derive(Debug)]
struct Entry<T> {
    value: T,
    cost: usize,
    stamp: u64,
    used: Instant,
}

impl<T: Clone> Store<T> {
    /// An empty store within `bounds`.
    pub(crate) fn new(bounds: Bounds) -> Self {
        let inner =
            Inner { entries: HashMap::new(), uses: VecDeque::new(), next_stamp: 0, bytes: 0 };
        Store { inner: Mutex::new(inner), bounds: Bounds { count: bounds.count.max(1), ..bounds } }
    }

    /// Stores `value` under `id` at `cost` bytes, replacing any value of that id; evicts the
    /// least recently used values until the store is within its bounds again.
    pub(crate) fn insert(&self, id: &str, value: T, cost: usize) {
        let mut inner = self.inner();
        let now = Instant::now();
        inner.expire(now, self.bounds.ttl);
        inner.remove(id);
        let id: Arc<str> = Arc::from(id);
        let stamp = inner.stamp(&id);
        inner.bytes += cost;
        inner.entries.insert(id, Entry { value, cost, stamp, used: now });
        while inner.entries.len() > self.bounds.count
            || (inner.bytes > self.bounds.bytes && inner.entries.len() > 1)
        {
            inner.evict_oldest();
        }
    }

    /// The value stored under `id`, marked as just used.
    pub(crate) fn get(&self, id: &str) -> Option<T> {
        let mut inner = self.inner();
        let now = Instant::now();
        inner.expire(now, self.bounds.ttl);
        let (key, _) = inner.entries.get_key_value(id)?;
        let key = key.clone();
        let stamp = inner.stamp(&key);
        let entry = inner.entries.get_mut(id)?;
        entry.stamp = stamp;
        entry.used = now;
        Some(entry.value.clone())
    }

    /// Replaces the value under `id` with `value` at `cost`, if `current` says the stored one
    /// is still the one the caller holds (not replaced by a newer insert meanwhile). Keeps the
    /// entry's place in the eviction order.
    pub(crate) fn replace(&self, id: &str, current: impl Fn(&T) -> bool, value: T, cost: usize) {
        let mut inner = self.inner();
        let Some(entry) = inner.entries.get_mut(id).filter(|e| current(&e.value)) else { return };
        let before = std::mem::replace(&mut entry.cost, cost);
        entry.value = value;
        inner.bytes = inner.bytes - before + cost;
    }

    /// Removes the value stored under `id`; whether there was one.
    pub(crate) fn remove(&self, id: &str) -> bool {
        self.inner().remove(id)
    }

    /// Values held and the bytes they cost.
    #[cfg(test)]
    fn usage(&self) -> (usize, usize) {
        let inner = self.inner();
        (inner.entries.len(), inner.bytes)
    }

    fn inner(&self) -> MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> Inner<T> {
    /// Records a use of `id` now; its stamp.
    fn stamp(&mut self, id: &Arc<str>) -> u64 {
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        self.uses.push_back((stamp, id.clone()));
        if self.uses.len() > 2 * self.entries.len() + 64 {
            let entries = &self.entries;
            self.uses
                .retain(|(s, id)| entries.get(id).is_some_and(|e| e.stamp == *s) || *s == stamp);
        }
        stamp
    }

    fn remove(&mut self, id: &str) -> bool {
        match self.entries.remove(id) {
            Some(entry) => {
                self.bytes -= entry.cost;
                true
            }
            None => false,
        }
    }

    /// The least recently used live entry's id, with stale uses before it dropped.
    fn oldest(&mut self) -> Option<(Arc<str>, Instant)> {
        while let Some((stamp, id)) = self.uses.front() {
            match self.entries.get(id) {
                Some(entry) if entry.stamp == *stamp => return Some((id.clone(), entry.used)),
                _ => {
                    self.uses.pop_front();
                }
            }
        }
        None
    }

    fn evict_oldest(&mut self) {
        if let Some((id, _)) = self.oldest() {
            self.remove(&id);
            self.uses.pop_front();
        }
    }

    /// Drops expired entries: they are the least recently used, so at the front.
    fn expire(&mut self, now: Instant, ttl: Duration) {
        while let Some((id, used)) = self.oldest() {
            if now.duration_since(used) <= ttl {
                break;
            }
            self.remove(&id);
            self.uses.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(count: usize, bytes: usize) -> Store<u32> {
        Store::new(Bounds { count, bytes, ttl: Duration::from_secs(3600) })
    }

    #[test]
    fn the_least_recently_used_goes_first_when_full() {
        let store = store(2, usize::MAX);
        store.insert("a", 1, 0);
        store.insert("b", 2, 0);
        assert_eq!(store.get("a"), Some(1));
        store.insert("c", 3, 0);
        assert_eq!((store.get("a"), store.get("b"), store.get("c")), (Some(1), None, Some(3)));
    }

    #[test]
    fn bytes_bound_the_store_as_well_as_count() {
        let store = store(100, 1000);
        for i in 0..10 {
            store.insert(&i.to_string(), i, 300);
        }
        assert_eq!(store.usage(), (3, 900));
        assert_eq!(store.get("9"), Some(9));
        assert_eq!(store.get("6"), None);
        store.replace("9", |v| *v == 9, 90, 10);
        assert_eq!(store.usage(), (3, 610));
        store.replace("9", |v| *v == 9, 900, 10);
        assert_eq!(store.get("9"), Some(90), "a value replaced meanwhile is left alone");
        assert!(store.remove("9"));
        assert_eq!(store.usage(), (2, 600));
    }

    #[test]
    fn one_value_over_the_byte_bound_is_still_kept() {
        let store = store(10, 100);
        store.insert("big", 1, 1000);
        assert_eq!(store.get("big"), Some(1));
    }

    #[test]
    fn idle_values_expire() {
        let store = Store::new(Bounds { count: 10, bytes: 100, ttl: Duration::ZERO });
        store.insert("a", 1, 1);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(store.get("a"), None);
        assert_eq!(store.usage(), (0, 0));
    }

    #[test]
    fn stale_uses_are_swept_so_the_queue_stays_proportional() {
        let store = store(4, usize::MAX);
        for id in ["a", "b", "c", "d"] {
            store.insert(id, 0, 0);
        }
        for _ in 0..10_000 {
            store.get("a");
        }
        assert!(store.inner().uses.len() <= 2 * 4 + 64 + 1);
        store.insert("e", 0, 0);
        assert_eq!(store.get("b"), None, "b is the oldest use left");
        assert_eq!(store.get("a"), Some(0));
    }
}
