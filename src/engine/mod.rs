//! The generic engine: plays any compiled scenario. It knows no task, case, SKU or fact by
//! name; everything it does comes from the scenario's declarations and case data.
//!
//! A [`Machine`] is a compiled scenario made executable (shared, immutable); an [`Episode`]
//! is a plain, cloneable state; [`step`] is deterministic and does no I/O.

pub mod eval;
// The program the engine runs is the compiler's product; re-exported under its old paths.
pub use crate::compile::{case_plan, ir, machine, symbols, value};
mod eval_ir;
mod footprint;
mod game;
pub mod grade;
pub mod known;
pub mod notes;
pub mod observe;
mod observed;
pub mod query;
mod report;
pub mod reset;
mod reveal;
pub mod rng;
pub mod sink;
pub mod start;
pub mod state;
pub mod step;
#[cfg(test)]
pub(crate) mod testing;
pub mod view;

pub use game::Game;
pub use machine::Machine;
pub use observed::{ENVELOPE_CAPACITY, Observed};
pub use report::StepReport;
pub use start::start;
pub use state::Episode;
pub use step::{Quiet, StepError, step, step_quiet};
pub use view::View;
