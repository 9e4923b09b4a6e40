//! What a [`Proof`] finds wrong, as diagnostics pointing at the scenario: SHOP016 (not
//! solvable, proven), SHOP023 (not shown solvable within the search budget), SHOP017 (a trivial
//! policy scores), SHOP018 (a repeated action pays) and SHOP019 (a weighted component or a
//! raised blocker is never reached).

use std::collections::BTreeSet;

use super::{Proof, SOLVABLE, SeedProof, TRIVIAL, TRIVIAL_MAX};
use crate::diag::{Code, Diagnostic};
use crate::engine::Machine;
use crate::source::Span;

/// The diagnostics of `proof`, a proof of `machine` (empty when it is sound).
pub fn diagnose(machine: &Machine, proof: &Proof) -> Vec<Diagnostic> {
    let program = &machine.scenario.program;
    let Some(decl) = &program.scenario else { return Vec::new() };
    let weight = |component: &str| {
        decl.weights.iter().find(|w| w.name.name == component).map(|w| w.name.span.to(w.value.span))
    };
    let at = Places { task: &proof.task, scenario: decl.id.span, weight: &weight };
    let mut found = Vec::new();
    found.extend(unsolvable(proof, machine, &at));
    found.extend(unproven(proof, &at));
    found.extend(trivial_scores(proof, machine, &at));
    found.extend(farms(proof, machine, &at));
    found.extend(unreached(proof, machine, &at));
    found
}

/// Where diagnostics point.
struct Places<'a> {
    task: &'a str,
    scenario: Span,
    weight: &'a dyn Fn(&str) -> Option<Span>,
}

/// The weighted components of `machine`, in declaration order.
fn weighted(machine: &Machine) -> impl Iterator<Item = &str> {
    machine.scenario.weights.iter().filter(|(_, w)| **w > 0.0).map(|(name, _)| name.as_str())
}

fn unsolvable(proof: &Proof, machine: &Machine, at: &Places) -> Option<Diagnostic> {
    let failing = proof.seeds.iter().filter(|s| s.upper_bound < SOLVABLE).count();
    let worst = proof.highest(|s| -s.upper_bound).filter(|_| failing > 0)?;
    let because = match &worst.caps[..] {
        [] => {
            format!("no play the oracle's search tries reaches it ({} steps searched)", worst.nodes)
        }
        caps => caps.join("; "),
    };
    let mut diagnostic = Diagnostic::new(
        Code::Unsolvable,
        at.scenario,
        format!(
            "no play can grade {SOLVABLE} on {failing} of {} seeds of `{}`",
            proof.seeds.len(),
            at.task
        ),
    )
    .label(format!("on seed {} at most {:.4}: {because}", worst.seed, worst.upper_bound))
    .help(format!(
        "the bound is proven over every play, knowing every case's hidden data; loosen what \
         caps it (deadlines, time limit, step limit, budget, stock, answer delays). `shopops \
         run FILE --seed {} --policy oracle` shows the best play",
        worst.seed
    ));
    for component in weighted(machine) {
        let score = component_of(worst, component);
        if let (true, Some(span)) = (score < 1.0, (at.weight)(component)) {
            diagnostic = diagnostic.with_label(span, format!("the best play scores {score:.4}"));
        }
    }
    Some(diagnostic)
}

/// Seeds the oracle left below the bar without a proof that it is out of reach.
fn unproven(proof: &Proof, at: &Places) -> Option<Diagnostic> {
    let open = |s: &&SeedProof| s.oracle < SOLVABLE && s.upper_bound >= SOLVABLE;
    let count = proof.seeds.iter().filter(open).count();
    let worst = proof.seeds.iter().filter(open).min_by(|a, b| a.oracle.total_cmp(&b.oracle))?;
    Some(
        Diagnostic::new(
            Code::ProofBudget,
            at.scenario,
            format!(
                "the oracle's search ran out of budget below {SOLVABLE} on {count} of {} seeds \
                 of `{}`",
                proof.seeds.len(),
                at.task
            ),
        )
        .label(format!(
            "on seed {} it found at most {:.4} within its budget; the upper bound is {:.4}",
            worst.seed, worst.oracle, worst.upper_bound
        ))
        .help(format!(
            "the task may well be solvable: play seed {} by hand with `shopops run FILE --seed \
             {}`, or search longer with `--budget`",
            worst.seed, worst.seed
        )),
    )
}

