//! Quick look at the baselines: mean grade per task and policy over seeds 1..=N.
//! `cargo run --release --example baselines -- 100`

use std::path::PathBuf;
use std::sync::Arc;

use shopops::check::check_paths;
use shopops::compile::compile;
use shopops::engine::{Game, Machine};
use shopops::policy::by_name;

fn main() {
    let seeds: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let report = check_paths(&[dir]).expect("scenarios readable");
    let sources = report.sources;
    for scenario in report.checked.into_iter().filter_map(|c| compile(c, &sources)) {
        let machine = Arc::new(Machine::new(Arc::new(scenario)));
        for policy in ["rule", "random", "noop", "close_all", "pay_all"] {
            let mut total = 0.0;
            let mut ret = 0.0;
            for seed in 1..=seeds {
                let mut game = Game::new(machine.clone(), seed, "baseline");
                let mut agent = by_name(policy, &machine, seed).expect("policy");
                let mut obs = game.observation();
                while !game.done() {
                    obs = game.step(&agent.act(&obs)).expect("running");
                }
                total += game.summary().expect("ended").final_score;
                ret += game.state().total_reward;
            }
            println!(
                "{:24} {policy:10} grade {:.3} return {:.2}",
                machine.scenario.id,
                total / seeds as f64,
                ret / seeds as f64
            );
        }
    }
}
