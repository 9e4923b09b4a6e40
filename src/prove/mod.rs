//! Soundness proofs (`shopops check --prove`). For each scenario and seed: the oracle's best
//! grade beside the baselines' grades, a farming probe along the oracle's play, and which
//! blockers and grade components the best plays reach. [`diagnose`] turns what is wrong into
//! diagnostics that point at the scenario (SHOP016–SHOP019, SHOP023).
//!
//! The oracle plays with the hidden case data and proves an upper bound on what any play can
//! grade. A scenario is unsolvable when that bound is below [`SOLVABLE`] on a seed (a seed whose
//! search ran out of budget below the bar is warned about); it is sound when it is solvable, no
//! trivial policy scores above [`TRIVIAL_MAX`], no repeated action raises the grade or earns
//! reward, and every weighted component and raised blocker is reached.

mod diagnose;
mod probe;

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indexmap::IndexMap;
use serde::Serialize;

pub use diagnose::diagnose;
pub use probe::Farm;

use crate::check::Report;
use crate::compile::compile;
use crate::engine::Machine;
use crate::oracle::{SearchOptions, solve};
use crate::policy::{by_name, play};
use crate::wire::Action;

/// The grade the oracle must reach on every seed.
pub const SOLVABLE: f64 = 0.95;

/// The most a trivial policy may score: on any seed for the deterministic ones, on average for
/// `random`.
pub const TRIVIAL_MAX: f64 = 0.15;

/// The baselines played beside the oracle: the fair `rule` policy, then the trivial ones.
pub const BASELINES: [&str; 5] = ["rule", "random", "noop", "close_all", "pay_all"];

/// The baselines held to [`TRIVIAL_MAX`].
pub const TRIVIAL: [&str; 4] = ["random", "noop", "close_all", "pay_all"];

/// What a proof found for one scenario.
#[derive(Clone, Serialize)]
pub struct Proof {
    /// Scenario id.
    pub task: String,
    /// Its difficulty.
    pub difficulty: String,
    /// One entry per seed, in seed order.
    pub seeds: Vec<SeedProof>,
    /// The scenario proved, as compiled (its plays replay on it).
    #[serde(skip)]
    pub machine: Arc<Machine>,
}

/// The scenario shown by its version, not as the whole compiled machine.
impl std::fmt::Debug for Proof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proof")
            .field("task", &self.task)
            .field("difficulty", &self.difficulty)
            .field("seeds", &self.seeds)
            .field("machine", &self.machine.scenario.version)
            .finish()
    }
}

/// What a proof found for one seed.
#[derive(Clone, Debug, Serialize)]
pub struct SeedProof {
    /// The seed.
    pub seed: u64,
    /// The grade of the oracle's best play.
    pub oracle: f64,
    /// The most any play can grade, proven: equal to `oracle` when its play is optimal.
    pub upper_bound: f64,
    /// What keeps a perfect play out of reach, as the oracle's bound sees it.
    pub caps: Vec<String>,
    /// The oracle's best play.
    #[serde(skip)]
    pub actions: Vec<Action>,
    /// Its grade components.
    pub components: IndexMap<String, f64>,
    /// The grade of each baseline, in [`BASELINES`] order.
    pub baselines: IndexMap<String, f64>,
    /// The return (sum of step rewards) of each baseline.
    pub returns: IndexMap<String, f64>,
    /// The grade components of each baseline (for diagnostics).
    #[serde(skip)]
    pub baseline_components: IndexMap<String, IndexMap<String, f64>>,
    /// Steps the oracle search simulated.
    pub nodes: u64,
    /// Repeats of the oracle's actions that raised the grade or earned reward.
    pub farms: Vec<Farm>,
    /// Blockers unmet on some case during the oracle's play.
    pub raised: BTreeSet<String>,
    /// Of those, the ones met again on every such case by the end.
    pub cleared: BTreeSet<String>,
}

impl SeedProof {
    /// Whether the oracle's play is proven optimal.
    pub fn optimal(&self) -> bool {
        self.upper_bound <= self.oracle
    }

    /// A baseline's grade (0 if it was not played).
    pub fn baseline(&self, name: &str) -> f64 {
        self.baselines.get(name).copied().unwrap_or(0.0)
    }
}

impl Proof {
    /// The mean of `f` over the seeds (0 without seeds).
    pub fn mean(&self, f: impl Fn(&SeedProof) -> f64) -> f64 {
        self.seeds.iter().map(f).sum::<f64>() / self.seeds.len().max(1) as f64
    }

    /// The seed where `f` is highest (the first of equals).
    pub fn highest(&self, f: impl Fn(&SeedProof) -> f64) -> Option<&SeedProof> {
        self.seeds.iter().reduce(|best, s| if f(s) > f(best) { s } else { best })
    }

