//! Revealing fact groups and rendering summaries.

use std::sync::Arc;

use serde_json::{Map, Value as Json, json};
use smallvec::SmallVec;

use super::case_plan::FactGroupPlan;
use super::ir::Sym;
use super::machine::Machine;
use super::reset::fact_value;
use super::state::{CaseDraw, Episode};
use super::value::Value;
use crate::wire::usd;

/// Reveals a case's fact group of `check`: its facts join the known facts and its summary
/// text is set.
pub(super) fn reveal_group(m: &Machine, ep: &mut Episode, case: usize, check: usize) {
    let group_name = m.symbols.name(m.checks[check].name);
    let world = ep.world.clone();
    let draw = &world.cases[case];
    let live = &ep.stock;
    let units = |name: &str| m.scenario.stock.get_index_of(name).map_or(0, |i| live[i]);
    let group = fact_groups(m, draw).iter().find(|g| g.group == group_name);
    let mut revealed: SmallVec<[(&str, Option<Sym>, Json); 8]> = SmallVec::new();
    for (name, expr) in group.iter().flat_map(|g| &g.facts) {
        let value = wire_value(&fact_value(draw, &units, expr));
        revealed.push((name.as_str(), m.symbols.get(name), value));
    }
    let text = match group {
        Some(g) if !revealed.is_empty() => match &g.summary {
            Some(template) => fill(template, |name| {
                revealed.iter().find(|(n, _, _)| *n == name).map(|(_, _, v)| display(v))
            }),
            None => revealed
                .iter()
                .map(|(n, _, v)| format!("{n}: {}", display(v)))
                .collect::<Vec<_>>()
                .join("; "),
        },
        _ => m.checks[check].empty.clone(),
    };
    let record = &mut ep.cases[case];
    record.revealed |= 1 << check;
    let facts = Arc::make_mut(&mut record.facts);
    for (_, symbol, value) in revealed {
        if let Some(symbol) = symbol {
            facts.retain(|(n, _)| *n != symbol);
            facts.push((symbol, value));
        }
    }
    record.summary_mut(check, m.checks.len()).inspected = Some(text);
}

/// The fact groups of a drawn case (its variant's, if it has one).
fn fact_groups<'m>(m: &'m Machine, draw: &CaseDraw) -> &'m [FactGroupPlan] {
    m.reset.cases.get(draw.index).map_or(&[], |plan| plan.facts(draw.variant))
}

/// The facts of a case's group, as the wire shows them.
pub(super) fn group_facts(
    m: &Machine,
    ep: &Episode,
    case: usize,
    check: usize,
) -> Map<String, Json> {
    let group_name = m.symbols.name(m.checks[check].name);
    let Some(group) = fact_groups(m, &ep.world.cases[case]).iter().find(|g| g.group == group_name)
    else {
        return Map::new();
    };
    let record = &ep.cases[case];
    group
        .facts
        .iter()
        .filter_map(|(name, _)| {
            let symbol = m.symbols.get(name)?;
            let value = record.facts.iter().find(|(n, _)| *n == symbol)?.1.clone();
            Some((name.clone(), value))
        })
        .collect()
}

/// The summary of a check as the observation shows it: null until inspected, then the
/// inspection text and the texts appended so far, separated by one space.
pub(super) fn summary_text(ep: &Episode, case: usize, check: usize) -> Option<String> {
    let summary = ep.cases[case].summary(check)?;
    let inspected = summary.inspected.as_ref()?;
    let mut parts = vec![inspected.as_str()];
    parts.extend(summary.appended.iter().map(String::as_str));
    Some(parts.join(" "))
}

/// Fills a template's `{fact}` placeholders from the case's known facts.
pub(super) fn render(m: &Machine, ep: &Episode, case: usize, template: &str) -> String {
    let record = &ep.cases[case];
    fill(template, |name| {
        let symbol = m.symbols.get(name)?;
        record.facts.iter().find(|(n, _)| *n == symbol).map(|(_, v)| display(v))
    })
}

fn fill(template: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else { break };
        let name = &rest[open + 1..open + close];
        match lookup(name) {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A case-data value as a wire JSON scalar (spec §3.2).
pub(super) fn wire_value(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Money(c) => json!(usd(*c)),
        Value::Minutes(v) | Value::Count(v) => json!(v),
        Value::Percent(bp) if bp % 100 == 0 => json!(bp / 100),
        Value::Percent(bp) => json!(*bp as f64 / 100.0),
        Value::Real(r) => json!(r),
        Value::Text(t) | Value::Symbol(t) => json!(t),
        Value::Truth(..) => json!(value.to_string()),
        Value::List(items) => Json::Array(items.iter().map(wire_value).collect()),
    }
}

/// A wire value in a summary sentence: money with two decimals, the rest as written.
fn display(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Number(n) if n.is_f64() => format!("{:.2}", n.as_f64().unwrap_or(0.0)),
        other => other.to_string(),
    }
}
