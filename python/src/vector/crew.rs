//! [`Crew`]: helper threads that work through a batch of items alongside the calling thread.
//!
//! The helpers live as long as the crew, parked between batches. Items are claimed one at a
//! time from a shared counter, so a helper that the OS has not scheduled (the machine is busy)
//! costs the batch nothing: the calling thread takes the items it would have taken, and waits
//! only for items a helper has claimed and not finished. A crew without helpers is a plain loop.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The work of one item (its index), run on any thread of the crew.
pub(crate) type Job = Arc<dyn Fn(usize) + Send + Sync>;

/// A thread pool of `threads - 1` helpers plus the caller.
pub(crate) struct Crew {
    inner: Arc<Inner>,
    helpers: Vec<JoinHandle<()>>,
}

/// One batch: its job, the next unclaimed item and what has finished.
struct Batch {
    job: Job,
    /// The unclaimed items `lo..hi`, packed as `lo << 32 | hi`: the caller claims from the
    /// front, helpers from the back, so each sub-environment tends to stay on one thread from
    /// batch to batch (its memory with it: allocations freed by the thread that made them).
    unclaimed: AtomicU64,
    done: Vec<AtomicBool>,
    finished: AtomicUsize,
    panicked: AtomicBool,
}

/// What the helpers wait on: the current batch (a new generation wakes them) or closing.
struct Board {
    batch: Option<Arc<Batch>>,
    generation: u64,
    closing: bool,
}

struct Inner {
    board: Mutex<Board>,
    /// `Board::generation`, readable without the lock (helpers poll it before parking).
    generation: AtomicU64,
    posted: Condvar,
    /// Whether the caller sleeps until an item finishes (helpers then signal `progressed`).
    waiting: AtomicBool,
    progress: Mutex<()>,
    progressed: Condvar,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Batch {
    /// Claims the first unclaimed item (`front`) or the last.
    fn claim(&self, front: bool) -> Option<usize> {
        let mut packed = self.unclaimed.load(Ordering::SeqCst);
        loop {
            let (lo, hi) = (packed >> 32, packed & u64::from(u32::MAX));
            if lo >= hi {
                return None;
            }
            let (claimed, next) =
                if front { (lo, packed + (1 << 32)) } else { (hi - 1, packed - 1) };
            match self.unclaimed.compare_exchange(packed, next, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return usize::try_from(claimed).ok(),
                Err(now) => packed = now,
            }
        }
    }

    /// Runs item `i`; a panic is recorded (the caller raises it), not propagated.
    fn work(&self, i: usize) {
        if catch_unwind(AssertUnwindSafe(|| (self.job)(i))).is_err() {
            self.panicked.store(true, Ordering::SeqCst);
        }
        self.done[i].store(true, Ordering::SeqCst);
        self.finished.fetch_add(1, Ordering::SeqCst);
    }
}

impl Crew {
    /// A crew of `threads` threads in all (the caller included; at least 1).
    pub(crate) fn new(threads: usize) -> Self {
        let inner = Arc::new(Inner {
            board: Mutex::new(Board { batch: None, generation: 0, closing: false }),
            generation: AtomicU64::new(0),
            posted: Condvar::new(),
            waiting: AtomicBool::new(false),
            progress: Mutex::new(()),
            progressed: Condvar::new(),
        });
        let helpers = (1..threads.max(1))
            .map(|_| {
                let inner = Arc::clone(&inner);
                std::thread::spawn(move || help(&inner))
            })
            .collect();
        Crew { inner, helpers }
    }

