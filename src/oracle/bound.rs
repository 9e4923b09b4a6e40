//! An upper bound on the grade any play can still reach from a state: an optimistic completion
//! of every case, then the best choice of completions that the steps left, and the minutes to
//! the deadlines, allow.
//!
//! Each open case is given a few ways to end (closed with all its work, closed skipping some of
//! it, left resolved but open), each with the fewest steps it takes and the best marks it can
//! get: every part of the grade at its most, except what the state already rules out. A part
//! is ruled out by a missed deadline (the case's remaining work, timed at the least each action
//! can cost, and the answers it waits for, cannot end by its deadline), by the episode's time
//! limit, by what is already final (the checks and answers that came before a resolution only
//! an event could free, a close after the deadline, a reopen, fees charged), and then by two
//! relaxations taken together: the endings must fit the steps left (a knapsack over steps), and
//! the work of the cases that close on time must fit the clock when done one piece at a time
//! in order of when it is due (the slowest request early enough for its answer to come back).
//! Holds cost nothing, answers come at their drawn delays and every action takes its least
//! time: the bound relaxes, never tightens, so no play from the state grades above it
//! (`no_play_ends_above_the_bound_of_a_state_it_passed` plays that against the engine).
//!
//! It rests on what the engine guarantees of every scenario: fees never shrink, reopens never
//! go down, an agent cannot undo a close, only events reopen a case or free its resolution, an
//! outcome is at most 1; and on grade components that do not fall as the parts they read rise.

use super::candidates::{Moves, Work, noted, requested};
use crate::engine::grade::Parts;
use crate::engine::ir::{Builtin, Expr, Scalar};
use crate::engine::state::Inline;
use crate::engine::{Episode, Machine};
use crate::lang::BinaryOp;

/// The limits the scenario's end rules put on an episode.
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    /// Steps: an episode ends once it has taken this many.
    steps: Option<u32>,
    /// Minutes: an episode ends once its clock reaches this.
    minutes: Option<i64>,
}

impl Limits {
    /// Reads the end rules of the form `steps >= N` and `clock >= N` (`N` a constant,
    /// `max_steps` or `time_limit`); other rules are not assumed to end anything.
    pub(super) fn of(m: &Machine) -> Limits {
        let mut limits = Limits { steps: None, minutes: None };
        let value = |ex: &Expr| match ex {
            Expr::Const(Scalar::Int(n)) => Some(*n),
            Expr::Get(Builtin::MaxSteps) => Some(m.scenario.limits.max_steps),
            Expr::Get(Builtin::TimeLimit) => Some(m.scenario.limits.time_limit_minutes),
            _ => None,
        };
        for (_, condition, _) in &m.ends {
            let Expr::Binary(BinaryOp::Ge, left, right) = condition else { continue };
            match (&**left, value(right)) {
                (Expr::Get(Builtin::Steps), Some(n)) => {
                    let n = u32::try_from(n.max(0)).unwrap_or(u32::MAX);
                    limits.steps = Some(limits.steps.map_or(n, |s| s.min(n)));
                }
                (Expr::Get(Builtin::Clock), Some(n)) => {
                    limits.minutes = Some(limits.minutes.map_or(n, |t| t.min(n)));
                }
                _ => {}
            }
        }
        limits
    }
}

/// One way a case could end: the fewest steps it takes from now and the most it adds to the
/// score's sum over cases.
#[derive(Clone, Copy, Debug)]
struct Ending {
    steps: u32,
    value: f64,
}

/// What the ways a case could end ask of the clock: for the case to close on time with all its
/// work done, the work that must be done by when.
struct Case {
    endings: Vec<Ending>,
    /// The ending that closes on time with all its work (an index into the endings) and its
    /// pieces of work: the request whose answer takes longest, due early enough for the answer
    /// to come back in time, and the rest of the work, due by the deadline.
    on_time: Option<(usize, [Job; 2])>,
    /// For a case still open: the earliest it can close with all its work done, and the
    /// steps that takes.
    full: Option<(i64, u32)>,
}

/// Minutes of work due by a time.
#[derive(Clone, Copy, Debug)]
struct Job {
    minutes: i64,
    due: i64,
}

/// What the bound found of a state.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bound {
    /// The most any play from the state can grade (before rounding).
    pub(super) grade: f64,
    /// The fewest minutes to spare before a piece of work is due, when the cases whose best
    /// ending closes on time are worked in order of when their work is due (negative when
    /// they cannot all be): a state with more to spare is more promising.
    pub(super) slack: i64,
}

