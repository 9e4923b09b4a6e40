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

/// The observation's `last_action_error` (`code: message`), if the step was refused.
fn refusal(observation: &Observation) -> Option<&str> {
    observation.metadata["last_action_error"].as_str()
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
            let observation = observe(&m, ep, Some(&report));
            assert_eq!(refusal(&observation), None, "seed {seed}: {action:?} refused");
            total += report.reward;
            observation
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
    assert!(report.refused());
    let observation = observe(&m, &ep, Some(&report));
    assert_eq!(observation.metadata["last_action_error_code"], "cannot_close_with_blockers");
    assert_eq!(report.reward, -0.05);
    assert_eq!(ep.clock, 1);
}

#[test]
fn escalation_on_the_hard_task_is_accepted() {
    let m = machine("fraud_stockout_cascade");
    let mut ep = start(&m, 1, "x".into());
    step(&m, &mut ep, &Action::new(ActionType::InspectOrder)).unwrap();
    let report = step(&m, &mut ep, &Action::escalate(EscalationReason::SuspectedFraud)).unwrap();
    assert_eq!(refusal(&observe(&m, &ep, Some(&report))), None);
}

/// A step's details show the inspected check's summary as it read when inspected: a text an
/// event appends later in the same step shows in the case's summary, not in the details.
#[test]
fn details_show_a_summary_as_inspected_before_the_steps_events() {
    let m = machine("refund_policy_recovery");
    let mut ep = start(&m, 4, "x".into());
    step(&m, &mut ep, &Action::new(ActionType::RequestEvidence)).unwrap();
    for _ in 0..20 {
        let report = step(&m, &mut ep, &Action::new(ActionType::InspectOrder)).unwrap();
        let observation = observe(&m, &ep, Some(&report));
        if observation.metadata["events"].as_array().is_some_and(|events| !events.is_empty()) {
            let inspected = observation.latest_tool_result.details["summary"].as_str().unwrap();
            let now = observation.active_case.order_summary.as_deref().unwrap();
            let appended = now.strip_prefix(inspected).unwrap_or_else(|| panic!("{now:?}"));
            assert!(appended.starts_with(" Customer evidence: "), "{now:?}");
            return;
        }
    }
    panic!("the requested evidence never arrived");
}

/// A step of a script: the action to take given the observation so far, if any.
type Move<'a> = &'a dyn Fn(&Observation) -> Option<Action>;

/// Plays a script; each entry sees the observation so far and may skip (`None`).
fn play(m: &Machine, seed: u64, script: &[Move<'_>]) -> (Observation, f64) {
    let mut ep = start(m, seed, format!("s{seed}"));
    let mut obs = observe(m, &ep, None);
    let mut total = 0.0;
    for (i, next) in script.iter().enumerate() {
        let Some(action) = next(&obs) else { continue };
        let report = step(m, &mut ep, &action).expect("running");
        obs = observe(m, &ep, Some(&report));
        assert_eq!(refusal(&obs), None, "seed {seed} step {}: {action:?} refused", i + 1);
        total += report.reward;
    }
    (obs, total)
}

/// Refund the top of the band if the carrier approved, else escalate as a policy exception.
fn carrier_decision(o: &Observation, max_bp: i64) -> Action {
    if o.active_case.carrier_status == shopops::wire::CarrierStatus::Approved {
        Action::refund(pct(o.active_case.order_value_usd, max_bp))
    } else {
        Action::escalate(EscalationReason::PolicyException)
    }
}

fn cents(usd: f64) -> i64 {
    (usd * 100.0).round() as i64
}

fn pct(value_usd: f64, bp: i64) -> f64 {
    ((cents(value_usd) * bp + 5000) / 10_000) as f64 / 100.0
}

#[test]
fn the_medium_task_played_optimally_grades_one() {
    use ActionType::*;
    let m = machine("sla_queue_juggle");
    let a = |t: ActionType| move |_: &Observation| Some(Action::new(t));
    let to = |id: &'static str| move |_: &Observation| Some(Action::switch_to(id));
    let ship = |e: bool| move |_: &Observation| Some(Action::ship(e));
    let note = |_: &Observation| Some(Action::note("vip_exchange"));
    let fraud = |_: &Observation| Some(Action::escalate(EscalationReason::SuspectedFraud));
    let sla5 = |o: &Observation| Some(carrier_decision(o, 3000));
    let refund_all = |o: &Observation| Some(Action::refund(o.active_case.order_value_usd));
    let (a1, a2, a3, a4, a5) =
        (a(InspectOrder), a(InspectInventory), a(CloseCase), a(InspectPolicy), a(ContactCarrier));
    let a6 = a(InspectCustomerHistory);
    let (s1, s5, s2, s3, s4) = (to("SLA-1"), to("SLA-5"), to("SLA-2"), to("SLA-3"), to("SLA-4"));
    let (ship_fast, ship_slow) = (ship(true), ship(false));
    let script: Vec<Move<'_>> = vec![
        &s1,
        &a1,
        &a2,
        &ship_fast,
        &note,
        &a3,
        &s5,
        &a1,
        &a4,
        &a5,
        &s2,
        &a1,
        &a2,
        &ship_slow,
        &a3,
        &s3,
        &a1,
        &a6,
        &fraud,
        &a3,
        &s5,
        &sla5,
        &a3,
        &s4,
        &a1,
        &refund_all,
        &a3,
    ];
    for seed in 1..=30 {
        let (obs, total) = play(&m, seed, &script);
        assert!(obs.done, "seed {seed}");
        assert_eq!(obs.metadata["grade"]["score"], 1.0, "seed {seed}: {}", obs.metadata["grade"]);
        assert!((total - 3.28).abs() < 1e-9, "seed {seed}: return {total}");
    }
}

