//! The oracle: a search over the engine for the best grade a scenario and seed allow, and the
//! actions that reach it. It plays with full knowledge of the episode (the hidden record
//! included): it proves what is achievable, it is not a fair agent.
//!
//! `candidates` lists the moves worth trying in a state; `schedule` estimates which open cases
//! will miss their deadlines; `search` is a beam search over cloned episodes with duplicate
//! states merged.

mod candidates;
mod schedule;
mod search;

pub use search::{SearchOptions, Solution, solve};