/// The most any play from `ep` can grade (before rounding): the least of two relaxations,
/// one that counts only the steps left and one that counts only the minutes to the deadlines.
pub(super) fn upper_bound(m: &Machine, moves: &Moves, limits: &Limits, ep: &Episode) -> Bound {
    let n = ep.cases.len().max(1) as f64;
    let cases: Vec<Case> = (0..ep.cases.len()).map(|c| case(m, moves, limits, ep, c)).collect();
    let by_steps = match limits.steps {
        Some(limit) => choose(&cases, limit.saturating_sub(ep.steps)),
        None => cases.iter().map(|c| most(&c.endings, None)).sum(),
    };
    let (by_minutes, slack) = on_the_clock(&cases, ep.clock);
    let penalty = m.grade.invalid_penalty * f64::from(ep.invalid);
    Bound { grade: (by_steps.min(by_minutes) / n - penalty).clamp(0.0, 1.0), slack }
}

/// The most value of `endings`, leaving out the one at `except`.
fn most(endings: &[Ending], except: Option<usize>) -> f64 {
    let kept = endings.iter().enumerate().filter(|(i, _)| Some(*i) != except);
    kept.map(|(_, e)| e.value).fold(0.0, f64::max)
}

/// Every case's best ending, unless the cases whose best ending closes on time cannot all do
/// so: then at least one of them ends otherwise, and the least such loss is taken off. (Work
/// is done one action at a time, so due work fits iff, taken in order of when it is due, each
/// piece is done by then.)
fn on_the_clock(cases: &[Case], clock: i64) -> (f64, i64) {
    let total: f64 = cases.iter().map(|c| most(&c.endings, None)).sum();
    let mut jobs = Vec::new();
    let mut least_loss = f64::INFINITY;
    for case in cases {
        let Some((ending, pieces)) = case.on_time else { continue };
        let loss = case.endings[ending].value - most(&case.endings, Some(ending));
        if loss > 0.0 {
            jobs.extend(pieces);
            least_loss = least_loss.min(loss);
        }
    }
    jobs.sort_by_key(|job| job.due);
    let (mut done, mut slack) = (clock, i64::MAX);
    for job in jobs {
        done += job.minutes;
        slack = slack.min(job.due - done);
    }
    (if slack < 0 { total - least_loss } else { total }, slack)
}

/// The best total value of one ending per case within `steps` (a knapsack over steps; every
/// case may also end as it stands, for nothing, when none of its endings fits).
fn choose(cases: &[Case], steps: u32) -> f64 {
    let steps = steps as usize;
    let mut best = vec![0.0_f64; steps + 1];
    for case in cases {
        let mut next = best.clone();
        for (used, value) in best.iter().enumerate() {
            for ending in &case.endings {
                let total = used + ending.steps as usize;
                if total <= steps {
                    next[total] = next[total].max(value + ending.value);
                }
            }
        }
        best = next;
    }
    best.into_iter().fold(0.0, f64::max)
}

