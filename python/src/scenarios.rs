//! [`Scenarios`]: a set of scenario files, checked and compiled; [`ScenarioError`] when they do
//! not check.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyException, PyKeyError, PyOSError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use shopops::catalog::{Catalog, LoadError};
use shopops::diag::{render_human, to_json};
use shopops::engine::Machine;

use crate::game::Game;
use crate::wire::to_py;

pyo3::create_exception!(
    shopops,
    ScenarioError,
    PyException,
    "Scenario files that do not check. `report` is the rendered text of `shopops check`; \
     `diagnostics` the list of its JSON diagnostics (code, severity, message, file, line, \
     column, labels, help)."
);

/// Width of the rendered report, as `shopops check` prints it to a pipe.
const REPORT_WIDTH: usize = 100;

/// Scenario files, checked and compiled: every task they declare, ready to play.
#[pyclass(module = "shopops._core", frozen)]
pub(crate) struct Scenarios {
    catalog: Catalog,
}

#[pymethods]
impl Scenarios {
    /// Checks and compiles every scenario file under `paths` (files or directories). Raises
    /// `ScenarioError` on any error diagnostic or when no file declares a scenario, and
    /// `OSError` when a path cannot be read.
    #[new]
    fn new(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<Self> {
        match py.detach(|| Catalog::load(&paths)) {
            Ok(catalog) => Ok(Scenarios { catalog }),
            Err(LoadError::Io(error)) => Err(PyOSError::new_err(error.to_string())),
            Err(LoadError::Empty) => Err(scenario_error(py, LoadError::Empty.to_string(), "", &[])),
            Err(LoadError::Invalid(report)) => {
                let text = render_human(&report.diagnostics, &report.sources, false, REPORT_WIDTH);
                let diagnostics = to_json(&report.diagnostics, &report.sources);
                let summary = LoadError::Invalid(report).to_string();
                Err(scenario_error(py, summary, &text, &diagnostics))
            }
        }
    }

    /// The task ids, in load order (files sorted by path).
    fn ids(&self) -> Vec<String> {
        self.catalog.ids().map(str::to_string).collect()
    }

    /// One task's id, title, difficulty, version, file and limits.
    fn info<'py>(&self, py: Python<'py>, task: &str) -> PyResult<Bound<'py, PyDict>> {
        let entry = self.catalog.entry(task).filter(|e| e.machine.is_some());
        let (Some(entry), Some(machine)) = (entry, entry.and_then(|e| e.machine.as_ref())) else {
            return Err(unknown_task(&self.catalog, task));
        };
        let scenario = &machine.scenario;
        let info = PyDict::new(py);
        info.set_item("id", &scenario.id)?;
        info.set_item("title", &scenario.title)?;
        info.set_item("difficulty", &scenario.difficulty)?;
        info.set_item("version", &scenario.version)?;
        info.set_item("path", &entry.path)?;
        info.set_item("max_steps", scenario.limits.max_steps)?;
        info.set_item("time_limit_minutes", scenario.limits.time_limit_minutes)?;
        info.set_item("invalid_action_limit", scenario.limits.invalid_action_limit)?;
        info.set_item("budget_usd", shopops::wire::usd(scenario.limits.budget_cents))?;
        Ok(info)
    }

    /// One task's seed splits: for each split in declaration order, its seed ranges
    /// `(first, last)` (both included) in the order written.
    fn splits<'py>(&self, py: Python<'py>, task: &str) -> PyResult<Bound<'py, PyDict>> {
        let machine = self.catalog.get(task).ok_or_else(|| unknown_task(&self.catalog, task))?;
        let splits = PyDict::new(py);
        for (name, seeds) in &machine.scenario.splits {
            splits.set_item(name, seeds.ranges().to_vec())?;
        }
        Ok(splits)
    }

    /// Warnings of the check, as `shopops check --format json` prints them.
    fn diagnostics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.catalog.diagnostics())
    }

    /// A new episode of `task` with `seed`, labelled `episode_id`.
    fn game(&self, task: &str, seed: u64, episode_id: String) -> PyResult<Game> {
        Ok(Game::new(self.machine(task)?, seed, episode_id))
    }

    fn __repr__(&self) -> String {
        format!("Scenarios({})", self.ids().join(", "))
    }
}

impl Scenarios {
    /// The executable scenario of `task`; `KeyError` for an unknown task.
    pub(crate) fn machine(&self, task: &str) -> PyResult<Arc<Machine>> {
        self.catalog.get(task).cloned().ok_or_else(|| unknown_task(&self.catalog, task))
    }
}

/// `KeyError` naming the served tasks.
fn unknown_task(catalog: &Catalog, task: &str) -> PyErr {
    let served: Vec<&str> = catalog.ids().collect();
    PyKeyError::new_err(format!("unknown task `{task}`; the tasks are {}", served.join(", ")))
}

/// A [`ScenarioError`] whose message is `summary` then the report, with `report` and
/// `diagnostics` set.
fn scenario_error(
    py: Python<'_>,
    summary: String,
    report: &str,
    diagnostics: &[shopops::diag::JsonDiagnostic],
) -> PyErr {
    let message = if report.is_empty() { summary } else { format!("{summary}\n\n{report}") };
    let error = ScenarioError::new_err(message);
    let value = error.value(py);
    let attached = value
        .setattr("report", report)
        .and_then(|()| value.setattr("diagnostics", to_py(py, &diagnostics)?));
    match attached {
        Ok(()) => error,
        Err(failure) => failure,
    }
}