    /// A trivial policy's score as held to [`TRIVIAL_MAX`]: its mean grade for `random`, else its
    /// grade on its best seed; with the seed where it scored most.
    pub fn trivial_score(&self, policy: &str) -> (f64, Option<&SeedProof>) {
        let grade = |s: &SeedProof| s.baseline(policy);
        let seed = self.highest(grade);
        let score = if policy == "random" { self.mean(grade) } else { seed.map_or(0.0, grade) };
        (score, seed)
    }

    /// Search steps over every seed.
    pub fn nodes(&self) -> u64 {
        self.seeds.iter().map(|s| s.nodes).sum()
    }
}

/// Compiles the scenarios of a clean check `report`, proves each over `seeds` with the oracle's
/// `search`, easiest first (calling `on_seed` with the scenario id as each seed is done) and
/// adds what is wrong to the report's diagnostics. The report's checked files are used up.
pub fn prove_report(
    report: &mut Report,
    seeds: Range<u64>,
    search: SearchOptions,
    on_seed: &(dyn Fn(&str) + Sync),
) -> Vec<Proof> {
    let mut machines: Vec<Arc<Machine>> = std::mem::take(&mut report.checked)
        .into_iter()
        .filter_map(|checked| compile(checked, &report.sources))
        .map(|scenario| Arc::new(Machine::new(Arc::new(scenario))))
        .collect();
    machines.sort_by(|a, b| a.scenario.tier_key().cmp(&b.scenario.tier_key()));
    let mut proofs = Vec::new();
    for machine in &machines {
        let id = machine.scenario.id.as_str();
        let proof = prove(machine, seeds.clone(), search, &|| on_seed(id));
        report.diagnostics.extend(diagnose(machine, &proof));
        proofs.push(proof);
    }
    proofs
}

/// Proves `machine` over `seeds`, spreading seeds over the machine's cores; `on_seed` is called
/// as each seed is done. The result is the same whatever the number of cores.
pub fn prove(
    machine: &Arc<Machine>,
    seeds: Range<u64>,
    search: SearchOptions,
    on_seed: &(dyn Fn() + Sync),
) -> Proof {
    let next = AtomicU64::new(seeds.start);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut found: Vec<SeedProof> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let seed = next.fetch_add(1, Ordering::Relaxed);
                        if seed >= seeds.end {
                            return mine;
                        }
                        mine.push(prove_seed(machine, seed, search));
                        on_seed();
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
    });
    found.sort_by_key(|s| s.seed);
    Proof {
        task: machine.scenario.id.clone(),
        difficulty: machine.scenario.difficulty.clone(),
        seeds: found,
        machine: machine.clone(),
    }
}

fn prove_seed(machine: &Arc<Machine>, seed: u64, search: SearchOptions) -> SeedProof {
    let solution = solve(machine, seed, search);
    let along = probe::along(machine, seed, &solution.actions);
    let (mut baselines, mut returns, mut baseline_components) =
        (IndexMap::new(), IndexMap::new(), IndexMap::new());
    for name in BASELINES {
        let Some(mut policy) = by_name(name, machine, seed) else { continue };
        let game = play(machine, policy.as_mut(), seed, format!("prove-{seed}"));
        let summary = game.summary();
        baselines.insert(name.to_string(), summary.as_ref().map_or(0.0, |s| s.final_score));
        returns.insert(name.to_string(), game.state().total_reward);
        let components = summary.map(|s| s.grade_components).unwrap_or_default();
        baseline_components.insert(name.to_string(), components);
    }
    SeedProof {
        seed,
        oracle: along.grade,
        upper_bound: solution.upper_bound.max(along.grade),
        caps: solution.caps,
        components: along.components,
        baselines,
        returns,
        baseline_components,
        nodes: solution.nodes,
        farms: along.farms,
        raised: along.raised,
        cleared: along.cleared,
        actions: solution.actions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::machines;

    /// A proof's `Debug` (what a failed assertion prints) names its scenario by version instead
    /// of printing the whole compiled machine.
    #[test]
    fn a_proof_debugs_its_scenario_as_its_version() {
        let machine = Arc::new(machines(&["scenarios"]).swap_remove(0));
        let search = SearchOptions { beam_width: 1, budget: 1_000 };
        let shown = format!("{:?}", prove(&machine, 1..2, search, &|| {}));
        assert!(shown.contains(&format!("machine: {:?}", machine.scenario.version)), "{shown}");
        assert!(shown.len() < 50_000, "{} bytes", shown.len());
    }
}
