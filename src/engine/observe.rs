//! The public observation, state and summary of an episode (spec §2), built from the
//! engine state. Only what an agent may see leaves here.

use serde_json::{Map, Value as Json, json};

use super::eval_ir::Frame;
use super::grade::grade;
use super::machine::Machine;
use super::query::{shown_blockers, shown_events};
use super::state::Episode;
use super::step::StepReport;
use crate::wire::{
    ActionType, BusinessMetrics, CarrierStatus, CasePriority, CaseStatus, CaseType, CaseView,
    CustomerTier, ENV_SCHEMA_VERSION, EpisodeSummary, EvidenceStatus, FraudSignal, Observation,
    OrderStatus, QueueItemView, Resources, State, ToolResult, round4, usd,
};

/// The observation after `report` (`None` at reset). `reward` is `None` at reset.
pub fn observe(m: &Machine, ep: &Episode, report: Option<&StepReport>) -> Observation {
    let active = case_view(m, ep, ep.active);
    let unresolved_blockers = active.blockers.clone();
    let latest_tool_result = match report {
        Some(r) => ToolResult {
            action_type: r.action_type.as_deref().and_then(ActionType::parse),
            target_case_id: case_id(m, ep, r.target_case),
            outcome: r.outcome.clone(),
            details: r.details.clone(),
        },
        None => ToolResult {
            action_type: None,
            target_case_id: case_id(m, ep, ep.active),
            outcome: "Shift started.".to_string(),
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
    let report = grade(m, ep);
    let metrics = metrics(m, ep);
    Some(EpisodeSummary {
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
    })
}

fn case_id(m: &Machine, ep: &Episode, case: usize) -> String {
    m.symbols.name(ep.world.cases[case].id).to_string()
}

fn attribute<'a>(m: &'a Machine, ep: &Episode, case: usize, name: &str) -> &'a str {
    let data = &m.scenario.cases[ep.world.cases[case].index];
    data.attributes.iter().find(|(a, _)| *a == name).map_or("", |(_, v)| v.name.as_str())
}

/// A case's type as the observation shows it.
pub(super) fn case_type(m: &Machine, ep: &Episode, case: usize) -> CaseType {
    CaseType::parse(attribute(m, ep, case, "type")).unwrap_or(CaseType::RefundRequest)
}

/// A case's priority as the observation shows it.
pub(super) fn priority(m: &Machine, ep: &Episode, case: usize) -> CasePriority {
    CasePriority::parse(attribute(m, ep, case, "priority")).unwrap_or(CasePriority::Low)
}

/// A case's fraud signal as the observation shows it.
pub(super) fn fraud_signal(m: &Machine, ep: &Episode, case: usize) -> FraudSignal {
    FraudSignal::parse(attribute(m, ep, case, "fraud_signal")).unwrap_or(FraudSignal::Low)
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

/// Visible unmet blockers, in list order; none on a closed case.
fn blockers(m: &Machine, ep: &Episode, case: usize) -> Vec<String> {
    shown_blockers(m, ep, case).map(|b| m.blockers[b].name.clone()).collect()
}

/// The blockers unmet on a case, shown or not (indices into [`Machine::blockers`], in list
/// order), whatever the case's status.
pub fn unmet_blockers(m: &Machine, ep: &Episode, case: usize) -> Vec<usize> {
    unmet(m, &Frame::new(m, ep, case)).collect()
}

fn unmet<'a>(m: &'a Machine, frame: &'a Frame<'a>) -> impl Iterator<Item = usize> + 'a {
    (0..m.blockers.len()).filter(|&b| frame.eval(&m.blockers[b].unmet).truthy())
}

