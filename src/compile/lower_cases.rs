//! Lowering the case data into the reset plan ([`case_plan`](super::case_plan)): each draw,
//! `let` and named value gets a slot, and each name an expression reads is resolved where the
//! expression is evaluated — to the draw or `let` bound by then, else `sku`, else a named value
//! computed by then, else a symbol of that name.

use super::Scenario;
use super::case_plan::{
    CaseNames, CasePlan, DataExpr, DataFunc, DrawPlan, FactGroupPlan, Record, Required, ResetPlan,
    ResponseSetting, Shown, StockDraw, VariantPlan,
};
use super::ir::Scalar;
use super::symbols::Symbols;
use super::template::Template;
use super::value::Value;
use crate::check::constant::{self, Constant};
use crate::check::scope::Ctx;
use crate::data::{Case, DrawKind, FactGroup, Requirements};
use crate::lang::Function;
use crate::syntax::ast::{Expr, ExprKind, Ident, UnaryOp};
use crate::wire::{CasePriority, CaseType, CustomerTier, FraudSignal, OrderStatus};

/// The reset draws: stock and every case of the data.
pub(super) fn reset_plan(scenario: &Scenario, symbols: &Symbols) -> ResetPlan {
    let stock = scenario
        .stock
        .values()
        .map(|units| match constant::range(units) {
            Some((lo, hi)) => StockDraw::Range(lo.whole(), hi.whole()),
            None => StockDraw::Fixed(Constant::of(units).map_or(0, Constant::whole)),
        })
        .collect();
    let cases = scenario.cases.iter().map(|case| case_plan(scenario, symbols, case)).collect();
    ResetPlan { stock, cases }
}

/// The names bound where an expression is evaluated.
struct Names<'a> {
    /// Draws and `let`s bound so far, by slot.
    vars: Vec<&'a str>,
    /// Named values computed so far, in order.
    fields: Vec<&'static str>,
    /// What `sku` reads: the case's SKU.
    sku: Value,
}

impl<'a> Names<'a> {
    /// The slot of `name`, a new one if it is not bound yet.
    fn bind(&mut self, name: &'a str) -> usize {
        self.vars.iter().position(|v| *v == name).unwrap_or_else(|| {
            self.vars.push(name);
            self.vars.len() - 1
        })
    }

    fn resolve(&self, name: &str) -> DataExpr {
        if let Some(slot) = self.vars.iter().position(|v| *v == name) {
            return DataExpr::Var(slot);
        }
        if name == "sku" {
            return DataExpr::Const(self.sku.clone());
        }
        match self.fields.iter().position(|f| *f == name) {
            Some(index) => DataExpr::Field(index),
            None => DataExpr::Const(Value::Symbol(name.to_string())),
        }
    }

    /// A case-data expression with its names resolved here.
    fn expr(&self, expr: &Expr) -> DataExpr {
        let boxed = |e: &Expr| Box::new(self.expr(e));
        match &expr.kind {
            ExprKind::Money(v) => DataExpr::Const(Value::Money(*v)),
            ExprKind::Minutes(v) => DataExpr::Const(Value::Minutes(*v)),
            ExprKind::Percent(v) => DataExpr::Const(Value::Percent(*v)),
            ExprKind::Int(v) => DataExpr::Const(Value::Count(*v)),
            ExprKind::Real(v) => DataExpr::Const(Value::Real(*v)),
            ExprKind::Text(t) => DataExpr::Const(Value::Text(t.clone())),
            ExprKind::Bool(b) => DataExpr::Const(Value::Bool(*b)),
            ExprKind::Null | ExprKind::Error => DataExpr::Null,
            ExprKind::Path(segments) => match segments.as_slice() {
                [name] => self.resolve(&name.name),
                _ => DataExpr::Null,
            },
            ExprKind::List(items) => DataExpr::List(items.iter().map(|i| self.expr(i)).collect()),
            ExprKind::Unary(UnaryOp::Not, operand) => DataExpr::Not(boxed(operand)),
            ExprKind::Unary(UnaryOp::Neg, operand) => DataExpr::Neg(boxed(operand)),
            ExprKind::If(c, a, b) => {
                DataExpr::If(Box::new([self.expr(c), self.expr(a), self.expr(b)]))
            }
            ExprKind::Binary(op, a, b) => DataExpr::Binary(*op, boxed(a), boxed(b)),
            ExprKind::Call(name, args) => {
                let func = match Function::parse(&name.name, Ctx::CaseData) {
                    Some(Function::Pct) => DataFunc::Pct,
                    Some(Function::Min) => DataFunc::Min,
                    Some(Function::Max) => DataFunc::Max,
                    Some(Function::Stock) => DataFunc::Stock,
                    // The rest read an episode: not case data (a truth kind of that name, if
                    // any).
                    Some(
                        Function::Completed
                        | Function::Required
                        | Function::Received
                        | Function::Revealed
                        | Function::HasNote
                        | Function::ValidCode
                        | Function::CaseExists
                        | Function::StatusOf
                        | Function::ReplacementCost
                        | Function::PaidAs,
                    )
                    | None => DataFunc::Truth(name.name.clone()),
                };
                DataExpr::Call(func, args.iter().map(|a| self.expr(a)).collect())
            }
        }
    }
}