#[test]
fn the_hard_task_played_optimally_grades_one() {
    use ActionType::*;
    let m = machine("fraud_stockout_cascade");
    let a = |t: ActionType| move |_: &Observation| Some(Action::new(t));
    let to = |id: &'static str| move |_: &Observation| Some(Action::switch_to(id));
    let ship = |e: bool| move |_: &Observation| Some(Action::ship(e));
    let note = |_: &Observation| Some(Action::note("vip_exchange"));
    let fraud = |_: &Observation| Some(Action::escalate(EscalationReason::SuspectedFraud));
    let hard2 = |o: &Observation| {
        Some(if o.active_case.evidence_status == shopops::wire::EvidenceStatus::Insufficient {
            Action::escalate(EscalationReason::SuspectedFraud)
        } else {
            Action::refund(o.active_case.order_value_usd)
        })
    };
    let reserved = |o: &Observation| {
        fact(o, "replacement_eligible") == true && fact(o, "fraud_pattern") == false
    };
    let hard3_inventory = move |o: &Observation| reserved(o).then(|| Action::new(InspectInventory));
    let hard3 = move |o: &Observation| {
        let value = o.active_case.order_value_usd;
        Some(if fact(o, "fraud_pattern") == true {
            Action::escalate(EscalationReason::SuspectedFraud)
        } else if reserved(o) {
            Action::refund(value)
        } else {
            Action::refund(pct(value, 3500))
        })
    };
    let hard4 = |o: &Observation| Some(carrier_decision(o, 3000));
    let refund_all = |o: &Observation| Some(Action::refund(o.active_case.order_value_usd));
    let (order, policy, history, inventory) =
        (a(InspectOrder), a(InspectPolicy), a(InspectCustomerHistory), a(InspectInventory));
    let (close, evidence, carrier) = (a(CloseCase), a(RequestEvidence), a(ContactCarrier));
    let (h1, h2, h4, h7, h5, h3, h6) = (
        to("HARD-1"),
        to("HARD-2"),
        to("HARD-4"),
        to("HARD-7"),
        to("HARD-5"),
        to("HARD-3"),
        to("HARD-6"),
    );
    let (fast, slow) = (ship(true), ship(false));
    let script: Vec<Move<'_>> = vec![
        &h1,
        &order,
        &history,
        &inventory,
        &fast,
        &note,
        &close,
        &h2,
        &order,
        &policy,
        &history,
        &evidence,
        &h4,
        &order,
        &policy,
        &carrier,
        &h7,
        &order,
        &inventory,
        &slow,
        &close,
        &h2,
        &hard2,
        &close,
        &h5,
        &order,
        &history,
        &fraud,
        &close,
        &h3,
        &order,
        &history,
        &hard3_inventory,
        &hard3,
        &close,
        &h4,
        &hard4,
        &close,
        &h6,
        &order,
        &refund_all,
        &close,
    ];
    for seed in 1..=40 {
        let (obs, total) = play(&m, seed, &script);
        assert!(obs.done, "seed {seed}");
        assert_eq!(obs.metadata["grade"]["score"], 1.0, "seed {seed}: {}", obs.metadata["grade"]);
        let reserved = (total - 4.58).abs() < 1e-9;
        assert!(reserved || (total - 4.53).abs() < 1e-9, "seed {seed}: return {total}");
    }
}
