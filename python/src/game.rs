//! [`Game`]: one episode, stepped by the engine with the GIL released.

use std::sync::Arc;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use shopops::agent::{ToolMode, shift_start, system_prompt, tool_result};
use shopops::engine::{self, Machine};
use shopops::wire::{Action, Observation};

use crate::pyobs;
use crate::wire::{action_of, to_py};

/// One episode of a task. Observations are the wire observation as a dict: the envelope's
/// `observation` with its `reward` and `done`.
#[pyclass(module = "shopops._core")]
pub(crate) struct Game {
    game: engine::Game,
    /// The first observation (what the prompts describe the shift by).
    reset: Observation,
    last: Option<Action>,
    /// `Env`'s info of the observation last made, until [`Game::info`] takes it.
    info: Option<Py<PyDict>>,
    /// The names the observations repeat, as Python strings.
    strings: pyobs::Strings,
}

impl Game {
    pub(crate) fn new(machine: Arc<Machine>, seed: u64, episode_id: String) -> Self {
        let game = engine::Game::new(machine, seed, episode_id);
        let reset = game.observation();
        Game { reset, game, last: None, info: None, strings: pyobs::Strings::default() }
    }
}

#[pymethods]
impl Game {
    /// The current observation.
    fn observation<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let observation = pyobs::observation(py, &self.game.observed(), &mut self.strings)?;
        let info = pyobs::info(&observation, &pyobs::INFO_KEYS, &mut self.strings)?;
        self.info = Some(info.unbind());
        Ok(observation)
    }

    /// `Env`'s info of the current observation: its metadata's `reward_breakdown`,
    /// `last_action_error`, `last_action_error_code` and, at the end, `termination_reason`,
    /// `episode_summary` and `grade` (objects of their own, not the observation's). Copied
    /// from the observation as `step` or `observation` made it (made anew if taken already).
    fn info<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        if self.info.is_none() {
            self.observation(py)?;
        }
        Ok(self.info.take().map_or_else(|| PyDict::new(py), |info| info.into_bound(py)))
    }

    /// Takes one step and returns the new observation. A rule-invalid action is a step (its
    /// error is in `metadata.last_action_error`); a malformed one raises `ValueError` and is not
    /// a step; stepping an ended episode raises `RuntimeError`.
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        action: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let action = action_of(action)?;
        let game = &mut self.game;
        py.detach(|| game.advance(&action))
            .map_err(|error| PyRuntimeError::new_err(error.to_string()))?;
        self.last = Some(action);
        self.observation(py)
    }

    /// Whether the episode has ended.
    #[getter]
    fn done(&self) -> bool {
        self.game.done()
    }

    /// The episode state (as `GET /state` serves it).
    fn state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.game.state())
    }

    /// The grade report once the episode has ended, else `None`.
    fn grade<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.game.grade())
    }

    /// The episode summary once the episode has ended, else `None`.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.game.summary())
    }

    /// The system prompt of `shopops eval --agent openai` (tool mode): the desk's role, the
    /// task's handbook and the shift's limits.
    fn system_prompt(&self) -> String {
        system_prompt(&self.reset, ToolMode::Tools)
    }

    /// What a language model reads after the last step (the step's result, then the desk as
    /// JSON), or before the first (the desk at the start of the shift).
    fn prompt(&self) -> String {
        match &self.last {
            None => shift_start(&self.reset),
            Some(action) => tool_result(action, &self.game.observation(), None),
        }
    }
}
