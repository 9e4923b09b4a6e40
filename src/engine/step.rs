//! `step`: one action through the game's step algorithm (spec §4.1), over any scenario.
//!
//! Deterministic and free of I/O: the same machine, episode and action give the same result.

use smallvec::SmallVec;

use super::eval_ir::{Frame, Locals, Request};
use super::ir::{Op, Scalar, Stmt, Wire};
use super::known::Keep;
use super::machine::Machine;
use super::notes;
use super::query::Refusal;
use super::report::{Detail, DetailKey, EventDetail, FIRST_TIME, Fired, Outcome, StepReport, Then};
use super::sink::field;
use super::state::{Appended, Ending, Episode, Pending, Resolution};
use crate::lang::Trigger;
use crate::wire::{Action, round4};

/// Why a step was refused without being taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepError {
    /// The episode has ended; reset first.
    EpisodeDone,
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepError::EpisodeDone => {
                f.write_str("episode_done: the episode has ended; call reset")
            }
        }
    }
}

impl std::error::Error for StepError {}

/// What a report-free step ([`step_quiet`]) tells: all search and bulk evaluation read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quiet {
    /// The emitted step reward (clamped, 4 decimals), as [`StepReport::reward`].
    pub reward: f64,
    /// Whether the step was rule-invalid (the report would carry an `error`).
    pub invalid: bool,
}

/// Takes one step. A rule-invalid action is a step (penalised, reported in the report's
/// `error`); only stepping a finished episode is refused.
pub fn step(
    machine: &Machine,
    episode: &mut Episode,
    action: &Action,
) -> Result<StepReport, StepError> {
    if episode.ended.is_some() {
        return Err(StepError::EpisodeDone);
    }
    let mut run = Run::new(machine, episode, action, true);
    run.take();
    Ok(run.report)
}

/// Takes one step exactly as [`step`] does, without building its report (no texts, details or
/// event descriptions): what search and bulk evaluation use. The episode ends in the same state.
pub fn step_quiet(
    machine: &Machine,
    episode: &mut Episode,
    action: &Action,
) -> Result<Quiet, StepError> {
    if episode.ended.is_some() {
        return Err(StepError::EpisodeDone);
    }
    let mut run = Run::new(machine, episode, action, false);
    run.take();
    Ok(Quiet { reward: run.report.reward, invalid: run.invalid })
}

/// Reward groups held inline while a step runs (more spill to the heap).
const INLINE_GROUPS: usize = 8;

/// One step in progress.
struct Run<'a> {
    m: &'a Machine,
    ep: &'a mut Episode,
    action: &'a Action,
    /// The request, if it names a declared action.
    request: Option<Request<'a>>,
    rewards: SmallVec<[f64; INLINE_GROUPS]>,
    /// Whether to build the report's texts, details and events (else only its reward).
    loud: bool,
    /// Whether the step was rule-invalid.
    invalid: bool,
    report: StepReport,
    /// Any response event pending at the start of the step.
    response_pending: bool,
    clock_after: i64,
    /// Hooks triggered by operations, run after the body that triggered them.
    deferred: SmallVec<[(Trigger, usize, Locals); 4]>,
}

impl<'a> Run<'a> {
    fn new(m: &'a Machine, ep: &'a mut Episode, action: &'a Action, loud: bool) -> Self {
        let response_pending = super::query::response_pending(m, ep);
        let request = m.action(action.action_type).map(|index| Request::new(m, index, action));
        let report = StepReport { target_case: ep.active, ..StepReport::default() };
        Run {
            m,
            clock_after: ep.clock,
            ep,
            action,
            request,
            rewards: SmallVec::from_elem(0.0, m.reward_groups.len()),
            loud,
            invalid: false,
            report,
            response_pending,
            deferred: SmallVec::new(),
        }
    }

