//! The oracle search finds the best plays the game spec names and proves them optimal: every
//! seed of the easy task, the medium task's seeds that take interleaving and triage, and the
//! hard task's seeds that a beam search left below a perfect grade. (`check --prove` in CI and
//! the README's score bands cover the rest.)

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
        assert!(solution.optimal(), "seed {seed}");
        assert_eq!(replay(&m, seed, &solution.actions), solution.grade, "seed {seed}");
    }
}

/// Seeds 48, 52, 61, 83, 92 and 100 need a carrier asked early, long before its case comes up:
/// a beam search of 1,024 states per layer closed one case late on each (0.9786). The exact
/// search finds the perfect play and proves it.
#[test]
fn the_hard_task_is_solved_perfectly_where_a_carrier_must_be_asked_early() {
    let m = machine("fraud_stockout_cascade");
    for seed in [48, 52, 61, 83, 92, 100] {
        let solution = solve(&m, seed, SearchOptions::default());
        assert_eq!((solution.grade, solution.upper_bound), (1.0, 1.0), "seed {seed}");
        assert_eq!(replay(&m, seed, &solution.actions), 1.0, "seed {seed}");
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
        assert!(solution.optimal(), "seed {seed}");
    }
}
