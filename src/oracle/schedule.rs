//! The search's deadline estimate: how many open cases would miss their deadlines if the rest
//! of the episode were worked in a simple schedule. Cases are worked earliest deadline first;
//! a case that must ask for answers may send its requests ahead of earlier cases, so that the
//! answers arrive while other work goes on (one such move per case, kept when it makes fewer
//! cases late).

use super::candidates::{Moves, Work, noted, requested};
use crate::engine::state::Inline;
use crate::engine::{Episode, Machine};

/// One open case's remaining work, in minutes.
struct Remaining {
    case: usize,
    deadline: i64,
    /// Checks still to do and requests still to send.
    prepare: i64,
    /// Minutes from the last request until its answer arrives (0 when nothing is to be asked).
    answer_delay: i64,
    /// When the answers already asked for arrive.
    answered: i64,
    /// Resolution, note and close.
    finish: i64,
}

/// A stretch of one case's work in a plan (indices into the works).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Part {
    /// All of it, waiting for answers in between.
    Whole(usize),
    /// The checks and requests only.
    Prepare(usize),
    /// The rest, once the answers are in.
    Finish(usize),
}

/// How the rest of an episode looks on paper, best first when compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Outlook {
    /// Open cases that would miss their deadlines.
    pub(super) late: usize,
    /// Minutes they would be late, in all.
    pub(super) tardiness: i64,
    /// The clock once every open case is closed.
    pub(super) finish: i64,
}

/// Open cases held on the stack (a scenario with more spills to the heap and plans the same).
const CASES: usize = 16;

/// The outlook of `ep` under the best plan found.
pub(super) fn outlook(moves: &Moves, m: &Machine, ep: &Episode) -> Outlook {
    let works = remaining_work(moves, m, ep);
    let mut plan: Inline<Part, { 2 * CASES }> = (0..works.len()).map(Part::Whole).collect();
    let mut best = simulate(moves, &works, &plan, ep);
    for w in (0..works.len()).filter(|&w| works[w].answer_delay > 0) {
        let Some(at) = plan.iter().position(|&part| part == Part::Whole(w)) else { continue };
        // Each trial splits the work in place, its preparation moved before another's, and
        // is undone; the last that improves the outlook is kept.
        let mut improved = None;
        plan[at] = Part::Finish(w);
        for before in 0..at {
            plan.insert(before, Part::Prepare(w));
            let outcome = simulate(moves, &works, &plan, ep);
            plan.remove(before);
            if outcome < best {
                best = outcome;
                improved = Some(before);
            }
        }
        match improved {
            Some(before) => plan.insert(before, Part::Prepare(w)),
            None => plan[at] = Part::Whole(w),
        }
    }
    best
}

/// The remaining work of every open case, earliest deadline first.
fn remaining_work(moves: &Moves, m: &Machine, ep: &Episode) -> Inline<Remaining, CASES> {
    let mut open: Inline<usize, CASES> =
        (0..ep.cases.len()).filter(|&i| ep.cases[i].status != m.status.closed).collect();
    // The keys differ (the index is one), so an unstable sort orders them as a stable one.
    open.sort_unstable_by_key(|&i| (ep.world.cases[i].sla_deadline, i));
    let mut works = Inline::new();
    for case in open {
        let (draw, state) = (&ep.world.cases[case], &ep.cases[case]);
        let unanswered = moves.required_responses(draw).filter(|&r| state.received[r].is_none());
        let to_ask = unanswered.clone().filter(|&r| !requested(draw, state, r));
        let answered = if unanswered.clone().any(|r| requested(draw, state, r)) {
            let mine = ep.pending.iter().filter(|p| p.case == case);
            mine.map(|p| p.due).min().unwrap_or(ep.clock)
        } else {
            ep.clock
        };
        let time = |work| moves.minutes(work);
        let checks: i64 = moves.missing_checks(draw, state).map(|i| time(Work::Check(i))).sum();
        let requests: i64 = to_ask.clone().map(|r| time(Work::Request(r))).sum();
        let resolve = if state.resolution.is_none() || state.slot_free {
            time(Work::Resolve(draw.truth.0))
        } else {
            0
        };
        let note = if noted(draw, state) { 0 } else { time(Work::Note) };
        works.push(Remaining {
            case,
            deadline: draw.sla_deadline,
            prepare: checks + requests,
            answer_delay: to_ask.map(|r| draw.responses[r].2).max().unwrap_or(0),
            answered,
            finish: resolve + note + time(Work::Close),
        });
    }
    works
}

/// Plays `plan` on paper.
fn simulate(moves: &Moves, works: &[Remaining], plan: &[Part], ep: &Episode) -> Outlook {
    let switch = moves.minutes(Work::Switch);
    let mut clock = ep.clock;
    let mut active = ep.active;
    let mut ready: Inline<i64, CASES> = Inline::from_elem(0, works.len());
    let (mut late, mut tardiness) = (0, 0);
    for &part in plan {
        let (Part::Whole(w) | Part::Prepare(w) | Part::Finish(w)) = part;
        let work = &works[w];
        if active != work.case {
            active = work.case;
            clock += switch;
        }
        if matches!(part, Part::Whole(_) | Part::Prepare(_)) {
            clock += work.prepare;
            ready[w] = clock + work.answer_delay;
        }
        if matches!(part, Part::Whole(_) | Part::Finish(_)) {
            clock = clock.max(ready[w]).max(work.answered) + work.finish;
            if clock > work.deadline {
                late += 1;
                tardiness += clock - work.deadline;
            }
        }
    }
    Outlook { late, tardiness, finish: clock }
}
