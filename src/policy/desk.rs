//! [`Desk`]: what the rule policy reads of the desk, from the wire [`Observation`] or straight
//! from the engine's borrowed [`View`] (no strings or JSON built). Both read the same values.

use super::fact;
use crate::engine::View;
use crate::engine::known::Wired;
use crate::engine::state::Inline;
use crate::wire::{
    CarrierStatus, CasePriority, CaseStatus, CaseType, EvidenceStatus, FraudSignal, Observation,
    cents,
};

/// One queue entry as a policy reads it.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// The case id.
    pub case_id: &'a str,
    /// Its status.
    pub status: CaseStatus,
    /// Its priority.
    pub priority: CasePriority,
    /// Minutes left before its deadline.
    pub sla_minutes_remaining: i64,
}

/// The queue, held inline (no heap for up to 16 cases).
pub type Queue<'a> = Inline<Entry<'a>, 16>;

/// What a policy reads of the active case, the queue and the stock.
pub trait Desk {
    /// The active case's id.
    fn active_id(&self) -> &str;
    /// The active case's status.
    fn status(&self) -> CaseStatus;
    /// The active case's type.
    fn case_type(&self) -> CaseType;
    /// The active case's priority.
    fn priority(&self) -> CasePriority;
    /// The active case's fraud signal.
    fn fraud_signal(&self) -> FraudSignal;
    /// The active case's customer evidence status.
    fn evidence_status(&self) -> EvidenceStatus;
    /// The active case's carrier status.
    fn carrier_status(&self) -> CarrierStatus;
    /// Whether the active case shows this blocker.
    fn has_blocker(&self, name: &str) -> bool;
    /// Units in stock of the active case's replacement SKU (`None` without one, or for a SKU
    /// the inventory does not list).
    fn replacement_units(&self) -> Option<i64>;
    /// The active case's order value, cents.
    fn order_value(&self) -> i64;
    /// The active case's requested compensation, cents.
    fn requested(&self) -> Option<i64>;
    /// A known fact of the active case, as the wire shows it.
    fn fact(&self, name: &str) -> Option<Wired<'_>>;
    /// The queue, in queue order.
    fn queue(&self) -> Queue<'_>;
}

impl Desk for Observation {
    fn active_id(&self) -> &str {
        &self.active_case.case_id
    }
    fn status(&self) -> CaseStatus {
        self.active_case.status
    }
    fn case_type(&self) -> CaseType {
        self.active_case.case_type
    }
    fn priority(&self) -> CasePriority {
        self.active_case.priority
    }
    fn fraud_signal(&self) -> FraudSignal {
        self.active_case.fraud_signal
    }
    fn evidence_status(&self) -> EvidenceStatus {
        self.active_case.evidence_status
    }
    fn carrier_status(&self) -> CarrierStatus {
        self.active_case.carrier_status
    }
    fn has_blocker(&self, name: &str) -> bool {
        self.active_case.blockers.iter().any(|b| b == name)
    }
    fn replacement_units(&self) -> Option<i64> {
        let sku = self.active_case.replacement_sku.as_ref()?;
        self.resources.inventory_units.get(sku).copied()
    }
    fn order_value(&self) -> i64 {
        cents(self.active_case.order_value_usd).unwrap_or(0)
    }
    fn requested(&self) -> Option<i64> {
        self.active_case.requested_compensation_usd.and_then(cents)
    }
    fn fact(&self, name: &str) -> Option<Wired<'_>> {
        fact(self, name).map(Wired::from)
    }
    fn queue(&self) -> Queue<'_> {
        self.queue
            .iter()
            .map(|item| Entry {
                case_id: &item.case_id,
                status: item.status,
                priority: item.priority,
                sla_minutes_remaining: item.sla_minutes_remaining,
            })
            .collect()
    }
}

impl Desk for View<'_> {
    fn active_id(&self) -> &str {
        self.case_id(self.active())
    }
    fn status(&self) -> CaseStatus {
        View::status(self, self.active())
    }
    fn case_type(&self) -> CaseType {
        View::case_type(self, self.active())
    }
    fn priority(&self) -> CasePriority {
        View::priority(self, self.active())
    }
    fn fraud_signal(&self) -> FraudSignal {
        View::fraud_signal(self, self.active())
    }
    fn evidence_status(&self) -> EvidenceStatus {
        View::evidence_status(self, self.active())
    }
    fn carrier_status(&self) -> CarrierStatus {
        View::carrier_status(self, self.active())
    }
    fn has_blocker(&self, name: &str) -> bool {
        View::has_blocker(self, name)
    }
    fn replacement_units(&self) -> Option<i64> {
        self.units(self.replacement_sku(self.active())?)
    }
    fn order_value(&self) -> i64 {
        View::order_value(self, self.active())
    }
    fn requested(&self) -> Option<i64> {
        View::requested(self, self.active())
    }
    fn fact(&self, name: &str) -> Option<Wired<'_>> {
        View::fact(self, name)
    }
    fn queue(&self) -> Queue<'_> {
        View::queue(self)
            .iter()
            .map(|&case| Entry {
                case_id: self.case_id(case),
                status: View::status(self, case),
                priority: View::priority(self, case),
                sla_minutes_remaining: self.sla_minutes_remaining(case),
            })
            .collect()
    }
}
