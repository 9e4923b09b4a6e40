//! `oracle`: replays the best play the oracle search found for the episode's scenario and seed
//! (see [`crate::oracle`]). Unlike the baselines it is planned with the hidden record: it shows
//! what is achievable, it is not a fair agent.

use std::collections::VecDeque;

use super::{Policy, hold};
use crate::engine::Machine;
use crate::oracle::{SearchOptions, solve};
use crate::wire::{Action, Observation};

/// The oracle's plan, played back.
#[derive(Debug)]
pub struct OraclePolicy {
    plan: VecDeque<Action>,
}

impl OraclePolicy {
    /// Plans the episode of `machine` with `seed`.
    pub fn plan(machine: &Machine, seed: u64) -> Self {
        OraclePolicy { plan: solve(machine, seed, SearchOptions::default()).actions.into() }
    }
}

impl Policy for OraclePolicy {
    fn act(&mut self, observation: &Observation) -> Action {
        self.plan.pop_front().unwrap_or_else(|| hold(observation))
    }
}