/// The ways `case` could end, with their costs and best values.
fn case(m: &Machine, moves: &Moves, limits: &Limits, ep: &Episode, case: usize) -> Case {
    let (draw, state) = (&ep.world.cases[case], &ep.cases[case]);
    let now = Parts::of(m, ep, case);
    let value = |parts: Parts| parts.contribution(m, ep, case);
    let events_due = ep.pending.iter().any(|p| p.case == case);
    // Money lost to fees stays lost; what a payout over the allowance costs may yet change
    // with the allowance.
    let money = match draw.order_value {
        value if value > 0 => (1.0 - state.fees as f64 / value as f64).clamp(0.0, 1.0),
        _ => 1.0,
    };
    let factors = &m.grade.closure; // clean, repaired, bad, unfinished, untouched
    let closed_factor = if state.reopens == 0 {
        factors[0].max(factors[1]).max(factors[2])
    } else {
        factors[1].max(factors[2])
    };
    if state.status == m.status.closed {
        if !events_due {
            // Nothing can change it any more.
            return Case {
                endings: vec![Ending { steps: 0, value: value(now) }],
                on_time: None,
                full: None,
            };
        }
        // An event may reopen it and its work be done again, for no steps at best; a close
        // after the deadline stays after it.
        let best = Parts {
            outcome: 1.0,
            policy: 1.0,
            sla: now.sla,
            money,
            closure: now.closure.max(closed_factor),
            gate: 1.0,
        };
        return Case {
            endings: vec![Ending { steps: 0, value: value(best) }],
            on_time: None,
            full: None,
        };
    }
    let least = |work| moves.least_minutes(work);
    // The graded resolution is final when it exists and only an event could free it.
    let resolution = state.resolution.as_ref().filter(|_| !state.slot_free && !events_due);

    let checks: Inline<usize, 8> = match resolution {
        Some(_) => Inline::new(),
        None => moves.missing_checks(draw, state).collect(),
    };
    let unanswered: Inline<usize, 8> = match resolution {
        Some(_) => Inline::new(),
        None => moves.required_responses(draw).filter(|&r| state.received[r].is_none()).collect(),
    };
    let to_ask: Inline<usize, 8> =
        unanswered.iter().copied().filter(|&r| !requested(draw, state, r)).collect();
    let resolve = resolution.is_none() && (state.resolution.is_none() || state.slot_free);
    let note = !noted(draw, state);
    let (switch_steps, switch_minutes) =
        if ep.active == case { (0, 0) } else { (1, least(Work::Switch)) };
    let checks_minutes: i64 = checks.iter().map(|&c| least(Work::Check(c))).sum();
    let asks_minutes: i64 = to_ask.iter().map(|&r| least(Work::Request(r))).sum();
    let resolve_minutes = if resolve { least(Work::Resolve(draw.truth.0)) } else { 0 };
    let note_minutes = if note { least(Work::Note) } else { 0 };
    let close_minutes = least(Work::Close);
    // The answers still awaited arrive no sooner than this: those asked for when the first
    // event due to deliver them fires, the others once asked for right away.
    let delivered = |r: usize| {
        let deliverers = &m.responses[r].deliverers;
        let due = ep.pending.iter().filter(|p| p.case == case && deliverers.contains(&p.event));
        due.map(|p| p.due).min().unwrap_or(ep.clock)
    };
    let answered = unanswered
        .iter()
        .map(|&r| match to_ask.contains(&r) {
            true => ep.clock + switch_minutes + least(Work::Request(r)) + draw.responses[r].2,
            false => delivered(r),
        })
        .max()
        .unwrap_or(ep.clock);
    // The close must start before the time runs out.
    let in_time = |close_at: i64| limits.minutes.is_none_or(|end| close_at - close_minutes < end);
    let sla = |close_at: i64| if close_at <= draw.sla_deadline { 1.0 } else { 0.0 };

    // Every part at its most, but for what is final.
    let policy_items =
        moves.required_responses(draw).count() + usize::from(draw.required_note.is_some());
    let policy = match resolution {
        // Answers received after a final resolution never count; the note still can.
        Some(resolution) if policy_items > 0 => {
            let answered_before = moves
                .required_responses(draw)
                .filter(|&r| state.received[r].is_some_and(|at| at < resolution.step))
                .count();
            let met = answered_before + usize::from(draw.required_note.is_some());
            met as f64 / policy_items as f64
        }
        _ => 1.0,
    };
    let best = Parts {
        outcome: 1.0,
        policy,
        sla: 1.0,
        money,
        closure: closed_factor,
        gate: if resolution.is_some() { now.gate } else { 1.0 },
    };
    let mut endings = Vec::new();
    let mut on_time = None;

    // Closed with all its work done.
    let work_steps =
        (checks.len() + to_ask.len()) as u32 + u32::from(resolve) + u32::from(note) + 1;
    let finish_minutes = resolve_minutes + note_minutes + close_minutes;
    let work_minutes = switch_minutes + checks_minutes + asks_minutes + finish_minutes;
    let full_close =
        (ep.clock + switch_minutes + checks_minutes + asks_minutes).max(answered) + finish_minutes;
    if in_time(full_close) {
        let steps = switch_steps + work_steps;
        let sla = sla(full_close);
        endings.push(Ending { steps, value: value(Parts { sla, ..best }) });
        if sla > 0.0 {
            // The slowest answer must be asked for early enough to come back in time.
            let slowest = to_ask.iter().max_by_key(|&&r| draw.responses[r].2);
            let ask = slowest.map_or(Job { minutes: 0, due: draw.sla_deadline }, |&r| Job {
                minutes: least(Work::Request(r)),
                due: draw.sla_deadline - draw.responses[r].2 - finish_minutes,
            });
            let rest = Job { minutes: work_minutes - ask.minutes, due: draw.sla_deadline };
            on_time = Some((endings.len() - 1, [ask, rest]));
        }
    }

    // Closed skipping some of its work: a check (the gate loses a share) or a policy item (an
    // answer or the note; the policy part loses a share), for the cost of the least work.
    let mut skipped = Vec::new();
    if !checks.is_empty() {
        let total = draw.required_checks.count_ones();
        skipped.push(Parts { gate: f64::from(total - 1) / f64::from(total), ..best });
    }
    if !unanswered.is_empty() || note {
        let policy = (policy_items - 1) as f64 / policy_items as f64;
        skipped.push(Parts { policy: policy.min(best.policy), ..best });
    }
    let skip_close = ep.clock + switch_minutes + resolve_minutes + close_minutes;
    if !skipped.is_empty() && in_time(skip_close) {
        let steps = switch_steps + u32::from(resolve) + 1;
        let sla = sla(skip_close);
        let most = skipped.iter().map(|&p| value(Parts { sla, ..p })).fold(0.0, f64::max);
        endings.push(Ending { steps, value: most });
    }

    // Resolved and left open.
    let open_factor = if state.closes.is_empty() { factors[3] } else { factors[2] };
    let steps = if state.resolution.is_some() { 0 } else { switch_steps + 1 };
    endings.push(Ending { steps, value: value(Parts { sla: 0.0, closure: open_factor, ..best }) });
    let full = Some((full_close, switch_steps + work_steps));
    Case { endings, on_time, full }
}

