//! What the agent sees after every reset and step (spec §2.4) and the enumerations it carries.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::action::ActionType;

wire_enum! {
    /// The kind of customer case.
    CaseType {
        /// The customer asks for money back.
        RefundRequest = "refund_request",
        /// A parcel is late or lost.
        DeliveryIssue = "delivery_issue",
        /// The customer received the wrong item.
        WrongItem = "wrong_item",
        /// A fraud alert on an order.
        FraudSignal = "fraud_signal",
    }
}

wire_enum! {
    /// The customer's loyalty tier.
    CustomerTier {
        /// Bronze.
        Bronze = "bronze",
        /// Silver.
        Silver = "silver",
        /// Gold.
        Gold = "gold",
        /// Platinum.
        Platinum = "platinum",
    }
}

wire_enum! {
    /// Where the order's parcel is.
    OrderStatus {
        /// Delivered.
        Delivered = "delivered",
        /// On its way.
        InTransit = "in_transit",
        /// Late.
        Delayed = "delayed",
        /// Lost by the carrier.
        Lost = "lost",
    }
}

wire_enum! {
    /// Strength of the fraud alert on the order.
    FraudSignal {
        /// Low.
        Low = "low",
        /// Medium.
        Medium = "medium",
        /// High.
        High = "high",
    }
}

wire_enum! {
    /// Urgency of a case (rank 0..3 in this order).
    CasePriority {
        /// Rank 0.
        Low = "low",
        /// Rank 1.
        Medium = "medium",
        /// Rank 2.
        High = "high",
        /// Rank 3.
        Critical = "critical",
    }
}

impl CasePriority {
    /// Urgency rank: `low` 0, `medium` 1, `high` 2, `critical` 3.
    pub const fn rank(self) -> u8 {
        self as u8
    }
}

wire_enum! {
    /// Where a case is in its life cycle (§3.4).
    CaseStatus {
        /// Being worked.
        Open = "open",
        /// Waiting for the customer's evidence.
        WaitingCustomer = "waiting_customer",
        /// Waiting for the carrier's answer.
        WaitingCarrier = "waiting_carrier",
        /// A resolution is recorded.
        Resolved = "resolved",
        /// Closed.
        Closed = "closed",
        /// Came back after a bad close.
        Reopened = "reopened",
    }
}

impl CaseStatus {
    /// Whether the case waits for a response (`waiting_customer`, `waiting_carrier`).
    pub const fn is_waiting(self) -> bool {
        matches!(self, Self::WaitingCustomer | Self::WaitingCarrier)
    }
}

wire_enum! {
    /// State of the customer-evidence request.
    EvidenceStatus {
        /// Never asked.
        NotRequested = "not_requested",
        /// Asked; the answer is pending.
        Requested = "requested",
        /// Evidence received.
        Received = "received",
        /// The customer's evidence does not support the claim.
        Insufficient = "insufficient",
    }
}

wire_enum! {
    /// State of the carrier trace.
    CarrierStatus {
        /// Never contacted.
        NotContacted = "not_contacted",
        /// Contacted; the answer is pending.
        Investigating = "investigating",
        /// The carrier confirms the claim.
        Approved = "approved",
        /// The carrier denies the claim.
        Denied = "denied",
    }
}

/// What the agent sees (spec §2.4). On the wire `reward` and `done` travel at the top level of
/// the response envelope; the schema still declares them here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// The active case.
    pub active_case: CaseView,
    /// Every case, in queue order.
    pub queue: Vec<QueueItemView>,
    /// Result of the last step (the reset's until the first step).
    pub latest_tool_result: ToolResult,
    /// Clock, budget and stock.
    pub resources: Resources,
    /// Business counters.
    pub metrics: BusinessMetrics,
    /// Visible blockers of the active case (= `active_case.blockers`).
    pub unresolved_blockers: Vec<String>,
    /// Scenario id.
    pub current_task: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// Steps taken, valid and rule-invalid.
    pub step_index: u32,
    /// The episode's label.
    pub episode_id: String,
    /// Version of this wire format, `"3.0.0"`.
    pub env_schema_version: String,
    /// `null` at reset, the step reward otherwise.
    pub reward: Option<f64>,
    /// Whether the episode is over (terminated or truncated).
    pub done: bool,
    /// Errors, reward breakdown, known facts, events, and the summary and grade at the end.
    pub metadata: Map<String, Value>,
}

