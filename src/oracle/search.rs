//! The oracle's entry point, [`solve`], and its beam searches over cloned episodes. Each layer
//! expands every kept state by every candidate move (rule-invalid ones are never part of a best
//! play and are dropped), records the grade of every finished episode, merges states that
//! differ only in how they were reached, and keeps the most promising ones (see [`value`]).
//! Several searches that weigh missed deadlines differently run; the best play of all is the
//! play the exact search must beat.

use std::rc::Rc;

use super::bound::{Limits, caps};
use super::candidates::Moves;
use super::exact::{Best, branch_and_bound};
use super::layer::Layer;
use super::schedule::outlook;
use crate::engine::grade::score;
use crate::engine::{Episode, Machine, start, step_quiet};
use crate::wire::{Action, round4};

/// How hard the oracle searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchOptions {
    /// States kept per layer by the beam searches that find the first plays to beat (0: none;
    /// the exact search then starts from nothing).
    pub beam_width: usize,
    /// Steps the exact search may simulate before it settles for a bound.
    pub budget: u64,
}

/// The budget of `check --prove` and the oracle policy.
pub const DEFAULT_BUDGET: u64 = 2_000_000;

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { beam_width: 1, budget: DEFAULT_BUDGET }
    }
}

/// The shares of a case's marks the searches count as lost once the case cannot close on time
/// (heuristic weights: they only rank states, grades are always the engine's). Each ranks
/// states differently, and the best play of all is kept.
const LATE_SHARES: [f64; 4] = [0.4, 1.0, 1.5, 3.0];

/// The best play found, and how far it is proven best.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Its grade.
    pub grade: f64,
    /// Its return (sum of step rewards).
    pub total_reward: f64,
    /// Its actions, in order.
    pub actions: Vec<Action>,
    /// Steps the searches simulated.
    pub nodes: u64,
    /// The most any play can grade, proven (rounded to four decimals): the grade itself when
    /// the play is optimal.
    pub upper_bound: f64,
    /// What keeps a perfect play out of reach, as the bound sees it from the start (empty
    /// when it sees nothing).
    pub caps: Vec<String>,
}

impl Solution {
    /// Whether no play grades higher.
    pub fn optimal(&self) -> bool {
        self.upper_bound <= self.grade
    }
}

/// A path of actions, shared between the states that extend it.
#[derive(Debug)]
pub(super) struct Path {
    pub(super) action: Action,
    pub(super) before: Option<Rc<Path>>,
}

/// A state in the beam.
pub(super) struct Node {
    pub(super) episode: Episode,
    pub(super) path: Option<Rc<Path>>,
    pub(super) value: (f64, i64, f64),
    /// Whether the last move switched to another case.
    pub(super) arrived: bool,
}

/// Searches for the best play of `m` from `seed`: beam searches (one per late share) find
/// good plays fast; unless one is proven optimal by the bound of the starting state, the
/// exact search takes the best of them as the play to beat.
pub fn solve(m: &Machine, seed: u64, options: SearchOptions) -> Solution {
    let moves = Moves::new(m);
    let root = start(m, seed, format!("oracle-{seed}"));
    let mut best = Best { grade: 0.0, total_reward: 0.0, path: None };
    let mut nodes = 0;
    for late_share in LATE_SHARES.into_iter().filter(|_| options.beam_width > 0) {
        let found = beam(m, &moves, &root, options.beam_width, late_share);
        nodes += found.nodes;
        if (found.best.grade, found.best.total_reward) > (best.grade, best.total_reward) {
            best = found.best;
        }
    }
    let limits = Limits::of(m);
    let caps = caps(m, &moves, &limits, &root);
    let budget = options.budget.saturating_sub(nodes);
    let searched = branch_and_bound(m, &moves, limits, root, best, budget);
    Solution {
        grade: searched.best.grade,
        total_reward: searched.best.total_reward,
        actions: unwind(searched.best.path),
        nodes: nodes + searched.nodes,
        upper_bound: round4(searched.upper_bound).max(searched.best.grade),
        caps,
    }
}

/// What a beam search found.
struct Beamed {
    best: Best,
    nodes: u64,
}

/// One beam search, counting `late_share` of a case as lost once it cannot close on time.
fn beam(m: &Machine, moves: &Moves, root: &Episode, width: usize, late_share: f64) -> Beamed {
    let root = root.clone();
    let mut best = Best { grade: 0.0, total_reward: 0.0, path: None };
    let mut beam = vec![Node {
        value: value(m, moves, &root, late_share),
        episode: root,
        path: None,
        arrived: false,
    }];
    let mut nodes = 0;
    while !beam.is_empty() {
        let mut layer = Layer::new(width);
        for node in std::mem::take(&mut beam) {
            let from = node.episode.active;
            for (action, mut episode) in
                each_child(moves.candidates(m, &node.episode, node.arrived), node.episode)
            {
                let Ok(report) = step_quiet(m, &mut episode, &action) else { continue };
                nodes += 1;
                if report.invalid {
                    continue;
                }
                let path = Some(Rc::new(Path { action, before: node.path.clone() }));
                if let Some(ending) = &episode.ended {
                    let total_reward = episode.total_reward;
                    if (ending.grade, total_reward) > (best.grade, best.total_reward) {
                        best = Best { grade: ending.grade, total_reward, path };
                    }
                    continue;
                }
                let arrived = episode.active != from;
                let value = value(m, moves, &episode, late_share);
                layer.offer(Node { value, episode, path, arrived });
            }
        }
        beam = layer.into_beam();
    }
    Beamed { best, nodes }
}

/// Each action with a copy of `parent` to play it on: clones for all but the last action,
/// which takes `parent` itself.
pub(super) fn each_child(
    actions: Vec<Action>,
    parent: Episode,
) -> impl Iterator<Item = (Action, Episode)> {
    let n = actions.len();
    actions.into_iter().zip(std::iter::repeat_n(parent, n))
}

/// How promising an unfinished state is: the grade if it ended now, less `late_share` of every
/// open case that would miss its deadline (see [`outlook`]); then the earlier the work could all
/// be done, the better; then the return.
pub(super) fn value(
    m: &Machine,
    moves: &Moves,
    episode: &Episode,
    late_share: f64,
) -> (f64, i64, f64) {
    let n = episode.cases.len().max(1) as f64;
    let outlook = outlook(moves, m, episode);
    let judged = score(m, episode) - late_share * outlook.late as f64 / n;
    (judged, -outlook.finish, episode.total_reward)
}

/// The actions of a path, first to last.
fn unwind(mut path: Option<Rc<Path>>) -> Vec<Action> {
    let mut actions = Vec::new();
    while let Some(node) = path {
        actions.push(node.action.clone());
        path = node.before.clone();
    }
    actions.reverse();
    actions
}
