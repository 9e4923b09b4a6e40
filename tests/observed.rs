//! The wire observation written straight from the episode ([`Observed`]) is byte for byte the
//! owned [`Observation`]'s JSON, and its envelope the envelope of that JSON, at every step of
//! every policy's episodes on every shipped task and the fourth (fixture) task.

use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::value::RawValue;
use shopops::catalog::Catalog;
use shopops::check::check_paths;
use shopops::compile::compile;
use shopops::engine::{Game, Machine};
use shopops::policy::by_name;

fn machines() -> Vec<Arc<Machine>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let catalog = Catalog::load(&[root.join("scenarios")]).expect("the shipped scenarios load");
    let mut machines: Vec<Arc<Machine>> = catalog.machines().cloned().collect();
    let fixture = root.join("tests/fixtures/scenarios/warranty_claim_desk.shop");
    let report = check_paths(&[fixture]).expect("fixture readable");
    let sources = report.sources;
    let scenario = report.checked.into_iter().find_map(|c| compile(c, &sources)).expect("compiles");
    machines.push(Arc::new(Machine::new(Arc::new(scenario))));
    machines
}

/// The OpenEnv envelope of an observation's JSON text, as the server wrote it from the owned
/// observation: `{"observation": <it without reward and done>, "reward", "done", "metadata"}`.
fn envelope_of(observation: &str) -> String {
    let mut fields: IndexMap<String, Box<RawValue>> =
        serde_json::from_str(observation).expect("an object");
    let reward = fields.shift_remove("reward").expect("reward");
    let done = fields.shift_remove("done").expect("done");
    let metadata = fields["metadata"].get().to_string();
    let body = serde_json::to_string(&fields).expect("serialisable");
    format!(
        r#"{{"observation":{body},"reward":{},"done":{},"metadata":{metadata}}}"#,
        reward.get(),
        done.get()
    )
}

/// Compares both forms at every step of one episode; the number of steps compared.
fn compare(machine: &Arc<Machine>, policy: &str, seed: u64) -> usize {
    let mut game = Game::new(machine.clone(), seed, format!("observed \"{policy}\"\n{seed}"));
    let mut agent = by_name(policy, machine, seed).expect("policy");
    let mut compared = 0;
    loop {
        let owned = game.observation();
        let at = format!("{} {policy} seed {seed} step {}", machine.scenario.id, owned.step_index);
        let want = serde_json::to_string(&owned).expect("serialisable");
        let observed = game.observed();
        let mut text = Vec::new();
        observed.write_json(&mut text);
        assert_eq!(String::from_utf8(text).expect("UTF-8"), want, "{at}");
        let mut envelope = b"[".to_vec();
        observed.write_envelope(&mut envelope);
        let envelope = String::from_utf8(envelope).expect("UTF-8");
        assert_eq!(envelope, format!("[{}", envelope_of(&want)), "{at}: appended to the buffer");
        let value: serde_json::Value = serde_json::from_str(&envelope[1..]).expect("JSON");
        assert_eq!(observed.envelope_value(), value, "{at}");
        drop(observed);
        compared += 1;
        if game.done() {
            return compared;
        }
        game.advance(&agent.act(&owned)).expect("running");
    }
}

#[test]
fn the_borrowed_observation_writes_the_owned_ones_bytes() {
    for machine in machines() {
        let mut steps = 0;
        for policy in ["rule", "random", "noop", "close_all", "pay_all"] {
            for seed in 1..=25 {
                steps += compare(&machine, policy, seed);
            }
        }
        assert!(steps > 1000, "{}: {steps} steps compared", machine.scenario.id);
    }
}

#[test]
fn ends_of_every_kind_are_compared() {
    // The policies above end episodes by closing every case, by the invalid-action limit and
    // by running out of time or steps; each ending adds its summary and grade to the metadata.
    let mut reasons = std::collections::BTreeSet::new();
    for machine in machines() {
        for policy in ["rule", "random", "noop", "close_all", "pay_all"] {
            let mut game = Game::new(machine.clone(), 1, "ends");
            let mut agent = by_name(policy, &machine, 1).expect("policy");
            while !game.done() {
                let observation = game.observation();
                game.advance(&agent.act(&observation)).expect("running");
            }
            reasons.insert(game.summary().expect("ended").termination_reason);
        }
    }
    assert!(reasons.len() >= 3, "{reasons:?}");
}
