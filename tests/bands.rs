//! The baseline score bands of game spec §11.3, over seeds 1–100 of each shipped task:
//! `rule` inside its acceptance band, `random` at most 0.05 on average, and `noop`,
//! `close_all` and `pay_all` exactly 0 on every seed (§8.7.3).

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use shopops::catalog::Catalog;
use shopops::engine::{Game, Machine};
use shopops::policy::by_name;

const SEEDS: std::ops::RangeInclusive<u64> = 1..=100;

/// The shipped scenarios (loading fails unless they check clean).
static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    Catalog::load(&[dir]).expect("the shipped scenarios check clean")
});

fn machine(task: &str) -> Arc<Machine> {
    CATALOG.get(task).unwrap_or_else(|| panic!("{task}")).clone()
}

/// Plays one episode of `policy` to its end; the final grade.
fn play(machine: &Arc<Machine>, policy: &str, seed: u64) -> f64 {
    let mut game = Game::new(machine.clone(), seed, format!("band-{seed}"));
    let mut agent = by_name(policy, machine, seed).expect("a known policy");
    let mut observation = game.observation();
    while !game.done() {
        let action = agent.act(&observation);
        observation = game.step(&action).expect("a running episode takes every step");
    }
    game.summary().expect("a finished episode has a summary").final_score
}

/// Per-seed grades of `policy` on `task`, seeds 1–100.
fn grades(task: &str, policy: &str) -> Vec<f64> {
    let machine = machine(task);
    SEEDS.map(|seed| play(&machine, policy, seed)).collect()
}

fn mean(grades: &[f64]) -> f64 {
    grades.iter().sum::<f64>() / grades.len() as f64
}

fn rule_band(task: &str, lo: f64, hi: f64) {
    let grades = grades(task, "rule");
    let mean = mean(&grades);
    let (min, max) = grades.iter().fold((1.0f64, 0.0f64), |(a, b), &g| (a.min(g), b.max(g)));
    eprintln!("rule on {task}: mean {mean:.4} (seeds 1-100, range {min:.4}-{max:.4})");
    assert!(
        (lo..=hi).contains(&mean),
        "rule on {task}: mean grade {mean:.4} outside the acceptance band {lo}-{hi} \
         (range {min:.4}-{max:.4})"
    );
}

#[test]
fn rule_on_the_easy_task_is_within_0_84_to_0_94() {
    rule_band("refund_policy_recovery", 0.84, 0.94);
}

#[test]
fn rule_on_the_medium_task_is_within_0_82_to_0_91() {
    rule_band("sla_queue_juggle", 0.82, 0.91);
}

#[test]
fn rule_on_the_hard_task_is_within_0_76_to_0_90() {
    rule_band("fraud_stockout_cascade", 0.76, 0.90);
}

#[test]
fn random_averages_at_most_0_05() {
    for m in CATALOG.machines() {
        let task = m.scenario.id.as_str();
        let grades = grades(task, "random");
        let mean = mean(&grades);
        let max = grades.iter().copied().fold(0.0, f64::max);
        eprintln!("random on {task}: mean {mean:.4}, max {max:.4}");
        assert!(mean <= 0.05, "random on {task}: mean grade {mean:.4} > 0.05 (max {max:.4})");
    }
}

/// Every seed of every task grades exactly 0 under `policy`.
fn scores_exactly_0(policy: &str) {
    for m in CATALOG.machines() {
        let task = m.scenario.id.as_str();
        for seed in SEEDS {
            let grade = play(m, policy, seed);
            assert_eq!(grade, 0.0, "{policy} on {task}, seed {seed}: grade {grade}");
        }
    }
}

#[test]
fn noop_scores_exactly_0() {
    scores_exactly_0("noop");
}

#[test]
fn close_all_scores_exactly_0() {
    scores_exactly_0("close_all");
}

#[test]
fn pay_all_scores_exactly_0() {
    scores_exactly_0("pay_all");
}

#[test]
fn every_shipped_task_is_banded() {
    let mut ids: Vec<&str> = CATALOG.machines().map(|m| m.scenario.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["fraud_stockout_cascade", "refund_policy_recovery", "sla_queue_juggle"]);
}
