//! The oracle search finds the best plays the game spec names: every seed of the easy task to
//! a perfect grade, and the medium task's hard seeds too. (The hard task takes seconds per seed
//! in a debug build; `check --prove` in CI and the README's score bands cover it.)

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

/// Seed 2 needs the carrier asked early (its answer arrives while other cases are worked) and
/// seed 16 needs the critical case first although another starts active: both are solved
/// perfectly.
#[test]
fn the_medium_task_is_solved_perfectly_where_it_takes_interleaving_and_triage() {
    let m = machine("sla_queue_juggle");
    for seed in [2, 16] {
        let solution = solve(&m, seed, SearchOptions::default());
        assert_eq!(solution.grade, 1.0, "seed {seed}");
        assert_eq!(replay(&m, seed, &solution.actions), solution.grade, "seed {seed}");
        assert!(solution.nodes > 0);
    }
}
