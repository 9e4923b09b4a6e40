//! [`View`]: what an agent sees, borrowed straight from the episode — the fields of the public
//! observation without building its strings, lists or JSON, for in-process policies. Every
//! field reads exactly as the wire [`Observation`](crate::wire::Observation) shows it.

use super::known::Wired;
use super::machine::Machine;
use super::observe;
use super::state::{Episode, Inline};
use crate::wire::{CarrierStatus, CasePriority, CaseStatus, CaseType, EvidenceStatus, FraudSignal};

/// A borrowed view of an episode as an agent sees it.
#[derive(Clone, Debug)]
pub struct View<'a> {
    m: &'a Machine,
    ep: &'a Episode,
    /// The blockers shown on the active case (indices into [`Machine::blockers`]).
    blockers: Inline<usize, 8>,
}

impl<'a> View<'a> {
    /// The view of `ep` now.
    pub fn new(m: &'a Machine, ep: &'a Episode) -> Self {
        let blockers = super::query::shown_blockers(m, ep, ep.active).collect();
        View { m, ep, blockers }
    }

    /// Index of the active case.
    pub fn active(&self) -> usize {
        self.ep.active
    }

    /// The cases in queue order (indices).
    pub fn queue(&self) -> &'a [usize] {
        &self.ep.world.queue
    }

    /// A case's id.
    pub fn case_id(&self, case: usize) -> &'a str {
        observe::case_id(self.m, self.ep, case)
    }

    /// A case's status.
    pub fn status(&self, case: usize) -> CaseStatus {
        observe::status(self.m, self.ep, case)
    }

    /// A case's type.
    pub fn case_type(&self, case: usize) -> CaseType {
        observe::shown(self.m, self.ep, case).case_type
    }

    /// A case's priority.
    pub fn priority(&self, case: usize) -> CasePriority {
        observe::shown(self.m, self.ep, case).priority
    }

    /// A case's fraud signal.
    pub fn fraud_signal(&self, case: usize) -> FraudSignal {
        observe::shown(self.m, self.ep, case).fraud_signal
    }

    /// A case's customer evidence status.
    pub fn evidence_status(&self, case: usize) -> EvidenceStatus {
        observe::evidence_status(self.m, self.ep, case)
    }

    /// A case's carrier status.
    pub fn carrier_status(&self, case: usize) -> CarrierStatus {
        observe::carrier_status(self.m, self.ep, case)
    }

    /// Minutes left before a case's deadline, never below zero.
    pub fn sla_minutes_remaining(&self, case: usize) -> i64 {
        observe::sla_minutes_remaining(self.ep, case)
    }

    /// A case's order value, cents.
    pub fn order_value(&self, case: usize) -> i64 {
        self.ep.world.cases[case].order_value
    }

    /// A case's requested compensation, cents, if any.
    pub fn requested(&self, case: usize) -> Option<i64> {
        self.ep.world.cases[case].requested
    }

    /// A case's replacement SKU, if any.
    pub fn replacement_sku(&self, case: usize) -> Option<&'a str> {
        observe::replacement_sku(self.m, self.ep, case)
    }

    /// Units in stock of a SKU, if the scenario stocks it.
    pub fn units(&self, sku: &str) -> Option<i64> {
        self.m.scenario.stock.get_index_of(sku).map(|i| self.ep.stock[i])
    }

    /// Whether the active case shows the blocker of this name.
    pub fn has_blocker(&self, name: &str) -> bool {
        self.blockers.iter().any(|&b| self.m.blockers[b].name == name)
    }

    /// A known fact of the active case (`metadata.known_facts`), as the wire shows it.
    pub fn fact(&self, name: &str) -> Option<Wired<'a>> {
        let draw = &self.ep.world.cases[self.ep.active];
        let facts = &self.ep.cases[self.ep.active].facts;
        let value = facts.value(self.m.symbols.get(name)?)?;
        Some(facts.wired(self.m, draw, value))
    }
}
