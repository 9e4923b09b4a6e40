//! The engine steps any sequence of action JSON on every shipped scenario without panicking,
//! and its invariants hold after every step.
//!
//! The input is text, one action JSON per line; a first line that is a number is the episode
//! seed (else the seed is 0). Each line is decoded as the server decodes an action
//! (`parse_action`, and `action_from_value` on the same JSON value: they must agree); a
//! request error is skipped, as the server answers it without a step. Every decoded action is
//! stepped on one episode of each shipped scenario. The scenarios are compiled once, from text
//! built into the binary: nothing is read from disk.
//!
//! Invariants: a decoded action is valid and round-trips through JSON; a running episode takes
//! every step, with a finite reward in [-1, 1] whose breakdown sums to it, the step count up by
//! one and never over the scenario's limit, and `done` as the episode says; a finished episode
//! refuses every step and does not change (done is sticky); grades stay in [0, 1] and a
//! finished episode has a summary whose final score is its grade.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use shopops::check::check_sources;
use shopops::compile::compile;
use shopops::engine::grade::grade;
use shopops::engine::{Game, Machine, StepError};
use shopops::source::SourceMap;
use shopops::wire::{Action, action_from_value, parse_action};

/// The shipped scenario files and their case data, by path under `scenarios/`.
const FILES: [(&str, &str); 7] = [
    ("scenarios/prelude.shop", include_str!("../../scenarios/prelude.shop")),
    (
        "scenarios/refund_policy_recovery.shop",
        include_str!("../../scenarios/refund_policy_recovery.shop"),
    ),
    ("scenarios/sla_queue_juggle.shop", include_str!("../../scenarios/sla_queue_juggle.shop")),
    (
        "scenarios/fraud_stockout_cascade.shop",
        include_str!("../../scenarios/fraud_stockout_cascade.shop"),
    ),
    (
        "scenarios/data/refund_policy_recovery.yaml",
        include_str!("../../scenarios/data/refund_policy_recovery.yaml"),
    ),
    (
        "scenarios/data/sla_queue_juggle.yaml",
        include_str!("../../scenarios/data/sla_queue_juggle.yaml"),
    ),
    (
        "scenarios/data/fraud_stockout_cascade.yaml",
        include_str!("../../scenarios/data/fraud_stockout_cascade.yaml"),
    ),
];

/// The three shipped scenarios, checked, compiled and made executable once.
fn machines() -> &'static [Arc<Machine>] {
    static MACHINES: OnceLock<Vec<Arc<Machine>>> = OnceLock::new();
    MACHINES.get_or_init(|| {
        let mut sources = SourceMap::confined("/nonexistent/shopops-fuzz");
        let mut roots = Vec::new();
        for (path, text) in FILES {
            let id = sources.add(path, text);
            if path.ends_with(".shop") {
                roots.push(id);
            }
        }
        let report = check_sources(sources, &roots);
        assert_eq!(report.errors(), 0, "the shipped scenarios check clean");
        let sources = report.sources;
        let machines: Vec<_> = report
            .checked
            .into_iter()
            .filter_map(|checked| compile(checked, &sources))
            .map(|scenario| Arc::new(Machine::new(Arc::new(scenario))))
            .collect();
        assert_eq!(machines.len(), 3, "three shipped scenarios");
        machines
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n').peekable();
    let seed = match lines.peek().and_then(|line| line.trim().parse::<u64>().ok()) {
        Some(seed) => {
            lines.next();
            seed
        }
        None => 0,
    };
    let actions: Vec<Action> = lines.filter_map(decode).collect();
    for machine in machines() {
        play(machine, seed, &actions);
    }
});

/// One line as the server decodes it; `None` for a request error.
fn decode(line: &str) -> Option<Action> {
    let parsed = parse_action(line);
    if let Ok(value) = serde_json::from_str::<Value>(line) {
        let from_value = action_from_value(value);
        assert_eq!(
            parsed.is_ok(),
            from_value.is_ok(),
            "parse_action and action_from_value: {line}"
        );
        if let (Ok(a), Ok(b)) = (&parsed, &from_value) {
            assert_eq!(a, b, "{line}");
        }
    } else {
        assert!(parsed.is_err(), "parse_action accepted text that is not JSON: {line}");
    }
    let action = parsed.ok()?;
    assert!(action.validate().is_ok(), "decoded but invalid: {line}");
    let text = serde_json::to_string(&action).expect("an action serializes");
    assert_eq!(parse_action(&text).as_ref(), Ok(&action), "round trip of {line} via {text}");
    Some(action)
}

/// Plays `actions` on a new episode of `machine`, checking the invariants after every step.
fn play(machine: &Arc<Machine>, seed: u64, actions: &[Action]) {
    let id = &machine.scenario.id;
    let max_steps = machine.scenario.limits.max_steps;
    let mut game = Game::new(machine.clone(), seed, "fuzz");
    // Whether a refused step has been compared with the whole finished episode yet.
    let mut compared = false;
    for action in actions {
        if game.done() {
            let before = (!compared).then(|| format!("{:?}", game.episode()));
            let steps = game.episode().steps;
            let refusal = game.step(action).err();
            assert_eq!(refusal, Some(StepError::EpisodeDone), "{id}: a step after done");
            assert!(game.done(), "{id}: done is sticky");
            assert_eq!(game.episode().steps, steps, "{id}: a refused step counted");
            if let Some(before) = before {
                let after = format!("{:?}", game.episode());
                assert_eq!(after, before, "{id}: a refused step changed the episode");
                compared = true;
            }
            continue;
        }
        let before_steps = game.episode().steps;
        let result = game.step(action);
        let after = game.episode();
        let observation =
            result.unwrap_or_else(|e| panic!("{id}: a running episode refused {action:?}: {e}"));
        let at = || format!("{id} seed {seed} step {}: {action:?}", after.steps);
        assert_eq!(after.steps, before_steps + 1, "{}: the step count", at());
        assert!(
            i64::from(after.steps) <= max_steps,
            "{}: {} steps, limit {max_steps}",
            at(),
            after.steps
        );
        assert_eq!(observation.step_index, after.steps, "{}: step_index", at());
        assert_eq!(observation.done, game.done(), "{}: done", at());
        let reward = observation.reward.expect("a step has a reward");
        assert!(reward.is_finite() && (-1.0..=1.0).contains(&reward), "{}: reward {reward}", at());
        let breakdown = observation.metadata["reward_breakdown"]
            .as_object()
            .expect("reward_breakdown is an object");
        let sum: f64 = breakdown.values().map(|v| v.as_f64().expect("a number")).sum();
        assert!(
            (sum - reward).abs() <= 1e-9,
            "{}: breakdown {breakdown:?} sums to {sum}, reward {reward}",
            at()
        );
        assert!(after.total_reward.is_finite(), "{}: total reward {}", at(), after.total_reward);
        if observation.done {
            let report = grade(machine, after);
            let terminal = observation.metadata["grade"]["score"].as_f64();
            assert_eq!(terminal, Some(report.score), "{}: terminal grade vs grade()", at());
            let summary = game.summary().expect("a finished episode has a summary");
            assert_eq!(summary.final_score, report.score, "{}: final_score", at());
        }
    }
    let report = grade(machine, game.episode());
    assert!((0.0..=1.0).contains(&report.score), "{id}: grade {}", report.score);
    assert!((0.001..=0.999).contains(&report.inference_score), "{id}: {}", report.inference_score);
    serde_json::to_string(&game.observation()).expect("an observation serializes");
    serde_json::to_string(&game.state()).expect("state serializes");
}
