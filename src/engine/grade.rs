//! The grade (spec §8): a deterministic function of the (settled) episode state, in [0, 1].

use indexmap::IndexMap;

use super::eval_ir::{Frame, Locals};
use super::ir::{Builtin, Expr};
use super::machine::Machine;
use super::state::{Episode, Inline};
use crate::wire::{CaseGrade, Closure, GradeReport, round4};

/// A case's grade component values, held inline (the shipped grade has five).
type Components = Inline<f64, 8>;

/// Grades the episode as it stands ("the grade if the episode ended now").
pub fn grade(m: &Machine, ep: &Episode) -> GradeReport {
    let n = ep.cases.len().max(1) as f64;
    let mut sums = vec![0.0; m.grade.components.len()];
    let mut per_case = Vec::with_capacity(ep.cases.len());
    let (closure_sum, gate_sum) = tally(m, ep, &mut sums, Some(&mut per_case));
    let penalty = m.grade.invalid_penalty * f64::from(ep.invalid);
    let score = settle(m, &sums, n, penalty);
    let mut components: IndexMap<String, f64> = m
        .grade
        .components
        .iter()
        .zip(&sums)
        .map(|((name, _, _), sum)| (name.clone(), round4(sum / n)))
        .collect();
    components.insert("closure".into(), round4(closure_sum / n));
    components.insert("diligence".into(), round4(gate_sum / n));
    components.insert("invalid_penalty".into(), round4(penalty));
    GradeReport {
        score: round4(score),
        inference_score: round4(score.clamp(0.001, 0.999)),
        weights: m.grade.components.iter().map(|(name, _, w)| (name.clone(), *w)).collect(),
        components,
        per_case,
    }
}

/// The grade's score alone, equal to `grade(m, ep).score`, without building the report (for
/// searches that grade millions of states).
pub fn score(m: &Machine, ep: &Episode) -> f64 {
    let mut sums: Inline<f64, 8> = Inline::from_elem(0.0, m.grade.components.len());
    let skip_unresolved = unresolved_add_nothing(m);
    for &case in &ep.world.queue {
        if !(skip_unresolved && ep.cases[case].resolution.is_none()) {
            add(m, ep, case, &mut sums);
        }
    }
    let penalty = m.grade.invalid_penalty * f64::from(ep.invalid);
    round4(settle(m, &sums, ep.cases.len().max(1) as f64, penalty))
}

/// Whether a case with no resolution adds nothing to the component sums, bit for bit: its
/// factor is zero (its gate is), so it adds `0 × x` to each sum, which leaves the sum as it is
/// (the sums start at +0 and never become -0) when `x` is finite. Every `x` is when each
/// component reads one of the case's grade parts: a case with no resolution has an outcome and
/// a gate of 0, policy, SLA and money parts in [0, 1] and a closure factor of the grade's.
fn unresolved_add_nothing(m: &Machine) -> bool {
    use Builtin::{Closure, Gate, Money, Outcome, Policy, Sla};
    let part =
        |value: &Expr| matches!(value, Expr::Get(Outcome | Policy | Sla | Money | Closure | Gate));
    m.grade.closure.iter().all(|f| f.is_finite())
        && m.grade.components.iter().all(|(_, value, _)| part(value))
}

/// The score from the component sums, before rounding.
fn settle(m: &Machine, sums: &[f64], n: f64, penalty: f64) -> f64 {
    let raw: f64 =
        m.grade.components.iter().zip(sums).map(|((_, _, weight), sum)| weight * sum / n).sum();
    (raw - penalty).clamp(0.0, 1.0)
}

/// One case's grade parts (spec §8): what its grade components read, and the factors that
/// gate them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Parts {
    /// `O`: the outcome of the graded resolution.
    pub outcome: f64,
    /// `P`: the share of policy items met.
    pub policy: f64,
    /// `S`: closed on time.
    pub sla: f64,
    /// `M`: the money not lost.
    pub money: f64,
    /// `F`: the closure factor.
    pub closure: f64,
    /// `G`: the share of required checks done before the resolution.
    pub gate: f64,
}

impl Parts {
    /// The parts of `case` as the episode stands.
    pub fn of(m: &Machine, ep: &Episode, case: usize) -> Parts {
        let frame = Frame::new(m, ep, case);
        Parts {
            outcome: frame.outcome(),
            policy: policy(&frame),
            sla: sla(m, ep, case),
            money: money(&frame),
            closure: closure(m, ep, case).1,
            gate: frame.gate(),
        }
    }

    /// `F × G`, or 0 when the outcome is not acceptable: what every component is scaled by.
    fn factor(&self, m: &Machine) -> f64 {
        let acceptable = self.outcome >= m.grade.accept;
        self.closure * self.gate * if acceptable { 1.0 } else { 0.0 }
    }

    /// The value of each grade component of `case` with these parts (component order).
    fn components(&self, m: &Machine, ep: &Episode, case: usize) -> Components {
        let mut locals = Locals { gate: self.gate, ..Locals::NONE };
        locals.grade_parts = [self.outcome, self.policy, self.sla, self.money, self.closure];
        let frame = Frame { locals: &locals, ..Frame::new(m, ep, case) };
        m.grade.components.iter().map(|(_, value, _)| frame.eval(value).real()).collect()
    }

    /// What `case` adds to the score with these parts, before the mean over cases: the
    /// weighted components times [`Parts::factor`].
    pub fn contribution(&self, m: &Machine, ep: &Episode, case: usize) -> f64 {
        let weighted: f64 = self
            .components(m, ep, case)
            .into_iter()
            .zip(&m.grade.components)
            .map(|(x, (_, _, w))| w * x)
            .sum();
        self.factor(m) * weighted
    }
}