    fn frame(&self, case: usize) -> Frame<'_> {
        let mut frame = Frame::new(self.m, self.ep, case);
        frame.action = self.request;
        frame.response_pending = self.response_pending;
        frame.clock_after = self.clock_after;
        frame
    }

    /// Spec §4.1, steps 3–9.
    fn take(&mut self) {
        let active = self.ep.active;
        if self.loud {
            self.report.action_type = Some(self.action.action_type);
        }
        let refusal = self.refusal();
        let step_index = self.ep.steps + 1;
        match refusal {
            Some(refusal) => {
                self.clock_after = self.ep.clock + self.m.invalid_cost;
                self.ep.invalid += 1;
                self.invalid = true;
                if self.loud {
                    self.report.outcome = Outcome::Invalid;
                    self.set_detail(field!("error"), Detail::Code);
                    self.set_detail(field!("message"), Detail::Message);
                    self.report.refusal = Some(refusal);
                }
                self.run_hooks(Trigger::Invalid, active, &Locals::NONE, step_index);
                if let Refusal::Rule(rule) = refusal {
                    self.exec(&self.m.rejects[rule].hooks, active, &Locals::NONE, step_index);
                    self.run_deferred(step_index);
                }
            }
            None => {
                let index = self.request.map_or(0, |r| r.index);
                let decl = &self.m.actions[index];
                let hold = self.is_hold(index);
                let cost = if hold {
                    self.m.hold_cost
                } else {
                    self.frame(active).eval(&decl.cost).int().unwrap_or(0)
                };
                self.clock_after = self.ep.clock + cost;
                let body = &self.m.actions[index].body;
                self.exec(body, active, &Locals::NONE, step_index);
                self.run_deferred(step_index);
                if self.loud {
                    let case = self.report.target_case;
                    let again = self.report.nothing_new(self.m, self.ep);
                    self.report.outcome =
                        if again { Outcome::Again(case) } else { Outcome::Done(case) };
                }
            }
        }
        self.ep.clock = self.clock_after;
        self.ep.steps = step_index;
        self.fire_due(step_index, false);
        self.record_breaches(step_index);
        self.check_end(step_index);
        self.finish_reward();
    }

    /// Why the action is refused, if it is: the first validation rule that refuses it.
    fn refusal(&self) -> Option<Refusal> {
        let Some(request) = self.request else { return Some(Refusal::UnknownAction) };
        let frame = self.frame(self.ep.active);
        let rules = &self.m.rejects_of[request.index];
        rules.iter().find(|r| frame.eval(&r.when).truthy()).map(|r| Refusal::Rule(r.rule))
    }

    /// A `switch` to the active case is a hold.
    fn is_hold(&self, index: usize) -> bool {
        let frame = self.frame(self.ep.active);
        self.m.actions[index].body.iter().any(|st| match st {
            Stmt::Op(Op::Switch(target), _) => {
                frame.case_of(frame.eval(target)) == Some(self.ep.active)
            }
            _ => false,
        })
    }

    fn exec(&mut self, body: &[Stmt], case: usize, locals: &Locals, step_index: u32) {
        for st in body {
            match st {
                Stmt::If(condition, then, otherwise) => {
                    let branch =
                        if self.eval(condition, case, locals).truthy() { then } else { otherwise };
                    self.exec(branch, case, locals, step_index);
                }
                Stmt::Reward { value, group, when } => {
                    if when.as_ref().is_none_or(|w| self.eval(w, case, locals).truthy()) {
                        let amount = self.eval(value, case, locals).real();
                        self.rewards[*group] += amount;
                    }
                }
                Stmt::Op(op, when) => {
                    if when.as_ref().is_none_or(|w| self.eval(w, case, locals).truthy()) {
                        self.op(op, case, locals, step_index);
                    }
                }
            }
        }
    }

    fn eval(&self, ex: &super::ir::Expr, case: usize, locals: &Locals) -> Scalar {
        Frame { locals, ..self.frame(case) }.eval(ex)
    }

    /// Runs every hook of `trigger`, then the hooks their effects trigger.
    fn run_hooks(&mut self, trigger: Trigger, case: usize, locals: &Locals, step: u32) {
        for body in self.m.hooks(trigger) {
            self.exec(body, case, locals, step);
        }
        self.run_deferred(step);
    }

    fn run_deferred(&mut self, step_index: u32) {
        while !self.deferred.is_empty() {
            let deferred = std::mem::take(&mut self.deferred);
            for (trigger, case, mut locals) in deferred {
                if trigger == Trigger::Resolve {
                    let frame = self.frame(case);
                    locals.gate = frame.gate();
                    locals.quality = frame.quality();
                }
                for body in self.m.hooks(trigger) {
                    self.exec(body, case, &locals, step_index);
                }
            }
        }
    }

    fn op(&mut self, op: &Op, case: usize, locals: &Locals, step: u32) {
        let m = self.m;
        match op {
            Op::Inspect(check) => {
                let first = self.ep.cases[case].completed[*check].is_none();
                if first {
                    self.ep.cases[case].completed[*check] = Some(step);
                    super::reveal::reveal_group(m, self.ep, case, *check);
                }
                if self.loud {
                    let then = Then::now(self.ep, case, *check);
                    let revealed = self.ep.cases[case].is_revealed(*check).then_some(then);
                    self.set_detail(field!("check"), Detail::Name(m.checks[*check].name));
                    self.set_detail(FIRST_TIME, Detail::Bool(first));
                    self.set_detail(field!("summary"), Detail::Summary(revealed));
                    self.set_detail(field!("facts"), Detail::Facts(first.then_some(then)));
                }
                let locals = Locals { first, check: *check, ..Locals::NONE };
                self.deferred.push((Trigger::Inspect, case, locals));
            }
            Op::Request(response) => {
                let r = &m.responses[*response];
                let record = &mut self.ep.cases[case];
                let scheduled = record.responses[*response] == r.initial;
                if scheduled {
                    record.responses[*response] = r.pending;
                    if record.status == m.status.open || record.status == m.status.reopened {
                        record.status = r.waiting;
                    }
                    let delay = self.ep.world.cases[case].responses[*response].2;
                    for &event in &r.deliverers {
                        self.schedule(event, case, self.clock_after + delay, 0);
                    }
                }
                if self.loud {
                    let status = self.ep.cases[case].responses[*response];
                    self.set_detail(field!("scheduled"), Detail::Bool(scheduled));
                    self.set_detail(field!("status"), Detail::Name(status));
                }
                let locals = Locals { scheduled, response: *response, ..Locals::NONE };
                self.deferred.push((Trigger::Request, case, locals));
            }
            Op::Deliver(response) => {
                let plan = self.ep.world.cases[case].responses[*response];
                let waiting = m.responses[*response].waiting;
                let record = &mut self.ep.cases[case];
                record.responses[*response] = plan.1;
                record.received[*response] = Some(step);
                if record.status == waiting {
                    record.status = m.status.open;
                }
            }
            Op::Resolve(kind) => {
                let quality_before = self.frame(case).quality();
                let reason = self.frame(case).eval(&super::ir::Expr::Wire(Wire::EscalationReason));
                let record = &mut self.ep.cases[case];
                record.resolution = Some(Resolution {
                    kind: *kind,
                    action: self.request.map_or(0, |r| r.index),
                    expedite: self.action.expedite,
                    reason,
                    step,
                });
                record.slot_free = false;
                record.status = m.status.resolved;
                let locals = Locals { quality_before, ..Locals::NONE };
                self.deferred.push((Trigger::Resolve, case, locals));
            }
            Op::Pay(amount) => {
                let amount = self.eval(amount, case, locals).int().unwrap_or(0);
                self.ep.spending = self.ep.spending.saturating_add(amount);
                let record = &mut self.ep.cases[case];
                let kind = record.resolution.as_ref().map_or(0, |r| r.kind);
                record.paid_as[kind] = record.paid_as[kind].saturating_add(amount);
                let locals = Locals { payout: amount, ..Locals::NONE };
                self.deferred.push((Trigger::Payout, case, locals));
            }
            Op::TakeStock => {
                if let Some(sku) = self.ep.world.cases[case].sku {
                    self.ep.stock[sku] -= 1;
                }
            }
            Op::Note(code) => {
                let value = self.eval(code, case, locals);
                let frame = self.frame(case);
                let text = frame.text(value);
                let key = frame.note_key(value, &text);
                let added = (!notes::has(&self.ep.cases[case].notes, key)).then(|| key.into());
                if let Some(note) = added {
                    self.ep.cases[case].notes.push(note);
                }
            }
            Op::Close => {
                let frame = self.frame(case);
                let failed =
                    m.verdict.iter().find(|(_, when)| frame.eval(when).truthy()).map(|(r, _)| *r);
                let note_present = frame.required_note_present();
                let record = &mut self.ep.cases[case];
                record.status = m.status.closed;
                record.closes.push((self.clock_after, failed.is_none()));
                record.note_at_close = note_present;
                record.close_reason = failed;
                let trigger = if failed.is_some() { Trigger::BadClose } else { Trigger::GoodClose };
                self.deferred.push((trigger, case, Locals::NONE));
            }
            Op::Switch(target) => {
                let target = self.eval(target, case, locals);
                if let Some(target) = self.frame(case).case_of(target) {
                    self.ep.active = target;
                    self.report.target_case = target;
                }
            }
            Op::Reopen => {
                let record = &mut self.ep.cases[case];
                if record.status == m.status.closed {
                    record.status = m.status.reopened;
                    record.reopens += 1;
                    record.slot_free = true;
                    self.ep.reopened_cases += 1;
                }
            }
            Op::Satisfaction(delta) => {
                let delta = self.eval(delta, case, locals).int().unwrap_or(0);
                self.ep.satisfaction = (self.ep.satisfaction + delta).clamp(0, 10_000);
            }
            Op::FraudLoss(amount) => {
                let amount = self.eval(amount, case, locals).int().unwrap_or(0);
                self.ep.fraud_loss = self.ep.fraud_loss.saturating_add(amount);
            }
            Op::Fee(amount) => {
                let amount = self.eval(amount, case, locals).int().unwrap_or(0);
                self.ep.cases[case].fees = self.ep.cases[case].fees.saturating_add(amount);
            }
            Op::Stockout => {
                if !self.ep.cases[case].stockout {
                    self.ep.cases[case].stockout = true;
                    self.ep.stockouts += 1;
                }
            }
            Op::Schedule { event, after, with } => {
                let delay = self.eval(after, case, locals).int().unwrap_or(0);
                let payload =
                    with.as_ref().map_or(0, |w| self.eval(w, case, locals).int().unwrap_or(0));
                self.schedule(*event, case, self.clock_after + delay, payload);
            }
            Op::Fact { name, value, unit } => {
                let value = self.frame(case).keep(self.eval(value, case, locals), *unit);
                self.ep.cases[case].facts.push(*name, None, value);
            }
            Op::Detail { name, value, unit } => {
                if self.loud {
                    let detail = match self.frame(case).keep(self.eval(value, case, locals), *unit)
                    {
                        Keep::Known(value) => Detail::Known { case, value },
                        Keep::Json(json) => Detail::Json(Box::new(json)),
                    };
                    self.set_detail(DetailKey::Scenario(*name), detail);
                }
            }
            Op::Append { check, text } => {
                let record = &mut self.ep.cases[case];
                let facts = u16::try_from(record.facts.entries().len());
                let check = u16::try_from(*check);
                if let (Ok(check), Ok(facts)) = (check, facts) {
                    record.appended.push(Appended { check, facts, text: *text });
                }
            }
        }
    }

    fn schedule(&mut self, event: usize, case: usize, due: i64, payload: i64) {
        let sequence = self.ep.sequence;
        self.ep.sequence += 1;
        let pending = Pending { due, sequence, event, case, payload };
        let at = self.ep.pending.partition_point(|p| (p.due, p.sequence) <= (due, sequence));
        self.ep.pending.insert(at, pending);
    }

    /// Fires due events (all `settle fire` events when settling), in (due, sequence) order.
    fn fire_due(&mut self, step: u32, settling: bool) {
        loop {
            let position = self.ep.pending.iter().position(|p| {
                if settling { self.m.events[p.event].settle_fire } else { p.due <= self.ep.clock }
            });
            let Some(position) = position else { break };
            let pending = self.ep.pending.remove(position);
            let event = &self.m.events[pending.event];
            let locals = Locals { payload: pending.payload, ..Locals::NONE };
            let before = self.loud.then(|| self.ep.cases[pending.case].clone());
            self.exec(&event.body, pending.case, &locals, step);
            self.run_deferred(step);
            if let Some(before) = before {
                let detail = self.event_detail(&before, pending.case, pending.payload);
                let fired = Fired { event: pending.event, case: pending.case, detail };
                self.report.events.push(fired);
            }
        }
        if settling {
            self.ep.pending.clear();
        }
    }

    /// The event's detail: the response outcome it delivered, the reopen reason it revealed,
    /// or the money it carried (payout plus the fee it booked).
    fn event_detail(
        &self,
        before: &super::state::CaseState,
        case: usize,
        payload: i64,
    ) -> EventDetail {
        let after = &self.ep.cases[case];
        if let Some(i) =
            (0..after.responses.len()).find(|&i| after.received[i] != before.received[i])
        {
            return EventDetail::Name(after.responses[i]);
        }
        if after.reopens != before.reopens {
            return after.close_reason.map_or(EventDetail::Nothing, EventDetail::Name);
        }
        match payload + after.fees - before.fees {
            0 => EventDetail::Nothing,
            cents => EventDetail::Cents(cents),
        }
    }

    /// Sets a detail of the report.
    fn set_detail(&mut self, key: impl Into<DetailKey>, detail: Detail) {
        self.report.set_detail(self.m, key.into(), detail);
    }

    /// Spec §3.5: a case newly past its deadline (open, or closed late) is breached once.
    fn record_breaches(&mut self, step: u32) {
        for position in 0..self.ep.world.queue.len() {
            let case = self.ep.world.queue[position];
            let record = &self.ep.cases[case];
            let deadline = self.ep.world.cases[case].sla_deadline;
            let closed = record.status == self.m.status.closed;
            let late = if closed {
                record.closes.last().is_some_and(|(at, _)| *at > deadline)
            } else {
                self.ep.clock > deadline
            };
            if !record.breached && late {
                self.ep.cases[case].breached = true;
                self.ep.sla_breaches += 1;
                self.run_hooks(Trigger::Breach, case, &Locals::NONE, step);
            }
        }
    }

    /// Spec §4.4 and §6.4: the first termination rule that holds ends the episode; settle,
    /// grade, and run the end hooks.
    fn check_end(&mut self, step: u32) {
        let active = self.ep.active;
        let frame = self.frame(active);
        let Some(rule) = self.m.ends.iter().position(|(_, when, _)| frame.eval(when).truthy())
        else {
            return;
        };
        self.fire_due(step, true);
        for position in 0..self.ep.world.queue.len() {
            let case = self.ep.world.queue[position];
            self.run_hooks(Trigger::Settle, case, &Locals::NONE, step);
        }
        let grade = super::grade::score(self.m, self.ep);
        self.ep.ended = Some(Ending { rule, truncated: self.m.ends[rule].2, grade });
        self.run_hooks(Trigger::End, active, &Locals { grade, ..Locals::NONE }, step);
    }

    /// Spec §7: sum, clamp, round; the rounding group absorbs the difference.
    fn finish_reward(&mut self) {
        let total: f64 = self.rewards.iter().sum();
        let reward = round4(total.clamp(self.m.clamp.0, self.m.clamp.1));
        self.ep.total_reward += reward;
        self.report.reward = reward;
        if self.loud {
            let mut breakdown: SmallVec<_> = self.rewards.iter().map(|r| round4(*r)).collect();
            let rounded: f64 = breakdown.iter().sum();
            if let Some(group) = breakdown.get_mut(self.m.rounding_group) {
                *group = round4(*group + (reward - rounded));
            }
            self.report.breakdown = breakdown;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::random_plays;

    /// An action's rule list as specialised to it ([`Machine::rejects_of`]) refuses exactly as
    /// every rule of the scenario, unspecialised and in order: on random states, for requests
    /// of every type, some carrying a field their action does not take.
    #[test]
    fn specialised_rules_refuse_as_all_rules_in_order() {
        let (mut accepted, mut refused) = (0, 0);
        let paths = ["scenarios", "tests/fixtures/prove/interleaved_requests"];
        random_plays(&paths, 10, 0x2545_f491_4f6c_dd1d, |m, ep, action, draw| {
            // One request in four carries a field whether its action takes it or not.
            match draw(16) {
                0 => action.case_id = Some("no_such_case".into()),
                1 => {
                    let case = ep.world.cases[draw(ep.cases.len())].id;
                    action.case_id = Some(m.symbols.name(case).to_string());
                }
                2 => action.refund_amount_usd = Some(0.0),
                3 => action.expedite = true,
                _ => {}
            }
            let mut ep = ep.clone();
            let run = Run::new(m, &mut ep, action, false);
            let expected = run.request.map_or(Some(Refusal::UnknownAction), |_| {
                let frame = run.frame(run.ep.active);
                let holds = |r: &usize| frame.eval(&m.rejects[*r].when).truthy();
                (0..m.rejects.len()).find(holds).map(Refusal::Rule)
            });
            assert_eq!(run.refusal(), expected, "{}: {action:?}", m.scenario.id);
            match expected {
                Some(_) => refused += 1,
                None => accepted += 1,
            }
        });
        assert!(accepted > 100 && refused > 100, "{accepted} accepted, {refused} refused");
    }
}
