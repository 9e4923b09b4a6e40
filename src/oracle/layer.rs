//! What one layer of a beam search keeps of the states it reaches: states with the same
//! [`signature`] merged (the one of highest value kept, the first on a tie), then the `width`
//! of highest value, ties broken by signature (so the order never depends on a hash map's).

use std::cmp::Ordering;

use super::search::Node;
use super::signature::{BySignature, signature};

/// The states of a layer kept so far.
pub(super) struct Layer {
    /// How many states the layer keeps.
    width: usize,
    /// Width 1: the state of highest value so far and its signature. The best of a layer is
    /// the state of highest value, the lowest signature among equals, the first reached of
    /// that signature; so a state's signature is only worked out when its value ties or
    /// beats the best's. (Values are never NaN: they are grades, counts, minutes, returns.)
    best: Option<(u64, Node)>,
    /// Wider: every signature reached and its state of highest value.
    all: Option<BySignature<Node>>,
}

impl Layer {
    /// An empty layer that keeps `width` states.
    pub(super) fn new(width: usize) -> Layer {
        Layer { width, best: None, all: (width != 1).then(BySignature::default) }
    }

    /// Takes in a state reached.
    pub(super) fn offer(&mut self, child: Node) {
        let Some(all) = &mut self.all else {
            let key = match &self.best {
                None => signature(&child.episode),
                Some((key, kept)) => match child.value.partial_cmp(&kept.value) {
                    Some(Ordering::Greater) => signature(&child.episode),
                    Some(Ordering::Equal) => match signature(&child.episode) {
                        lower if lower < *key => lower,
                        _ => return,
                    },
                    Some(Ordering::Less) | None => return,
                },
            };
            self.best = Some((key, child));
            return;
        };
        let key = signature(&child.episode);
        match all.get(&key) {
            Some(kept) if kept.value >= child.value => {}
            _ => {
                all.insert(key, child);
            }
        }
    }

    /// The states kept, highest value first.
    pub(super) fn into_beam(self) -> Vec<Node> {
        let Some(all) = self.all else {
            return self.best.into_iter().map(|(_, node)| node).collect();
        };
        let mut next: Vec<(u64, Node)> = all.into_iter().collect();
        next.sort_by(|(a_key, a), (b_key, b)| {
            b.value.partial_cmp(&a.value).unwrap_or(Ordering::Equal).then(a_key.cmp(b_key))
        });
        next.truncate(self.width);
        next.into_iter().map(|(_, node)| node).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::engine::testing::{draw, machines};
    use crate::engine::{Episode, start, step_quiet};
    use crate::oracle::candidates::Moves;
    use crate::oracle::search::Path;
    use crate::wire::{Action, ActionType};

    /// The layer of width 1 keeps the state the wide one ranks first: over random layers of
    /// states reached on the shipped tasks, offered again and again (the same state twice, with
    /// values drawn from a few so that they tie), both keep the same offer.
    #[test]
    fn the_best_of_a_layer_is_the_first_of_the_wide_layer() {
        let machines = machines(&["scenarios"]);
        assert_eq!(machines.len(), 3);
        let mut state = 0x853c_49e6_748f_ea9b_u64;
        let mut episodes: Vec<Episode> = Vec::new();
        for m in &machines {
            let moves = Moves::new(m);
            for seed in 1..=3 {
                let mut ep = start(m, seed, "layer".into());
                while ep.ended.is_none() {
                    episodes.push(ep.clone());
                    let candidates = moves.candidates(m, &ep, false);
                    let action = match candidates.len() {
                        0 => Action::new(ActionType::CloseCase),
                        n => candidates[draw(&mut state, n)].clone(),
                    };
                    if step_quiet(m, &mut ep, &action).is_err() {
                        break;
                    }
                }
            }
        }
        let mut several = 0;
        for _ in 0..500 {
            let mut best = Layer::new(1);
            let mut wide = Layer { all: Some(BySignature::default()), ..Layer::new(1) };
            let size = 1 + draw(&mut state, 12);
            // Which episode the offer was, to tell apart offers of the same state.
            for offer in 0..size {
                let episode = episodes[draw(&mut state, 6.min(episodes.len()))].clone();
                let value = (draw(&mut state, 2) as f64 * 0.5, -(draw(&mut state, 2) as i64), 0.0);
                for layer in [&mut best, &mut wide] {
                    let action = Action::new(ActionType::ALL[offer % ActionType::ALL.len()]);
                    let path = Some(Rc::new(Path { action, before: None }));
                    let (episode, arrived) = (episode.clone(), offer % 2 == 0);
                    layer.offer(Node { episode, path, value, arrived });
                }
            }
            let kept = |layer: Layer| {
                let nodes = layer.into_beam();
                assert_eq!(nodes.len(), 1);
                let node = &nodes[0];
                let action = node.path.as_ref().map(|p| p.action.action_type);
                (signature(&node.episode), node.value, action, node.arrived)
            };
            let (a, b) = (kept(best), kept(wide));
            several += usize::from(size > 1);
            assert_eq!(a, b);
        }
        assert!(several > 400, "{several} layers of several states");
    }
}
