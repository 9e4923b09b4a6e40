//! Wire observations as Python dicts, built by [`Dicts`], a [`Sink`] that
//! [`Observed`] walks straight from the episode (the walk that writes the server's JSON), so
//! the dicts equal what `json.loads` makes of `shopops run`'s lines, key order included (the
//! tests compare them). The wire format's field names and vocabulary, and the names a
//! scenario repeats in every observation (case ids, titles, blockers, JSON object keys, ...),
//! are made once per [`Strings`] cache; Python strings are immutable, so sharing them is
//! invisible.

use std::collections::HashMap;
use std::fmt::{Display, Write as _};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString};
use shopops::engine::Observed;
use shopops::engine::sink::{Field, Sink};

type Fast = foldhash::fast::RandomState;

/// Python strings for the names observations repeat, made once and shared.
#[derive(Default)]
pub(crate) struct Strings {
    /// The wire format's field names and vocabulary, by address (they are `'static`).
    literals: HashMap<(usize, usize), Py<PyString>, Fast>,
    /// The scenario's names, by text.
    names: HashMap<Box<str>, Py<PyString>, Fast>,
}

/// Names [`Strings`] keeps at most (a scenario has a few hundred): past that, strings are made
/// afresh.
const MAX_NAMES: usize = 4096;

impl Strings {
    /// `s`, a `'static` string, as an interned Python string, made on first use.
    fn literal<'py>(&mut self, py: Python<'py>, s: &'static str) -> Bound<'py, PyString> {
        let made = self
            .literals
            .entry((s.as_ptr() as usize, s.len()))
            .or_insert_with(|| PyString::intern(py, s).unbind());
        made.bind(py).clone()
    }

    /// `s` as a Python string, made on first use.
    fn name<'py>(&mut self, py: Python<'py>, s: &str) -> Bound<'py, PyString> {
        if let Some(made) = self.names.get(s) {
            return made.bind(py).clone();
        }
        let made = PyString::new(py, s);
        if self.names.len() < MAX_NAMES {
            self.names.insert(s.into(), made.clone().unbind());
        }
        made
    }
}

/// The observation as the dict the wire format holds.
pub(crate) fn observation<'py>(
    py: Python<'py>,
    observed: &Observed<'_>,
    strings: &mut Strings,
) -> PyResult<Bound<'py, PyDict>> {
    let mut dicts = Dicts::new(py, strings);
    observed.walk(&mut dicts)?;
    dicts.finish()
}

/// The entries of `Env`'s info, in its order (the last three only at the end of an episode).
pub(crate) const INFO_KEYS: [&str; 6] = [
    "reward_breakdown",
    "last_action_error",
    "last_action_error_code",
    "termination_reason",
    "episode_summary",
    "grade",
];

/// The metadata entries of an observation dict named by `keys` (those it has), in that order,
/// copied: `Env`'s info (all of [`INFO_KEYS`]) or its end-of-episode part, sharing nothing
/// mutable with the observation.
pub(crate) fn info<'py>(
    observation: &Bound<'py, PyDict>,
    keys: &[&'static str],
    strings: &mut Strings,
) -> PyResult<Bound<'py, PyDict>> {
    let py = observation.py();
    let metadata = entry(observation, "metadata", strings)?.cast_into::<PyDict>()?;
    let picked = PyDict::new(py);
    for key in keys {
        let key = strings.literal(py, key);
        if let Some(value) = metadata.get_item(&key)? {
            picked.set_item(key, fresh(value)?)?;
        }
    }
    Ok(picked)
}

/// The entry `key` of a dict the walk made (it always has it).
pub(crate) fn entry<'py>(
    dict: &Bound<'py, PyDict>,
    key: &'static str,
    strings: &mut Strings,
) -> PyResult<Bound<'py, PyAny>> {
    let found = dict.get_item(strings.literal(dict.py(), key))?;
    found.ok_or_else(|| broken(&format!("no `{key}` in an observation")))
}

