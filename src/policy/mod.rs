//! Baseline policies (game spec §11). They see only the public [`Observation`], including
//! `metadata.known_facts` and the visible blockers, never the hidden record.
//!
//! - [`rule`]: the hand-written desk procedure of §11.1, deliberate weaknesses included.
//! - [`random`]: uniform actions from its own seeded stream (§11.2).
//! - [`trivial`]: `noop` (hold forever), `close_all` and `pay_all`, the soundness checks of
//!   §8.7 and §11.2.
//! - [`oracle`]: the oracle search's best play, planned with the hidden record (not a fair
//!   agent: it shows what is achievable).

pub mod desk;
pub mod oracle;
pub mod random;
pub mod rule;
pub mod trivial;

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::engine::{Game, Machine};
use crate::wire::{Action, Observation, QueueItemView};

pub use oracle::OraclePolicy;
pub use random::RandomPolicy;
pub use rule::RulePolicy;
pub use trivial::{CloseAllPolicy, NoopPolicy, PayAllPolicy};

/// A policy: picks the next action from the public observation.
pub trait Policy: Send {
    /// The action to take in this observation.
    fn act(&mut self, observation: &Observation) -> Action;
}

/// The names [`by_name`] knows: the spec's baselines in its order, then `oracle`.
pub const NAMES: [&str; 6] = ["rule", "random", "noop", "close_all", "pay_all", "oracle"];

/// A fresh policy by name for an episode of `machine` with `seed` (`random` draws from the
/// seed; `oracle` plans the episode). `None` for an unknown name.
pub fn by_name(name: &str, machine: &Machine, seed: u64) -> Option<Box<dyn Policy>> {
    let policy: Box<dyn Policy> = match name {
        "oracle" => Box::new(OraclePolicy::plan(machine, seed)),
        "rule" => Box::new(RulePolicy::new()),
        "random" => Box::new(RandomPolicy::new(seed)),
        "noop" => Box::new(NoopPolicy),
        "close_all" => Box::new(CloseAllPolicy),
        "pay_all" => Box::new(PayAllPolicy),
        _ => return None,
    };
    Some(policy)
}

/// Plays one episode of `machine` from `seed` with `policy` until it ends: the finished game.
pub fn play(
    machine: &Arc<Machine>,
    policy: &mut dyn Policy,
    seed: u64,
    episode_id: String,
) -> Game {
    let mut game = Game::new(machine.clone(), seed, episode_id);
    let mut observation = game.observation();
    while !game.done() {
        match game.step(&policy.act(&observation)) {
            Ok(next) => observation = next,
            Err(_) => break,
        }
    }
    game
}

/// Holding: `switch_case` to the active case (5 minutes, nothing else changes).
pub fn hold(observation: &Observation) -> Action {
    Action::switch_to(observation.active_case.case_id.clone())
}

/// The facts revealed so far on the active case (`metadata.known_facts`), if any.
pub fn known_facts(observation: &Observation) -> Option<&Map<String, Value>> {
    observation.metadata.get("known_facts").and_then(Value::as_object)
}

/// One known fact of the active case.
pub fn fact<'a>(observation: &'a Observation, name: &str) -> Option<&'a Value> {
    known_facts(observation).and_then(|facts| facts.get(name))
}

