//! The prompts of `shopops eval --agent openai`, built from wire observation dicts: what a
//! client that receives observations over the network (`RemoteEnv`, the TRL tool environment
//! in remote mode) shows a model, identical to what an in-process `Game` shows.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pythonize::depythonize;
use shopops::agent::{ToolMode, shift_start, system_prompt, tool_result};
use shopops::wire::Observation;

use crate::wire::action_of;

/// `value` read as a wire observation; `ValueError` when it is not one.
fn observation_of(value: &Bound<'_, PyAny>) -> PyResult<Observation> {
    depythonize(value).map_err(|e| PyValueError::new_err(format!("not a wire observation: {e}")))
}

/// The system prompt (tool mode) of the episode whose reset observation is `reset`.
#[pyfunction]
pub(crate) fn system_prompt_of(reset: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(system_prompt(&observation_of(reset)?, ToolMode::Tools))
}

/// The desk at the start of the shift, from the reset observation.
#[pyfunction]
pub(crate) fn shift_start_of(reset: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(shift_start(&observation_of(reset)?))
}

/// What a model reads after `action` led to `observation`: the step's result, then the desk.
#[pyfunction]
pub(crate) fn tool_result_of(
    action: &Bound<'_, PyAny>,
    observation: &Bound<'_, PyAny>,
) -> PyResult<String> {
    Ok(tool_result(&action_of(action)?, &observation_of(observation)?, None))
}
