//! [`Observed`]: the public observation of an episode, borrowed, walked straight from the
//! machine, the episode and its last step report into a [`Sink`]: JSON text for the server
//! (the same bytes as the owned [`Observation`](crate::wire::Observation) that
//! [`observe`](super::observe::observe) builds and serde writes — a test compares them over
//! every step of five policies' episodes on every shipped task and the fixture task), or the
//! Python bindings' dicts, without building the owned observation's strings, lists and maps.
//!
//! The owned type's serialisation is the reference; this walk follows its field order.
//! `metadata`, a `serde_json::Map` there (keys sorted), is walked in sorted key order.

use super::case_plan::Shown;
use super::machine::Machine;
use super::observe as o;
use super::query::shown_blockers;
use super::report::StepReport;
use super::sink::{Emit, Field, Json, Sink, field};
use super::state::{Episode, Inline};
use crate::wire::{BusinessMetrics, ENV_SCHEMA_VERSION, usd};

/// Room to reserve for an envelope's JSON: a hard-task one is 3–10 KiB.
pub const ENVELOPE_CAPACITY: usize = 16 * 1024;

/// The observation of an episode after `report` (`None` at reset), borrowed.
#[derive(Clone, Debug)]
pub struct Observed<'a> {
    m: &'a Machine,
    ep: &'a Episode,
    report: Option<&'a StepReport>,
    /// The blockers the active case shows (written twice: in the case and beside it).
    blockers: Inline<&'a str, 8>,
}

impl<'a> Observed<'a> {
    /// The observation of `ep` after `report` (`None` at reset).
    pub fn new(m: &'a Machine, ep: &'a Episode, report: Option<&'a StepReport>) -> Self {
        let blockers =
            shown_blockers(m, ep, ep.active).map(|b| m.blockers[b].name.as_str()).collect();
        Observed { m, ep, report, blockers }
    }

    /// The step reward, `None` at reset.
    pub fn reward(&self) -> Option<f64> {
        self.report.map(|r| r.reward)
    }

    /// Whether the episode is over.
    pub fn done(&self) -> bool {
        self.ep.ended.is_some()
    }