/// The active case as the agent sees it (§2.4, visibility in §3.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseView {
    /// Case id.
    pub case_id: String,
    /// One-line description.
    pub title: String,
    /// Kind of case.
    pub case_type: CaseType,
    /// Life-cycle status.
    pub status: CaseStatus,
    /// Urgency.
    pub priority: CasePriority,
    /// Customer tier.
    pub customer_tier: CustomerTier,
    /// Order value in USD.
    pub order_value_usd: f64,
    /// Days since the order was placed.
    pub days_since_order: i64,
    /// Where the parcel is.
    pub order_status: OrderStatus,
    /// Fraud alert strength.
    pub fraud_signal: FraudSignal,
    /// What the customer asks for, in USD, if anything.
    pub requested_compensation_usd: Option<f64>,
    /// The SKU a replacement would ship, if any.
    pub replacement_sku: Option<String>,
    /// Customer-evidence status.
    pub evidence_status: EvidenceStatus,
    /// Carrier-trace status.
    pub carrier_status: CarrierStatus,
    /// Order record text; null until `inspect_order`.
    pub order_summary: Option<String>,
    /// Policy text; null until `inspect_policy`.
    pub policy_summary: Option<String>,
    /// History text; null until `inspect_customer_history`.
    pub history_summary: Option<String>,
    /// Inventory text; null until `inspect_inventory`.
    pub inventory_summary: Option<String>,
    /// Visible unmet blockers, in the order of §3.3.
    pub blockers: Vec<String>,
    /// Outstanding responses (`customer_evidence`, `carrier_response`) in scheduling order.
    pub pending_events: Vec<String>,
    /// Completed checks, sorted (`history`, `inventory`, `order`, `policy`).
    pub completed_checks: Vec<String>,
    /// Note codes in insertion order.
    pub notes: Vec<String>,
    /// Action of the latest resolution, if any.
    pub resolution_action: Option<ActionType>,
    /// One sentence on the latest resolution, if any.
    pub resolution_summary: Option<String>,
}

/// One case in the queue (§2.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueItemView {
    /// Case id.
    pub case_id: String,
    /// One-line description.
    pub title: String,
    /// Kind of case.
    pub case_type: CaseType,
    /// Life-cycle status.
    pub status: CaseStatus,
    /// Urgency.
    pub priority: CasePriority,
    /// Customer tier.
    pub customer_tier: CustomerTier,
    /// `max(0, deadline − clock)`, also for closed cases.
    #[schemars(range(min = 0))]
    pub sla_minutes_remaining: i64,
    /// Number of visible blockers; 0 when closed.
    pub blocker_count: u32,
}

/// The result of the last step (§2.4, details in §5.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolResult {
    /// The action taken; null at reset.
    pub action_type: Option<ActionType>,
    /// The active case (the target for `switch_case`).
    pub target_case_id: String,
    /// One short sentence.
    pub outcome: String,
    /// Action-specific details (§5.2).
    pub details: Map<String, Value>,
}

/// Clock, budget and stock (§2.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// `max(0, time limit − clock)`.
    #[schemars(range(min = 0))]
    pub time_remaining_minutes: i64,
    /// Budget left, in USD.
    pub budget_remaining_usd: f64,
    /// The clock.
    #[schemars(range(min = 0))]
    pub time_used_minutes: i64,
    /// Spending so far, in USD.
    pub budget_used_usd: f64,
    /// Units per SKU, in scenario order.
    pub inventory_units: IndexMap<String, i64>,
}

