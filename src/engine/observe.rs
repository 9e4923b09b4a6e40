//! The public observation, state and summary of an episode (spec §2), built from the
//! engine state. Only what an agent may see leaves here.

use std::fmt;

use serde_json::{Map, Value as Json, json};

use super::case_plan::Shown;
use super::eval_ir::Frame;
use super::grade::grade;
use super::known::Wired;
use super::machine::Machine;
use super::query::{shown_blockers, shown_events};
use super::report::StepReport;
use super::reveal::SummaryText;
use super::state::{Ending, Episode, Inline};
use crate::wire::{
    ActionType, BusinessMetrics, CarrierStatus, CaseStatus, CaseView, ENV_SCHEMA_VERSION,
    EpisodeSummary, EvidenceStatus, GradeReport, Observation, QueueItemView, Resources, State,
    ToolResult, round4, usd,
};

/// The observation after `report` (`None` at reset). `reward` is `None` at reset. Builds the
/// owned [`Observation`] (the typed API); [`Observed`](super::observed::Observed) writes the
/// same JSON straight from the episode.
pub fn observe(m: &Machine, ep: &Episode, report: Option<&StepReport>) -> Observation {
    let active = case_view(m, ep, ep.active);
    let unresolved_blockers = active.blockers.clone();
    let latest_tool_result = match report {
        Some(r) => ToolResult {
            action_type: r.action_type,
            target_case_id: case_id(m, ep, r.target_case).to_string(),
            outcome: r.outcome_text(m, ep).to_string(),
            details: Map::from_iter(
                r.shown_details(m, ep)
                    .iter()
                    .map(|(key, value)| (key.to_string(), value.to_json())),
            ),
        },
        None => ToolResult {
            action_type: None,
            target_case_id: case_id(m, ep, ep.active).to_string(),
            outcome: SHIFT_STARTED.to_string(),
            details: Map::from_iter([
                ("task".to_string(), json!(m.scenario.id)),
                ("difficulty".to_string(), json!(m.scenario.difficulty)),
                ("brief".to_string(), json!(m.scenario.brief)),
            ]),
        },
    };
    Observation {
        active_case: active,
        queue: ep.world.queue.iter().map(|&c| queue_item(m, ep, c)).collect(),
        latest_tool_result,
        resources: resources(m, ep),
        metrics: metrics(m, ep),
        unresolved_blockers,
        current_task: m.scenario.id.clone(),
        difficulty: m.scenario.difficulty.clone(),
        step_index: ep.steps,
        episode_id: ep.world.episode_id.clone(),
        env_schema_version: ENV_SCHEMA_VERSION.to_string(),
        reward: report.map(|r| r.reward),
        done: ep.ended.is_some(),
        metadata: metadata(m, ep, report),
    }
}

/// The tool result's outcome at reset.
pub(super) const SHIFT_STARTED: &str = "Shift started.";

/// The episode state (spec §2.6).
pub fn state(m: &Machine, ep: &Episode) -> State {
    State {
        episode_id: ep.world.episode_id.clone(),
        step_count: ep.steps,
        task: m.scenario.id.clone(),
        difficulty: m.scenario.difficulty.clone(),
        seed: ep.world.seed,
        scenario_version: m.scenario.version.clone(),
        clock_minutes: ep.clock,
        done: ep.ended.is_some(),
        terminated: ep.ended.as_ref().is_some_and(|e| !e.truncated),
        truncated: ep.ended.as_ref().is_some_and(|e| e.truncated),
        total_reward: round4(ep.total_reward),
    }
}

/// The terminal summary (spec §2.7), `None` while the episode runs.
pub fn summary(m: &Machine, ep: &Episode) -> Option<EpisodeSummary> {
    let ending = ep.ended.as_ref()?;
    Some(summary_of(m, ep, ending, grade(m, ep)))
}

/// The terminal summary of an episode that ended with `ending` and grades as `report`.
fn summary_of(m: &Machine, ep: &Episode, ending: &Ending, report: GradeReport) -> EpisodeSummary {
    let metrics = metrics(m, ep);
    EpisodeSummary {
        task: m.scenario.id.clone(),
        difficulty: m.scenario.difficulty.clone(),
        final_score: report.score,
        closed_cases: metrics.closed_cases,
        resolved_cases: metrics.resolved_cases,
        reopened_cases: metrics.reopened_cases,
        sla_breaches: metrics.sla_breaches,
        fraud_loss_usd: metrics.fraud_loss_usd,
        stockouts: metrics.stockouts,
        customer_satisfaction: metrics.customer_satisfaction,
        invalid_actions: ep.invalid,
        time_used_minutes: ep.clock,
        budget_used_usd: usd(ep.spending),
        steps: ep.steps,
        total_reward: round4(ep.total_reward),
        termination_reason: m.ends[ending.rule].0.clone(),
        terminated: !ending.truncated,
        truncated: ending.truncated,
        grade_components: report.components,
    }
}

