//! The generic engine: plays any compiled scenario. It knows no task, case, SKU or fact by
//! name; everything it does comes from the scenario's declarations and case data.
//!
//! In place so far: the episode's random draws ([`rng`]) and everything drawn at reset
//! ([`reset`]), with the value model ([`value`]) and case-data evaluation ([`eval`]).

pub mod eval;
pub mod reset;
pub mod rng;
pub mod value;
