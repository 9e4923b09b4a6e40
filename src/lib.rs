//! ShopOps: an online shop's operations desk as a reinforcement-learning environment, built
//! from a scenario language.
//!
//! The pipeline is one module per stage: [`source`] (files and spans) → [`syntax`] (parse) →
//! [`data`] (YAML case data) → [`check`] (every diagnostic) → [`compile`] (an immutable
//! [`compile::Scenario`]).

pub mod catalog;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod compile;
pub mod data;
pub mod diag;
pub mod engine;
pub mod policy;
#[cfg(feature = "server")]
pub mod server;
pub mod source;
pub mod syntax;
pub mod wire;