/// A case's id.
pub(super) fn case_id<'a>(m: &'a Machine, ep: &Episode, case: usize) -> &'a str {
    m.symbols.name(ep.world.cases[case].id)
}

/// A case's title.
pub(super) fn title<'a>(m: &'a Machine, ep: &Episode, case: usize) -> &'a str {
    m.scenario.cases[ep.world.cases[case].index].title.name.as_str()
}

/// How the observation shows a case's attributes (parsed at compile time).
pub(super) fn shown<'a>(m: &'a Machine, ep: &Episode, case: usize) -> &'a Shown {
    &m.reset.cases[ep.world.cases[case].index].shown
}

/// A case's status as the observation shows it.
pub(super) fn status(m: &Machine, ep: &Episode, case: usize) -> CaseStatus {
    CaseStatus::parse(m.symbols.name(ep.cases[case].status)).unwrap_or(CaseStatus::Open)
}

/// The status of the response shown in the observation field `field`, if one is.
fn response_status<'a>(m: &'a Machine, ep: &Episode, case: usize, field: &str) -> Option<&'a str> {
    m.responses
        .iter()
        .position(|r| r.field.as_deref() == Some(field))
        .map(|r| m.symbols.name(ep.cases[case].responses[r]))
}

/// A case's customer evidence status as the observation shows it.
pub(super) fn evidence_status(m: &Machine, ep: &Episode, case: usize) -> EvidenceStatus {
    response_status(m, ep, case, "evidence_status")
        .and_then(EvidenceStatus::parse)
        .unwrap_or(EvidenceStatus::NotRequested)
}

/// A case's carrier status as the observation shows it.
pub(super) fn carrier_status(m: &Machine, ep: &Episode, case: usize) -> CarrierStatus {
    response_status(m, ep, case, "carrier_status")
        .and_then(CarrierStatus::parse)
        .unwrap_or(CarrierStatus::NotContacted)
}

/// Minutes left before a case's deadline, never below zero.
pub(super) fn sla_minutes_remaining(ep: &Episode, case: usize) -> i64 {
    (ep.world.cases[case].sla_deadline - ep.clock).max(0)
}

/// A case's replacement SKU, if any.
pub(super) fn replacement_sku<'a>(m: &'a Machine, ep: &Episode, case: usize) -> Option<&'a str> {
    let data = &m.scenario.cases[ep.world.cases[case].index];
    data.sku.as_ref().map(|s| s.name.as_str())
}

/// The summary shown in the observation field `field` (`order_summary`, …): null until its
/// check is inspected, then the inspection text and the texts appended so far, separated by
/// one space — written on demand through `Display`.
pub(super) fn summary_text<'a>(
    m: &'a Machine,
    ep: &'a Episode,
    case: usize,
    field: &str,
) -> Option<SummaryText<'a>> {
    let check = m.checks.iter().position(|c| c.field.as_deref() == Some(field))?;
    super::reveal::summary_text(m, ep, case, check)
}

/// The names of the events shown pending on a case, in due order.
pub(super) fn pending_events<'a>(
    m: &'a Machine,
    ep: &'a Episode,
    case: usize,
) -> impl Iterator<Item = &'a str> + 'a {
    shown_events(m, ep, case).map(|e| m.symbols.name(m.events[e].name))
}

/// The names of a case's completed checks, sorted.
pub(super) fn completed_checks<'a>(
    m: &'a Machine,
    ep: &Episode,
    case: usize,
) -> Inline<&'a str, 8> {
    let record = &ep.cases[case];
    let mut names: Inline<&str, 8> = (0..m.checks.len())
        .filter(|&c| record.completed[c].is_some())
        .map(|c| m.symbols.name(m.checks[c].name))
        .collect();
    names.sort_unstable();
    names
}

/// A case's note codes, in insertion order.
pub(super) fn notes(ep: &Episode, case: usize) -> impl Iterator<Item = &str> {
    ep.cases[case].notes.iter().map(|n| n.text(&ep.world.symbols))
}

/// The action of a case's latest resolution, if any.
pub(super) fn resolution_action(m: &Machine, ep: &Episode, case: usize) -> Option<ActionType> {
    let resolution = ep.cases[case].resolution.as_ref()?;
    ActionType::parse(m.symbols.name(m.actions[resolution.action].name))
}

