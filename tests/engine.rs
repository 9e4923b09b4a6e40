//! The engine plays the shipped scenarios from their files.

use std::path::PathBuf;
use std::sync::Arc;

use shopops::check::check_paths;
use shopops::compile::{Scenario, compile};
use shopops::engine::observe::observe;
use shopops::engine::{Machine, start, step};
use shopops::wire::{Action, ActionType, EscalationReason, Observation};

fn machine(id: &str) -> Machine {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let report = check_paths(&[dir]).expect("scenarios readable");
    let sources = report.sources;
    let scenario: Scenario = report
        .checked
        .into_iter()
        .filter_map(|c| compile(c, &sources))
        .find(|s| s.id == id)
        .expect("shipped");
    Machine::new(Arc::new(scenario))
}

fn fact(observation: &Observation, name: &str) -> serde_json::Value {
    observation.metadata["known_facts"][name].clone()
}

#[test]
fn the_easy_task_played_optimally_grades_one() {
    let m = machine("refund_policy_recovery");
    for seed in 1..=20 {
        let mut ep = start(&m, seed, format!("e{seed}"));
        let mut obs = observe(&m, &ep, None);
        let mut total = 0.0;
        let mut act = |ep: &mut shopops::engine::Episode, action: Action| {
            let report = step(&m, ep, &action).expect("running");
            assert!(report.error.is_none(), "seed {seed}: {action:?} refused: {:?}", report.error);
            total += report.reward;
            observe(&m, ep, Some(&report))
        };
        for t in [
            ActionType::InspectOrder,
            ActionType::InspectPolicy,
            ActionType::InspectCustomerHistory,
        ] {
            obs = act(&mut ep, Action::new(t));
        }
        let value = obs.active_case.order_value_usd;
        let max_pct = fact(&obs, "refund_max_pct").as_i64().unwrap();
        let credit = fact(&obs, "prior_credit_usd").as_f64().unwrap();
        let cents = (value * 100.0).round() as i64;
        let hi = (cents * max_pct * 100 + 5000) / 10_000 - (credit * 100.0).round() as i64;
        act(&mut ep, Action::refund(hi as f64 / 100.0));
        let code = fact(&obs, "note_code").as_str().unwrap().to_string();
        act(&mut ep, Action::note(code));
        let last = act(&mut ep, Action::new(ActionType::CloseCase));
        assert!(last.done, "seed {seed}");
        let grade = &last.metadata["grade"];
        assert_eq!(grade["score"], 1.0, "seed {seed}: {grade}");
        assert!((total - 1.13).abs() < 1e-9, "seed {seed}: return {total}");
    }
}

#[test]
fn closing_without_a_resolution_is_refused_and_penalised() {
    let m = machine("refund_policy_recovery");
    let mut ep = start(&m, 1, "x".into());
    let report = step(&m, &mut ep, &Action::new(ActionType::CloseCase)).unwrap();
    assert_eq!(report.error.as_ref().map(|e| e.0.as_str()), Some("cannot_close_with_blockers"));
    assert_eq!(report.reward, -0.05);
    assert_eq!(ep.clock, 1);
}

#[test]
fn escalation_on_the_hard_task_is_accepted() {
    let m = machine("fraud_stockout_cascade");
    let mut ep = start(&m, 1, "x".into());
    step(&m, &mut ep, &Action::new(ActionType::InspectOrder)).unwrap();
    let report = step(&m, &mut ep, &Action::escalate(EscalationReason::SuspectedFraud)).unwrap();
    assert!(report.error.is_none(), "{:?}", report.error);
}
