//! The moves worth trying in a state. The oracle knows each case's hidden record, so it only
//! tries what can lead to a perfect case: the required checks, then the required requests,
//! then the true resolution (with the parameter values its truth names), the required note and
//! the close — plus switching to any open case, and holding while an answer is on its way.
//! What each action does is read from the scenario's declarations, never assumed by name.

use std::collections::BTreeMap;

use crate::check::program::{Primitive, for_each_primitive};
use crate::engine::ir::{Expr, Scalar};
use crate::engine::notes::{self, NoteKey};
use crate::engine::state::{CaseDraw, CaseState};
use crate::engine::{Episode, Machine};
use crate::wire::{Action, ActionType, EscalationReason, usd};

/// Which declared action does what.
#[derive(Debug)]
pub(super) struct Moves {
    /// The action that completes each check (check order).
    inspect: Vec<Option<ActionType>>,
    /// The action that requests each response (response order).
    request: Vec<Option<ActionType>>,
    /// The actions that record each truth kind (truth order).
    resolve: Vec<Vec<ActionType>>,
    /// Parameter types of each truth kind.
    truth_params: Vec<Vec<String>>,
    /// The action that adds a note, closes a case, switches cases.
    note: Option<ActionType>,
    close: Option<ActionType>,
    switch: Option<ActionType>,
    /// How long each piece of work takes.
    costs: Costs,
}

/// How long a piece of work takes: as [`Moves::minutes`] and [`Moves::least_minutes`] time it.
#[derive(Clone, Copy, Debug, Default)]
struct Cost {
    usual: i64,
    least: i64,
}

/// The [`Cost`] of every piece of work, worked out once from the actions' costs.
#[derive(Debug, Default)]
struct Costs {
    switch: Cost,
    check: Vec<Cost>,
    request: Vec<Cost>,
    resolve: Vec<Cost>,
    note: Cost,
    close: Cost,
}

impl Moves {
    /// Reads the scenario's declarations.
    pub(super) fn new(m: &Machine) -> Moves {
        let program = &m.scenario.program;
        let mut moves = Moves {
            inspect: vec![None; program.checks.len()],
            request: vec![None; program.responses.len()],
            resolve: vec![Vec::new(); program.truths.len()],
            truth_params: program
                .truths
                .values()
                .map(|t| t.params.iter().map(|p| p.ty.name.clone()).collect())
                .collect(),
            note: None,
            close: None,
            switch: None,
            costs: Costs::default(),
        };
        for declared in program.actions.values() {
            let Some(action) = ActionType::parse(&declared.name.name) else { continue };
            let types: Vec<&str> = declared.params.iter().map(|p| p.ty.name.as_str()).collect();
            if types.contains(&"code") {
                moves.note = Some(action);
            }
            if types.contains(&"case") {
                moves.switch = Some(action);
            }
            for_each_primitive(&declared.body, &mut |op| match op {
                Primitive::Inspect(check) => {
                    if let Some(i) = program.checks.get_index_of(&check.name) {
                        moves.inspect[i] = Some(action);
                    }
                }
                Primitive::Request(response) => {
                    if let Some(i) = program.responses.get_index_of(&response.name) {
                        moves.request[i] = Some(action);
                    }
                }
                Primitive::Resolve(kind) => {
                    if let Some(i) = program.truths.get_index_of(&kind.name) {
                        moves.resolve[i].push(action);
                    }
                }
                Primitive::Close => moves.close = Some(action),
                _ => {}
            });
        }
        moves.costs = moves.timed(m);
        moves
    }

    /// Times every piece of work: by the constant cost of the action that does it (the fastest
    /// one, when several resolve a truth kind); else by the usual time of an action (the mean
    /// of the constant costs, one minute when there are none), or no time at all at the least.
    fn timed(&self, m: &Machine) -> Costs {
        let minutes: BTreeMap<ActionType, i64> = m
            .actions
            .iter()
            .filter_map(|a| match (&a.cost, ActionType::parse(m.symbols.name(a.name))) {
                (Expr::Const(Scalar::Int(minutes)), Some(action)) => Some((action, *minutes)),
                _ => None,
            })
            .collect();
        let usual = match minutes.len() {
            0 => 1,
            n => minutes.values().sum::<i64>() / n as i64,
        };
        let of = |action: Option<ActionType>| match action.and_then(|a| minutes.get(&a)) {
            Some(&time) => Cost { usual: time, least: time },
            None => Cost { usual, least: 0 },
        };
        let fastest = |actions: &[ActionType]| Cost {
            usual: actions.iter().map(|&a| of(Some(a)).usual).min().unwrap_or(usual),
            least: actions.iter().map(|&a| of(Some(a)).least).min().unwrap_or(0),
        };
        Costs {
            switch: of(self.switch),
            check: self.inspect.iter().map(|&a| of(a)).collect(),
            request: self.request.iter().map(|&a| of(a)).collect(),
            resolve: self.resolve.iter().map(|actions| fastest(actions)).collect(),
            note: of(self.note),
            close: of(self.close),
        }
    }

