//! The trivial reference policies (game spec §11.2, §8.7): `noop`, `close_all` and `pay_all`.
//! Each must score 0 on every shipped task.
//!
//! `close_all` and `pay_all` read their place in the cycle from `latest_tool_result.action_type`
//! (the last action taken, refused or not), so they need no state and start afresh at reset.

use super::{Policy, hold, next_in_queue};
use crate::wire::{Action, ActionType, Observation};

/// `noop`: hold (`switch_case` to the active case) until the episode ends.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopPolicy;

impl Policy for NoopPolicy {
    fn act(&mut self, observation: &Observation) -> Action {
        hold(observation)
    }
}

/// `close_all`: `close_case`, then switch to the next case in queue order (wrapping around),
/// forever.
#[derive(Clone, Copy, Debug, Default)]
pub struct CloseAllPolicy;

impl Policy for CloseAllPolicy {
    fn act(&mut self, observation: &Observation) -> Action {
        match observation.latest_tool_result.action_type {
            Some(ActionType::CloseCase) => Action::switch_to(next_in_queue(observation)),
            _ => Action::new(ActionType::CloseCase),
        }
    }
}

/// `pay_all`: on each case in queue order (wrapping around), `issue_refund` of the requested
/// amount (the order value if none), `close_case`, switch to the next case.
#[derive(Clone, Copy, Debug, Default)]
pub struct PayAllPolicy;

impl Policy for PayAllPolicy {
    fn act(&mut self, observation: &Observation) -> Action {
        let case = &observation.active_case;
        match observation.latest_tool_result.action_type {
            Some(ActionType::IssueRefund) => Action::new(ActionType::CloseCase),
            Some(ActionType::CloseCase) => Action::switch_to(next_in_queue(observation)),
            _ => Action::refund(case.requested_compensation_usd.unwrap_or(case.order_value_usd)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::policy::testing::{case, item, observation};
    use crate::wire::{CasePriority, CaseType, usd};

    fn episode(active: usize) -> Observation {
        let mut cases = vec![
            case("SLA-4", CaseType::RefundRequest, CasePriority::Low),
            case("SLA-1", CaseType::WrongItem, CasePriority::Critical),
            case("SLA-2", CaseType::DeliveryIssue, CasePriority::High),
        ];
        cases[1].requested_compensation_usd = None;
        cases[1].order_value_usd = usd(41000);
        let queue = cases.iter().map(|c| item(c, 60)).collect();
        observation(cases.swap_remove(active), queue, json!({}))
    }

    fn after(mut obs: Observation, last: ActionType) -> Observation {
        obs.latest_tool_result.action_type = Some(last);
        obs
    }

    #[test]
    fn noop_holds() {
        assert_eq!(NoopPolicy.act(&episode(2)), Action::switch_to("SLA-2"));
        assert_eq!(
            NoopPolicy.act(&after(episode(0), ActionType::SwitchCase)),
            Action::switch_to("SLA-4")
        );
    }

    #[test]
    fn close_all_closes_then_switches_round_the_queue() {
        let mut policy = CloseAllPolicy;
        assert_eq!(policy.act(&episode(0)), Action::new(ActionType::CloseCase));
        assert_eq!(
            policy.act(&after(episode(0), ActionType::CloseCase)),
            Action::switch_to("SLA-1")
        );
        assert_eq!(
            policy.act(&after(episode(1), ActionType::SwitchCase)),
            Action::new(ActionType::CloseCase)
        );
        assert_eq!(
            policy.act(&after(episode(2), ActionType::CloseCase)),
            Action::switch_to("SLA-4")
        );
    }

    #[test]
    fn pay_all_refunds_closes_and_switches() {
        let mut policy = PayAllPolicy;
        assert_eq!(policy.act(&episode(0)), Action::refund(284.6));
        assert_eq!(
            policy.act(&after(episode(0), ActionType::IssueRefund)),
            Action::new(ActionType::CloseCase)
        );
        assert_eq!(
            policy.act(&after(episode(0), ActionType::CloseCase)),
            Action::switch_to("SLA-1")
        );
        // No request: the order value.
        assert_eq!(policy.act(&after(episode(1), ActionType::SwitchCase)), Action::refund(410.0));
        assert_eq!(
            policy.act(&after(episode(2), ActionType::CloseCase)),
            Action::switch_to("SLA-4")
        );
    }
}