/// One sentence on a case's latest resolution, if any.
pub(super) fn resolution_summary<'a>(
    m: &'a Machine,
    ep: &Episode,
    case: usize,
) -> Option<ResolutionSummary<'a>> {
    let record = &ep.cases[case];
    let kind = record.resolution.as_ref()?.kind;
    Some(ResolutionSummary {
        kind: m.symbols.name(m.truths[kind].name),
        paid: record.paid_as[kind],
    })
}

/// The sentence of [`resolution_summary`], written on demand.
#[derive(Clone, Copy, Debug)]
pub(super) struct ResolutionSummary<'a> {
    kind: &'a str,
    paid: i64,
}

impl fmt::Display for ResolutionSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind;
        if self.paid > 0 {
            write!(f, "Resolution `{kind}` recorded (total paid under it ${:.2}).", usd(self.paid))
        } else {
            write!(f, "Resolution `{kind}` recorded.")
        }
    }
}

/// The blockers unmet on a case, shown or not (indices into [`Machine::blockers`], in list
/// order), whatever the case's status.
pub fn unmet_blockers(m: &Machine, ep: &Episode, case: usize) -> Vec<usize> {
    let frame = Frame::new(m, ep, case);
    (0..m.blockers.len()).filter(|&b| super::query::unmet(&frame, b)).collect()
}

fn case_view(m: &Machine, ep: &Episode, case: usize) -> CaseView {
    let draw = &ep.world.cases[case];
    let shown = shown(m, ep, case);
    let summary = |field| summary_text(m, ep, case, field).map(|s| s.to_string());
    CaseView {
        case_id: case_id(m, ep, case).to_string(),
        title: title(m, ep, case).to_string(),
        case_type: shown.case_type,
        status: status(m, ep, case),
        priority: shown.priority,
        customer_tier: shown.tier,
        order_value_usd: usd(draw.order_value),
        days_since_order: draw.days_since_order,
        order_status: shown.order_status,
        fraud_signal: shown.fraud_signal,
        requested_compensation_usd: draw.requested.map(usd),
        replacement_sku: replacement_sku(m, ep, case).map(str::to_string),
        evidence_status: evidence_status(m, ep, case),
        carrier_status: carrier_status(m, ep, case),
        order_summary: summary("order_summary"),
        policy_summary: summary("policy_summary"),
        history_summary: summary("history_summary"),
        inventory_summary: summary("inventory_summary"),
        blockers: shown_blockers(m, ep, case).map(|b| m.blockers[b].name.clone()).collect(),
        pending_events: pending_events(m, ep, case).map(str::to_string).collect(),
        completed_checks: completed_checks(m, ep, case).iter().map(|c| c.to_string()).collect(),
        notes: notes(ep, case).map(str::to_string).collect(),
        resolution_action: resolution_action(m, ep, case),
        resolution_summary: resolution_summary(m, ep, case).map(|s| s.to_string()),
    }
}

fn queue_item(m: &Machine, ep: &Episode, case: usize) -> QueueItemView {
    let shown = shown(m, ep, case);
    QueueItemView {
        case_id: case_id(m, ep, case).to_string(),
        title: title(m, ep, case).to_string(),
        case_type: shown.case_type,
        status: status(m, ep, case),
        priority: shown.priority,
        customer_tier: shown.tier,
        sla_minutes_remaining: sla_minutes_remaining(ep, case),
        blocker_count: blocker_count(m, ep, case),
    }
}

/// The number of blockers a case shows (the queue's `blocker_count`).
pub(super) fn blocker_count(m: &Machine, ep: &Episode, case: usize) -> u32 {
    u32::try_from(shown_blockers(m, ep, case).count()).unwrap_or(u32::MAX)
}

/// Units per SKU, in scenario order.
pub(super) fn inventory<'a>(
    m: &'a Machine,
    ep: &'a Episode,
) -> impl Iterator<Item = (&'a str, i64)> {
    m.scenario.stock.keys().map(String::as_str).zip(ep.stock.iter().copied())
}

fn resources(m: &Machine, ep: &Episode) -> Resources {
    let limits = &m.scenario.limits;
    Resources {
        time_remaining_minutes: (limits.time_limit_minutes - ep.clock).max(0),
        budget_remaining_usd: usd(limits.budget_cents - ep.spending),
        time_used_minutes: ep.clock,
        budget_used_usd: usd(ep.spending),
        inventory_units: inventory(m, ep).map(|(sku, units)| (sku.to_string(), units)).collect(),
    }
}

