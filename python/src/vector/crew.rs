//! [`Crew`]: helper threads that work through a batch of items alongside the calling thread.
//!
//! The helpers live as long as the crew, parked between batches. Items are claimed one at a
//! time from a shared counter, so a helper that the OS has not scheduled (the machine is busy)
//! costs the batch nothing: the calling thread takes the items it would have taken, and waits
//! only for items a helper has claimed and not finished. A crew without helpers is a plain loop.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

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
    len: usize,
    next: AtomicUsize,
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
    fn claim(&self) -> Option<usize> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        (i < self.len).then_some(i)
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
    /// (the batch still runs to its end). `local` runs each of this thread's items and waits:
    /// with the GIL released, say. `Err(None)` if an item panicked.
    pub(crate) fn run<E>(
        &self,
        len: usize,
        job: Job,
        local: &dyn Fn(&mut (dyn FnMut() + Send)),
        mut ready: impl FnMut(usize) -> Result<(), E>,
    ) -> Result<(), Option<E>> {
        let batch = Arc::new(Batch {
            job,
            len,
            next: AtomicUsize::new(0),
            done: (0..len).map(|_| AtomicBool::new(false)).collect(),
            finished: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
        });
        if !self.helpers.is_empty() {
            let mut board = lock(&self.inner.board);
            board.batch = Some(Arc::clone(&batch));
            board.generation += 1;
            self.inner.posted.notify_all();
        }
        let mut handed = vec![false; len];
        let mut handed_count = 0;
        let mut failed = None;
        while handed_count < len {
            // Hand over what has finished first: the helpers keep working meanwhile. After a
            // failure, the batch still runs to its end (no item is left half done).
            let mut progress = false;
            for (i, done) in batch.done.iter().enumerate() {
                if !handed[i] && done.load(Ordering::SeqCst) {
                    handed[i] = true;
                    handed_count += 1;
                    progress = true;
                    if failed.is_none() {
                        failed = ready(i).err();
                    }
                }
            }
            if progress {
                continue;
            }
            let seen = batch.finished.load(Ordering::SeqCst);
            local(&mut || match batch.claim() {
                Some(i) => batch.work(i),
                None => self.wait(&batch, seen),
            });
        }
        self.drop_batch();
        match failed {
            Some(error) => Err(Some(error)),
            None if batch.panicked.load(Ordering::SeqCst) => Err(None),
            None => Ok(()),
        }
    }

    /// Sleeps until more than `seen` items of `batch` have finished.
    fn wait(&self, batch: &Batch, seen: usize) {
        let inner = &*self.inner;
        let mut guard = lock(&inner.progress);
        inner.waiting.store(true, Ordering::SeqCst);
        while batch.finished.load(Ordering::SeqCst) == seen {
            guard = inner.progressed.wait(guard).unwrap_or_else(PoisonError::into_inner);
        }
        inner.waiting.store(false, Ordering::SeqCst);
    }

    /// Forgets the finished batch (its job holds the data it worked on).
    fn drop_batch(&self) {
        if !self.helpers.is_empty() {
            lock(&self.inner.board).batch = None;
        }
    }
}

/// A helper's life: wait for a batch, claim its items until none are left, again.
fn help(inner: &Inner) {
    let mut seen = 0;
    loop {
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
        while let Some(i) = batch.claim() {
            batch.work(i);
            if inner.waiting.load(Ordering::SeqCst) {
                let _guard = lock(&inner.progress);
                inner.progressed.notify_all();
            }
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