    /// The moves worth trying in `ep`, on its active case. Right after switching to it
    /// (`arrived`), switching on to a third case is never better than having switched there
    /// directly, so it is not tried.
    pub(super) fn candidates(&self, m: &Machine, ep: &Episode, arrived: bool) -> Vec<Action> {
        let index = ep.active;
        let (draw, case) = (&ep.world.cases[index], &ep.cases[index]);
        let mut out = Vec::new();
        let closed = case.status == m.status.closed;
        if !closed {
            let missing_checks = self.missing_checks(draw, case);
            let checked = missing_checks.clone().next().is_none();
            out.extend(missing_checks.filter_map(|i| self.inspect[i]).map(Action::new));
            if checked {
                out.extend(
                    self.required_responses(draw)
                        .filter(|&r| !requested(draw, case, r))
                        .filter_map(|r| self.request[r])
                        .map(Action::new),
                );
            }
            let answered = self.required_responses(draw).all(|r| case.received[r].is_some());
            if checked && answered && case.slot_free {
                out.extend(self.resolutions(m, ep));
            }
            if case.resolution.is_some() {
                if noted(draw, case) {
                    out.extend(self.close.map(Action::new));
                } else if let (Some(action), Some(code)) = (self.note, draw.required_note) {
                    let code = m.symbols.name(code).to_string();
                    out.push(Action { note_code: Some(code), ..Action::new(action) });
                }
            }
            let waiting = (0..self.request.len())
                .any(|r| requested(draw, case, r) && case.received[r].is_none());
            if waiting {
                out.extend(self.switch_to(m, ep, index));
            }
        }
        if !arrived {
            for other in (0..ep.cases.len()).filter(|&i| i != index) {
                if ep.cases[other].status != m.status.closed {
                    out.extend(self.switch_to(m, ep, other));
                }
            }
        }
        out
    }

    /// The resolutions of the active case's true kind, with the values its truth names.
    fn resolutions(&self, m: &Machine, ep: &Episode) -> Vec<Action> {
        let (kind, args) = &ep.world.cases[ep.active].truth;
        let params = &self.truth_params[*kind];
        let mut amounts: Vec<i64> = Vec::new();
        let mut base = Action::new(ActionType::CloseCase);
        for (ty, value) in params.iter().zip(args) {
            match (ty.as_str(), value) {
                ("money", Scalar::Int(cents)) => amounts.push(*cents),
                ("flag", Scalar::Bool(flag)) => base.expedite = *flag,
                ("reason", Scalar::Sym(reason)) => {
                    base.escalation_reason = EscalationReason::parse(m.symbols.name(*reason));
                }
                _ => {}
            }
        }
        if let [low, high] = amounts[..] {
            amounts.push((low + high) / 2);
        }
        let mut out = Vec::new();
        for &action in &self.resolve[*kind] {
            let resolution = Action { action_type: action, ..base.clone() };
            if amounts.is_empty() {
                out.push(resolution);
            } else {
                out.extend(amounts.iter().map(|&cents| Action {
                    refund_amount_usd: Some(usd(cents)),
                    ..resolution.clone()
                }));
            }
        }
        out
    }

    /// How long `work` takes: the constant cost of the action that does it (the fastest one,
    /// when several resolve a truth kind), else the usual time of an action.
    pub(super) fn minutes(&self, work: Work) -> i64 {
        self.cost(work).usual
    }

    /// The least time `work` can take: as [`Moves::minutes`], but no time at all where the
    /// cost is not a constant.
    pub(super) fn least_minutes(&self, work: Work) -> i64 {
        self.cost(work).least
    }

    fn cost(&self, work: Work) -> Cost {
        let costs = &self.costs;
        match work {
            Work::Switch => costs.switch,
            Work::Check(i) => costs.check[i],
            Work::Request(r) => costs.request[r],
            Work::Resolve(kind) => costs.resolve[kind],
            Work::Note => costs.note,
            Work::Close => costs.close,
        }
    }

    /// The checks a case requires and has not completed, in check order.
    pub(super) fn missing_checks<'a>(
        &self,
        draw: &'a CaseDraw,
        case: &'a CaseState,
    ) -> impl Iterator<Item = usize> + Clone + 'a {
        (0..self.inspect.len())
            .filter(|&i| draw.required_checks & (1 << i) != 0 && case.completed[i].is_none())
    }

    /// The responses a case requires, in response order.
    pub(super) fn required_responses<'a>(
        &self,
        draw: &'a CaseDraw,
    ) -> impl Iterator<Item = usize> + Clone + 'a {
        (0..self.request.len()).filter(|&r| draw.required_responses & (1 << r) != 0)
    }

    fn switch_to(&self, m: &Machine, ep: &Episode, case: usize) -> Option<Action> {
        let id = m.symbols.name(ep.world.cases[case].id);
        self.switch.map(|action| Action::new(action).with_case(id))
    }
}

/// A piece of work on a case, as [`Moves::minutes`] times it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Work {
    Switch,
    Check(usize),
    Request(usize),
    Resolve(usize),
    Note,
    Close,
}

/// Whether a case's response `r` has been asked for (its status moved off its initial one).
pub(super) fn requested(draw: &CaseDraw, case: &CaseState, r: usize) -> bool {
    case.responses[r] != draw.responses[r].0
}

/// Whether a case carries the note it requires (or requires none).
pub(super) fn noted(draw: &CaseDraw, case: &CaseState) -> bool {
    draw.required_note.is_none_or(|n| notes::has(&case.notes, NoteKey::Sym(n)))
}
