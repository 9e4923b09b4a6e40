//! Stepping many episodes at once: in chunks on scoped threads, or in a plain loop.

/// Runs `f` on every item, on `threads` threads (this one included) when that is more than
/// one, each taking a contiguous chunk.
pub(crate) fn for_each<T: Send>(threads: usize, items: &mut [T], f: impl Fn(&mut T) + Sync) {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        items.iter_mut().for_each(&f);
        return;
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let mut chunks = items.chunks_mut(chunk);
        let mine = chunks.next();
        for other in chunks {
            let f = &f;
            scope.spawn(move || other.iter_mut().for_each(f));
        }
        if let Some(mine) = mine {
            mine.iter_mut().for_each(&f);
        }
    });
}