    /// Appends the observation's JSON to `out`, as [`Observation`](crate::wire::Observation)
    /// serialises.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // The JSON sink cannot fail.
        let _ = self.walk(&mut Json::new(out));
    }

    /// Appends the OpenEnv response envelope of this observation (protocol spec §4.7) to `out`:
    /// `{observation, reward, done, metadata}`, `reward` and `done` moved from the observation
    /// to the top level and `metadata` copied beside them (never `null`: an engine
    /// observation's metadata is never empty).
    pub fn write_envelope(&self, out: &mut Vec<u8>) {
        let _ = self.envelope(&mut Json::new(out));
    }

    /// The envelope as a JSON value.
    pub fn envelope_value(&self) -> serde_json::Value {
        let mut text = Vec::with_capacity(ENVELOPE_CAPACITY);
        self.write_envelope(&mut text);
        serde_json::from_slice(&text).unwrap_or(serde_json::Value::Null)
    }

    /// Writes the observation into `sink`, as [`Observation`](crate::wire::Observation)
    /// serialises: its fields in order, `reward` and `done` included.
    pub fn walk<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        self.observation(sink)
    }

    /// The envelope; its second `metadata` is a copy of the first's bytes, not a second walk.
    fn envelope(&self, s: &mut Json<'_>) -> std::fmt::Result {
        s.begin_object()?;
        s.field(field!("observation"))?;
        self.fields(s)?;
        s.field(field!("metadata"))?;
        let metadata = s.record(|s| self.metadata(s))?;
        s.end_object()?;
        self.outcome(s)?;
        s.field(field!("metadata"))?;
        s.repeat(metadata);
        s.end_object()
    }

    /// `reward` and `done`: the step's outcome, in the observation or beside it.
    fn outcome<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        s.field(field!("reward"))?;
        self.reward().emit(s)?;
        s.field(field!("done"))?;
        s.bool(self.done())
    }

    /// The observation, `reward` and `done` included.
    fn observation<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        self.fields(s)?;
        self.outcome(s)?;
        s.field(field!("metadata"))?;
        self.metadata(s)?;
        s.end_object()
    }

    /// The observation opened and its fields up to `reward`, `done` and `metadata`.
    fn fields<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        let (m, ep) = (self.m, self.ep);
        s.begin_object()?;
        s.field(field!("active_case"))?;
        self.active_case(s)?;
        s.field(field!("queue"))?;
        s.begin_list()?;
        for &case in &ep.world.queue {
            self.queue_item(s, case)?;
        }
        s.end_list()?;
        s.field(field!("latest_tool_result"))?;
        self.tool_result(s)?;
        s.field(field!("resources"))?;
        self.resources(s)?;
        s.field(field!("metrics"))?;
        metrics(s, &o::metrics(m, ep))?;
        s.field(field!("unresolved_blockers"))?;
        names(s, self.blockers.iter().copied())?;
        s.field(field!("current_task"))?;
        s.name(&m.scenario.id)?;
        s.field(field!("difficulty"))?;
        s.name(&m.scenario.difficulty)?;
        s.field(field!("step_index"))?;
        s.int(ep.steps.into())?;
        s.field(field!("episode_id"))?;
        s.string(&ep.world.episode_id)?;
        s.field(field!("env_schema_version"))?;
        s.literal(ENV_SCHEMA_VERSION)
    }

    /// The head fields of a case, shared by the active case and the queue's items.
    fn case_head<S: Sink>(&self, s: &mut S, case: usize, shown: &Shown) -> Result<(), S::Error> {
        let (m, ep) = (self.m, self.ep);
        s.field(field!("case_id"))?;
        s.name(o::case_id(m, ep, case))?;
        s.field(field!("title"))?;
        s.name(o::title(m, ep, case))?;
        s.field(field!("case_type"))?;
        s.literal(shown.case_type.as_str())?;
        s.field(field!("status"))?;
        s.literal(o::status(m, ep, case).as_str())?;
        s.field(field!("priority"))?;
        s.literal(shown.priority.as_str())?;
        s.field(field!("customer_tier"))?;
        s.literal(shown.tier.as_str())
    }

    /// The active case, as [`CaseView`](crate::wire::CaseView) serialises.
    fn active_case<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        let (m, ep) = (self.m, self.ep);
        let case = ep.active;
        let draw = &ep.world.cases[case];
        let shown = o::shown(m, ep, case);
        s.begin_object()?;
        self.case_head(s, case, shown)?;
        s.field(field!("order_value_usd"))?;
        s.float(usd(draw.order_value))?;
        s.field(field!("days_since_order"))?;
        s.int(draw.days_since_order)?;
        s.field(field!("order_status"))?;
        s.literal(shown.order_status.as_str())?;
        s.field(field!("fraud_signal"))?;
        s.literal(shown.fraud_signal.as_str())?;
        s.field(field!("requested_compensation_usd"))?;
        draw.requested.map(usd).emit(s)?;
        s.field(field!("replacement_sku"))?;
        match o::replacement_sku(m, ep, case) {
            Some(sku) => s.name(sku)?,
            None => s.null()?,
        }
        s.field(field!("evidence_status"))?;
        s.literal(o::evidence_status(m, ep, case).as_str())?;
        s.field(field!("carrier_status"))?;
        s.literal(o::carrier_status(m, ep, case).as_str())?;
        for field in SUMMARIES {
            s.field(field)?;
            match o::summary_text(m, ep, case, field.name) {
                Some(text) => s.text(text)?,
                None => s.null()?,
            }
        }
        s.field(field!("blockers"))?;
        names(s, self.blockers.iter().copied())?;
        s.field(field!("pending_events"))?;
        names(s, o::pending_events(m, ep, case))?;
        s.field(field!("completed_checks"))?;
        names(s, o::completed_checks(m, ep, case).into_iter())?;
        s.field(field!("notes"))?;
        names(s, o::notes(ep, case))?;
        s.field(field!("resolution_action"))?;
        match o::resolution_action(m, ep, case) {
            Some(action) => s.literal(action.as_str())?,
            None => s.null()?,
        }
        s.field(field!("resolution_summary"))?;
        match o::resolution_summary(m, ep, case) {
            Some(text) => s.text(text)?,
            None => s.null()?,
        }
        s.end_object()
    }

    /// One case of the queue, as [`QueueItemView`](crate::wire::QueueItemView) serialises.
    fn queue_item<S: Sink>(&self, s: &mut S, case: usize) -> Result<(), S::Error> {
        let (m, ep) = (self.m, self.ep);
        s.begin_object()?;
        self.case_head(s, case, o::shown(m, ep, case))?;
        s.field(field!("sla_minutes_remaining"))?;
        s.int(o::sla_minutes_remaining(ep, case))?;
        s.field(field!("blocker_count"))?;
        // The active case's blockers are listed already.
        let count = match case == ep.active {
            true => self.blockers.len() as i64,
            false => o::blocker_count(m, ep, case).into(),
        };
        s.int(count)?;
        s.end_object()
    }

    /// The last step's result, as [`ToolResult`](crate::wire::ToolResult) serialises.
    fn tool_result<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        let (m, ep) = (self.m, self.ep);
        s.begin_object()?;
        s.field(field!("action_type"))?;
        match self.report.and_then(|r| r.action_type) {
            Some(action) => s.literal(action.as_str())?,
            None => s.null()?,
        }
        s.field(field!("target_case_id"))?;
        s.name(o::case_id(m, ep, self.report.map_or(ep.active, |r| r.target_case)))?;
        s.field(field!("outcome"))?;
        match self.report {
            Some(r) => s.text(r.outcome_text(m, ep))?,
            None => s.literal(o::SHIFT_STARTED)?,
        }
        s.field(field!("details"))?;
        match self.report {
            Some(r) => {
                s.begin_object()?;
                for (key, value) in &r.shown_details(m, ep) {
                    s.key(key)?;
                    value.emit(s)?;
                }
                s.end_object()?;
            }
            // A JSON map in the owned observation: keys sorted.
            None => {
                s.begin_object()?;
                s.field(field!("brief"))?;
                s.string(&m.scenario.brief)?;
                s.field(field!("difficulty"))?;
                s.name(&m.scenario.difficulty)?;
                s.field(field!("task"))?;
                s.name(&m.scenario.id)?;
                s.end_object()?;
            }
        }
        s.end_object()
    }

    /// Clock, budget and stock, as [`Resources`](crate::wire::Resources) serialises.
    fn resources<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        let (m, ep) = (self.m, self.ep);
        let limits = &m.scenario.limits;
        s.begin_object()?;
        s.field(field!("time_remaining_minutes"))?;
        s.int((limits.time_limit_minutes - ep.clock).max(0))?;
        s.field(field!("budget_remaining_usd"))?;
        s.float(usd(limits.budget_cents - ep.spending))?;
        s.field(field!("time_used_minutes"))?;
        s.int(ep.clock)?;
        s.field(field!("budget_used_usd"))?;
        s.float(usd(ep.spending))?;
        s.field(field!("inventory_units"))?;
        s.begin_object()?;
        for (sku, units) in o::inventory(m, ep) {
            s.key(sku)?;
            s.int(units)?;
        }
        s.end_object()?;
        s.end_object()
    }

    /// The metadata, keys in sorted order (the owned observation's is a `serde_json::Map`).
    fn metadata<S: Sink>(&self, s: &mut S) -> Result<(), S::Error> {
        let (m, ep, report) = (self.m, self.ep, self.report);
        let limits = &m.scenario.limits;
        let error = report.and_then(|r| r.error(m));
        let end = o::end(m, ep);
        s.begin_object()?;
        s.field(field!("budget_limit_usd"))?;
        s.float(usd(limits.budget_cents))?;
        s.field(field!("difficulty"))?;
        s.name(&m.scenario.difficulty)?;
        if let Some(end) = &end {
            s.field(field!("episode_summary"))?;
            s.json(&end.summary)?;
        }
        s.field(field!("events"))?;
        s.begin_list()?;
        for (kind, case, detail) in report.into_iter().flat_map(|r| r.fired(m)) {
            // A JSON map in the owned observation: keys sorted.
            s.begin_object()?;
            s.field(field!("case_id"))?;
            s.name(o::case_id(m, ep, case))?;
            s.field(field!("detail"))?;
            detail.emit(s)?;
            s.field(field!("kind"))?;
            s.name(kind)?;
            s.end_object()?;
        }
        s.end_list()?;
        if let Some(end) = &end {
            s.field(field!("grade"))?;
            s.json(&end.grade)?;
        }
        s.field(field!("invalid_action_limit"))?;
        s.int(limits.invalid_action_limit)?;
        s.field(field!("invalid_actions"))?;
        s.int(ep.invalid.into())?;
        s.field(field!("known_facts"))?;
        sorted(s, o::known_facts(m, ep).collect())?;
        s.field(field!("last_action_error"))?;
        match error {
            Some(error) => s.text(error)?,
            None => s.null()?,
        }
        s.field(field!("last_action_error_code"))?;
        match error {
            Some(error) => s.name(error.code)?,
            None => s.null()?,
        }
        s.field(field!("max_steps"))?;
        s.int(limits.max_steps)?;
        s.field(field!("reward_breakdown"))?;
        sorted(s, o::reward_breakdown(m, report).collect())?;
        s.field(field!("scenario_version"))?;
        s.name(&m.scenario.version)?;
        s.field(field!("seed"))?;
        s.uint(ep.world.seed)?;
        s.field(field!("task"))?;
        s.name(&m.scenario.id)?;
        if let Some(end) = &end {
            s.field(field!("terminated"))?;
            s.bool(end.terminated)?;
            s.field(field!("termination_reason"))?;
            s.name(end.reason)?;
        }
        s.field(field!("time_limit_minutes"))?;
        s.int(limits.time_limit_minutes)?;
        if let Some(end) = &end {
            s.field(field!("truncated"))?;
            s.bool(!end.terminated)?;
        }
        s.end_object()
    }
}

