//! The oracle search finds the best plays the game spec names: every seed of the easy task to
//! a perfect grade, and the medium task to at least 0.95. (The hard task takes seconds per seed
//! in a release build; its figures are in the README, measured with `eval --policy oracle`.)

use std::sync::Arc;

use shopops::catalog::Catalog;
use shopops::engine::{Game, Machine};
use shopops::oracle::{SearchOptions, solve};

fn machine(id: &str) -> Arc<Machine> {
    let catalog = Catalog::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios").into()])
        .expect("the shipped scenarios load");
    catalog.get(id).expect("shipped").clone()
}

/// Replays a plan through the public game handle: its grade.
fn replay(m: &Arc<Machine>, seed: u64, plan: &[shopops::wire::Action]) -> f64 {
    let mut game = Game::new(m.clone(), seed, "replay");
    for action in plan {
        game.step(action).expect("the plan fits in the episode");
    }
    assert!(game.done(), "the plan ends the episode");
    game.summary().expect("ended").final_score
}

#[test]
fn the_easy_task_is_solved_perfectly_on_every_seed() {
    let m = machine("refund_policy_recovery");
    for seed in 1..=5 {
        let solution = solve(&m, seed, SearchOptions::default());
        assert_eq!(solution.grade, 1.0, "seed {seed}");
        assert_eq!(replay(&m, seed, &solution.actions), solution.grade, "seed {seed}");
    }
}

#[test]
fn the_medium_task_is_solved_to_at_least_095() {
    let m = machine("sla_queue_juggle");
    let solution = solve(&m, 1, SearchOptions::default());
    assert!(solution.grade >= 0.95, "grade {}", solution.grade);
    assert_eq!(replay(&m, 1, &solution.actions), solution.grade);
    assert!(solution.nodes > 0);
}