/// The business counters.
pub(super) fn metrics(m: &Machine, ep: &Episode) -> BusinessMetrics {
    BusinessMetrics {
        resolved_cases: ep.cases.iter().filter(|c| c.resolution.is_some()).count() as u32,
        closed_cases: ep.cases.iter().filter(|c| c.status == m.status.closed).count() as u32,
        reopened_cases: ep.reopened_cases,
        sla_breaches: ep.sla_breaches,
        fraud_loss_usd: usd(ep.fraud_loss),
        customer_satisfaction: round4(ep.satisfaction as f64 / 10_000.0),
        stockouts: ep.stockouts,
    }
}

/// The step reward of each reward group, in declaration order (0 at reset).
pub(super) fn reward_breakdown<'a>(
    m: &'a Machine,
    report: Option<&'a StepReport>,
) -> impl Iterator<Item = (&'a str, f64)> + 'a {
    m.reward_groups.iter().enumerate().map(move |(i, group)| {
        (group.as_str(), report.and_then(|r| r.breakdown.get(i)).copied().unwrap_or(0.0))
    })
}

/// The known facts of the active case (name, wire value).
pub(super) fn known_facts<'a>(
    m: &'a Machine,
    ep: &'a Episode,
) -> impl Iterator<Item = (&'a str, Wired<'a>)> + 'a {
    let (draw, facts) = (&ep.world.cases[ep.active], &ep.cases[ep.active].facts);
    facts.known().map(move |fact| (m.symbols.name(fact.name), facts.wired(m, draw, fact.value())))
}

/// What the metadata adds once an episode has ended.
#[derive(Clone, Debug)]
pub(super) struct End<'a> {
    /// Ended by a terminal condition.
    pub(super) terminated: bool,
    /// The termination rule's reason.
    pub(super) reason: &'a str,
    /// The episode summary, as metadata carries it.
    pub(super) summary: Json,
    /// The grade report, as metadata carries it.
    pub(super) grade: Json,
}

/// The metadata's end fields, `None` while the episode runs.
pub(super) fn end<'a>(m: &'a Machine, ep: &Episode) -> Option<End<'a>> {
    let ending = ep.ended.as_ref()?;
    let report = grade(m, ep);
    let grade = serde_json::to_value(&report).unwrap_or(Json::Null);
    let summary = serde_json::to_value(summary_of(m, ep, ending, report)).unwrap_or(Json::Null);
    Some(End { terminated: !ending.truncated, reason: &m.ends[ending.rule].0, summary, grade })
}

fn metadata(m: &Machine, ep: &Episode, report: Option<&StepReport>) -> Map<String, Json> {
    let limits = &m.scenario.limits;
    let mut meta = Map::new();
    meta.insert("task".into(), json!(m.scenario.id));
    meta.insert("difficulty".into(), json!(m.scenario.difficulty));
    meta.insert("seed".into(), json!(ep.world.seed));
    meta.insert("scenario_version".into(), json!(m.scenario.version));
    meta.insert("max_steps".into(), json!(limits.max_steps));
    meta.insert("time_limit_minutes".into(), json!(limits.time_limit_minutes));
    meta.insert("invalid_action_limit".into(), json!(limits.invalid_action_limit));
    meta.insert("budget_limit_usd".into(), json!(usd(limits.budget_cents)));
    let error = report.and_then(|r| r.error(m));
    meta.insert("last_action_error".into(), error.map_or(Json::Null, |e| json!(e.to_string())));
    meta.insert("last_action_error_code".into(), error.map_or(Json::Null, |e| json!(e.code)));
    let breakdown = reward_breakdown(m, report).map(|(g, r)| (g.to_string(), json!(r))).collect();
    meta.insert("reward_breakdown".into(), Json::Object(breakdown));
    let facts =
        known_facts(m, ep).map(|(name, value)| (name.to_string(), value.to_json())).collect();
    meta.insert("known_facts".into(), Json::Object(facts));
    let events: Vec<Json> = report
        .map(|r| {
            r.fired(m)
                .map(|(kind, case, detail)| json!({"kind": kind, "case_id": case_id(m, ep, case), "detail": detail.to_json()}))
                .collect()
        })
        .unwrap_or_default();
    meta.insert("events".into(), Json::Array(events));
    meta.insert("invalid_actions".into(), json!(ep.invalid));
    if let Some(end) = end(m, ep) {
        meta.insert("terminated".into(), json!(end.terminated));
        meta.insert("truncated".into(), json!(!end.terminated));
        meta.insert("termination_reason".into(), json!(end.reason));
        meta.insert("episode_summary".into(), end.summary);
        meta.insert("grade".into(), end.grade);
    }
    meta
}
