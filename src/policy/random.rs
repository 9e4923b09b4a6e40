//! The `random` baseline (game spec §11.2): a uniform action type each step, then only that
//! type's argument, from the policy's own ChaCha8 stream (never the episode's, §10.5).

use super::Policy;
use crate::engine::rng::Draws;
use crate::wire::{Action, ActionType, EscalationReason, Observation, cents, usd};

/// Mixed into the seed so the policy's stream differs from the episode's (§10.5).
pub const SEED_MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// The note codes `random` picks from, uniformly.
pub const NOTE_CODES: [&str; 3] = ["ops_reviewed", "customer_contacted", "follow_up"];

/// The `random` baseline of §11.2.
#[derive(Clone, Debug)]
pub struct RandomPolicy {
    draws: Draws,
}

impl RandomPolicy {
    /// A policy drawing from `Draws::new(seed ^ 0x9E3779B97F4A7C15)`.
    pub fn new(seed: u64) -> Self {
        Self { draws: Draws::new(seed ^ SEED_MIX) }
    }
}

impl Policy for RandomPolicy {
    fn act(&mut self, observation: &Observation) -> Action {
        let draws = &mut self.draws;
        let action_type = ActionType::ALL[draws.below(ActionType::ALL.len() as u64) as usize];
        match action_type {
            ActionType::SwitchCase => {
                let queue = &observation.queue;
                let index = draws.below(queue.len() as u64) as usize;
                let target =
                    queue.get(index).map_or(&observation.active_case.case_id, |item| &item.case_id);
                Action::switch_to(target.clone())
            }
            ActionType::IssueRefund => {
                let order_value = cents(observation.active_case.order_value_usd).unwrap_or(0);
                Action::refund(usd(draws.int(100, order_value)))
            }
            ActionType::ShipReplacement => Action::ship(draws.below(2) == 1),
            ActionType::EscalateRisk => {
                let reasons = EscalationReason::ALL;
                Action::escalate(reasons[draws.below(reasons.len() as u64) as usize])
            }
            ActionType::AddInternalNote => {
                Action::note(NOTE_CODES[draws.below(NOTE_CODES.len() as u64) as usize])
            }
            other => Action::new(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::policy::testing::{case, item, observation};
    use crate::wire::{CasePriority, CaseType};

    fn episode() -> Observation {
        let a = case("HARD-3", CaseType::WrongItem, CasePriority::Medium);
        let b = case("HARD-1", CaseType::WrongItem, CasePriority::Critical);
        let c = case("HARD-6", CaseType::RefundRequest, CasePriority::Low);
        let queue = vec![item(&a, 120), item(&b, 35), item(&c, 180)];
        observation(a, queue, json!({}))
    }

    fn run(seed: u64, steps: usize) -> Vec<Action> {
        let obs = episode();
        let mut policy = RandomPolicy::new(seed);
        (0..steps).map(|_| policy.act(&obs)).collect()
    }

    #[test]
    fn deterministic_per_seed_and_different_across_seeds() {
        assert_eq!(run(1, 50), run(1, 50));
        assert_ne!(run(1, 50), run(2, 50));
        // Its stream is not the episode's.
        let mut episode_stream = Draws::new(1);
        let mut own = Draws::new(1 ^ SEED_MIX);
        assert_ne!(episode_stream.next_u64(), own.next_u64());
    }

    #[test]
    fn first_draw_picks_the_action_type() {
        let mut draws = Draws::new(7 ^ SEED_MIX);
        let expected = ActionType::ALL[draws.below(12) as usize];
        assert_eq!(run(7, 1)[0].action_type, expected);
    }

    #[test]
    fn arguments_stay_in_range_and_other_fields_stay_null() {
        let obs = episode();
        let ids: Vec<&str> = obs.queue.iter().map(|i| i.case_id.as_str()).collect();
        let actions = run(3, 2000);
        let mut seen = std::collections::BTreeSet::new();
        for action in &actions {
            seen.insert(action.action_type);
            assert!(action.validate().is_ok());
            assert!(action.metadata.is_empty());
            match action.action_type {
                ActionType::SwitchCase => {
                    assert!(ids.contains(&action.case_id.as_deref().unwrap()));
                }
                ActionType::IssueRefund => {
                    let amount = cents(action.refund_amount_usd.unwrap()).unwrap();
                    assert!((100..=28460).contains(&amount), "{amount}");
                    assert_eq!(action.case_id, None);
                }
                ActionType::AddInternalNote => {
                    assert!(NOTE_CODES.contains(&action.note_code.as_deref().unwrap()));
                }
                ActionType::EscalateRisk => assert!(action.escalation_reason.is_some()),
                ActionType::ShipReplacement => {}
                _ => assert_eq!(action, &Action::new(action.action_type)),
            }
            if action.action_type != ActionType::SwitchCase {
                assert_eq!(action.case_id, None);
            }
        }
        assert_eq!(seen.len(), 12);
        assert!(
            actions.iter().any(|a| a.expedite)
                && actions
                    .iter()
                    .any(|a| a.action_type == ActionType::ShipReplacement && !a.expedite)
        );
    }
}
