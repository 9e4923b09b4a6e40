//! Wire observations as Python dicts, built field by field rather than through serde: the
//! struct keys are interned once (`intern!`), the wire enums' values are made once per
//! process, the names a scenario repeats in every observation (JSON object keys, case ids,
//! titles, blockers, ...) are made once per [`Strings`] cache, and every other value is
//! converted by its type. Python strings are immutable, so sharing them is invisible. The
//! dicts equal what `pythonize` makes of the [`Observation`], key order included (the tests
//! compare them with the server's JSON); the destructuring below is exhaustive, so a new field
//! does not compile until it is converted.

use std::collections::HashMap;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::{Map, Value};
use shopops::wire::{
    ActionType, BusinessMetrics, CarrierStatus, CasePriority, CaseStatus, CaseType, CaseView,
    CustomerTier, EvidenceStatus, FraudSignal, Observation, OrderStatus, QueueItemView, Resources,
    ToolResult,
};

/// Python strings for the names a scenario's observations repeat, made once and shared.
#[derive(Default)]
pub(crate) struct Strings {
    made: HashMap<Box<str>, Py<PyString>, foldhash::fast::RandomState>,
}

/// Names [`Strings`] keeps at most (a scenario has a few hundred): past that, strings are made
/// afresh.
const MAX_STRINGS: usize = 4096;

impl Strings {
    /// `s` as a Python string, made on first use.
    fn get<'py>(&mut self, py: Python<'py>, s: &str) -> Bound<'py, PyString> {
        if let Some(made) = self.made.get(s) {
            return made.bind(py).clone();
        }
        let made = PyString::new(py, s);
        if self.made.len() < MAX_STRINGS {
            self.made.insert(s.into(), made.clone().unbind());
        }
        made
    }

    /// The strings as a list.
    fn list<'py>(&mut self, py: Python<'py>, items: &[String]) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, items.iter().map(|s| self.get(py, s)))
    }
}

/// The observation as the dict the wire format holds.
pub(crate) fn observation<'py>(
    py: Python<'py>,
    o: &Observation,
    strings: &mut Strings,
) -> PyResult<Bound<'py, PyDict>> {
    let Observation {
        active_case,
        queue,
        latest_tool_result,
        resources,
        metrics,
        unresolved_blockers,
        current_task,
        difficulty,
        step_index,
        episode_id,
        env_schema_version,
        reward,
        done,
        metadata,
    } = o;
    let s = strings;
    let d = PyDict::new(py);
    d.set_item(intern!(py, "active_case"), case_view(py, active_case, s)?)?;
    let items = queue.iter().map(|q| queue_item(py, q, s)).collect::<PyResult<Vec<_>>>()?;
    d.set_item(intern!(py, "queue"), PyList::new(py, items)?)?;
    d.set_item(intern!(py, "latest_tool_result"), tool_result(py, latest_tool_result, s)?)?;
    d.set_item(intern!(py, "resources"), self::resources(py, resources, s)?)?;
    d.set_item(intern!(py, "metrics"), self::metrics(py, metrics)?)?;
    d.set_item(intern!(py, "unresolved_blockers"), s.list(py, unresolved_blockers)?)?;
    d.set_item(intern!(py, "current_task"), s.get(py, current_task))?;
    d.set_item(intern!(py, "difficulty"), s.get(py, difficulty))?;
    d.set_item(intern!(py, "step_index"), step_index)?;
    d.set_item(intern!(py, "episode_id"), episode_id)?;
    d.set_item(intern!(py, "env_schema_version"), s.get(py, env_schema_version))?;
    d.set_item(intern!(py, "reward"), reward)?;
    d.set_item(intern!(py, "done"), done)?;
    d.set_item(intern!(py, "metadata"), object(py, metadata, s)?)?;
    Ok(d)
}

/// `Env`'s info of an observation: its metadata entries `reward_breakdown`,
/// `last_action_error`, `last_action_error_code`, and at the end `termination_reason`,
/// `episode_summary` and `grade`, in that order, as objects of their own (not shared with the
/// observation's dict).
pub(crate) fn info<'py>(
    py: Python<'py>,
    o: &Observation,
    strings: &mut Strings,
) -> PyResult<Bound<'py, PyDict>> {
    entries(py, o, &info_keys(py), strings)
}

/// The entries of `Env`'s info that only an episode's last observation has
/// (`termination_reason`, `episode_summary`, `grade`), as a dict of their own; `None` before
/// the end.
pub(crate) fn ending<'py>(
    py: Python<'py>,
    o: &Observation,
    strings: &mut Strings,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    if !o.metadata.contains_key("termination_reason") {
        return Ok(None);
    }
    entries(py, o, &info_keys(py)[3..], strings).map(Some)
}

/// The metadata entries of `Env`'s info, in its order: the last three only at the end.
fn info_keys(py: Python<'_>) -> [(&'static str, &Bound<'_, PyString>); 6] {
    [
        ("reward_breakdown", intern!(py, "reward_breakdown")),
        ("last_action_error", intern!(py, "last_action_error")),
        ("last_action_error_code", intern!(py, "last_action_error_code")),
        ("termination_reason", intern!(py, "termination_reason")),
        ("episode_summary", intern!(py, "episode_summary")),
        ("grade", intern!(py, "grade")),
    ]
}

