//! [`Store`]: episodes kept by id (HTTP continuation, MCP sessions), bounded in number and
//! age: least recently used first out, idle ones expire.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use indexmap::IndexMap;

use crate::engine::Game;

/// A stored episode; steps on it are serialised by its lock.
pub(crate) type Shared = Arc<Mutex<Game>>;

/// Locks a stored episode. A panic while stepping cannot leave a game half-changed in a way
/// later steps could not handle, so a poisoned lock is taken as it is.
pub(crate) fn lock(game: &Shared) -> MutexGuard<'_, Game> {
    game.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Episodes by id, least recently used first.
#[derive(Debug)]
pub(crate) struct Store {
    entries: Mutex<IndexMap<String, (Shared, Instant)>>,
    capacity: usize,
    ttl: Duration,
}

impl Store {
    /// An empty store of at most `capacity` episodes, each expiring after `ttl` unused.
    pub(crate) fn new(capacity: usize, ttl: Duration) -> Self {
        Store { entries: Mutex::new(IndexMap::new()), capacity: capacity.max(1), ttl }
    }

    /// Stores `game` under `id`, replacing any episode of that id; evicts the least recently
    /// used one when full.
    pub(crate) fn insert(&self, id: String, game: Game) -> Shared {
        let shared = Arc::new(Mutex::new(game));
        let mut entries = self.entries();
        let now = Instant::now();
        self.expire(&mut entries, now);
        entries.shift_remove(&id);
        if entries.len() >= self.capacity {
            entries.shift_remove_index(0);
        }
        entries.insert(id, (shared.clone(), now));
        shared
    }

    /// The episode stored under `id`, marked as just used.
    pub(crate) fn get(&self, id: &str) -> Option<Shared> {
        let mut entries = self.entries();
        let now = Instant::now();
        self.expire(&mut entries, now);
        let index = entries.get_index_of(id)?;
        let last = entries.len() - 1;
        entries.move_index(index, last);
        let (shared, used) = &mut entries[last];
        *used = now;
        Some(shared.clone())
    }

    /// Removes the episode stored under `id`; whether there was one.
    pub(crate) fn remove(&self, id: &str) -> bool {
        self.entries().shift_remove(id).is_some()
    }

    fn entries(&self) -> MutexGuard<'_, IndexMap<String, (Shared, Instant)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Drops expired episodes: they are the least recently used, so at the front.
    fn expire(&self, entries: &mut IndexMap<String, (Shared, Instant)>, now: Instant) {
        while entries.first().is_some_and(|(_, (_, used))| now.duration_since(*used) > self.ttl) {
            entries.shift_remove_index(0);
        }
    }
}