/// JSON data copied: dicts and lists made anew, everything else (immutable) shared.
fn fresh(value: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyAny>> {
    let py = value.py();
    if let Ok(dict) = value.cast::<PyDict>() {
        let copy = PyDict::new(py);
        for (key, item) in dict.iter() {
            copy.set_item(key, fresh(item)?)?;
        }
        return Ok(copy.into_any());
    }
    if let Ok(list) = value.cast::<PyList>() {
        let items = list.iter().map(fresh).collect::<PyResult<Vec<_>>>()?;
        return Ok(PyList::new(py, items)?.into_any());
    }
    Ok(value)
}

/// A [`Sink`] building Python data: dicts, lists, str, int, float, bool and None.
struct Dicts<'py, 's> {
    py: Python<'py>,
    strings: &'s mut Strings,
    /// The open dicts and lists, innermost last, each with the key it goes under in the one
    /// around it.
    open: Vec<(Open<'py>, Option<Bound<'py, PyString>>)>,
    /// The key of the open dict's next entry.
    key: Option<Bound<'py, PyString>>,
    /// The value walked, once it is closed.
    done: Option<Bound<'py, PyAny>>,
    /// Room to write texts in.
    text: String,
}

enum Open<'py> {
    Dict(Bound<'py, PyDict>),
    List(Bound<'py, PyList>),
}

impl<'py, 's> Dicts<'py, 's> {
    fn new(py: Python<'py>, strings: &'s mut Strings) -> Self {
        Dicts { py, strings, open: Vec::new(), key: None, done: None, text: String::new() }
    }

    /// The dict walked.
    fn finish(self) -> PyResult<Bound<'py, PyDict>> {
        let done = self.done.ok_or_else(|| broken("the walk did not finish an object"))?;
        done.cast_into::<PyDict>().map_err(|_| broken("the walk made no object"))
    }

    /// Puts a value into the open dict (under its key) or list.
    fn put(&mut self, value: Bound<'py, PyAny>) -> PyResult<()> {
        match self.open.last() {
            Some((Open::Dict(dict), _)) => {
                let key = self.key.take().ok_or_else(|| broken("a value without a key"))?;
                dict.set_item(key, value)
            }
            Some((Open::List(list), _)) => list.append(value),
            None => {
                self.done = Some(value);
                Ok(())
            }
        }
    }

    /// Closes the innermost dict or list and puts it where it goes.
    fn close(&mut self) -> PyResult<()> {
        let (closed, key) = self.open.pop().ok_or_else(|| broken("a close without an open"))?;
        let closed = match closed {
            Open::Dict(dict) => dict.into_any(),
            Open::List(list) => list.into_any(),
        };
        untrack(&closed);
        self.key = key;
        self.put(closed)
    }
}

/// Takes a finished container out of the cyclic collector's care: observations hold no cycles,
/// and CPython tracks a dict again when a container is put into it (docs/python.md).
#[allow(unsafe_code)]
fn untrack(container: &Bound<'_, PyAny>) {
    // SAFETY: `container` is a live dict or list (GC objects), and the GIL is held.
    unsafe { pyo3::ffi::PyObject_GC_UnTrack(container.as_ptr().cast()) }
}

/// An inconsistent walk (a bug in the engine's walk, never the user's input).
fn broken(what: &str) -> PyErr {
    PyRuntimeError::new_err(format!("observation walk: {what}"))
}

impl<'py> Sink for Dicts<'py, '_> {
    type Error = PyErr;

    fn begin_object(&mut self) -> PyResult<()> {
        self.open.push((Open::Dict(PyDict::new(self.py)), self.key.take()));
        Ok(())
    }

    fn field(&mut self, key: &'static Field) -> PyResult<()> {
        self.key = Some(self.strings.literal(self.py, key.name));
        Ok(())
    }

    fn key(&mut self, key: &str) -> PyResult<()> {
        self.key = Some(self.strings.name(self.py, key));
        Ok(())
    }

    fn end_object(&mut self) -> PyResult<()> {
        self.close()
    }

    fn begin_list(&mut self) -> PyResult<()> {
        self.open.push((Open::List(PyList::empty(self.py)), self.key.take()));
        Ok(())
    }

    fn end_list(&mut self) -> PyResult<()> {
        self.close()
    }

    fn literal(&mut self, value: &'static str) -> PyResult<()> {
        let value = self.strings.literal(self.py, value);
        self.put(value.into_any())
    }

    fn name(&mut self, name: &str) -> PyResult<()> {
        let name = self.strings.name(self.py, name);
        self.put(name.into_any())
    }

    fn string(&mut self, text: &str) -> PyResult<()> {
        self.put(PyString::new(self.py, text).into_any())
    }

    fn text(&mut self, text: impl Display) -> PyResult<()> {
        self.text.clear();
        // Writing to a `String` cannot fail.
        let _ = write!(self.text, "{text}");
        self.put(PyString::new(self.py, &self.text).into_any())
    }

    fn null(&mut self) -> PyResult<()> {
        self.put(self.py.None().into_bound(self.py))
    }

    fn bool(&mut self, value: bool) -> PyResult<()> {
        self.put(value.into_pyobject(self.py)?.to_owned().into_any())
    }

    fn int(&mut self, value: i64) -> PyResult<()> {
        self.put(value.into_pyobject(self.py)?.into_any())
    }

    fn uint(&mut self, value: u64) -> PyResult<()> {
        self.put(value.into_pyobject(self.py)?.into_any())
    }

    fn float(&mut self, value: f64) -> PyResult<()> {
        // Not finite: None, as JSON has it.
        match value.is_finite() {
            true => self.put(PyFloat::new(self.py, value).into_any()),
            false => self.null(),
        }
    }
}