fn case_plan(scenario: &Scenario, symbols: &Symbols, case: &Case) -> CasePlan {
    let sku = case.sku.as_ref().map(|s| s.name.as_str());
    let mut names = Names {
        vars: Vec::new(),
        fields: Vec::new(),
        sku: sku.map_or(Value::Null, |s| Value::Text(s.to_string())),
    };
    let mut draws = Vec::with_capacity(case.draws.len());
    for draw in &case.draws {
        let plan = match &draw.kind {
            DrawKind::Range(range) => match &range.kind {
                ExprKind::Binary(_, lo, hi) => DrawPlan::Range(names.expr(lo), names.expr(hi)),
                _ => DrawPlan::Malformed,
            },
            DrawKind::Options(options) => DrawPlan::Options(
                options.iter().map(|(o, w)| (o.name.clone(), names.expr(w))).collect(),
            ),
        };
        draws.push((names.bind(&draw.name.name), plan));
    }
    let mut lets = Vec::with_capacity(case.lets.len());
    for (name, expr) in &case.lets {
        let value = names.expr(expr);
        lets.push((names.bind(&name.name), value));
    }
    let mut values = Vec::with_capacity(case.values.len());
    for (name, expr) in &case.values {
        values.push((*name, names.expr(expr)));
        names.fields.push(name);
    }
    let field = |name: &str| names.fields.iter().position(|f| *f == name);
    let record = Record {
        order_value: field("order_value"),
        requested: field("requested"),
        days_since_order: field("days_since_order"),
        sla_deadline: field("sla_deadline"),
        satisfaction_bonus: field("satisfaction_bonus"),
        reopen_delay: field("reopen_delay"),
        chargeback_delay: field("chargeback_delay"),
        chargeback_fee: field("chargeback_fee"),
        fraudulent: field("fraudulent"),
    };
    let program = &scenario.program;
    let required = |r: &Requirements| {
        let bits = |names: &[Ident], index: &dyn Fn(&str) -> Option<usize>| {
            names.iter().filter_map(|n| index(&n.name)).fold(0u32, |acc, i| acc | 1 << i)
        };
        Required {
            checks: bits(&r.checks, &|n| program.checks.get_index_of(n)),
            responses: bits(&r.responses, &|n| program.responses.get_index_of(n)),
            note: r.note.as_ref().and_then(|n| symbols.get(&n.name)),
        }
    };
    let requires = required(&case.requires);
    let responses = program
        .responses
        .iter()
        .map(|(name, decl)| {
            let settings = case.responses.iter().find(|(r, _)| r.name == *name).map(|(_, s)| s);
            // A status that names no interned symbol is the declaration's initial one.
            let fallback = symbols.get(decl.initial.as_ref().map_or("", |i| i.name.as_str()));
            let status = |name: Option<&Ident>| {
                symbols.get(name.map_or("", |n| n.name.as_str())).or(fallback).unwrap_or(0)
            };
            ResponseSetting {
                initial: settings.and_then(|s| s.initial.as_ref()).map(|e| names.expr(e)),
                initial_default: status(decl.initial.as_ref()),
                outcome: settings.and_then(|s| s.outcome.as_ref()).map(|e| names.expr(e)),
                outcome_default: status(decl.default_outcome.as_ref()),
                delay: settings
                    .and_then(|s| s.delay.as_ref())
                    .or(decl.default_delay.as_ref())
                    .map(|e| names.expr(e)),
            }
        })
        .collect();
    let fact_group = |g: &FactGroup| FactGroupPlan {
        group: g.group.name.clone(),
        summary: g.summary.as_ref().map(|s| Template::parse(&s.name, symbols)),
        facts: g.facts.iter().map(|(n, e)| (n.name.clone(), names.expr(e))).collect(),
    };
    let facts: Vec<FactGroupPlan> = case.facts.iter().map(fact_group).collect();
    let variants = case
        .variants
        .iter()
        .map(|(option, v)| {
            let mut merged = facts.clone();
            for group in v.facts.iter().map(fact_group) {
                match merged.iter_mut().find(|g| g.group == group.group) {
                    Some(existing) => *existing = group,
                    None => merged.push(group),
                }
            }
            let plan = VariantPlan {
                truth: v.truth.as_ref().map(|e| names.expr(e)),
                fraudulent: v.fraudulent.as_ref().map(|e| names.expr(e)),
                requires: v.requires.as_ref().map_or(requires, required),
                facts: merged,
            };
            (option.name.clone(), plan)
        })
        .collect();
    let symbol = |name: &str| symbols.get(name).map_or(Scalar::Null, Scalar::Sym);
    // The first attribute of a name counts.
    let found = |name: &str| case.attributes.iter().find(|(a, _)| *a == name).map(|(_, v)| v);
    let attribute = |name: &str| found(name).map_or(Scalar::Null, |v| symbol(&v.name));
    let text = |name: &str| found(name).map_or("", |v| v.name.as_str());
    CasePlan {
        id: symbols.get(&case.id.name).unwrap_or(0),
        shown: Shown {
            case_type: CaseType::parse(text("type")).unwrap_or(CaseType::RefundRequest),
            priority: CasePriority::parse(text("priority")).unwrap_or(CasePriority::Low),
            tier: CustomerTier::parse(text("tier")).unwrap_or(CustomerTier::Bronze),
            order_status: OrderStatus::parse(text("order_status"))
                .unwrap_or(OrderStatus::Delivered),
            fraud_signal: FraudSignal::parse(text("fraud_signal")).unwrap_or(FraudSignal::Low),
        },
        names: CaseNames {
            title: symbol(&case.title.name),
            kind: attribute("type"),
            tier: attribute("tier"),
            priority: attribute("priority"),
            order_status: attribute("order_status"),
            fraud_signal: attribute("fraud_signal"),
            sku: sku.map_or(Scalar::Null, symbol),
        },
        sku: sku.and_then(|s| scenario.stock.get_index_of(s)),
        vars: names.vars.iter().map(|v| v.to_string()).collect(),
        variant: case.variant.as_ref().and_then(|v| names.vars.iter().position(|n| *n == v.name)),
        truth: names.expr(&case.truth),
        draws,
        lets,
        values,
        record,
        requires,
        responses,
        facts,
        variants,
    }
}
