//! Revealing fact groups, and their summaries rendered on demand from the fact log.

use std::fmt;

use super::case_plan::FactGroupPlan;
use super::eval::{Env, eval_ref};
use super::known::{Keep, Known, PlanPlace, Wired, fact_groups};
use super::machine::Machine;
use super::report::Then;
use super::state::{CaseDraw, Episode, Inline};

/// Reveals a case's fact group of `check`: its facts, evaluated now (facts such as
/// `=stock(sku)` read the live stock), join the case's fact log marked with the check, which
/// is what its summary is rendered from.
pub(super) fn reveal_group(m: &Machine, ep: &mut Episode, case: usize, check: usize) {
    let draw = &ep.world.cases[case];
    let live = &ep.stock;
    let units = |name: &str| m.scenario.stock.get_index_of(name).map_or(0, |i| live[i]);
    let env = Env { vars: &draw.vars, fields: &draw.fields, stock: &units };
    let record = &mut ep.cases[case];
    record.revealed |= 1 << check;
    let Some((group, plan)) = group_of(m, draw, check) else { return };
    for (position, (name, expr)) in plan.facts.iter().enumerate() {
        let Some(name) = m.symbols.get(name) else { continue };
        let value = eval_ref(expr, &env);
        let value = Keep::of_value(m, expr, PlanPlace { group, position }, &value);
        record.facts.push(name, u8::try_from(check).ok(), value);
    }
}

/// A case's fact group of `check` (its index among the case's groups), if it has one.
fn group_of<'m>(
    m: &'m Machine,
    draw: &CaseDraw,
    check: usize,
) -> Option<(usize, &'m FactGroupPlan)> {
    let name = m.symbols.name(m.checks[check].name);
    fact_groups(m, draw).iter().enumerate().find(|(_, g)| g.group == name)
}

/// The facts of a case's group of a check as the wire showed them at `then`, sorted by name.
pub(super) fn group_facts_then<'a>(
    m: &'a Machine,
    ep: &'a Episode,
    then: Then,
) -> Inline<(&'a str, Wired<'a>), 8> {
    let draw = &ep.world.cases[then.case];
    let Some((_, group)) = group_of(m, draw, then.check) else { return Inline::new() };
    let record = &ep.cases[then.case];
    let mut facts: Inline<_, 8> = group
        .facts
        .iter()
        .filter_map(|(name, _)| {
            let value = record.facts.value_then(m.symbols.get(name)?, then.facts)?;
            Some((name.as_str(), record.facts.wired(m, draw, value)))
        })
        .collect();
    facts.sort_by(|a, b| a.0.cmp(b.0));
    facts
}

/// The summary of a check as the observation shows it: `None` until inspected, then the
/// inspection text (rendered from the facts it revealed) and the texts events appended so far
/// (each rendered from the facts known when it fired), separated by one space.
pub(super) fn summary_text<'a>(
    m: &'a Machine,
    ep: &'a Episode,
    case: usize,
    check: usize,
) -> Option<SummaryText<'a>> {
    ep.cases[case].is_revealed(check).then(|| summary_then(m, ep, Then::now(ep, case, check)))
}

/// The summary of a revealed check as it read at `then`.
pub(super) fn summary_then<'a>(m: &'a Machine, ep: &'a Episode, then: Then) -> SummaryText<'a> {
    SummaryText { m, ep, then }
}

/// A summary, written on demand ([`summary_text`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct SummaryText<'a> {
    m: &'a Machine,
    ep: &'a Episode,
    then: Then,
}

impl<'a> fmt::Display for SummaryText<'a> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let SummaryText { m, ep, then } = *self;
        let Then { case, check, .. } = then;
        let draw = &ep.world.cases[case];
        let record = &ep.cases[case];
        let shown = |known: Known| record.facts.wired(m, draw, known);
        let revealed = || {
            let entries = record.facts.entries().get(..then.facts).unwrap_or_default().iter();
            entries.filter(move |fact| fact.check.map(usize::from) == Some(check))
        };
        match group_of(m, draw, check) {
            Some((_, g)) if !g.facts.is_empty() => match &g.summary {
                Some(template) => template.write(f, |name| {
                    revealed().find(|fact| fact.name == name).map(|fact| shown(fact.value()))
                }),
                None => revealed().enumerate().try_for_each(|(i, fact)| {
                    let separator = if i == 0 { "" } else { "; " };
                    let name = m.symbols.name(fact.name);
                    write!(f, "{separator}{name}: {}", shown(fact.value()))
                }),
            },
            _ => f.write_str(&m.checks[check].empty),
        }?;
        let appended = record.appended.get(..then.appended).unwrap_or_default().iter();
        for appended in appended.filter(|a| usize::from(a.check) == check) {
            // Every appended text's template was parsed with the machine.
            let Some(template) = m.templates.get(&appended.text) else { continue };
            f.write_str(" ")?;
            template.write(f, |name| {
                let value = record.facts.value_then(name, usize::from(appended.facts))?;
                Some(shown(value))
            })?;
        }
        Ok(())
    }
}
