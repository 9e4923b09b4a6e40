//! The engine's borrowed view reads exactly what the wire observation shows, and the rule
//! policy decides the same over either, every step of rule and random episodes on every task.

use std::path::PathBuf;
use std::sync::Arc;

use shopops::catalog::Catalog;
use shopops::engine::{Game, Machine, View};
use shopops::policy::by_name;
use shopops::policy::desk::Desk;
use shopops::policy::rule::decide;
use shopops::wire::Observation;

fn machines() -> Vec<Arc<Machine>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    Catalog::load(&[dir]).expect("the shipped scenarios load").machines().cloned().collect()
}

/// Every field the desk reads, from the observation and from the view.
fn same_desk(m: &Machine, observation: &Observation, view: &View<'_>, at: &str) {
    assert_eq!(observation.active_id(), Desk::active_id(view), "{at}");
    assert_eq!(Desk::status(observation), Desk::status(view), "{at}");
    assert_eq!(Desk::case_type(observation), Desk::case_type(view), "{at}");
    assert_eq!(Desk::priority(observation), Desk::priority(view), "{at}");
    assert_eq!(Desk::fraud_signal(observation), Desk::fraud_signal(view), "{at}");
    assert_eq!(Desk::evidence_status(observation), Desk::evidence_status(view), "{at}");
    assert_eq!(Desk::carrier_status(observation), Desk::carrier_status(view), "{at}");
    assert_eq!(observation.replacement_units(), Desk::replacement_units(view), "{at}");
    assert_eq!(Desk::order_value(observation), Desk::order_value(view), "{at}");
    assert_eq!(Desk::requested(observation), Desk::requested(view), "{at}");
    for blocker in &m.blockers {
        let name = blocker.name.as_str();
        assert_eq!(Desk::has_blocker(observation, name), Desk::has_blocker(view, name), "{at}");
    }
    let facts = observation.metadata["known_facts"].as_object().expect("known facts");
    for (name, value) in facts {
        let viewed = Desk::fact(view, name).map(|v| v.to_json());
        assert_eq!(viewed.as_ref(), Some(value), "{at}: fact {name}");
    }
    assert_eq!(Desk::fact(view, "no_such_fact"), None);
    let (wire, viewed) = (observation.queue(), Desk::queue(view));
    assert_eq!(wire.len(), viewed.len(), "{at}");
    for (a, b) in wire.iter().zip(&viewed) {
        assert_eq!(
            (a.case_id, a.status, a.priority, a.sla_minutes_remaining),
            (b.case_id, b.status, b.priority, b.sla_minutes_remaining),
            "{at}"
        );
    }
}

#[test]
fn the_view_reads_what_the_observation_shows() {
    for machine in machines() {
        for policy in ["rule", "random"] {
            for seed in 1..=40 {
                let mut game = Game::new(machine.clone(), seed, "view");
                let mut agent = by_name(policy, &machine, seed).expect("policy");
                let mut observation = game.observation();
                loop {
                    let at = format!(
                        "{} {policy} seed {seed} step {}",
                        machine.scenario.id, observation.step_index
                    );
                    let view = View::new(&machine, game.episode());
                    same_desk(&machine, &observation, &view, &at);
                    assert_eq!(decide(&observation), decide(&view), "{at}");
                    if game.done() {
                        break;
                    }
                    observation = game.step(&agent.act(&observation)).expect("running");
                }
            }
        }
    }
}
