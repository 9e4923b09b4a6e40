//! A fourth scenario, written only as files (tests/fixtures/scenarios/), plays end to end:
//! proof that the engine is generic.

use std::path::PathBuf;
use std::sync::Arc;

use shopops::check::check_paths;
use shopops::compile::compile;
use shopops::engine::{Game, Machine};
use shopops::policy::by_name;
use shopops::wire::{Action, ActionType, EscalationReason, Observation};

fn machine() -> Arc<Machine> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios/warranty_claim_desk.shop");
    let report = check_paths(&[path]).expect("fixture readable");
    assert_eq!((report.errors(), report.warnings()), (0, 0), "{:?}", report.diagnostics);
    let sources = report.sources;
    let scenario = report.checked.into_iter().find_map(|c| compile(c, &sources)).expect("compiles");
    Arc::new(Machine::new(Arc::new(scenario)))
}

fn act(game: &mut Game, action: Action) -> Observation {
    let observation = game.step(&action).expect("running");
    assert!(
        observation.metadata["last_action_error"].is_null(),
        "{action:?}: {}",
        observation.metadata["last_action_error"]
    );
    observation
}

#[test]
fn the_warranty_desk_played_well_grades_one() {
    use ActionType::*;
    let m = machine();
    for seed in 1..=30 {
        let mut game = Game::new(m.clone(), seed, "warranty");
        for t in [InspectOrder, InspectPolicy, InspectInventory, RequestEvidence] {
            act(&mut game, Action::new(t));
        }
        act(&mut game, Action::switch_to("WAR-2"));
        act(&mut game, Action::new(InspectOrder));
        act(&mut game, Action::new(InspectCustomerHistory));
        act(&mut game, Action::escalate(EscalationReason::SuspectedFraud));
        act(&mut game, Action::new(CloseCase));
        let back = act(&mut game, Action::switch_to("WAR-1"));
        let facts = &back.metadata["known_facts"];
        let resolution = if facts["replacement_eligible"] == true {
            Action::ship(false)
        } else {
            let value = back.active_case.order_value_usd;
            let cents = (value * 100.0).round() as i64;
            Action::refund(((cents * 2500 + 5000) / 10_000) as f64 / 100.0)
        };
        act(&mut game, resolution);
        act(&mut game, Action::note("warranty_claim"));
        let last = act(&mut game, Action::new(CloseCase));
        assert!(last.done, "seed {seed}");
        assert_eq!(last.metadata["grade"]["score"], 1.0, "seed {seed}: {}", last.metadata["grade"]);
        // The scenario's own event fired at settlement, after the good closes.
        let events = last.metadata["events"].as_array().expect("events");
        assert!(events.iter().any(|e| e["kind"] == "customer_survey"), "seed {seed}: {events:?}");
    }
}

#[test]
fn every_baseline_plays_the_warranty_desk_to_the_end() {
    let m = machine();
    for policy in shopops::policy::NAMES {
        for seed in 1..=10 {
            let mut game = Game::new(m.clone(), seed, "warranty");
            let mut agent = by_name(policy, &m, seed).expect("baseline");
            let mut observation = game.observation();
            while !game.done() {
                observation = game.step(&agent.act(&observation)).expect("running");
            }
            let grade = game.summary().expect("ended").final_score;
            assert!((0.0..=1.0).contains(&grade), "{policy} seed {seed}: {grade}");
        }
    }
}