fn case_view(m: &Machine, ep: &Episode, case: usize) -> CaseView {
    let record = &ep.cases[case];
    let draw = &ep.world.cases[case];
    let data = &m.scenario.cases[draw.index];
    let summary = |field: &str| {
        m.checks
            .iter()
            .position(|c| c.field.as_deref() == Some(field))
            .and_then(|c| super::reveal::summary_text(ep, case, c))
    };
    let pending_events =
        shown_events(m, ep, case).map(|e| m.symbols.name(m.events[e].name).to_string()).collect();
    let mut completed_checks: Vec<String> = (0..m.checks.len())
        .filter(|&c| record.completed[c].is_some())
        .map(|c| m.symbols.name(m.checks[c].name).to_string())
        .collect();
    completed_checks.sort();
    CaseView {
        case_id: case_id(m, ep, case),
        title: data.title.name.clone(),
        case_type: case_type(m, ep, case),
        status: status(m, ep, case),
        priority: priority(m, ep, case),
        customer_tier: CustomerTier::parse(attribute(m, ep, case, "tier"))
            .unwrap_or(CustomerTier::Bronze),
        order_value_usd: usd(draw.order_value),
        days_since_order: draw.days_since_order,
        order_status: OrderStatus::parse(attribute(m, ep, case, "order_status"))
            .unwrap_or(OrderStatus::Delivered),
        fraud_signal: fraud_signal(m, ep, case),
        requested_compensation_usd: draw.requested.map(usd),
        replacement_sku: data.sku.as_ref().map(|s| s.name.clone()),
        evidence_status: evidence_status(m, ep, case),
        carrier_status: carrier_status(m, ep, case),
        order_summary: summary("order_summary"),
        policy_summary: summary("policy_summary"),
        history_summary: summary("history_summary"),
        inventory_summary: summary("inventory_summary"),
        blockers: blockers(m, ep, case),
        pending_events,
        completed_checks,
        notes: record.notes.iter().map(|n| n.to_string()).collect(),
        resolution_action: record
            .resolution
            .as_ref()
            .and_then(|r| ActionType::parse(m.symbols.name(m.actions[r.action].name))),
        resolution_summary: record.resolution.as_ref().map(|r| {
            let kind = m.symbols.name(m.truths[r.kind].name);
            let paid = record.paid_as[r.kind];
            if paid > 0 {
                format!("Resolution `{kind}` recorded (total paid under it ${:.2}).", usd(paid))
            } else {
                format!("Resolution `{kind}` recorded.")
            }
        }),
    }
}

fn queue_item(m: &Machine, ep: &Episode, case: usize) -> QueueItemView {
    let data = &m.scenario.cases[ep.world.cases[case].index];
    QueueItemView {
        case_id: case_id(m, ep, case),
        title: data.title.name.clone(),
        case_type: case_type(m, ep, case),
        status: status(m, ep, case),
        priority: priority(m, ep, case),
        customer_tier: CustomerTier::parse(attribute(m, ep, case, "tier"))
            .unwrap_or(CustomerTier::Bronze),
        sla_minutes_remaining: sla_minutes_remaining(ep, case),
        blocker_count: u32::try_from(shown_blockers(m, ep, case).count()).unwrap_or(u32::MAX),
    }
}

fn resources(m: &Machine, ep: &Episode) -> Resources {
    let limits = &m.scenario.limits;
    Resources {
        time_remaining_minutes: (limits.time_limit_minutes - ep.clock).max(0),
        budget_remaining_usd: usd(limits.budget_cents - ep.spending),
        time_used_minutes: ep.clock,
        budget_used_usd: usd(ep.spending),
        inventory_units: m.scenario.stock.keys().cloned().zip(ep.stock.iter().copied()).collect(),
    }
}

fn metrics(m: &Machine, ep: &Episode) -> BusinessMetrics {
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
    let error = report.and_then(|r| r.error.as_ref());
    meta.insert(
        "last_action_error".into(),
        error.map_or(Json::Null, |(c, msg)| json!(format!("{c}: {msg}"))),
    );
    meta.insert("last_action_error_code".into(), error.map_or(Json::Null, |(c, _)| json!(c)));
    let breakdown: Map<String, Json> = m
        .reward_groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            (g.clone(), json!(report.and_then(|r| r.breakdown.get(i)).copied().unwrap_or(0.0)))
        })
        .collect();
    meta.insert("reward_breakdown".into(), Json::Object(breakdown));
    let facts: Map<String, Json> = ep.cases[ep.active]
        .facts
        .iter()
        .map(|(name, value)| (m.symbols.name(*name).to_string(), value.clone()))
        .collect();
    meta.insert("known_facts".into(), Json::Object(facts));
    let events: Vec<Json> = report
        .map(|r| {
            r.events
                .iter()
                .map(|(kind, case, detail)| json!({"kind": kind, "case_id": case_id(m, ep, *case), "detail": detail}))
                .collect()
        })
        .unwrap_or_default();
    meta.insert("events".into(), Json::Array(events));
    meta.insert("invalid_actions".into(), json!(ep.invalid));
    if let Some(ending) = &ep.ended {
        meta.insert("terminated".into(), json!(!ending.truncated));
        meta.insert("truncated".into(), json!(ending.truncated));
        meta.insert("termination_reason".into(), json!(m.ends[ending.rule].0));
        meta.insert(
            "episode_summary".into(),
            serde_json::to_value(summary(m, ep)).unwrap_or(Json::Null),
        );
        meta.insert("grade".into(), serde_json::to_value(grade(m, ep)).unwrap_or(Json::Null));
    }
    meta
}