/// The metadata entries of `o` named by `keys` (those it has), converted, as a dict.
fn entries<'py>(
    py: Python<'py>,
    o: &Observation,
    keys: &[(&str, &Bound<'py, PyString>)],
    strings: &mut Strings,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, key) in keys {
        if let Some(value) = o.metadata.get(*name) {
            d.set_item(key, json(py, value, strings)?)?;
        }
    }
    Ok(d)
}

fn case_view<'py>(py: Python<'py>, c: &CaseView, s: &mut Strings) -> PyResult<Bound<'py, PyDict>> {
    let CaseView {
        case_id,
        title,
        case_type,
        status,
        priority,
        customer_tier,
        order_value_usd,
        days_since_order,
        order_status,
        fraud_signal,
        requested_compensation_usd,
        replacement_sku,
        evidence_status,
        carrier_status,
        order_summary,
        policy_summary,
        history_summary,
        inventory_summary,
        blockers,
        pending_events,
        completed_checks,
        notes,
        resolution_action,
        resolution_summary,
    } = c;
    let n = names(py);
    let d = PyDict::new(py);
    d.set_item(intern!(py, "case_id"), s.get(py, case_id))?;
    d.set_item(intern!(py, "title"), s.get(py, title))?;
    d.set_item(intern!(py, "case_type"), n.case_type[*case_type as usize].bind(py))?;
    d.set_item(intern!(py, "status"), n.status[*status as usize].bind(py))?;
    d.set_item(intern!(py, "priority"), n.priority[*priority as usize].bind(py))?;
    d.set_item(intern!(py, "customer_tier"), n.tier[*customer_tier as usize].bind(py))?;
    d.set_item(intern!(py, "order_value_usd"), order_value_usd)?;
    d.set_item(intern!(py, "days_since_order"), days_since_order)?;
    d.set_item(intern!(py, "order_status"), n.order_status[*order_status as usize].bind(py))?;
    d.set_item(intern!(py, "fraud_signal"), n.fraud_signal[*fraud_signal as usize].bind(py))?;
    d.set_item(intern!(py, "requested_compensation_usd"), requested_compensation_usd)?;
    d.set_item(intern!(py, "replacement_sku"), replacement_sku.as_ref().map(|k| s.get(py, k)))?;
    d.set_item(intern!(py, "evidence_status"), n.evidence[*evidence_status as usize].bind(py))?;
    d.set_item(intern!(py, "carrier_status"), n.carrier[*carrier_status as usize].bind(py))?;
    d.set_item(intern!(py, "order_summary"), order_summary)?;
    d.set_item(intern!(py, "policy_summary"), policy_summary)?;
    d.set_item(intern!(py, "history_summary"), history_summary)?;
    d.set_item(intern!(py, "inventory_summary"), inventory_summary)?;
    d.set_item(intern!(py, "blockers"), s.list(py, blockers)?)?;
    d.set_item(intern!(py, "pending_events"), s.list(py, pending_events)?)?;
    d.set_item(intern!(py, "completed_checks"), s.list(py, completed_checks)?)?;
    d.set_item(intern!(py, "notes"), s.list(py, notes)?)?;
    let action = resolution_action.map(|a| n.action[a as usize].bind(py));
    d.set_item(intern!(py, "resolution_action"), action)?;
    d.set_item(intern!(py, "resolution_summary"), resolution_summary)?;
    Ok(d)
}

fn queue_item<'py>(
    py: Python<'py>,
    q: &QueueItemView,
    s: &mut Strings,
) -> PyResult<Bound<'py, PyDict>> {
    let QueueItemView {
        case_id,
        title,
        case_type,
        status,
        priority,
        customer_tier,
        sla_minutes_remaining,
        blocker_count,
    } = q;
    let n = names(py);
    let d = PyDict::new(py);
    d.set_item(intern!(py, "case_id"), s.get(py, case_id))?;
    d.set_item(intern!(py, "title"), s.get(py, title))?;
    d.set_item(intern!(py, "case_type"), n.case_type[*case_type as usize].bind(py))?;
    d.set_item(intern!(py, "status"), n.status[*status as usize].bind(py))?;
    d.set_item(intern!(py, "priority"), n.priority[*priority as usize].bind(py))?;
    d.set_item(intern!(py, "customer_tier"), n.tier[*customer_tier as usize].bind(py))?;
    d.set_item(intern!(py, "sla_minutes_remaining"), sla_minutes_remaining)?;
    d.set_item(intern!(py, "blocker_count"), blocker_count)?;
    Ok(d)
}

