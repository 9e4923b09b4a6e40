//! [`Vocab`]: what the numeric encoding of a scenario is made of, read once from the compiled
//! scenario: its case statuses, responses and their statuses, fact names, note codes, the
//! names a text fact may take, and each case's attributes.

use std::collections::HashMap;

use shopops::engine::Machine;
use shopops::engine::case_plan::{DataExpr, DrawPlan};
use shopops::engine::ir::{Op, Stmt, Sym};
use shopops::engine::value::Value;
use shopops::wire::{CasePriority, CaseType, CustomerTier, FraudSignal, OrderStatus};

/// The per-scenario vocabulary of the encoding, built once per machine.
#[derive(Debug)]
pub(crate) struct Vocab {
    /// Case statuses: the base ones, then each response's waiting status.
    pub(crate) statuses: Vec<Sym>,
    /// Per response, its declared statuses.
    pub(crate) responses: Vec<Vec<Sym>>,
    /// Per response, the name of its field (`case.<response>`).
    pub(crate) response_fields: Vec<String>,
    /// Every fact name the case data or the events can reveal, first seen first.
    pub(crate) facts: Vec<Sym>,
    /// The index into `facts` of each symbol (by symbol), `None` for symbols that are no fact.
    pub(crate) fact_slots: Vec<Option<usize>>,
    /// Note codes (the action table's).
    pub(crate) notes: Vec<String>,
    /// Names a text fact may take, for its categorical code: case ids, note codes, statuses,
    /// truth kinds, escalation reasons, close verdicts, SKUs, and the texts and symbols of the
    /// case data's facts and draw options.
    pub(crate) names: Vec<String>,
    pub(crate) codes: HashMap<String, usize>,
    /// Per scenario case: its type, priority, tier, order status and fraud signal, as indices
    /// into the wire enums.
    pub(crate) attributes: Vec<[Option<usize>; 5]>,
    /// Case ids in table order.
    pub(crate) cases: Vec<String>,
    /// The values of each attribute's wire enum, in the order of [`ATTRIBUTES`].
    pub(crate) attribute_values: [Vec<&'static str>; 5],
}

/// The wire enums of the case attributes, in the order of [`Vocab::attributes`].
pub(crate) const ATTRIBUTES: [(&str, &str); 5] = [
    ("type", "case.type"),
    ("priority", "case.priority"),
    ("tier", "case.tier"),
    ("order_status", "case.order_status"),
    ("fraud_signal", "case.fraud_signal"),
];

fn attribute_values(which: usize) -> Vec<&'static str> {
    match which {
        0 => CaseType::ALL.iter().map(|v| v.as_str()).collect(),
        1 => CasePriority::ALL.iter().map(|v| v.as_str()).collect(),
        2 => CustomerTier::ALL.iter().map(|v| v.as_str()).collect(),
        3 => OrderStatus::ALL.iter().map(|v| v.as_str()).collect(),
        _ => FraudSignal::ALL.iter().map(|v| v.as_str()).collect(),
    }
}

