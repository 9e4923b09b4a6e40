//! [`GcPause`]: Python's cyclic garbage collector paused while a batch of observations is built.
//!
//! A dict batch of 64 makes about two thousand dicts and lists. At CPython's default thresholds
//! every 700 new containers start a collection of the youngest, every tenth of those one of the
//! middle generation, and every tenth of those a full pass over everything the process holds.
//! The observations hold no reference cycles, so those collections find nothing among them;
//! paused for the batch, the collector runs once after it instead of about three times during
//! it, and its full passes come a third as often. The collector is restored when the batch
//! ends, error or not (left off if it was off), so nothing lasting changes for the process.

use pyo3::prelude::*;

/// The collector paused until drop (see the module's documentation).
pub(super) struct GcPause<'py> {
    /// `gc`, when this pause turned the collector off (and so turns it back on).
    resume: Option<Bound<'py, PyModule>>,
}

impl<'py> GcPause<'py> {
    /// Pauses the collector if it is on.
    pub(super) fn new(py: Python<'py>) -> PyResult<Self> {
        let gc = py.import("gc")?;
        if !gc.call_method0("isenabled")?.is_truthy()? {
            return Ok(GcPause { resume: None });
        }
        gc.call_method0("disable")?;
        Ok(GcPause { resume: Some(gc) })
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.resume {
            // `gc.enable()` does not fail; if it did, the collector would stay off.
            let _ = gc.call_method0("enable");
        }
    }
}