fn trivial_scores(proof: &Proof, machine: &Machine, at: &Places) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for policy in TRIVIAL {
        let (value, seed) = proof.trivial_score(policy);
        if value <= TRIVIAL_MAX {
            continue;
        }
        let where_ = match seed {
            _ if policy == "random" => format!("on average over {} seeds", proof.seeds.len()),
            Some(seed) => format!("on seed {}", seed.seed),
            None => String::new(),
        };
        let mut diagnostic = Diagnostic::new(
            Code::TrivialPolicyScores,
            at.scenario,
            format!(
                "the trivial policy `{policy}` scores {value:.4} on `{}`, above {TRIVIAL_MAX}",
                at.task
            ),
        )
        .label(format!("`{policy}` scores {value:.4} {where_}"))
        .help(
            "marks must need the work: require the reviews that reveal the right resolution, \
             and accept only resolutions a policy that never looks would not pick",
        );
        let parts = seed.and_then(|s| s.baseline_components.get(policy));
        for component in weighted(machine) {
            let share = parts.and_then(|p| p.get(component)).copied().unwrap_or(0.0);
            if let (true, Some(span)) = (share > 0.0, (at.weight)(component)) {
                diagnostic =
                    diagnostic.with_label(span, format!("`{policy}` scores {share:.4} here"));
            }
        }
        found.push(diagnostic);
    }
    let earned = |s: &SeedProof| s.returns.get("noop").copied().unwrap_or(0.0);
    if let Some(seed) = proof.highest(earned).filter(|s| earned(s) > 0.0) {
        found.push(
            Diagnostic::new(
                Code::TrivialPolicyScores,
                at.scenario,
                format!("doing nothing earns reward in `{}`", at.task),
            )
            .label(format!(
                "`noop` (hold until the end) earns {:+.4} on seed {}",
                earned(seed),
                seed.seed
            ))
            .help(
                "an agent learns whatever pays: the dense reward must pay for work on the \
                 cases, not for time passing or the episode ending",
            ),
        );
    }
    found
}

/// One diagnostic per kind of farm (raising the grade, earning reward), a label per action.
fn farms(proof: &Proof, machine: &Machine, at: &Places) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for raises_grade in [true, false] {
        let mut labels: Vec<(Span, String)> = Vec::new();
        let mut actions = BTreeSet::new();
        for seed in &proof.seeds {
            for farm in seed.farms.iter().filter(|f| f.raises_grade() == raises_grade) {
                if !actions.insert(farm.action) {
                    continue;
                }
                let span = machine
                    .scenario
                    .program
                    .actions
                    .get(farm.action.as_str())
                    .map_or(at.scenario, |a| a.name.span);
                let what = if raises_grade {
                    format!("grade {:.4} → {:.4}", farm.grade_before, farm.grade_after)
                } else {
                    format!("reward {:+.4}", farm.reward)
                };
                let where_ = format!("step {} of the best play on seed {}", farm.step, seed.seed);
                labels.push((span, format!("repeated after {where_}: {what}")));
            }
        }
        let Some((span, label)) = labels.first().cloned() else { continue };
        let names: Vec<String> = actions.iter().map(|a| format!("`{a}`")).collect();
        let pays = if raises_grade { "raises the grade" } else { "earns reward" };
        let mut diagnostic = Diagnostic::new(
            Code::Farmable,
            span,
            format!("repeating {} {pays} in `{}`", names.join(", "), at.task),
        )
        .label(label)
        .help(
            "an agent repeats whatever pays: reward an action only the first time it helps \
             (`when first`), and let only resolutions and closes raise the grade",
        );
        for (span, label) in labels.into_iter().skip(1) {
            diagnostic = diagnostic.with_label(span, label);
        }
        found.push(diagnostic);
    }
    found
}

fn unreached(proof: &Proof, machine: &Machine, at: &Places) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for component in weighted(machine) {
        let best = proof.seeds.iter().map(|s| component_of(s, component)).fold(0.0, f64::max);
        if best >= 1.0 || proof.seeds.is_empty() {
            continue;
        }
        let span = (at.weight)(component).unwrap_or(at.scenario);
        found.push(
            Diagnostic::new(
                Code::Unreached,
                span,
                format!("grade component `{component}` never reaches full marks in `{}`", at.task),
            )
            .label(format!("at most {best:.4} in the best plays of {} seeds", proof.seeds.len()))
            .help(
                "every mark a task weighs must be reachable on some seed; find what caps it \
                 with `shopops run FILE --policy oracle`",
            ),
        );
    }
    let raised: BTreeSet<&String> = proof.seeds.iter().flat_map(|s| &s.raised).collect();
    let cleared: BTreeSet<&String> = proof.seeds.iter().flat_map(|s| &s.cleared).collect();
    for blocker in raised.difference(&cleared) {
        let Some(decl) = machine.scenario.program.blockers.get(blocker.as_str()) else { continue };
        let seed = proof.seeds.iter().find(|s| s.raised.contains(*blocker)).map_or(0, |s| s.seed);
        found.push(
            Diagnostic::new(
                Code::Unreached,
                decl.name.span,
                format!("blocker `{blocker}` is never cleared in `{}`", at.task),
            )
            .label(format!("still unmet at the end of the best play on seed {seed}"))
            .help("what `cleared_by` names must make the `unmet` condition false"),
        );
    }
    found
}

fn component_of(seed: &SeedProof, component: &str) -> f64 {
    seed.components.get(component).copied().unwrap_or(0.0)
}