/// Adds every case's gated component values to `sums` (component order) and, when asked,
/// its grade to `per_case`. Returns the sums of the closure factors and of the gates.
fn tally(
    m: &Machine,
    ep: &Episode,
    sums: &mut [f64],
    mut per_case: Option<&mut Vec<CaseGrade>>,
) -> (f64, f64) {
    let (mut closure_sum, mut gate_sum) = (0.0, 0.0);
    for &case in &ep.world.queue {
        let (parts, factor, score) = add(m, ep, case, sums);
        closure_sum += parts.closure;
        gate_sum += parts.gate;
        if let Some(per_case) = per_case.as_deref_mut() {
            per_case.push(CaseGrade {
                case_id: m.symbols.name(ep.world.cases[case].id).to_string(),
                closure: closure(m, ep, case).0,
                closure_factor: round4(parts.closure),
                gate: round4(parts.gate),
                outcome: round4(parts.outcome),
                acceptable: parts.outcome >= m.grade.accept,
                policy: round4(parts.policy),
                sla: round4(parts.sla),
                money: round4(parts.money),
                score: round4(factor * score),
            });
        }
    }
    (closure_sum, gate_sum)
}

/// Adds `case`'s gated component values to `sums` (component order). Returns its parts, its
/// factor and its weighted components before the factor.
fn add(m: &Machine, ep: &Episode, case: usize, sums: &mut [f64]) -> (Parts, f64, f64) {
    let parts = Parts::of(m, ep, case);
    let factor = parts.factor(m);
    let mut score = 0.0;
    for ((x, (_, _, weight)), sum) in
        parts.components(m, ep, case).into_iter().zip(&m.grade.components).zip(sums.iter_mut())
    {
        *sum += factor * x;
        score += weight * x;
    }
    (parts, factor, score)
}

/// Closure class and factor `F`.
fn closure(m: &Machine, ep: &Episode, case: usize) -> (Closure, f64) {
    let record = &ep.cases[case];
    let closed = record.status == m.status.closed;
    let last_good = record.closes.last().is_some_and(|(_, good)| *good);
    let class = if record.resolution.is_none() {
        Closure::Untouched
    } else if closed && last_good && record.reopens == 0 {
        Closure::Clean
    } else if closed && last_good {
        Closure::Repaired
    } else if record.closes.is_empty() {
        Closure::Unfinished
    } else {
        Closure::Bad
    };
    let index = match class {
        Closure::Clean => 0,
        Closure::Repaired => 1,
        Closure::Bad => 2,
        Closure::Unfinished => 3,
        Closure::Untouched => 4,
    };
    (class, m.grade.closure[index])
}

/// `P`: mean of the policy items that apply (1 when none do).
fn policy(frame: &Frame<'_>) -> f64 {
    let record = &frame.ep.cases[frame.case];
    let draw = &frame.ep.world.cases[frame.case];
    let resolved_at = record.resolution.as_ref().map(|r| r.step);
    let (mut met, mut items) = (0.0, 0_u32);
    let mut item = |held: bool| {
        met += f64::from(u8::from(held));
        items += 1;
    };
    for r in 0..record.received.len() {
        if draw.required_responses & (1 << r) != 0 {
            item(matches!((record.received[r], resolved_at), (Some(got), Some(at)) if got < at));
        }
    }
    if draw.required_note.is_some() {
        item(!record.closes.is_empty() && record.note_at_close);
    }
    if items == 0 { 1.0 } else { met / f64::from(items) }
}

/// `S`: closed, and the last close on time.
fn sla(m: &Machine, ep: &Episode, case: usize) -> f64 {
    let record = &ep.cases[case];
    let deadline = ep.world.cases[case].sla_deadline;
    let on_time = record.status == m.status.closed
        && record.closes.last().is_some_and(|(at, _)| *at <= deadline);
    f64::from(u8::from(on_time))
}

/// `M = clamp(1 − W / order_value, 0, 1)`, `W = max(0, paid − allowance) + fees`.
fn money(frame: &Frame<'_>) -> f64 {
    let record = &frame.ep.cases[frame.case];
    let draw = &frame.ep.world.cases[frame.case];
    let truth = &frame.m.truths[draw.truth.0];
    let allowance = frame.eval(&truth.allowance).int().unwrap_or(0);
    let paid: i64 = record.paid_as.iter().sum();
    let loss = (paid - allowance).max(0) + record.fees;
    if draw.order_value <= 0 {
        return 1.0;
    }
    (1.0 - loss as f64 / draw.order_value as f64).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{machines, random_plays};

    /// The shipped tasks' components read grade parts, so the score passes over the cases with
    /// no resolution; it is the report's score all along random plays, in states where some
    /// cases are resolved and others not.
    #[test]
    fn the_score_passes_over_unresolved_cases_and_is_the_reports() {
        let machines = machines(&["scenarios"]);
        assert_eq!(machines.len(), 3);
        for m in &machines {
            assert!(unresolved_add_nothing(m), "{}", m.scenario.id);
        }
        let mut mixed = 0;
        random_plays(&["scenarios"], 20, 0x9e37_79b9_7f4a_7c15, |m, ep, _, _| {
            let (id, seed) = (&m.scenario.id, ep.world.seed);
            assert_eq!(score(m, ep), grade(m, ep).score, "{id} seed {seed}");
            let resolved = ep.cases.iter().filter(|c| c.resolution.is_some()).count();
            mixed += usize::from(resolved > 0 && resolved < ep.cases.len());
        });
        assert!(mixed > 20, "{mixed} states with resolved and unresolved cases");
    }
}
