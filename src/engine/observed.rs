//! [`Observed`]: the public observation of an episode, borrowed, written as JSON straight from
//! the machine, the episode and its last step report — the same bytes as the owned
//! [`Observation`](crate::wire::Observation) that [`observe`](super::observe::observe) builds
//! (serde writes both; a test compares them over every step of rule and random episodes on every
//! shipped task), without its strings, lists and maps. What the server sends.
//!
//! The owned type's field order is the reference: the structs here mirror it field for field,
//! and `metadata`, a `serde_json::Map` there (keys sorted), is written in sorted key order.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde_json::Value as Json;

use super::machine::Machine;
use super::observe::{self as o, End};
use super::query::shown_blockers;
use super::state::{Episode, Inline};
use super::step::StepReport;
use crate::wire::{
    ActionType, CarrierStatus, CasePriority, CaseStatus, CaseType, CustomerTier,
    ENV_SCHEMA_VERSION, EvidenceStatus, FraudSignal, OrderStatus, usd,
};

/// The observation of an episode after `report` (`None` at reset), borrowed.
#[derive(Clone, Debug)]
pub struct Observed<'a> {
    m: &'a Machine,
    ep: &'a Episode,
    report: Option<&'a StepReport>,
    /// The blockers the active case shows (written twice: in the case and beside it).
    blockers: Inline<&'a str, 8>,
    /// The metadata's end fields (built once: the envelope writes the metadata twice).
    end: Option<End<'a>>,
}

impl<'a> Observed<'a> {
    /// The observation of `ep` after `report` (`None` at reset).
    pub fn new(m: &'a Machine, ep: &'a Episode, report: Option<&'a StepReport>) -> Self {
        let blockers =
            shown_blockers(m, ep, ep.active).map(|b| m.blockers[b].name.as_str()).collect();
        Observed { m, ep, report, blockers, end: o::end(m, ep) }
    }

    /// The step reward, `None` at reset.
    pub fn reward(&self) -> Option<f64> {
        self.report.map(|r| r.reward)
    }

    /// Whether the episode is over.
    pub fn done(&self) -> bool {
        self.ep.ended.is_some()
    }

    /// The OpenEnv response envelope of this observation (protocol spec §4.7).
    pub fn envelope(&self) -> Envelope<'_, 'a> {
        Envelope(self)
    }

    /// Writes the observation's fields; without `reward` and `done` unless `outcome`.
    fn write<S: Serializer>(&self, serializer: S, outcome: bool) -> Result<S::Ok, S::Error> {
        let (m, ep) = (self.m, self.ep);
        let mut s = serializer.serialize_struct("Observation", if outcome { 14 } else { 12 })?;
        s.serialize_field("active_case", &ActiveCase(self))?;
        s.serialize_field("queue", &Queue(self))?;
        s.serialize_field("latest_tool_result", &LatestToolResult(self))?;
        s.serialize_field("resources", &Resources(self))?;
        s.serialize_field("metrics", &o::metrics(m, ep))?;
        s.serialize_field("unresolved_blockers", &self.blockers[..])?;
        s.serialize_field("current_task", &m.scenario.id)?;
        s.serialize_field("difficulty", &m.scenario.difficulty)?;
        s.serialize_field("step_index", &ep.steps)?;
        s.serialize_field("episode_id", &ep.world.episode_id)?;
        s.serialize_field("env_schema_version", ENV_SCHEMA_VERSION)?;
        if outcome {
            s.serialize_field("reward", &self.reward())?;
            s.serialize_field("done", &self.done())?;
        }
        s.serialize_field("metadata", &Metadata(self))?;
        s.end()
    }
}

/// The observation, as [`Observation`](crate::wire::Observation) serialises.
impl Serialize for Observed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.write(serializer, true)
    }
}

/// The OpenEnv response envelope: `{observation, reward, done, metadata}`, `reward` and `done`
/// moved from the observation to the top level and `metadata` copied beside them.
#[derive(Clone, Copy, Debug)]
pub struct Envelope<'b, 'a>(&'b Observed<'a>);

impl Envelope<'_, '_> {
    /// The envelope as a JSON value.
    pub fn to_value(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

impl Serialize for Envelope<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let observed = self.0;
        let mut s = serializer.serialize_struct("Envelope", 4)?;
        s.serialize_field("observation", &Body(observed))?;
        s.serialize_field("reward", &observed.reward())?;
        s.serialize_field("done", &observed.done())?;
        // An engine observation's metadata is never empty, so it is never `null` here.
        s.serialize_field("metadata", &Metadata(observed))?;
        s.end()
    }
}

/// The observation without `reward` and `done`.
struct Body<'b, 'a>(&'b Observed<'a>);

impl Serialize for Body<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.write(serializer, false)
    }
}

