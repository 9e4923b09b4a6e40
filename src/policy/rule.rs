//! The `rule` baseline (game spec §11.1): a fixed desk procedure over the public observation.
//!
//! Its weaknesses are deliberate and kept: no triage at reset (it works the first case before
//! switching), expedite by priority rather than `expedite_eligible`, `prior_credit_usd`,
//! `reserved_for` and `in_lieu_*` facts ignored, every high fraud signal escalated, and no
//! corrective resolution after a reopen.
//!
//! It reads a [`Desk`]: the wire [`Observation`] or the engine's borrowed
//! [`View`](crate::engine::View), which give the same decisions.

use std::cmp::Reverse;

use super::Policy;
use super::desk::{Desk, Entry, Queue};
use crate::engine::known::Wired;
use crate::wire::{
    Action, ActionType, CarrierStatus, CasePriority, CaseStatus, CaseType, EscalationReason,
    EvidenceStatus, FraudSignal, Observation, usd,
};

/// Inspections in the order rule 2 takes them: blocker name and action.
const REVIEWS: [(&str, ActionType); 4] = [
    ("order_review_required", ActionType::InspectOrder),
    ("policy_review_required", ActionType::InspectPolicy),
    ("history_review_required", ActionType::InspectCustomerHistory),
    ("inventory_review_required", ActionType::InspectInventory),
];

/// The `rule` baseline of §11.1. Stateless: every decision comes from the observation.
#[derive(Clone, Copy, Debug, Default)]
pub struct RulePolicy;

impl RulePolicy {
    /// The policy.
    pub fn new() -> Self {
        Self
    }
}

impl Policy for RulePolicy {
    fn act(&mut self, observation: &Observation) -> Action {
        decide(observation)
    }
}

/// `pct(x, bp) = (x·bp + 5000) div 10000` on non-negative integer cents (spec §1).
pub fn pct(cents: i64, bp: i64) -> i64 {
    let value = (i128::from(cents) * i128::from(bp) + 5000).div_euclid(10_000);
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The queue in urgency order: priority rank descending, then `sla_minutes_remaining`
/// ascending, then queue position.
pub fn urgency_order(mut queue: Queue<'_>) -> Queue<'_> {
    // A stable sort keeps queue position as the last key.
    queue.sort_by_key(|item| (Reverse(item.priority.rank()), item.sla_minutes_remaining));
    queue
}

/// Whether a case in this status can be worked now (not closed, not waiting for an answer).
fn workable(status: CaseStatus) -> bool {
    status != CaseStatus::Closed && !status.is_waiting()
}

/// The next workable case in urgency order: the most urgent one whose status is not `closed`,
/// `waiting_customer` or `waiting_carrier` (possibly the active case).
fn next_workable<'a>(order: &[Entry<'a>]) -> Option<&'a str> {
    order.iter().find(|item| workable(item.status)).map(|item| item.case_id)
}

/// Holding: `switch_case` to the active case.
fn hold(desk: &impl Desk) -> Action {
    Action::switch_to(desk.active_id())
}

/// The action §11.1 takes at this desk: the first matching rule.
pub fn decide(desk: &impl Desk) -> Action {
    let active = desk.active_id();
    let order = urgency_order(desk.queue());
    // Switch to the next workable case unless it is the active one (or there is none): hold.
    let move_on = || match next_workable(&order) {
        Some(next) if next != active => Action::switch_to(next),
        _ => hold(desk),
    };

    // 1. Closed or waiting.
    let status = desk.status();
    if !workable(status) {
        if let Some(next) = next_workable(&order)
            && next != active
        {
            return Action::switch_to(next);
        }
        if status == CaseStatus::Closed
            && let Some(other) = order
                .iter()
                .find(|item| item.case_id != active && item.status != CaseStatus::Closed)
        {
            return Action::switch_to(other.case_id);
        }
        return hold(desk);
    }

    // 2. A visible review blocker: order → policy → history → inventory.
    if let Some((_, inspect)) = REVIEWS.iter().find(|(blocker, _)| desk.has_blocker(blocker)) {
        return Action::new(*inspect);
    }

    // 3. Customer evidence.
    if desk.has_blocker("customer_evidence_pending") {
        return if desk.evidence_status() == EvidenceStatus::NotRequested {
            Action::new(ActionType::RequestEvidence)
        } else {
            move_on()
        };
    }

    // 4. Carrier confirmation.
    if desk.has_blocker("carrier_confirmation_pending") {
        return if desk.carrier_status() == CarrierStatus::NotContacted {
            Action::new(ActionType::ContactCarrier)
        } else {
            move_on()
        };
    }

    // 5. Record a resolution.
    if desk.has_blocker("resolution_not_recorded") {
        return resolve(desk);
    }

    // 6. The required note, with the revealed code.
    if desk.has_blocker("internal_note_required")
        && let Some(code) = desk.fact("note_code").and_then(Wired::as_str)
    {
        return Action::note(code);
    }

    // 7. Close.
    Action::new(ActionType::CloseCase)
}

