//! What an in-process front end may ask about an episode without building the public
//! observation: the blockers and pending events a case shows, and whether validation rules
//! would refuse an action. The observation and the step algorithm use the same functions.

use super::eval_ir::{Frame, Request};
use super::ir::Expr;
use super::machine::Machine;
use super::state::Episode;
use crate::wire::Action;

/// Why an action would be refused without running (spec §4.1, step 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The scenario declares no action of this `action_type`.
    UnknownAction,
    /// The validation rule of this index (into [`Machine::rejects`]) refuses it.
    Rule(usize),
}

/// The blockers shown on `case` (unmet and visible; none on a closed case), as indices into
/// [`Machine::blockers`], in list order.
pub fn shown_blockers<'a>(
    m: &'a Machine,
    ep: &'a Episode,
    case: usize,
) -> impl Iterator<Item = usize> + 'a {
    let closed = ep.cases[case].status == m.status.closed;
    let frame = Frame::new(m, ep, case);
    (0..if closed { 0 } else { m.blockers.len() })
        .filter(move |&b| unmet(&frame, b) && frame.eval(&m.blockers[b].visible).truthy())
}

/// Whether blocker `b` is unmet on the frame's case (evaluated only where the case requires
/// what the blocker's condition does: see [`Requires`](super::ir::Requires)).
pub(super) fn unmet(frame: &Frame<'_>, b: usize) -> bool {
    let (blocker, draw) = (&frame.m.blockers[b], &frame.ep.world.cases[frame.case]);
    blocker.requires.met_by(draw.required_checks, draw.required_responses)
        && frame.eval(&blocker.unmet).truthy()
}

/// The pending events shown on `case` (its `pending_events`), as indices into
/// [`Machine::events`], in due order.
pub fn shown_events<'a>(
    m: &'a Machine,
    ep: &'a Episode,
    case: usize,
) -> impl Iterator<Item = usize> + 'a {
    let frame = Frame::new(m, ep, case);
    ep.pending
        .iter()
        .filter(move |p| p.case == case && frame.eval(&m.events[p.event].visible).truthy())
        .map(|p| p.event)
}

/// Whether any shown event is pending, on any case (the `response_pending` of a step).
pub fn response_pending(m: &Machine, ep: &Episode) -> bool {
    ep.pending.iter().any(|p| Frame::new(m, ep, p.case).eval(&m.events[p.event].visible).truthy())
}

/// Whether one of `conditions` holds for `action`, the declared action `index`, now, given
/// `response_pending` (see [`response_pending`]): whether a validation rule refuses it, for
/// callers that test many actions against one state and know which of the action's specialised
/// rules ([`Machine::rejects_of`]) can apply to each (action masks).
pub fn refused_by(
    m: &Machine,
    ep: &Episode,
    index: usize,
    action: &Action,
    response_pending: bool,
    conditions: &[Expr],
) -> bool {
    let mut frame = Frame::new(m, ep, ep.active);
    frame.action = Some(Request::new(m, index, action));
    frame.response_pending = response_pending;
    conditions.iter().any(|when| frame.eval(when).truthy())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::random_plays;

    /// A blocker is unmet where its condition holds, skipped or not: on every case of random
    /// states. The shipped blockers that read `required(…)` are skipped on cases that lack it.
    #[test]
    fn unmet_skips_only_blockers_whose_condition_cannot_hold() {
        let (mut skipped, mut held) = (0, 0);
        let paths = ["scenarios", "tests/fixtures/prove/interleaved_requests"];
        random_plays(&paths, 10, 0x5851_f42d_4c95_7f2d, |m, ep, _, _| {
            for case in 0..ep.cases.len() {
                let (frame, draw) = (Frame::new(m, ep, case), &ep.world.cases[case]);
                for (b, blocker) in m.blockers.iter().enumerate() {
                    let holds = frame.eval(&blocker.unmet).truthy();
                    assert_eq!(unmet(&frame, b), holds, "{} {}", m.scenario.id, blocker.name);
                    let met =
                        blocker.requires.met_by(draw.required_checks, draw.required_responses);
                    skipped += usize::from(!met);
                    held += usize::from(holds);
                }
            }
        });
        assert!(skipped > 1000 && held > 1000, "{skipped} skipped, {held} unmet");
    }
}
