//! Beam search over cloned episodes. Each layer expands every kept state by every candidate
//! move (rule-invalid ones are never part of a best play and are dropped), records the grade of
//! every finished episode, merges states that differ only in how they were reached, and keeps
//! the most promising ones (see [`value`]). Several searches that weigh missed deadlines
//! differently run; the best play of all is the solution.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::rc::Rc;

use super::candidates::Moves;
use super::schedule::outlook;
use crate::engine::grade::score;
use crate::engine::{Episode, Machine, start, step};
use crate::wire::Action;

/// How wide the search is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchOptions {
    /// States kept per layer in the first searches.
    pub beam_width: usize,
    /// While no search has found a perfect play, they run again four times wider, up to this
    /// width.
    pub max_beam_width: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { beam_width: 64, max_beam_width: 1024 }
    }
}

/// The shares of a case's marks the searches count as lost once the case cannot close on time
/// (heuristic weights: they only rank states, grades are always the engine's). Each ranks
/// states differently, and the best play of all is kept.
const LATE_SHARES: [f64; 4] = [0.4, 1.0, 1.5, 3.0];

/// A grade no play can beat: the searches stop once one reaches it.
const PERFECT: f64 = 1.0;

/// The best play found.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// Its grade.
    pub grade: f64,
    /// Its return (sum of step rewards).
    pub total_reward: f64,
    /// Its actions, in order.
    pub actions: Vec<Action>,
    /// Steps the search simulated.
    pub nodes: u64,
}

/// A path of actions, shared between the states that extend it.
#[derive(Debug)]
struct Path {
    action: Action,
    before: Option<Rc<Path>>,
}

/// A state in the beam.
struct Node {
    episode: Episode,
    path: Option<Rc<Path>>,
    value: (f64, i64, f64),
    /// Whether the last move switched to another case.
    arrived: bool,
}

/// Searches for the best play of `m` from `seed`: one beam search per late share, widening
/// while none plays perfectly, until one does or the widest searches are done; the best play of
/// all is kept (ties: the higher return, then the earlier search).
pub fn solve(m: &Machine, seed: u64, options: SearchOptions) -> Solution {
    let moves = Moves::new(m);
    let mut best: Option<Solution> = None;
    let mut nodes = 0;
    let mut width = options.beam_width.max(1);
    'widening: loop {
        for late_share in LATE_SHARES {
            let found = beam(m, &moves, seed, width, late_share);
            nodes += found.nodes;
            if best
                .as_ref()
                .is_none_or(|b| (found.grade, found.total_reward) > (b.grade, b.total_reward))
            {
                best = Some(found);
            }
            if best.as_ref().is_some_and(|b| b.grade >= PERFECT) {
                break 'widening;
            }
        }
        if width >= options.max_beam_width {
            break;
        }
        width = (width * 4).min(options.max_beam_width);
    }
    let best =
        best.unwrap_or(Solution { grade: 0.0, total_reward: 0.0, actions: Vec::new(), nodes: 0 });
    Solution { nodes, ..best }
}

/// One beam search, counting `late_share` of a case as lost once it cannot close on time.
fn beam(m: &Machine, moves: &Moves, seed: u64, width: usize, late_share: f64) -> Solution {
    let root = start(m, seed, format!("oracle-{seed}"));
    let mut best: Option<(f64, f64, Option<Rc<Path>>)> = None;
    let mut beam = vec![Node {
        value: value(m, moves, &root, late_share),
        episode: root,
        path: None,
        arrived: false,
    }];
    let mut nodes = 0;
    while !beam.is_empty() {
        let mut layer: HashMap<u64, Node> = HashMap::new();
        for node in &beam {
            for action in moves.candidates(m, &node.episode, node.arrived) {
                let mut episode = node.episode.clone();
                let Ok(report) = step(m, &mut episode, &action) else { continue };
                nodes += 1;
                if report.error.is_some() {
                    continue;
                }
                let path = Some(Rc::new(Path { action, before: node.path.clone() }));
                if let Some(ending) = &episode.ended {
                    let candidate = (ending.grade, episode.total_reward);
                    if best.as_ref().is_none_or(|(g, r, _)| (candidate.0, candidate.1) > (*g, *r)) {
                        best = Some((candidate.0, candidate.1, path));
                    }
                    continue;
                }
                let arrived = episode.active != node.episode.active;
                let value = value(m, moves, &episode, late_share);
                let child = Node { value, episode, path, arrived };
                let key = signature(&child.episode);
                match layer.get(&key) {
                    Some(kept) if kept.value >= child.value => {}
                    _ => {
                        layer.insert(key, child);
                    }
                }
            }
        }
        let mut next: Vec<(u64, Node)> = layer.into_iter().collect();
        // Highest value first; the signature breaks ties, so the order never depends on the
        // hash map's iteration order.
        next.sort_by(|(a_key, a), (b_key, b)| {
            b.value
                .partial_cmp(&a.value)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a_key.cmp(b_key))
        });
        next.truncate(width);
        beam = next.into_iter().map(|(_, node)| node).collect();
    }
    let (grade, total_reward, path) = best.unwrap_or((0.0, 0.0, None));
    Solution { grade, total_reward, actions: unwind(path), nodes }
}

/// How promising an unfinished state is: the grade if it ended now, less `late_share` of every
/// open case that would miss its deadline (see [`outlook`]); then the earlier the work could all
/// be done, the better; then the return.
fn value(m: &Machine, moves: &Moves, episode: &Episode, late_share: f64) -> (f64, i64, f64) {
    let n = episode.cases.len().max(1) as f64;
    let outlook = outlook(moves, m, episode);
    let judged = score(m, episode) - late_share * outlook.late as f64 / n;
    (judged, -outlook.finish, episode.total_reward)
}

/// A hash of what matters for the future of a state (not how it was reached).
fn signature(ep: &Episode) -> u64 {
    let mut h = DefaultHasher::new();
    (ep.clock, ep.active, ep.spending, &ep.stock, ep.satisfaction, ep.invalid).hash(&mut h);
    (ep.reopened_cases, ep.sla_breaches, ep.fraud_loss, ep.stockouts).hash(&mut h);
    for case in &ep.cases {
        (case.status, &case.completed, case.revealed, &case.responses, &case.notes).hash(&mut h);
        (case.slot_free, &case.paid_as, case.fees, case.reopens, &case.closes).hash(&mut h);
        (case.breached, case.stockout).hash(&mut h);
        case.resolution.as_ref().map(|r| (r.kind, r.action, r.expedite, r.step)).hash(&mut h);
    }
    for pending in &ep.pending {
        (pending.due, pending.event, pending.case, pending.payload).hash(&mut h);
    }
    h.finish()
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