/// Rule 5: escalate, ship or refund.
fn resolve(desk: &impl Desk) -> Action {
    let flag = |name: &str| desk.fact(name).and_then(Wired::as_bool);

    // a. Fraud: the case type, a high signal, a revealed pattern or insufficient evidence.
    if desk.case_type() == CaseType::FraudSignal
        || desk.fraud_signal() == FraudSignal::High
        || flag("fraud_pattern") == Some(true)
        || desk.evidence_status() == EvidenceStatus::Insufficient
    {
        return Action::escalate(EscalationReason::SuspectedFraud);
    }

    // b. The carrier denied the claim.
    if desk.carrier_status() == CarrierStatus::Denied {
        return Action::escalate(EscalationReason::PolicyException);
    }

    // c. Ship when the SKU has stock and replacement is not ruled out; expedite by priority.
    let in_stock = desk.replacement_units().is_some_and(|units| units > 0);
    if in_stock && flag("replacement_eligible") != Some(false) {
        return Action::ship(matches!(
            desk.priority(),
            CasePriority::High | CasePriority::Critical
        ));
    }

    // d. Refund the policy maximum when known, else the request (the order value if none).
    let order_value = desk.order_value();
    let max_pct = desk
        .fact("refund_max_pct")
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|x| x.round() as i64)));
    let amount = match max_pct {
        Some(percent) => pct(order_value, 100 * percent),
        None => desk.requested().unwrap_or(order_value),
    };
    Action::refund(usd(amount))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::policy::testing::{case, item, observation, single};
    use crate::wire::{CaseView, usd};

    fn act(observation: &Observation) -> Action {
        RulePolicy::new().act(observation)
    }

    fn blockers(view: &mut CaseView, names: &[&str]) {
        view.blockers = names.iter().map(|n| n.to_string()).collect();
    }

    #[test]
    fn pct_is_half_up_on_cents() {
        assert_eq!(pct(28460, 3000), 8538);
        assert_eq!(pct(28460, 3500), 9961);
        assert_eq!(pct(28460, 1000), 2846);
        assert_eq!(pct(5, 5000), 3); // 2.5 rounds up
        assert_eq!(pct(0, 3500), 0);
    }

    #[test]
    fn inspects_visible_reviews_in_order() {
        let mut view = case("RPR-1", CaseType::RefundRequest, CasePriority::High);
        let all = [
            "history_review_required",
            "inventory_review_required",
            "order_review_required",
            "policy_review_required",
            "resolution_not_recorded",
        ];
        let expected = [
            ActionType::InspectOrder,
            ActionType::InspectPolicy,
            ActionType::InspectCustomerHistory,
            ActionType::InspectInventory,
        ];
        // Remove the inspected blocker each time, as the engine would.
        let mut remaining: Vec<&str> = all.to_vec();
        for (inspect, blocker) in expected.iter().zip([
            "order_review_required",
            "policy_review_required",
            "history_review_required",
            "inventory_review_required",
        ]) {
            blockers(&mut view, &remaining);
            assert_eq!(act(&single(view.clone())), Action::new(*inspect));
            remaining.retain(|b| *b != blocker);
        }
        // The blocker list order does not matter, only the rule's order.
        blockers(&mut view, &["inventory_review_required", "history_review_required"]);
        assert_eq!(act(&single(view)), Action::new(ActionType::InspectCustomerHistory));
    }

    #[test]
    fn requests_evidence_then_moves_on_or_holds() {
        let mut view = case("HARD-2", CaseType::RefundRequest, CasePriority::High);
        blockers(&mut view, &["customer_evidence_pending", "resolution_not_recorded"]);
        assert_eq!(act(&single(view.clone())), Action::new(ActionType::RequestEvidence));

        // Requested but the case is not waiting (e.g. reopened): hold when alone...
        view.evidence_status = EvidenceStatus::Requested;
        view.status = CaseStatus::Reopened;
        assert_eq!(act(&single(view.clone())), Action::switch_to("HARD-2"));

        // ... and when it is still the most urgent workable case ...
        let low = case("HARD-6", CaseType::RefundRequest, CasePriority::Low);
        let queue = vec![item(&view, 50), item(&low, 150)];
        let obs = observation(view.clone(), queue, json!({}));
        assert_eq!(act(&obs), Action::switch_to("HARD-2"));

        // ... but switch when another workable case is more urgent.
        let urgent = case("HARD-1", CaseType::WrongItem, CasePriority::Critical);
        let queue = vec![item(&view, 50), item(&low, 150), item(&urgent, 35)];
        let obs = observation(view.clone(), queue, json!({}));
        assert_eq!(act(&obs), Action::switch_to("HARD-1"));

        // Carrier: same pattern.
        let mut view = case("HARD-4", CaseType::DeliveryIssue, CasePriority::Medium);
        blockers(&mut view, &["carrier_confirmation_pending", "resolution_not_recorded"]);
        assert_eq!(act(&single(view.clone())), Action::new(ActionType::ContactCarrier));
        view.carrier_status = CarrierStatus::Investigating;
        assert_eq!(act(&single(view)), Action::switch_to("HARD-4"));
    }

    #[test]
    fn waiting_case_switches_to_the_most_urgent_workable_case() {
        let mut waiting = case("HARD-2", CaseType::RefundRequest, CasePriority::High);
        waiting.status = CaseStatus::WaitingCustomer;
        waiting.evidence_status = EvidenceStatus::Requested;
        blockers(&mut waiting, &["customer_evidence_pending", "resolution_not_recorded"]);
        let low = case("HARD-6", CaseType::RefundRequest, CasePriority::Low);
        let high_late = case("HARD-7", CaseType::DeliveryIssue, CasePriority::High);
        let high_soon = case("HARD-5", CaseType::FraudSignal, CasePriority::High);
        let mut critical_closed = case("HARD-1", CaseType::WrongItem, CasePriority::Critical);
        critical_closed.status = CaseStatus::Closed;
        let queue = vec![
            item(&waiting, 30),
            item(&low, 5),
            item(&high_late, 90),
            item(&high_soon, 40),
            item(&critical_closed, 0),
        ];
        let obs = observation(waiting.clone(), queue, json!({}));
        assert_eq!(act(&obs), Action::switch_to("HARD-5"));

        // Nothing else workable: hold while waiting.
        let mut low_waiting = low.clone();
        low_waiting.status = CaseStatus::WaitingCarrier;
        let queue = vec![item(&waiting, 30), item(&low_waiting, 5), item(&critical_closed, 0)];
        let obs = observation(waiting, queue, json!({}));
        assert_eq!(act(&obs), Action::switch_to("HARD-2"));
    }

    #[test]
    fn closed_case_switches_to_a_waiting_case_when_nothing_is_workable() {
        let mut closed = case("SLA-1", CaseType::WrongItem, CasePriority::Critical);
        closed.status = CaseStatus::Closed;
        closed.blockers.clear();
        let mut waiting = case("SLA-5", CaseType::DeliveryIssue, CasePriority::Medium);
        waiting.status = CaseStatus::WaitingCarrier;
        let queue = vec![item(&closed, 10), item(&waiting, 40)];
        let obs = observation(closed.clone(), queue, json!({}));
        assert_eq!(act(&obs), Action::switch_to("SLA-5"));
        // Everything closed: hold.
        let obs = observation(closed.clone(), vec![item(&closed, 10)], json!({}));
        assert_eq!(act(&obs), Action::switch_to("SLA-1"));
    }

    #[test]
    fn no_triage_at_reset() {
        // A low-priority first case is worked even though a critical one waits.
        let first = case("SLA-4", CaseType::RefundRequest, CasePriority::Low);
        let vip = case("SLA-1", CaseType::WrongItem, CasePriority::Critical);
        let queue = vec![item(&first, 100), item(&vip, 28)];
        let obs = observation(first, queue, json!({}));
        assert_eq!(act(&obs), Action::new(ActionType::InspectOrder));
    }

    #[test]
    fn escalates_fraud() {
        let mut view = case("HARD-5", CaseType::FraudSignal, CasePriority::High);
        blockers(&mut view, &["resolution_not_recorded"]);
        let fraud = Action::escalate(EscalationReason::SuspectedFraud);
        assert_eq!(act(&single(view.clone())), fraud);

        // A high signal on any case type, a revealed pattern, insufficient evidence.
        let mut view = case("HARD-2", CaseType::RefundRequest, CasePriority::High);
        blockers(&mut view, &["resolution_not_recorded"]);
        view.fraud_signal = FraudSignal::High;
        assert_eq!(act(&single(view.clone())), fraud);
        view.fraud_signal = FraudSignal::Medium;
        view.evidence_status = EvidenceStatus::Insufficient;
        assert_eq!(act(&single(view.clone())), fraud);
        view.evidence_status = EvidenceStatus::Received;
        let obs = observation(view.clone(), vec![item(&view, 50)], json!({"fraud_pattern": true}));
        assert_eq!(act(&obs), fraud);

        // A denied carrier: policy exception.
        let mut view = case("HARD-4", CaseType::DeliveryIssue, CasePriority::Medium);
        blockers(&mut view, &["resolution_not_recorded"]);
        view.carrier_status = CarrierStatus::Denied;
        assert_eq!(act(&single(view)), Action::escalate(EscalationReason::PolicyException));
    }

    #[test]
    fn ships_when_in_stock_and_not_ineligible() {
        let mut view = case("HARD-1", CaseType::WrongItem, CasePriority::Critical);
        blockers(&mut view, &["resolution_not_recorded", "internal_note_required"]);
        view.replacement_sku = Some("console-pro".into());
        assert_eq!(act(&single(view.clone())), Action::ship(true));

        // Expedite by priority, not by `expedite_eligible`.
        view.priority = CasePriority::High;
        let facts = json!({"expedite_eligible": false, "replacement_eligible": true});
        let obs = observation(view.clone(), vec![item(&view, 50)], facts);
        assert_eq!(act(&obs), Action::ship(true));
        view.priority = CasePriority::Medium;
        assert_eq!(act(&single(view.clone())), Action::ship(false));

        // `reserved_for` is ignored (a deliberate weakness).
        let facts = json!({"reserved_for": "HARD-1", "units_available": 1});
        let obs = observation(view.clone(), vec![item(&view, 50)], facts);
        assert_eq!(act(&obs), Action::ship(false));

        // Not eligible, or out of stock: refund instead.
        let facts = json!({"replacement_eligible": false, "refund_max_pct": 35});
        let obs = observation(view.clone(), vec![item(&view, 50)], facts);
        assert_eq!(act(&obs), Action::refund(99.61));
        view.replacement_sku = Some("earbuds-lite".into());
        assert_eq!(act(&single(view.clone())), Action::refund(284.6));
        view.replacement_sku = Some("unknown-sku".into());
        assert_eq!(act(&single(view)).action_type, ActionType::IssueRefund);
    }

    #[test]
    fn refunds_the_policy_maximum_or_the_request() {
        // The worked example: pct(28460, 3500) = 9961, prior credit ignored.
        let mut view = case("RPR-1", CaseType::RefundRequest, CasePriority::High);
        blockers(&mut view, &["resolution_not_recorded", "internal_note_required"]);
        let facts = json!({"refund_min_pct": 30, "refund_max_pct": 35, "prior_credit_usd": 18.4,
            "note_code": "late_delivery_credit", "fraud_pattern": false});
        let obs = observation(view.clone(), vec![item(&view, 20)], facts);
        let action = act(&obs);
        assert_eq!(action, Action::refund(99.61));
        assert_eq!(serde_json::to_value(&action).unwrap()["refund_amount_usd"], json!(99.61));

        // Without the fact: the requested compensation, else the order value.
        view.requested_compensation_usd = Some(usd(9480));
        assert_eq!(act(&single(view.clone())), Action::refund(94.8));
        view.requested_compensation_usd = None;
        assert_eq!(act(&single(view.clone())), Action::refund(284.6));

        // Half-up on cents: pct(19999, 2500) = 5000 (4999.75).
        view.order_value_usd = usd(19999);
        let obs = observation(view.clone(), vec![item(&view, 20)], json!({"refund_max_pct": 25}));
        assert_eq!(act(&obs), Action::refund(50.0));
    }

    #[test]
    fn adds_the_note_then_closes() {
        let mut view = case("RPR-1", CaseType::RefundRequest, CasePriority::High);
        view.status = CaseStatus::Resolved;
        blockers(&mut view, &["internal_note_required"]);
        let facts = json!({"note_code": "late_delivery_credit"});
        let obs = observation(view.clone(), vec![item(&view, 20)], facts.clone());
        assert_eq!(act(&obs), Action::note("late_delivery_credit"));

        blockers(&mut view, &[]);
        let obs = observation(view.clone(), vec![item(&view, 20)], facts);
        assert_eq!(act(&obs), Action::new(ActionType::CloseCase));

        // A reopened case with its resolution recorded is closed again, never corrected.
        view.status = CaseStatus::Reopened;
        let obs = observation(view.clone(), vec![item(&view, 0)], json!({"reopen_reason": "x"}));
        assert_eq!(act(&obs), Action::new(ActionType::CloseCase));
    }

    #[test]
    fn urgency_order_breaks_ties_by_sla_then_queue_position() {
        let a = case("A", CaseType::RefundRequest, CasePriority::High);
        let b = case("B", CaseType::RefundRequest, CasePriority::High);
        let c = case("C", CaseType::RefundRequest, CasePriority::Critical);
        let d = case("D", CaseType::RefundRequest, CasePriority::High);
        let queue = vec![item(&a, 40), item(&b, 30), item(&c, 200), item(&d, 30)];
        let obs = observation(a.clone(), queue, json!({}));
        let ids: Vec<&str> = urgency_order(obs.queue()).iter().map(|i| i.case_id).collect();
        assert_eq!(ids, ["C", "B", "D", "A"]);
    }
}