/// The summary fields of a case view, in order.
const SUMMARIES: [&Field; 4] = [
    field!("order_summary"),
    field!("policy_summary"),
    field!("history_summary"),
    field!("inventory_summary"),
];

/// A list of names.
fn names<'n, S: Sink>(s: &mut S, items: impl Iterator<Item = &'n str>) -> Result<(), S::Error> {
    s.begin_list()?;
    for item in items {
        s.name(item)?;
    }
    s.end_list()
}

/// A map sorted by key, as a `serde_json::Map` writes it.
fn sorted<S: Sink, V: Emit>(s: &mut S, mut entries: Inline<(&str, V), 16>) -> Result<(), S::Error> {
    entries.sort_by(|a, b| a.0.cmp(b.0));
    s.begin_object()?;
    for (key, value) in &entries {
        s.key(key)?;
        value.emit(s)?;
    }
    s.end_object()
}

/// The business counters, as [`BusinessMetrics`] serialises.
fn metrics<S: Sink>(s: &mut S, metrics: &BusinessMetrics) -> Result<(), S::Error> {
    let BusinessMetrics {
        resolved_cases,
        closed_cases,
        reopened_cases,
        sla_breaches,
        fraud_loss_usd,
        customer_satisfaction,
        stockouts,
    } = metrics;
    s.begin_object()?;
    s.field(field!("resolved_cases"))?;
    resolved_cases.emit(s)?;
    s.field(field!("closed_cases"))?;
    closed_cases.emit(s)?;
    s.field(field!("reopened_cases"))?;
    reopened_cases.emit(s)?;
    s.field(field!("sla_breaches"))?;
    sla_breaches.emit(s)?;
    s.field(field!("fraud_loss_usd"))?;
    fraud_loss_usd.emit(s)?;
    s.field(field!("customer_satisfaction"))?;
    customer_satisfaction.emit(s)?;
    s.field(field!("stockouts"))?;
    stockouts.emit(s)?;
    s.end_object()
}