    /// Runs `job` on items `0..len`, on this thread and the helpers, and calls `ready` on this
    /// thread for every item once it has run (in the order they finish), until `ready` fails
    /// (the batch still runs to its end). `local` wraps this thread's work and waits: it
    /// releases the GIL, say. `Err(None)` if an item panicked.
    pub(crate) fn run<E>(
        &self,
        len: usize,
        job: Job,
        local: &dyn Fn(&mut (dyn FnMut() + Send)),
        mut ready: impl FnMut(usize) -> Result<(), E>,
    ) -> Result<(), Option<E>> {
        if self.helpers.is_empty() {
            // A plain loop: every item on this thread, then each handed over.
            let mut panicked = false;
            local(&mut || {
                panicked = catch_unwind(AssertUnwindSafe(|| (0..len).for_each(&*job))).is_err()
            });
            if panicked {
                return Err(None);
            }
            return (0..len).try_for_each(&mut ready).map_err(Some);
        }
        let batch = Arc::new(Batch {
            job,
            unclaimed: AtomicU64::new(len as u64),
            done: (0..len).map(|_| AtomicBool::new(false)).collect(),
            finished: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
        });
        {
            let mut board = lock(&self.inner.board);
            board.batch = Some(Arc::clone(&batch));
            board.generation += 1;
            self.inner.generation.store(board.generation, Ordering::SeqCst);
            self.inner.posted.notify_all();
        }
        let mut handed = vec![false; len];
        // Items before `first` are all handed over (they mostly finish in order).
        let (mut first, mut failed) = (0, None);
        while first < len {
            // What had finished before the scan below: anything finishing later changes it, so
            // waiting for a change cannot miss the last item.
            let seen = batch.finished.load(Ordering::SeqCst);
            // Hand over what has finished first: the helpers keep working meanwhile. After a
            // failure, the batch still runs to its end (no item is left half done).
            let mut progress = false;
            let pending = handed.iter_mut().zip(&batch.done).enumerate().skip(first);
            for (i, (handed, done)) in pending {
                if !*handed && done.load(Ordering::Acquire) {
                    *handed = true;
                    progress = true;
                    if failed.is_none() {
                        failed = ready(i).err();
                    }
                }
            }
            while first < len && handed[first] {
                first += 1;
            }
            if progress || first == len {
                continue;
            }
            local(&mut || match batch.claim(true) {
                Some(i) => batch.work(i),
                None => self.wait(&batch, seen),
            });
        }
        lock(&self.inner.board).batch = None;
        match failed {
            Some(error) => Err(Some(error)),
            None if batch.panicked.load(Ordering::SeqCst) => Err(None),
            None => Ok(()),
        }
    }

    /// Sleeps until more than `seen` items of `batch` have finished.
    fn wait(&self, batch: &Batch, seen: usize) {
        // A helper's item takes microseconds, and waking a sleeping thread can take longer
        // (on a virtual machine especially): spin a while before sleeping.
        if spin(|| batch.finished.load(Ordering::SeqCst) != seen) {
            return;
        }
        let inner = &*self.inner;
        let mut guard = lock(&inner.progress);
        inner.waiting.store(true, Ordering::SeqCst);
        while batch.finished.load(Ordering::SeqCst) == seen {
            guard = inner.progressed.wait(guard).unwrap_or_else(PoisonError::into_inner);
        }
        inner.waiting.store(false, Ordering::SeqCst);
    }
}

/// A helper's life: wait for a batch, claim its items until none are left, again.
fn help(inner: &Inner) {
    let mut seen = 0;
    loop {
        // Batches come back to back while a loop steps: look for the next one a while before
        // parking, so that it needs no wake-up.
        spin(|| inner.generation.load(Ordering::SeqCst) != seen);
        let batch = {
            let mut board = lock(&inner.board);
            while board.generation == seen && !board.closing {
                board = inner.posted.wait(board).unwrap_or_else(PoisonError::into_inner);
            }
            if board.closing {
                return;
            }
            seen = board.generation;
            board.batch.clone()
        };
        let Some(batch) = batch else { continue };
        while let Some(i) = batch.claim(false) {
            batch.work(i);
            if inner.waiting.load(Ordering::SeqCst) {
                let _guard = lock(&inner.progress);
                inner.progressed.notify_all();
            }
        }
    }
}

/// How long a thread spins on a condition before it sleeps.
const SPIN: Duration = Duration::from_micros(100);

/// Spins until `ready` holds (true) or [`SPIN`] has passed (false).
fn spin(ready: impl Fn() -> bool) -> bool {
    let started = Instant::now();
    loop {
        for _ in 0..64 {
            if ready() {
                return true;
            }
            std::hint::spin_loop();
        }
        if started.elapsed() > SPIN {
            return false;
        }
    }
}

impl Drop for Crew {
    fn drop(&mut self) {
        lock(&self.inner.board).closing = true;
        self.inner.posted.notify_all();
        for helper in self.helpers.drain(..) {
            // A helper never panics (items are caught); nothing to report if one did.
            let _ = helper.join();
        }
    }
}
