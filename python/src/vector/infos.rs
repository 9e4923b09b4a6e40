//! [`Infos`]: `Env`'s infos of a batch of wire observations, in the columns `VectorEnv` batches
//! them into (Gymnasium's vector convention), so no per-sub-environment info dict is made for
//! the entries every step has.

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict, PyList, PyString, PyTuple};

use crate::pyobs::{self, Strings, entry};

/// The infos of `n` sub-environments, gathered observation by observation (in any order).
pub(super) struct Infos<'py> {
    n: usize,
    /// The reward groups, in the order of the breakdown's keys.
    groups: Vec<String>,
    /// Group-major: `breakdown[g * n + i]` is group `g` of sub-environment `i`.
    breakdown: Vec<f64>,
    errors: Vec<Option<Bound<'py, PyAny>>>,
    codes: Vec<Option<Bound<'py, PyAny>>>,
    /// The end-of-episode entries of those whose episode ended, by sub-environment.
    endings: Vec<(usize, Bound<'py, PyDict>)>,
}

impl<'py> Infos<'py> {
    pub(super) fn new(n: usize) -> Self {
        Infos {
            n,
            groups: Vec::new(),
            breakdown: Vec::new(),
            errors: vec![None; n],
            codes: vec![None; n],
            endings: Vec::new(),
        }
    }

    /// Adds sub-environment `i`'s info, read off its observation `dict` as `Env`'s (`done`:
    /// its episode has ended).
    pub(super) fn add(
        &mut self,
        i: usize,
        done: bool,
        dict: &Bound<'py, PyDict>,
        strings: &mut Strings,
    ) -> PyResult<()> {
        let metadata = entry(dict, "metadata", strings)?.cast_into::<PyDict>()?;
        let groups = entry(&metadata, "reward_breakdown", strings)?.cast_into::<PyDict>()?;
        if self.groups.is_empty() {
            self.groups = groups.keys().iter().map(|k| k.extract()).collect::<PyResult<_>>()?;
            self.breakdown = vec![0.0; self.groups.len() * self.n];
        }
        for (g, value) in groups.values().iter().take(self.groups.len()).enumerate() {
            self.breakdown[g * self.n + i] = value.extract()?;
        }
        // Strings or None: immutable, so shared with the observation.
        self.errors[i] = Some(entry(&metadata, "last_action_error", strings)?);
        self.codes[i] = Some(entry(&metadata, "last_action_error_code", strings)?);
        if done {
            self.endings.push((i, pyobs::info(dict, &pyobs::INFO_KEYS[3..], strings)?));
        }
        Ok(())
    }

    /// The infos as `(groups, breakdown, errors, codes, endings)`: the reward groups, the
    /// breakdown as a bytearray of group-major little-endian `f64`s, the errors and their codes
    /// (str or None per sub-environment), and `(index, entries)` of the episodes that ended,
    /// by index.
    pub(super) fn into_py(mut self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let breakdown = PyByteArray::new_with(py, self.breakdown.len() * 8, |bytes| {
            for (out, value) in bytes.chunks_exact_mut(8).zip(&self.breakdown) {
                out.copy_from_slice(&value.to_le_bytes());
            }
            Ok(())
        })?;
        let none = || py.None().into_bound(py);
        let errors = PyList::new(py, self.errors.into_iter().map(|e| e.unwrap_or_else(none)))?;
        let codes = PyList::new(py, self.codes.into_iter().map(|e| e.unwrap_or_else(none)))?;
        self.endings.sort_by_key(|(i, _)| *i);
        let endings = PyList::new(py, self.endings)?;
        let groups = PyList::new(py, self.groups.iter().map(|g| PyString::new(py, g)))?;
        let (errors, codes, endings) = (errors.into_any(), codes.into_any(), endings.into_any());
        PyTuple::new(py, [groups.into_any(), breakdown.into_any(), errors, codes, endings])
    }
}
