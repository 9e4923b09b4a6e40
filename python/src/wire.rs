//! The wire format between Rust and Python: observations and actions as dicts.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pythonize::{depythonize, pythonize};
use serde_json::Value;
use shopops::wire::{Action, Observation, action_from_value};

/// `value` as Python data (dicts, lists, str, float, int, bool, None).
pub(crate) fn to_py<'py>(
    py: Python<'py>,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    pythonize(py, value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// An action dict read and validated as the server reads a step request: `ValueError` with
/// every violation (the 422 messages, joined by `; `) when it is malformed.
pub(crate) fn action_of(action: &Bound<'_, PyAny>) -> PyResult<Action> {
    let value: Value = depythonize(action)
        .map_err(|e| PyValueError::new_err(format!("the action is not JSON data: {e}")))?;
    action_from_value(value).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        PyValueError::new_err(messages.join("; "))
    })
}

/// The action `action` (a dict) as the engine reads it, its defaults left out; `ValueError`
/// when it is malformed.
#[pyfunction]
pub(crate) fn parse_action<'py>(
    py: Python<'py>,
    action: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, &action_of(action)?)
}

/// Whether `value` is a wire observation: a dict with exactly the observation's fields, each of
/// its type.
#[pyfunction]
pub(crate) fn is_observation(value: &Bound<'_, PyAny>) -> bool {
    depythonize::<Observation>(value).is_ok()
}

/// The actions as tools, as OpenAI's chat completions API takes them: one function per action
/// type, in the spec's order.
#[pyfunction]
pub(crate) fn function_tools(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &shopops::agent::function_tools())
}