impl Vocab {
    /// The vocabulary of `m`, with the action table's note codes.
    pub(crate) fn new(m: &Machine, notes: &[String]) -> Self {
        let mut statuses =
            vec![m.status.open, m.status.resolved, m.status.closed, m.status.reopened];
        for response in &m.responses {
            if !statuses.contains(&response.waiting) {
                statuses.push(response.waiting);
            }
        }
        let program = &m.scenario.program;
        let responses = program
            .responses
            .values()
            .map(|r| r.statuses.iter().filter_map(|s| m.symbols.get(&s.name)).collect())
            .collect();
        let mut facts: Vec<Sym> = Vec::new();
        let mut add_fact = |sym: Sym| {
            if !facts.contains(&sym) {
                facts.push(sym);
            }
        };
        for plan in &m.reset.cases {
            let variant_groups = plan.variants.iter().flat_map(|(_, v)| &v.facts);
            for group in plan.facts.iter().chain(variant_groups) {
                group.facts.iter().filter_map(|(n, _)| m.symbols.get(n)).for_each(&mut add_fact);
            }
        }
        let bodies = m.events.iter().map(|e| &e.body).chain(m.hooks.iter().flatten());
        for body in bodies {
            walk_facts(body, &mut add_fact);
        }
        let cases: Vec<String> =
            m.reset.cases.iter().map(|c| m.symbols.name(c.id).to_string()).collect();
        let mut names: Vec<String> = cases.clone();
        names.extend(notes.iter().cloned());
        let syms = statuses
            .iter()
            .chain(m.responses.iter().map(|r| &r.initial))
            .chain(m.truths.iter().map(|t| &t.name))
            .chain(m.verdict.iter().map(|(reason, _)| reason));
        names.extend(syms.map(|s| m.symbols.name(*s).to_string()));
        for r in program.responses.values() {
            names.extend(r.statuses.iter().map(|s| s.name.clone()));
        }
        names.extend(shopops::wire::EscalationReason::ALL.iter().map(|r| r.as_str().to_string()));
        names.extend(m.scenario.stock.keys().cloned());
        for plan in &m.reset.cases {
            for (_, draw) in &plan.draws {
                if let DrawPlan::Options(options) = draw {
                    names.extend(options.iter().map(|(n, _)| n.clone()));
                }
            }
            let variant_groups = plan.variants.iter().flat_map(|(_, v)| &v.facts);
            for group in plan.facts.iter().chain(variant_groups) {
                for (_, expr) in &group.facts {
                    walk_names(expr, &mut names);
                }
            }
        }
        let mut codes = HashMap::new();
        names.retain(|n| {
            let fresh = !codes.contains_key(n);
            if fresh {
                codes.insert(n.clone(), codes.len());
            }
            fresh
        });
        let attributes = m
            .scenario
            .cases
            .iter()
            .map(|case| {
                std::array::from_fn(|which| {
                    let (key, _) = ATTRIBUTES[which];
                    let value = case.attributes.iter().find(|(a, _)| *a == key)?;
                    attribute_values(which).iter().position(|v| *v == value.1.name)
                })
            })
            .collect();
        let response_fields =
            m.responses.iter().map(|r| format!("case.{}", m.symbols.name(r.name))).collect();
        let mut fact_slots = vec![None; facts.iter().max().map_or(0, |s| *s as usize + 1)];
        for (i, sym) in facts.iter().enumerate() {
            fact_slots[*sym as usize] = Some(i);
        }
        Vocab {
            fact_slots,
            statuses,
            responses,
            response_fields,
            facts,
            notes: notes.to_vec(),
            names,
            codes,
            attributes,
            cases,
            attribute_values: std::array::from_fn(attribute_values),
        }
    }
}

/// Names a case-data expression may evaluate to: its texts and the bare names it does not
/// bind (a bare name that names nothing is a symbol).
fn walk_names(expr: &DataExpr, names: &mut Vec<String>) {
    match expr {
        DataExpr::Const(Value::Text(t) | Value::Symbol(t)) => names.push(t.clone()),
        DataExpr::List(items) | DataExpr::Call(_, items) => {
            items.iter().for_each(|e| walk_names(e, names));
        }
        DataExpr::Not(e) | DataExpr::Neg(e) => walk_names(e, names),
        DataExpr::If(parts) => parts.iter().for_each(|e| walk_names(e, names)),
        DataExpr::Binary(_, a, b) => {
            walk_names(a, names);
            walk_names(b, names);
        }
        DataExpr::Const(_) | DataExpr::Var(_) | DataExpr::Field(_) | DataExpr::Null => {}
    }
}

impl Vocab {
    /// The index of fact `name` in the fact fields.
    pub(crate) fn fact_slot(&self, name: Sym) -> Option<usize> {
        self.fact_slots.get(name as usize).copied().flatten()
    }
}

/// Fact names set by `fact` operations in a body (events and hooks).
fn walk_facts(body: &[Stmt], add: &mut impl FnMut(Sym)) {
    for st in body {
        match st {
            Stmt::If(_, then, otherwise) => {
                walk_facts(then, add);
                walk_facts(otherwise, add);
            }
            Stmt::Op(Op::Fact { name, .. }, _) => add(*name),
            Stmt::Op(..) | Stmt::Reward { .. } => {}
        }
    }
}
