//! Engine speed: steps per second with the rule policy (in-process: over the wire observation,
//! over the borrowed view, or with the wire JSON written straight from the episode), reset and
//! clone cost, the raw step cost of a fixed action cycle on a cloned episode (what search and
//! replay do), and the oracle's search nodes/s.
//!
//! The ids `engine/<task>/rule policy episode`, `…/reset` and `…/clone + 3 raw steps` are kept
//! from the first version so figures stay comparable; the others sit beside them.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{BatchSize, Bencher, Criterion, Throughput, criterion_group, criterion_main};
use shopops::catalog::Catalog;
use shopops::engine::{Episode, Game, Machine, View, start, step, step_quiet};
use shopops::oracle::{SearchOptions, solve};
use shopops::policy::by_name;
use shopops::policy::rule::decide;
use shopops::wire::{Action, ActionType};

fn machines() -> Vec<Arc<Machine>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    Catalog::load(&[dir]).expect("the shipped scenarios load").machines().cloned().collect()
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

/// What a front end serving an episode writes after every step.
#[derive(Clone, Copy)]
enum Wire {
    /// The observation's JSON.
    Observation,
    /// The OpenEnv envelope the server sends.
    Envelope,
}

/// Steps of one rule-policy episode (deciding over the view, full steps) with the wire
/// observation written as JSON straight from the episode into `buffer` (reused) after the
/// reset and every step, as a front end serving it does.
fn rule_wire_episode(machine: &Arc<Machine>, seed: u64, wire: Wire, buffer: &mut Vec<u8>) -> u64 {
    let mut game = Game::new(machine.clone(), seed, "bench");
    let mut steps = 0;
    loop {
        buffer.clear();
        let observed = game.observed();
        match wire {
            Wire::Observation => observed.write_json(buffer),
            Wire::Envelope => observed.write_envelope(buffer),
        }
        drop(observed);
        if game.done() {
            return steps;
        }
        let action = decide(&View::new(machine, game.episode()));
        game.advance(&action).expect("running");
        steps += 1;
    }
}

/// Steps of one rule-policy episode over the borrowed view, with report-free steps (what bulk
/// evaluation in-process can do).
fn rule_view_episode(machine: &Machine, seed: u64) -> u64 {
    let mut episode = start(machine, seed, "bench".into());
    let mut steps = 0;
    while episode.ended.is_none() {
        let action = decide(&View::new(machine, &episode));
        if step_quiet(machine, &mut episode, &action).is_err() {
            break;
        }
        steps += 1;
    }
    steps
}

/// The episode after `n` rule-policy steps from `seed` (a mid-episode state to clone).
fn mid_episode(machine: &Machine, seed: u64, n: usize) -> Episode {
    let mut episode = start(machine, seed, "bench".into());
    for _ in 0..n {
        if episode.ended.is_some() {
            break;
        }
        let action = decide(&View::new(machine, &episode));
        let _ = step_quiet(machine, &mut episode, &action);
    }
    episode
}

/// Times `take` over `cycle`, each time on a fresh clone of `base` (the clone is set-up, not
/// timed).
fn cycle_on_clones(
    b: &mut Bencher<'_>,
    base: &Episode,
    cycle: &[Action],
    mut take: impl FnMut(&mut Episode, &Action),
) {
    b.iter_batched(
        || base.clone(),
        |mut episode| {
            for action in cycle {
                take(&mut episode, action);
            }
        },
        BatchSize::SmallInput,
    )
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
            cycle_on_clones(b, &base, &cycle, |e, a| {
                black_box(step(&machine, e, a).ok());
            })
        });
        // The same cycle with report-free steps: the raw step cost on a cloned episode.
        group.bench_function("clone + 3 quiet steps", |b| {
            cycle_on_clones(b, &base, &cycle, |e, a| {
                black_box(step_quiet(&machine, e, a).ok());
            })
        });
        // Quiet steps half way through the rule policy's episode: inspect (again), hold, and a
        // note without its code (rule-invalid).
        let middle = mid_episode(&machine, 1, steps as usize / 2);
        let active = machine.symbols.name(middle.world.cases[middle.active].id).to_string();
        let cycle = [
            Action::new(ActionType::InspectOrder),
            Action::switch_to(active),
            Action::new(ActionType::AddInternalNote),
        ];
        group.bench_function("mid-episode clone + 3 quiet steps", |b| {
            cycle_on_clones(b, &middle, &cycle, |e, a| {
                black_box(step_quiet(&machine, e, a).ok());
            })
        });
        group.throughput(Throughput::Elements(1));
        group.bench_function("clone mid-episode", |b| b.iter(|| black_box(middle.clone())));
        let steps = rule_view_episode(&machine, 1);
        group.throughput(Throughput::Elements(steps));
        group.bench_function("rule loop over the view", |b| {
            b.iter(|| black_box(rule_view_episode(&machine, 1)))
        });
        let mut buffer = Vec::with_capacity(16 * 1024);
        let steps = rule_wire_episode(&machine, 1, Wire::Observation, &mut buffer);
        group.throughput(Throughput::Elements(steps));
        for (id, wire) in [
            ("rule loop with wire JSON", Wire::Observation),
            ("rule loop with the server's envelope", Wire::Envelope),
        ] {
            group.bench_function(id, |b| {
                b.iter(|| black_box(rule_wire_episode(&machine, 1, wire, &mut buffer)))
            });
        }
        group.finish();
    }
}

/// Oracle search nodes per second: `solve` on three seeds of each task.
fn oracle(c: &mut Criterion) {
    for machine in machines() {
        let id = machine.scenario.id.clone();
        let seeds = [1, 2, 3];
        let options = SearchOptions::default();
        let nodes: u64 = seeds.iter().map(|&s| solve(&machine, s, options).nodes).sum();
        let mut group = c.benchmark_group(format!("oracle/{id}"));
        group.throughput(Throughput::Elements(nodes));
        group.sample_size(10);
        group.bench_function("solve seeds 1-3", |b| {
            b.iter(|| {
                for &seed in &seeds {
                    black_box(solve(&machine, seed, options));
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, engine, oracle);
criterion_main!(benches);
