//! Depth-first branch and bound over cloned episodes: every state whose [`upper_bound`] could
//! still beat the best play found is expanded, most promising child first; a state already
//! expanded with no more steps taken is not expanded again. When the search runs out of
//! states, the best play found is optimal; when it runs out of budget, the most any play can
//! grade is the highest bound among the states left unexplored.

use std::rc::Rc;

use super::bound::{Limits, upper_bound};
use super::candidates::Moves;
use super::search::{Path, each_child, value};
use super::signature::{BySignature, signature};
use crate::engine::{Episode, Machine, step_quiet};

/// Grades are rounded to four decimals, so a play that beats another grades at least 0.0001
/// more, and its score before rounding at least this much more.
const MARGIN: f64 = 0.5e-4 - 1e-9;

/// States remembered as expanded, at most (a bound on the search's memory).
const MEMORY: usize = 1 << 22;

/// The best play known so far.
pub(super) struct Best {
    pub(super) grade: f64,
    pub(super) total_reward: f64,
    pub(super) path: Option<Rc<Path>>,
}

/// What the search ended with.
pub(super) struct Searched {
    pub(super) best: Best,
    /// The most any play can grade.
    pub(super) upper_bound: f64,
    /// Steps simulated.
    pub(super) nodes: u64,
}

/// A state waiting to be expanded.
struct Child {
    episode: Episode,
    path: Option<Rc<Path>>,
    arrived: bool,
    bound: f64,
}

/// Searches from `root` for a play better than `best`, simulating at most `budget` steps.
pub(super) fn branch_and_bound(
    m: &Machine,
    moves: &Moves,
    limits: Limits,
    root: Episode,
    best: Best,
    budget: u64,
) -> Searched {
    let bound = upper_bound(m, moves, &limits, &root).grade;
    let mut search = Search { m, moves, limits, best, nodes: 0, expanded: BySignature::default() };
    // Each frame holds the children of a state on the current path still to explore, most
    // promising last.
    let mut stack: Vec<Vec<Child>> =
        vec![vec![Child { episode: root, path: None, arrived: false, bound }]];
    while let Some(frame) = stack.last_mut() {
        if search.nodes >= budget {
            break;
        }
        let Some(child) = frame.pop() else {
            stack.pop();
            continue;
        };
        if !beats(child.bound, &search.best) || search.seen(&child) {
            continue;
        }
        let children = search.expand(child);
        stack.push(children);
    }
    let unexplored = stack.iter().flatten().map(|c| c.bound).fold(0.0, f64::max);
    Searched {
        upper_bound: unexplored.max(search.best.grade),
        nodes: search.nodes,
        best: search.best,
    }
}

struct Search<'a> {
    m: &'a Machine,
    moves: &'a Moves,
    limits: Limits,
    best: Best,
    nodes: u64,
    /// Signature of each expanded state → the fewest steps it was expanded at.
    expanded: BySignature<u32>,
}

impl Search<'_> {
    /// Whether the same state was already expanded with no more steps taken (else notes it).
    fn seen(&mut self, child: &Child) -> bool {
        let key = signature(&child.episode);
        let steps = child.episode.steps;
        match self.expanded.get(&key) {
            Some(&at) if at <= steps => true,
            _ => {
                if self.expanded.len() < MEMORY {
                    self.expanded.insert(key, steps);
                }
                false
            }
        }
    }

    /// The children of `node` that could beat the best play, most promising last; finished
    /// ones update the best play instead.
    fn expand(&mut self, node: Child) -> Vec<Child> {
        let mut children = Vec::new();
        let from = node.episode.active;
        let actions = self.moves.candidates(self.m, &node.episode, node.arrived);
        for (action, mut episode) in each_child(actions, node.episode) {
            let Ok(report) = step_quiet(self.m, &mut episode, &action) else { continue };
            self.nodes += 1;
            if report.invalid {
                continue;
            }
            let path = Some(Rc::new(Path { action, before: node.path.clone() }));
            if let Some(ending) = &episode.ended {
                let better = (ending.grade, episode.total_reward)
                    > (self.best.grade, self.best.total_reward);
                if better {
                    let total_reward = episode.total_reward;
                    self.best = Best { grade: ending.grade, total_reward, path };
                }
                continue;
            }
            let bound = upper_bound(self.m, self.moves, &self.limits, &episode);
            if !beats(bound.grade, &self.best) {
                continue;
            }
            let arrived = episode.active != from;
            let promise = (bound.slack, value(self.m, self.moves, &episode, 1.0));
            children.push((promise, Child { episode, path, arrived, bound: bound.grade }));
        }
        // Highest bound, then most to spare, then highest value, popped first.
        children.sort_by(|(a_promise, a), (b_promise, b)| {
            (a.bound, *a_promise)
                .partial_cmp(&(b.bound, *b_promise))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        children.into_iter().map(|(_, child)| child).collect()
    }
}

/// Whether a state whose grade is bounded by `bound` could beat `best`.
pub(super) fn beats(bound: f64, best: &Best) -> bool {
    bound >= best.grade + MARGIN
}