fn tool_result<'py>(
    py: Python<'py>,
    t: &ToolResult,
    s: &mut Strings,
) -> PyResult<Bound<'py, PyDict>> {
    let ToolResult { action_type, target_case_id, outcome, details } = t;
    let d = PyDict::new(py);
    let action = action_type.map(|a| names(py).action[a as usize].bind(py));
    d.set_item(intern!(py, "action_type"), action)?;
    d.set_item(intern!(py, "target_case_id"), s.get(py, target_case_id))?;
    d.set_item(intern!(py, "outcome"), outcome)?;
    d.set_item(intern!(py, "details"), object(py, details, s)?)?;
    Ok(d)
}

fn resources<'py>(py: Python<'py>, r: &Resources, s: &mut Strings) -> PyResult<Bound<'py, PyDict>> {
    let Resources {
        time_remaining_minutes,
        budget_remaining_usd,
        time_used_minutes,
        budget_used_usd,
        inventory_units,
    } = r;
    let d = PyDict::new(py);
    d.set_item(intern!(py, "time_remaining_minutes"), time_remaining_minutes)?;
    d.set_item(intern!(py, "budget_remaining_usd"), budget_remaining_usd)?;
    d.set_item(intern!(py, "time_used_minutes"), time_used_minutes)?;
    d.set_item(intern!(py, "budget_used_usd"), budget_used_usd)?;
    let units = PyDict::new(py);
    for (sku, count) in inventory_units {
        units.set_item(s.get(py, sku), count)?;
    }
    d.set_item(intern!(py, "inventory_units"), units)?;
    Ok(d)
}

fn metrics<'py>(py: Python<'py>, m: &BusinessMetrics) -> PyResult<Bound<'py, PyDict>> {
    let BusinessMetrics {
        resolved_cases,
        closed_cases,
        reopened_cases,
        sla_breaches,
        fraud_loss_usd,
        customer_satisfaction,
        stockouts,
    } = m;
    let d = PyDict::new(py);
    d.set_item(intern!(py, "resolved_cases"), resolved_cases)?;
    d.set_item(intern!(py, "closed_cases"), closed_cases)?;
    d.set_item(intern!(py, "reopened_cases"), reopened_cases)?;
    d.set_item(intern!(py, "sla_breaches"), sla_breaches)?;
    d.set_item(intern!(py, "fraud_loss_usd"), fraud_loss_usd)?;
    d.set_item(intern!(py, "customer_satisfaction"), customer_satisfaction)?;
    d.set_item(intern!(py, "stockouts"), stockouts)?;
    Ok(d)
}

/// A JSON object as a dict, in its order (its keys are names: shared).
fn object<'py>(
    py: Python<'py>,
    map: &Map<String, Value>,
    s: &mut Strings,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (key, value) in map {
        d.set_item(s.get(py, key), json(py, value, s)?)?;
    }
    Ok(d)
}

/// A JSON value as Python data, as serde gives it: an integer that fits `u64` or `i64` as an
/// int, any other number as a float.
pub(crate) fn json<'py>(
    py: Python<'py>,
    value: &Value,
    s: &mut Strings,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(x) => match (x.as_u64(), x.as_i64()) {
            (Some(u), _) => u.into_pyobject(py)?.into_any(),
            (None, Some(i)) => i.into_pyobject(py)?.into_any(),
            (None, None) => x.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let items = items.iter().map(|v| json(py, v, s)).collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(map) => object(py, map, s)?.into_any(),
    })
}

/// The wire enums' values as Python strings, indexed by the enum's discriminant (its
/// position in `ALL`).
struct Names {
    case_type: Vec<Py<PyString>>,
    status: Vec<Py<PyString>>,
    priority: Vec<Py<PyString>>,
    tier: Vec<Py<PyString>>,
    order_status: Vec<Py<PyString>>,
    fraud_signal: Vec<Py<PyString>>,
    evidence: Vec<Py<PyString>>,
    carrier: Vec<Py<PyString>>,
    action: Vec<Py<PyString>>,
}

/// The process's [`Names`], made on first use.
fn names(py: Python<'_>) -> &Names {
    static NAMES: PyOnceLock<Names> = PyOnceLock::new();
    NAMES.get_or_init(py, || {
        let strings = |values: &mut dyn Iterator<Item = &'static str>| {
            values.map(|v| PyString::intern(py, v).unbind()).collect()
        };
        Names {
            case_type: strings(&mut CaseType::ALL.iter().map(|v| v.as_str())),
            status: strings(&mut CaseStatus::ALL.iter().map(|v| v.as_str())),
            priority: strings(&mut CasePriority::ALL.iter().map(|v| v.as_str())),
            tier: strings(&mut CustomerTier::ALL.iter().map(|v| v.as_str())),
            order_status: strings(&mut OrderStatus::ALL.iter().map(|v| v.as_str())),
            fraud_signal: strings(&mut FraudSignal::ALL.iter().map(|v| v.as_str())),
            evidence: strings(&mut EvidenceStatus::ALL.iter().map(|v| v.as_str())),
            carrier: strings(&mut CarrierStatus::ALL.iter().map(|v| v.as_str())),
            action: strings(&mut ActionType::ALL.iter().map(|v| v.as_str())),
        }
    })
}
