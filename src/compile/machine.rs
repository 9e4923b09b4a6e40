//! [`Machine`]: a compiled scenario made executable, the compiler's last product. Built once
//! per scenario version (by [`lower`](super::lower), which also defines `Machine::new`) and
//! shared by every episode on it; the engine runs it (and re-exports it as `engine::Machine`).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Scenario;
use super::case_plan::ResetPlan;
use super::ir::{Expr, Requires, Stmt, Sym};
use super::symbols::Symbols;
use super::template::Template;
use crate::lang::Trigger;
use crate::wire::ActionType;

/// An executable scenario.
#[derive(Debug)]
pub struct Machine {
    /// The compiled scenario it was built from.
    pub scenario: Arc<Scenario>,
    /// Interned names and texts (shared with every episode's world, which reads its notes by
    /// them).
    pub symbols: Arc<Symbols>,
    /// Checks, in declaration order.
    pub checks: Vec<CompiledCheck>,
    /// Responses, in declaration order.
    pub responses: Vec<CompiledResponse>,
    /// Actions, in declaration order.
    pub actions: Vec<CompiledAction>,
    /// The declared action of each wire action type (by `ActionType as usize`).
    pub by_type: Vec<Option<usize>>,
    /// Validation rules, in order.
    pub rejects: Vec<CompiledReject>,
    /// Per declared action, the rules that may refuse it, in order, specialised to it (the
    /// others cannot hold for it: see `rejects.rs`).
    pub rejects_of: Vec<Vec<ActionRule>>,
    /// Hook bodies per trigger (in `Trigger` order).
    pub hooks: Vec<Vec<Vec<Stmt>>>,
    /// Events, in declaration order.
    pub events: Vec<CompiledEvent>,
    /// Blockers, in list order.
    pub blockers: Vec<CompiledBlocker>,
    /// Close verdict items: reason and condition of a bad close.
    pub verdict: Vec<(Sym, Expr)>,
    /// Truth kinds.
    pub truths: Vec<CompiledTruth>,
    /// The grade.
    pub grade: CompiledGrade,
    /// Termination rules: reason, condition, truncation.
    pub ends: Vec<(String, Expr, bool)>,
    /// Reward group names.
    pub reward_groups: Vec<String>,
    /// The group that absorbs clamping and rounding.
    pub rounding_group: usize,
    /// Step reward clamp.
    pub clamp: (f64, f64),
    /// Minutes a hold takes.
    pub hold_cost: i64,
    /// Minutes a rule-invalid action takes.
    pub invalid_cost: i64,
    /// The fact that reveals a note requirement.
    pub note_fact: Option<Sym>,
    /// Cost of a replacement shipment of the case at hand, before any expedite fee.
    pub replacement_cost: Expr,
    /// Added to a replacement's cost when expedited.
    pub expedite_fee: i64,
    /// Base case statuses: open, resolved, closed, reopened.
    pub status: BaseStatuses,
    /// What reset draws: stock and the case data, lowered.
    pub reset: ResetPlan,
    /// The texts events append to summaries, parsed, by their symbol.
    pub templates: BTreeMap<Sym, Template>,
}

/// Symbols of the base case statuses.
#[derive(Clone, Copy, Debug)]
#[allow(missing_docs)]
pub struct BaseStatuses {
    pub open: Sym,
    pub resolved: Sym,
    pub closed: Sym,
    pub reopened: Sym,
}

/// A check.
#[derive(Debug)]
pub struct CompiledCheck {
    /// Name.
    pub name: Sym,
    /// Summary when the case has no facts in this group.
    pub empty: String,
    /// Observation field of its summary.
    pub field: Option<String>,
}

/// A response.
#[derive(Debug)]
pub struct CompiledResponse {
    /// Name.
    pub name: Sym,
    /// Observation field of its status.
    pub field: Option<String>,
    /// Status at reset by default.
    pub initial: Sym,
    /// Status while the answer is on its way.
    pub pending: Sym,
    /// Case status while waiting.
    pub waiting: Sym,
    /// Events that deliver it.
    pub deliverers: Vec<usize>,
}

/// An action.
#[derive(Debug)]
pub struct CompiledAction {
    /// Name (the wire `action_type`).
    pub name: Sym,
    /// Time cost.
    pub cost: Expr,
    /// Effects.
    pub body: Vec<Stmt>,
    /// Whether it records a resolution.
    pub resolving: bool,
    /// What it pays, evaluated before it runs (for budget rules).
    pub payout: Option<Expr>,
}

/// A validation rule.
#[derive(Debug)]
pub struct CompiledReject {
    /// Stable error code.
    pub code: String,
    /// When it refuses.
    pub when: Expr,
    /// The sentence.
    pub message: String,
    /// `on reject CODE` bodies.
    pub hooks: Vec<Stmt>,
}

/// A validation rule as one declared action meets it.
#[derive(Debug)]
pub struct ActionRule {
    /// Index into [`Machine::rejects`].
    pub rule: usize,
    /// The rule's condition with the action's values in place (`action`, `resolving`,
    /// `payout`), simplified.
    pub when: Expr,
}

/// An event.
#[derive(Debug)]
pub struct CompiledEvent {
    /// Name.
    pub name: Sym,
    /// Listed in `pending_events`.
    pub visible: Expr,
    /// Fired (not dropped) at settlement.
    pub settle_fire: bool,
    /// Effects.
    pub body: Vec<Stmt>,
}

/// A blocker.
#[derive(Debug)]
pub struct CompiledBlocker {
    /// Name.
    pub name: String,
    /// Unmet while true.
    pub unmet: Expr,
    /// What a case must require for `unmet` to hold (elsewhere it is not evaluated).
    pub requires: Requires,
    /// Shown while true.
    pub visible: Expr,
}

/// A truth kind.
#[derive(Debug)]
pub struct CompiledTruth {
    /// Name (also the resolution kind).
    pub name: Sym,
    /// Money the case may cost without loss.
    pub allowance: Expr,
    /// `(outcome, condition)`, first match wins.
    pub outcomes: Vec<(Expr, Expr)>,
    /// Dissatisfaction conditions.
    pub dissatisfied: Vec<Expr>,
}

/// The grade.
#[derive(Debug)]
pub struct CompiledGrade {
    /// Acceptability threshold of an outcome.
    pub accept: f64,
    /// Tolerance around refund bands, basis points of the order value.
    pub tolerance_bp: i64,
    /// Grade lost per rule-invalid action.
    pub invalid_penalty: f64,
    /// Closure factors: clean, repaired, bad, unfinished, untouched.
    pub closure: [f64; 5],
    /// Components: name, per-case value, weight.
    pub components: Vec<(String, Expr, f64)>,
}

impl Machine {
    /// Hook bodies of a trigger.
    pub fn hooks(&self, trigger: Trigger) -> &[Vec<Stmt>] {
        &self.hooks[trigger as usize]
    }

    /// Index of the declared action of this type, if the scenario declares it.
    pub fn action(&self, action_type: ActionType) -> Option<usize> {
        self.by_type.get(action_type as usize).copied().flatten()
    }
}
