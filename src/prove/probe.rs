//! The probes along the oracle's play: after each of its steps, the same action once more on a
//! copy of the episode (it must neither raise the grade nor earn reward), and which blockers
//! come up and are met again.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde::Serialize;

use crate::engine::grade::{grade, score};
use crate::engine::observe::unmet_blockers;
use crate::engine::{Episode, Machine, start, step_quiet};
use crate::wire::{Action, ActionType};

/// Below this, grade and reward differences are rounding.
const EPSILON: f64 = 1e-9;

/// A repeated action that paid.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Farm {
    /// The step of the oracle's play that was repeated (1-based).
    pub step: usize,
    /// The action.
    pub action: ActionType,
    /// The grade if the episode ended before the repeat.
    pub grade_before: f64,
    /// The grade after it.
    pub grade_after: f64,
    /// The repeat's reward.
    pub reward: f64,
}

impl Farm {
    /// Whether the repeat raised the grade (else it only earned reward).
    pub fn raises_grade(&self) -> bool {
        self.grade_after > self.grade_before + EPSILON
    }
}

/// What replaying the oracle's play showed.
pub(super) struct Along {
    pub(super) grade: f64,
    pub(super) components: IndexMap<String, f64>,
    pub(super) farms: Vec<Farm>,
    pub(super) raised: BTreeSet<String>,
    pub(super) cleared: BTreeSet<String>,
}

/// Replays `actions` from `seed`, probing after every step.
pub(super) fn along(m: &Machine, seed: u64, actions: &[Action]) -> Along {
    let mut ep = start(m, seed, format!("prove-{seed}"));
    // Blocker → the cases it was unmet on.
    let mut raised: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    note_unmet(m, &ep, &mut raised);
    let mut farms = Vec::new();
    for (index, action) in actions.iter().enumerate() {
        if step_quiet(m, &mut ep, action).is_err() {
            break;
        }
        note_unmet(m, &ep, &mut raised);
        if ep.ended.is_none() {
            farms.extend(repeat(m, &ep, action, index + 1));
        }
    }
    let report = grade(m, &ep);
    let name = |b: usize| m.blockers[b].name.clone();
    let cleared = raised
        .iter()
        .filter(|(b, cases)| cases.iter().all(|&case| !unmet_blockers(m, &ep, case).contains(b)))
        .map(|(&b, _)| name(b))
        .collect();
    Along {
        grade: ep.ended.as_ref().map_or(report.score, |e| e.grade),
        components: report.components,
        farms,
        raised: raised.keys().map(|&b| name(b)).collect(),
        cleared,
    }
}

/// `action` once more on a copy of `ep`: a farm if it raises the grade or earns reward.
fn repeat(m: &Machine, ep: &Episode, action: &Action, step_number: usize) -> Option<Farm> {
    let before = score(m, ep);
    let mut again = ep.clone();
    let report = step_quiet(m, &mut again, action).ok()?;
    // The step that ends an episode pays its grade bonus: judge it by the grade alone.
    let reward = if again.ended.is_some() { 0.0 } else { report.reward };
    let after = again.ended.as_ref().map_or_else(|| score(m, &again), |e| e.grade);
    let farm = Farm {
        step: step_number,
        action: action.action_type,
        grade_before: before,
        grade_after: after,
        reward,
    };
    (farm.raises_grade() || reward > EPSILON).then_some(farm)
}

fn note_unmet(m: &Machine, ep: &Episode, raised: &mut BTreeMap<usize, BTreeSet<usize>>) {
    for case in 0..ep.cases.len() {
        for blocker in unmet_blockers(m, ep, case) {
            raised.entry(blocker).or_default().insert(case);
        }
    }
}