/// What keeps a perfect play out of reach from `ep`, in words (empty when nothing the bound
/// sees does): the cases that cannot close on time or at all, the step limit, the deadlines
/// taken together.
pub(super) fn caps(m: &Machine, moves: &Moves, limits: &Limits, ep: &Episode) -> Vec<String> {
    let cases: Vec<Case> = (0..ep.cases.len()).map(|c| case(m, moves, limits, ep, c)).collect();
    let mut found = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let Some((close_at, _)) = case.full else { continue };
        let draw = &ep.world.cases[index];
        let id = m.symbols.name(draw.id);
        match limits.minutes {
            Some(end) if close_at - moves.least_minutes(Work::Close) >= end => found.push(format!(
                "`{id}` cannot be closed with all its work before the time limit (minute {end})"
            )),
            _ if close_at > draw.sla_deadline => found.push(format!(
                "`{id}` cannot close by its deadline (minute {}): its work ends at minute \
                 {close_at} at the earliest",
                draw.sla_deadline
            )),
            _ => {}
        }
    }
    if let Some(limit) = limits.steps {
        let needed: u32 = cases.iter().filter_map(|c| c.full).map(|(_, steps)| steps).sum();
        if needed > limit.saturating_sub(ep.steps) {
            found.push(format!(
                "closing every case with all its work takes at least {needed} steps; the limit \
                 is {limit}"
            ));
        }
    }
    if on_the_clock(&cases, ep.clock).1 < 0 {
        found.push("the cases' work cannot all be done by their deadlines".to_string());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{draw, machines};
    use crate::engine::{start, step_quiet};
    use crate::oracle::{SearchOptions, solve};
    use crate::wire::{Action, ActionType};

    /// Plays `actions` from `seed`: the bound of every state passed, and the final grade.
    fn bounds_along(
        m: &Machine,
        seed: u64,
        mut choose: impl FnMut(&Moves, &Episode) -> Action,
    ) -> (Vec<f64>, f64) {
        let (moves, limits) = (Moves::new(m), Limits::of(m));
        let mut ep = start(m, seed, "bound".into());
        let mut bounds = vec![upper_bound(m, &moves, &limits, &ep).grade];
        while ep.ended.is_none() {
            let action = choose(&moves, &ep);
            if step_quiet(m, &mut ep, &action).is_err() {
                break;
            }
            bounds.push(upper_bound(m, &moves, &limits, &ep).grade);
        }
        (bounds, ep.ended.as_ref().map_or(0.0, |e| e.grade))
    }

    /// The bound is never below the grade a play reaches from a state: the oracle's best plays
    /// and random plays (the search's moves mixed with arbitrary actions, rule-invalid ones
    /// among them) of every shipped task and a prove fixture never end above the bound of any
    /// state they passed.
    #[test]
    fn no_play_ends_above_the_bound_of_a_state_it_passed() {
        let machines = machines(&["scenarios", "tests/fixtures/prove/interleaved_requests"]);
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: usize| draw(&mut state, n);
        let mut plays = 0;
        for m in &machines {
            let id = &m.scenario.id;
            for seed in 1..=30 {
                let best = solve(m, seed, SearchOptions::default()).actions;
                let mut oracle = best.into_iter();
                let random = |moves: &Moves, ep: &Episode| {
                    let candidates = moves.candidates(m, ep, false);
                    if candidates.is_empty() || next(10) < 2 {
                        Action::new(ActionType::ALL[next(ActionType::ALL.len())])
                    } else {
                        candidates[next(candidates.len())].clone()
                    }
                };
                let plays_of_seed = [
                    bounds_along(m, seed, |_, _| {
                        oracle.next().unwrap_or(Action::new(ActionType::CloseCase))
                    }),
                    bounds_along(m, seed, random),
                ];
                for (bounds, grade) in plays_of_seed {
                    for (at, bound) in bounds.iter().enumerate() {
                        // Grades are rounded to four decimals; the bound is not.
                        assert!(
                            grade <= bound + 0.5e-4,
                            "{id} seed {seed}: step {at} bound {bound} < {grade}"
                        );
                    }
                    plays += 1;
                }
            }
        }
        assert!(plays >= 240);
    }
}