/// A text written through `Display`, without building it.
struct Text<T>(T);

impl<T: std::fmt::Display> Serialize for Text<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// The active case, as [`CaseView`](crate::wire::CaseView) serialises.
struct ActiveCase<'b, 'a>(&'b Observed<'a>);

#[derive(Serialize)]
struct CaseFields<'a, 'b> {
    case_id: &'a str,
    title: &'a str,
    case_type: CaseType,
    status: CaseStatus,
    priority: CasePriority,
    customer_tier: CustomerTier,
    order_value_usd: f64,
    days_since_order: i64,
    order_status: OrderStatus,
    fraud_signal: FraudSignal,
    requested_compensation_usd: Option<f64>,
    replacement_sku: Option<&'a str>,
    evidence_status: EvidenceStatus,
    carrier_status: CarrierStatus,
    order_summary: Option<Text<o::Joined<'a>>>,
    policy_summary: Option<Text<o::Joined<'a>>>,
    history_summary: Option<Text<o::Joined<'a>>>,
    inventory_summary: Option<Text<o::Joined<'a>>>,
    blockers: &'b [&'a str],
    pending_events: &'b [&'a str],
    completed_checks: &'b [&'a str],
    notes: &'b [&'a str],
    resolution_action: Option<ActionType>,
    resolution_summary: Option<Text<o::ResolutionSummary<'a>>>,
}

impl Serialize for ActiveCase<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Observed { m, ep, .. } = *self.0;
        let case = ep.active;
        let draw = &ep.world.cases[case];
        let summary = |field| o::summary_text(m, ep, case, field).map(Text);
        let pending: Inline<&str, 4> = o::pending_events(m, ep, case).collect();
        let notes: Inline<&str, 4> = o::notes(ep, case).collect();
        CaseFields {
            case_id: o::case_id(m, ep, case),
            title: o::title(m, ep, case),
            case_type: o::case_type(m, ep, case),
            status: o::status(m, ep, case),
            priority: o::priority(m, ep, case),
            customer_tier: o::customer_tier(m, ep, case),
            order_value_usd: usd(draw.order_value),
            days_since_order: draw.days_since_order,
            order_status: o::order_status(m, ep, case),
            fraud_signal: o::fraud_signal(m, ep, case),
            requested_compensation_usd: draw.requested.map(usd),
            replacement_sku: o::replacement_sku(m, ep, case),
            evidence_status: o::evidence_status(m, ep, case),
            carrier_status: o::carrier_status(m, ep, case),
            order_summary: summary("order_summary"),
            policy_summary: summary("policy_summary"),
            history_summary: summary("history_summary"),
            inventory_summary: summary("inventory_summary"),
            blockers: &self.0.blockers,
            pending_events: &pending,
            completed_checks: &o::completed_checks(m, ep, case),
            notes: &notes,
            resolution_action: o::resolution_action(m, ep, case),
            resolution_summary: o::resolution_summary(m, ep, case).map(Text),
        }
        .serialize(serializer)
    }
}

/// The queue, as a list of [`QueueItemView`](crate::wire::QueueItemView).
struct Queue<'b, 'a>(&'b Observed<'a>);

#[derive(Serialize)]
struct QueueItem<'a> {
    case_id: &'a str,
    title: &'a str,
    case_type: CaseType,
    status: CaseStatus,
    priority: CasePriority,
    customer_tier: CustomerTier,
    sla_minutes_remaining: i64,
    blocker_count: u32,
}

impl Serialize for Queue<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Observed { m, ep, .. } = *self.0;
        let mut seq = serializer.serialize_seq(Some(ep.world.queue.len()))?;
        for &case in &ep.world.queue {
            seq.serialize_element(&QueueItem {
                case_id: o::case_id(m, ep, case),
                title: o::title(m, ep, case),
                case_type: o::case_type(m, ep, case),
                status: o::status(m, ep, case),
                priority: o::priority(m, ep, case),
                customer_tier: o::customer_tier(m, ep, case),
                sla_minutes_remaining: o::sla_minutes_remaining(ep, case),
                blocker_count: o::blocker_count(m, ep, case),
            })?;
        }
        seq.end()
    }
}

/// The last step's result, as [`ToolResult`](crate::wire::ToolResult) serialises.
struct LatestToolResult<'b, 'a>(&'b Observed<'a>);

#[derive(Serialize)]
struct ToolResultFields<'a, D> {
    action_type: Option<ActionType>,
    target_case_id: &'a str,
    outcome: &'a str,
    details: D,
}

/// The reset's tool-result details (a JSON map there: keys sorted).
#[derive(Serialize)]
struct ResetDetails<'a> {
    brief: &'a str,
    difficulty: &'a str,
    task: &'a str,
}

