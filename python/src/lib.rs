//! `shopops._core`: the ShopOps engine in-process for Python. Scenario files are checked and
//! compiled by the same library as the `shopops` binary ([`Scenarios`]), episodes are stepped
//! by its engine with the GIL released ([`Game`]), and observations, actions and diagnostics
//! cross to Python as the dicts of the wire format; `Games` steps N episodes together, with
//! the wire dicts or a numeric encoding. The Python package `shopops` wraps this module in
//! Gymnasium environments (single, vector, remote) and a TRL tool environment.

mod game;
mod prompts;
mod pyobs;
mod scenarios;
mod vector;
mod wire;

/// The ShopOps engine, in-process: scenarios, episodes and the wire format.
#[pyo3::pymodule]
mod _core {
    #[pymodule_export]
    use super::game::Game;
    #[pymodule_export]
    use super::prompts::{shift_start_of, system_prompt_of, tool_result_of};
    #[pymodule_export]
    use super::scenarios::{ScenarioError, Scenarios};
    #[pymodule_export]
    use super::vector::Games;
    #[pymodule_export]
    use super::wire::{function_tools, is_observation, parse_action};

    use pyo3::prelude::*;
    use pyo3::types::PyTuple;

    /// `INFO_KEYS`: the metadata entries `Env`'s info copies, in its order.
    #[pymodule_init]
    fn init(module: &Bound<'_, PyModule>) -> PyResult<()> {
        module.add("INFO_KEYS", PyTuple::new(module.py(), super::pyobs::INFO_KEYS)?)
    }
}