/// Business counters (§2.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessMetrics {
    /// Cases with a resolution record.
    pub resolved_cases: u32,
    /// Cases whose status is `closed` now.
    pub closed_cases: u32,
    /// Reopen events fired.
    pub reopened_cases: u32,
    /// SLA breaches recorded.
    pub sla_breaches: u32,
    /// Chargebacks fired, with fees, in USD.
    pub fraud_loss_usd: f64,
    /// Customer satisfaction, 0..1, 4 decimals.
    #[schemars(range(min = 0, max = 1))]
    pub customer_satisfaction: f64,
    /// Stockouts counted.
    pub stockouts: u32,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::{ENV_SCHEMA_VERSION, schemas, usd};
    use serde_json::json;

    /// The reset observation of the worked example (§14), hand-built.
    pub(crate) fn example() -> Observation {
        let case = CaseView {
            case_id: "RPR-1".into(),
            title: "Gold customer wants a full refund after a late delivery".into(),
            case_type: CaseType::RefundRequest,
            status: CaseStatus::Open,
            priority: CasePriority::High,
            customer_tier: CustomerTier::Gold,
            order_value_usd: usd(28460),
            days_since_order: 34,
            order_status: OrderStatus::Delivered,
            fraud_signal: FraudSignal::Low,
            requested_compensation_usd: Some(usd(28460)),
            replacement_sku: None,
            evidence_status: EvidenceStatus::NotRequested,
            carrier_status: CarrierStatus::NotContacted,
            order_summary: None,
            policy_summary: None,
            history_summary: None,
            inventory_summary: None,
            blockers: vec!["order_review_required".into(), "resolution_not_recorded".into()],
            pending_events: vec![],
            completed_checks: vec![],
            notes: vec![],
            resolution_action: None,
            resolution_summary: None,
        };
        let queue = vec![QueueItemView {
            case_id: case.case_id.clone(),
            title: case.title.clone(),
            case_type: case.case_type,
            status: case.status,
            priority: case.priority,
            customer_tier: case.customer_tier,
            sla_minutes_remaining: 36,
            blocker_count: 2,
        }];
        let Value::Object(details) = json!({
            "task": "refund_policy_recovery", "difficulty": "easy", "brief": "Inspect the order first."
        }) else {
            unreachable!()
        };
        let Value::Object(metadata) = json!({
            "task": "refund_policy_recovery",
            "seed": 42,
            "last_action_error": null,
            "known_facts": {},
            "reward_breakdown": {"information_gain": 0.0, "workflow_progress": 0.0,
                "business_outcome": 0.0, "penalty": 0.0, "terminal": 0.0},
        }) else {
            unreachable!()
        };
        Observation {
            unresolved_blockers: case.blockers.clone(),
            active_case: case,
            queue,
            latest_tool_result: ToolResult {
                action_type: None,
                target_case_id: "RPR-1".into(),
                outcome: "Shift started.".into(),
                details,
            },
            resources: Resources {
                time_remaining_minutes: 60,
                budget_remaining_usd: usd(25000),
                time_used_minutes: 0,
                budget_used_usd: 0.0,
                inventory_units: IndexMap::new(),
            },
            metrics: BusinessMetrics {
                resolved_cases: 0,
                closed_cases: 0,
                reopened_cases: 0,
                sla_breaches: 0,
                fraud_loss_usd: 0.0,
                customer_satisfaction: 0.72,
                stockouts: 0,
            },
            current_task: "refund_policy_recovery".into(),
            difficulty: "easy".into(),
            step_index: 0,
            episode_id: "demo-ep-1".into(),
            env_schema_version: ENV_SCHEMA_VERSION.into(),
            reward: None,
            done: false,
            metadata,
        }
    }

    #[test]
    fn observation_round_trips() {
        let mut observation = example();
        observation.resources.inventory_units.insert("tablet-purple".into(), 1);
        observation.resources.inventory_units.insert("wireless-headset".into(), 3);
        observation.resources.inventory_units.insert("console-pro".into(), 0);
        let text = serde_json::to_string(&observation).unwrap();
        let back: Observation = serde_json::from_str(&text).unwrap();
        assert_eq!(back, observation);
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        // Scenario order of the SKUs survives.
        let skus: Vec<&String> = back.resources.inventory_units.keys().collect();
        assert_eq!(skus, ["tablet-purple", "wireless-headset", "console-pro"]);
    }

    /// The keys of a JSON object, in the order they were written.
    fn keys(text: &str) -> Vec<String> {
        let object: IndexMap<String, serde::de::IgnoredAny> = serde_json::from_str(text).unwrap();
        object.into_keys().collect()
    }

    #[test]
    fn fields_in_spec_order_with_nulls() {
        let observation = example();
        let text = serde_json::to_string(&observation).unwrap();
        assert_eq!(
            keys(&text),
            [
                "active_case",
                "queue",
                "latest_tool_result",
                "resources",
                "metrics",
                "unresolved_blockers",
                "current_task",
                "difficulty",
                "step_index",
                "episode_id",
                "env_schema_version",
                "reward",
                "done",
                "metadata",
            ]
        );
        let text = serde_json::to_string(&observation.active_case).unwrap();
        assert_eq!(
            keys(&text),
            [
                "case_id",
                "title",
                "case_type",
                "status",
                "priority",
                "customer_tier",
                "order_value_usd",
                "days_since_order",
                "order_status",
                "fraud_signal",
                "requested_compensation_usd",
                "replacement_sku",
                "evidence_status",
                "carrier_status",
                "order_summary",
                "policy_summary",
                "history_summary",
                "inventory_summary",
                "blockers",
                "pending_events",
                "completed_checks",
                "notes",
                "resolution_action",
                "resolution_summary",
            ]
        );
        let text = serde_json::to_string(&observation.queue[0]).unwrap();
        assert_eq!(
            keys(&text),
            [
                "case_id",
                "title",
                "case_type",
                "status",
                "priority",
                "customer_tier",
                "sla_minutes_remaining",
                "blocker_count",
            ]
        );
        let text = serde_json::to_string(&observation.latest_tool_result).unwrap();
        assert_eq!(keys(&text), ["action_type", "target_case_id", "outcome", "details"]);
        let text = serde_json::to_string(&observation.resources).unwrap();
        assert_eq!(
            keys(&text),
            [
                "time_remaining_minutes",
                "budget_remaining_usd",
                "time_used_minutes",
                "budget_used_usd",
                "inventory_units",
            ]
        );
        let text = serde_json::to_string(&observation.metrics).unwrap();
        assert_eq!(
            keys(&text),
            [
                "resolved_cases",
                "closed_cases",
                "reopened_cases",
                "sla_breaches",
                "fraud_loss_usd",
                "customer_satisfaction",
                "stockouts",
            ]
        );
        let value = serde_json::to_value(&observation).unwrap();
        assert_eq!(value["reward"], Value::Null);
        assert_eq!(value["latest_tool_result"]["action_type"], Value::Null);
        assert_eq!(value["active_case"]["order_summary"], Value::Null);
        assert_eq!(value["active_case"]["order_value_usd"], json!(284.6));
        assert_eq!(value["active_case"]["case_type"], "refund_request");
        assert_eq!(value["metrics"]["customer_satisfaction"], json!(0.72));
    }

    #[test]
    fn observation_refuses_extra_keys() {
        let mut value = serde_json::to_value(example()).unwrap();
        value["active_case"]["secret"] = json!(true);
        assert!(serde_json::from_value::<Observation>(value).is_err());
    }

    #[test]
    fn observation_schema_is_closed_and_declares_the_envelope_fields() {
        let schema = &schemas()["observation"];
        assert_eq!(schema["additionalProperties"], false);
        let properties = schema["properties"].as_object().unwrap();
        for key in ["reward", "done", "metadata", "active_case", "queue"] {
            assert!(properties.contains_key(key), "{key}");
        }
        let required: Vec<&str> =
            schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(required.len(), 14, "{required:?}");
        let reward = serde_json::to_string(&properties["reward"]).unwrap();
        assert!(reward.contains("null") && reward.contains("number"), "{reward}");
        for name in ["CaseView", "QueueItemView", "ToolResult", "Resources", "BusinessMetrics"] {
            assert_eq!(schema["$defs"][name]["additionalProperties"], false, "{name}");
        }
        // Self-contained: every reference is local and resolves.
        let text = serde_json::to_string(schema).unwrap();
        for piece in text.split("\"$ref\":\"").skip(1) {
            let target = &piece[..piece.find('"').unwrap()];
            let name = target.strip_prefix("#/$defs/").unwrap();
            assert!(schema["$defs"].get(name).is_some(), "{target}");
        }
        let statuses = &schema["$defs"]["CaseStatus"]["enum"];
        assert_eq!(statuses.as_array().unwrap().len(), 6);
    }

    #[test]
    fn enums_match_their_wire_names() {
        fn check<T: Serialize + Copy + std::fmt::Display>(all: &[T]) {
            for &value in all {
                assert_eq!(serde_json::to_value(value).unwrap(), value.to_string());
            }
        }
        check(CaseType::ALL);
        check(CustomerTier::ALL);
        check(OrderStatus::ALL);
        check(FraudSignal::ALL);
        check(CasePriority::ALL);
        check(CaseStatus::ALL);
        check(EvidenceStatus::ALL);
        check(CarrierStatus::ALL);
        assert_eq!(CasePriority::Critical.rank(), 3);
        assert!(CasePriority::High > CasePriority::Medium);
        assert_eq!(CaseStatus::parse("waiting_carrier"), Some(CaseStatus::WaitingCarrier));
        assert!(CaseStatus::WaitingCustomer.is_waiting());
    }
}
