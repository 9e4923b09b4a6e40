//! Engine speed: steps per second with the rule policy (in-process), reset cost, and the raw
//! step cost of a fixed action cycle on a cloned episode (what search and replay do).

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use shopops::check::check_paths;
use shopops::compile::compile;
use shopops::engine::{Game, Machine, start, step};
use shopops::policy::by_name;
use shopops::wire::{Action, ActionType};

fn machines() -> Vec<Arc<Machine>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let report = check_paths(&[dir]).expect("scenarios readable");
    let sources = report.sources;
    report
        .checked
        .into_iter()
        .filter_map(|c| compile(c, &sources))
        .map(|s| Arc::new(Machine::new(Arc::new(s))))
        .collect()
}

/// Steps of one rule-policy episode (observation built every step, as an agent sees it).
fn rule_episode(machine: &Arc<Machine>, seed: u64) -> u64 {
    let mut game = Game::new(machine.clone(), seed, "bench");
    let mut agent = by_name("rule", machine, seed).expect("rule");
    let mut observation = game.observation();
    let mut steps = 0;
    while !game.done() {
        observation = game.step(&agent.act(&observation)).expect("running");
        steps += 1;
    }
    steps
}

fn engine(c: &mut Criterion) {
    for machine in machines() {
        let id = machine.scenario.id.clone();
        let steps = rule_episode(&machine, 1);
        let mut group = c.benchmark_group(format!("engine/{id}"));
        group.throughput(Throughput::Elements(steps));
        group.bench_function("rule policy episode", |b| {
            b.iter(|| black_box(rule_episode(&machine, 1)))
        });
        group.throughput(Throughput::Elements(1));
        group.bench_function("reset", |b| b.iter(|| black_box(start(&machine, 1, "bench".into()))));
        // Raw stepping: inspect, inspect again (a duplicate), hold; on a fresh clone each time.
        let base = start(&machine, 1, "bench".into());
        let cycle = [
            Action::new(ActionType::InspectOrder),
            Action::new(ActionType::InspectOrder),
            Action::new(ActionType::InspectPolicy),
        ];
        group.throughput(Throughput::Elements(cycle.len() as u64));
        group.bench_function("clone + 3 raw steps", |b| {
            b.iter_batched(
                || base.clone(),
                |mut episode| {
                    for action in &cycle {
                        black_box(step(&machine, &mut episode, action).ok());
                    }
                },
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