impl Serialize for LatestToolResult<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Observed { m, ep, report, .. } = *self.0;
        match report {
            Some(r) => ToolResultFields {
                action_type: o::action_type(r),
                target_case_id: o::case_id(m, ep, r.target_case),
                outcome: &r.outcome,
                details: &r.details,
            }
            .serialize(serializer),
            None => ToolResultFields {
                action_type: None,
                target_case_id: o::case_id(m, ep, ep.active),
                outcome: o::SHIFT_STARTED,
                details: ResetDetails {
                    brief: &m.scenario.brief,
                    difficulty: &m.scenario.difficulty,
                    task: &m.scenario.id,
                },
            }
            .serialize(serializer),
        }
    }
}

/// Clock, budget and stock, as [`Resources`](crate::wire::Resources) serialises.
struct Resources<'b, 'a>(&'b Observed<'a>);

#[derive(Serialize)]
struct ResourcesFields<I> {
    time_remaining_minutes: i64,
    budget_remaining_usd: f64,
    time_used_minutes: i64,
    budget_used_usd: f64,
    inventory_units: I,
}

impl Serialize for Resources<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Observed { m, ep, .. } = *self.0;
        let limits = &m.scenario.limits;
        ResourcesFields {
            time_remaining_minutes: (limits.time_limit_minutes - ep.clock).max(0),
            budget_remaining_usd: usd(limits.budget_cents - ep.spending),
            time_used_minutes: ep.clock,
            budget_used_usd: usd(ep.spending),
            inventory_units: Inventory(self.0),
        }
        .serialize(serializer)
    }
}

struct Inventory<'b, 'a>(&'b Observed<'a>);

impl Serialize for Inventory<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(o::inventory(self.0.m, self.0.ep))
    }
}

/// The metadata, keys in sorted order (the owned observation's is a `serde_json::Map`).
struct Metadata<'b, 'a>(&'b Observed<'a>);

impl Serialize for Metadata<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Observed { m, ep, report, ref end, .. } = *self.0;
        let limits = &m.scenario.limits;
        let error = o::action_error(report);
        let mut s = serializer.serialize_map(Some(if end.is_some() { 19 } else { 14 }))?;
        s.serialize_entry("budget_limit_usd", &usd(limits.budget_cents))?;
        s.serialize_entry("difficulty", &m.scenario.difficulty)?;
        if let Some(end) = end {
            s.serialize_entry("episode_summary", &end.summary)?;
        }
        s.serialize_entry("events", &Events(self.0))?;
        if let Some(end) = end {
            s.serialize_entry("grade", &end.grade)?;
        }
        s.serialize_entry("invalid_action_limit", &limits.invalid_action_limit)?;
        s.serialize_entry("invalid_actions", &ep.invalid)?;
        s.serialize_entry("known_facts", &Sorted(o::known_facts(m, ep).collect()))?;
        s.serialize_entry("last_action_error", &error.map(Text))?;
        s.serialize_entry("last_action_error_code", &error.map(|e| e.code))?;
        s.serialize_entry("max_steps", &limits.max_steps)?;
        s.serialize_entry("reward_breakdown", &Sorted(o::reward_breakdown(m, report).collect()))?;
        s.serialize_entry("scenario_version", &m.scenario.version)?;
        s.serialize_entry("seed", &ep.world.seed)?;
        s.serialize_entry("task", &m.scenario.id)?;
        if let Some(end) = end {
            s.serialize_entry("terminated", &end.terminated)?;
            s.serialize_entry("termination_reason", end.reason)?;
        }
        s.serialize_entry("time_limit_minutes", &limits.time_limit_minutes)?;
        if let Some(end) = end {
            s.serialize_entry("truncated", &!end.terminated)?;
        }
        s.end()
    }
}

/// Entries written as a JSON map sorted by key, as a `serde_json::Map` writes them.
struct Sorted<'a, V>(Inline<(&'a str, V), 16>);

impl<V: Serialize> Serialize for Sorted<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut entries: Inline<&(&str, V), 16> = self.0.iter().collect();
        entries.sort_by_key(|(key, _)| *key);
        serializer.collect_map(entries.iter().map(|(key, value)| (key, value)))
    }
}

/// The events fired during the step (none at reset).
struct Events<'b, 'a>(&'b Observed<'a>);

/// One fired event (a JSON map there: keys sorted).
#[derive(Serialize)]
struct Event<'a> {
    case_id: &'a str,
    detail: &'a Json,
    kind: &'a str,
}

impl Serialize for Events<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Observed { m, ep, report, .. } = *self.0;
        let events = report.map_or(&[][..], |r| &r.events[..]);
        serializer.collect_seq(events.iter().map(|(kind, case, detail)| Event {
            case_id: o::case_id(m, ep, *case),
            detail,
            kind,
        }))
    }
}