/// The case after the active one in queue order, wrapping around (the active case itself when
/// it is alone or missing from the queue).
pub fn next_in_queue(observation: &Observation) -> &str {
    let queue: &[QueueItemView] = &observation.queue;
    let active = observation.active_case.case_id.as_str();
    match queue.iter().position(|item| item.case_id == active) {
        Some(index) => &queue[(index + 1) % queue.len()].case_id,
        None => active,
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Hand-built observations for the policy tests.

    use indexmap::IndexMap;
    use serde_json::{Map, Value, json};

    use crate::wire::{
        BusinessMetrics, CasePriority, CaseType, CaseView, CustomerTier, Observation,
        QueueItemView, Resources, ToolResult, usd,
    };

    /// A case view with the given id, type and priority; other fields as in the worked
    /// example's reset observation.
    pub(crate) fn case(id: &str, case_type: CaseType, priority: CasePriority) -> CaseView {
        let mut view = crate::wire::example_observation().active_case;
        view.case_id = id.into();
        view.title = format!("Case {id}");
        view.case_type = case_type;
        view.priority = priority;
        view.customer_tier = CustomerTier::Silver;
        view.days_since_order = 10;
        view
    }

    /// A queue entry for `view` with `sla` minutes left.
    pub(crate) fn item(view: &CaseView, sla: i64) -> QueueItemView {
        QueueItemView {
            case_id: view.case_id.clone(),
            title: view.title.clone(),
            case_type: view.case_type,
            status: view.status,
            priority: view.priority,
            customer_tier: view.customer_tier,
            sla_minutes_remaining: sla,
            blocker_count: view.blockers.len() as u32,
        }
    }

    /// An observation whose active case is `active`, with this queue and these known facts.
    pub(crate) fn observation(
        active: CaseView,
        queue: Vec<QueueItemView>,
        facts: Value,
    ) -> Observation {
        let mut metadata = Map::new();
        metadata.insert("known_facts".into(), facts);
        let mut inventory_units = IndexMap::new();
        inventory_units.insert("console-pro".to_string(), 1);
        inventory_units.insert("earbuds-lite".to_string(), 0);
        Observation {
            unresolved_blockers: active.blockers.clone(),
            latest_tool_result: ToolResult {
                action_type: None,
                target_case_id: active.case_id.clone(),
                outcome: "Shift started.".into(),
                details: Map::new(),
            },
            active_case: active,
            queue,
            resources: Resources {
                time_remaining_minutes: 220,
                budget_remaining_usd: usd(180_000),
                time_used_minutes: 0,
                budget_used_usd: 0.0,
                inventory_units,
            },
            metrics: BusinessMetrics {
                resolved_cases: 0,
                closed_cases: 0,
                reopened_cases: 0,
                sla_breaches: 0,
                fraud_loss_usd: 0.0,
                customer_satisfaction: 0.72,
                stockouts: 0,
            },
            current_task: "fraud_stockout_cascade".into(),
            difficulty: "hard".into(),
            step_index: 0,
            episode_id: "test".into(),
            env_schema_version: "3.0.0".into(),
            reward: None,
            done: false,
            metadata,
        }
    }

    /// A one-case observation of `view` with no known facts.
    pub(crate) fn single(view: CaseView) -> Observation {
        let queue = vec![item(&view, 60)];
        observation(view, queue, json!({}))
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{case, item, observation};
    use super::*;
    use crate::wire::{ActionType, CasePriority, CaseType};
    use serde_json::json;

    #[test]
    fn every_name_builds_a_policy() {
        let catalog = crate::catalog::Catalog::load(&["scenarios".into()]).expect("shipped");
        let machine = catalog.select(None, None).expect("the easy task");
        for name in NAMES {
            assert!(by_name(name, machine, 1).is_some(), "{name}");
        }
        assert!(by_name("optimal", machine, 1).is_none());
        assert!(by_name("Rule", machine, 1).is_none());
    }

    #[test]
    fn helpers_read_the_observation() {
        let a = case("A", CaseType::RefundRequest, CasePriority::Low);
        let b = case("B", CaseType::RefundRequest, CasePriority::Low);
        let queue = vec![item(&a, 10), item(&b, 10)];
        let mut obs = observation(b.clone(), queue, json!({"note_code": "x"}));
        assert_eq!(next_in_queue(&obs), "A");
        assert_eq!(fact(&obs, "note_code"), Some(&json!("x")));
        assert_eq!(fact(&obs, "other"), None);
        let held = hold(&obs);
        assert_eq!(held.action_type, ActionType::SwitchCase);
        assert_eq!(held.case_id.as_deref(), Some("B"));
        obs.metadata.clear();
        assert!(known_facts(&obs).is_none());
    }
}
