//! Lowering: a compiled scenario → the engine's executable [`Machine`] (every name resolved to
//! an index, a builtin or an interned symbol; the wire unit of every fact and detail taken
//! from the checker's type). The engine defines what it executes; this is the one place that
//! produces it.

use std::sync::Arc;

use super::Scenario;
use super::ir::{
    Builtin, CaseField, Expr, Func, Op, Requires, Scalar, Stmt, Sym, Target, Unit, Wire,
};
use super::lower_cases::reset_plan;
use super::machine::{
    BaseStatuses, CompiledAction, CompiledBlocker, CompiledCheck, CompiledEvent, CompiledGrade,
    CompiledReject, CompiledResponse, CompiledTruth, Machine,
};
use super::rejects::rejects_by_action;
use super::symbols::Symbols;
use super::template::Template;
use crate::check::constant::Constant;
use crate::check::infer::Typer;
use crate::check::program::{Effect, Primitive, for_each_primitive};
use crate::check::scope::Scope;
use crate::check::scope::{BASE_STATUSES, Ctx, REASONS, Trigger};
use crate::check::ty::Ty;
use crate::lang::Function;
use crate::syntax::ast::{self, ExprKind, UnaryOp};
use crate::wire::ActionType;

/// Number of hook triggers.
const TRIGGERS: usize = Trigger::NAMES.len();

/// Lowers a compiled scenario into the engine's executable form.
pub fn lower(scenario: Arc<Scenario>) -> Machine {
    Machine::new(scenario)
}

impl Machine {
    /// Builds the executable form of a compiled scenario.
    pub fn new(scenario: Arc<Scenario>) -> Machine {
        let mut b =
            Builder { symbols: Symbols::default(), scenario: &scenario, appended: Vec::new() };
        b.intern_everything();
        let p = &scenario.program;
        let status = BaseStatuses {
            open: b.symbols.intern(BASE_STATUSES[0]),
            resolved: b.symbols.intern(BASE_STATUSES[1]),
            closed: b.symbols.intern(BASE_STATUSES[2]),
            reopened: b.symbols.intern(BASE_STATUSES[3]),
        };
        let checks = p
            .checks
            .values()
            .map(|c| CompiledCheck {
                name: b.symbols.intern(&c.name.name),
                empty: text(c.empty.as_ref()),
                field: c.field.as_ref().map(|f| f.name.clone()),
            })
            .collect();
        let responses = p
            .responses
            .values()
            .map(|r| {
                let sym = |b: &mut Builder<'_>, i: Option<&crate::syntax::ast::Ident>| {
                    b.symbols.intern(i.map_or("", |i| i.name.as_str()))
                };
                let deliverers = p
                    .events
                    .values()
                    .enumerate()
                    .filter(|(_, e)| {
                        let mut found = false;
                        for_each_primitive(&e.body, &mut |op| {
                            found |= matches!(op, Primitive::Deliver(x) if x.name == r.name.name);
                        });
                        found
                    })
                    .map(|(i, _)| i)
                    .collect();
                CompiledResponse {
                    name: b.symbols.intern(&r.name.name),
                    field: r.field.as_ref().map(|f| f.name.clone()),
                    initial: sym(&mut b, r.initial.as_ref()),
                    pending: sym(&mut b, r.pending.as_ref()),
                    waiting: sym(&mut b, r.waiting.as_ref()),
                    deliverers,
                }
            })
            .collect();
        let actions: Vec<CompiledAction> = p
            .actions
            .values()
            .map(|a| {
                let mut resolving = false;
                let mut payout = None;
                for_each_primitive(&a.body, &mut |op| match op {
                    Primitive::Resolve(_) => resolving = true,
                    Primitive::Pay(amount) if payout.is_none() => payout = Some(amount.clone()),
                    _ => {}
                });
                CompiledAction {
                    name: b.symbols.intern(&a.name.name),
                    cost: a
                        .cost
                        .as_ref()
                        .map_or(Expr::Const(Scalar::Int(0)), |c| b.expr(c, Ctx::Action)),
                    body: b.body(&a.body, Ctx::Action),
                    resolving,
                    payout: payout.map(|e| b.expr(&e, Ctx::Action)),
                }
            })
            .collect();
        let mut hooks: Vec<Vec<Vec<Stmt>>> = vec![Vec::new(); TRIGGERS];
        let mut reject_hooks: Vec<(String, Vec<Stmt>)> = Vec::new();
        for hook in &p.hooks {
            let Some(trigger) = Trigger::named(&hook.trigger.name) else { continue };
            let body = b.body(&hook.body, Ctx::Hook(trigger));
            match (&hook.argument, trigger) {
                (Some(code), Trigger::Reject) => reject_hooks.push((code.name.clone(), body)),
                _ => hooks[trigger as usize].push(body),
            }
        }
        let rejects: Vec<CompiledReject> = p
            .rejects
            .iter()
            .map(|r| CompiledReject {
                code: r.code.name.clone(),
                when: b.expr(&r.when, Ctx::Reject),
                message: match &r.message.kind {
                    ExprKind::Text(t) => t.clone(),
                    _ => String::new(),
                },
                hooks: reject_hooks
                    .iter()
                    .filter(|(code, _)| *code == r.code.name)
                    .flat_map(|(_, body)| body.iter().cloned())
                    .collect(),
            })
            .collect();
        let events = p
            .events
            .values()
            .map(|e| CompiledEvent {
                name: b.symbols.intern(&e.name.name),
                visible: e
                    .visible
                    .as_ref()
                    .map_or(Expr::Const(Scalar::Bool(false)), |v| b.expr(v, Ctx::Event)),
                settle_fire: e.settle.as_ref().is_some_and(|s| s.name == "fire"),
                body: b.body(&e.body, Ctx::Event),
            })
            .collect();
        let blockers = p
            .blockers
            .values()
            .map(|bl| {
                let unmet = bl
                    .unmet
                    .as_ref()
                    .map_or(Expr::Const(Scalar::Bool(false)), |e| b.expr(e, Ctx::Blocker));
                CompiledBlocker {
                    name: bl.name.name.clone(),
                    requires: Requires::of(&unmet),
                    unmet,
                    visible: bl
                        .visible
                        .as_ref()
                        .map_or(Expr::Const(Scalar::Bool(true)), |e| b.expr(e, Ctx::Blocker)),
                }
            })
            .collect();
        let verdict = p
            .verdict
            .iter()
            .map(|v| (b.symbols.intern(&v.reason.name), b.expr(&v.when, Ctx::Verdict)))
            .collect();
        let truths = p
            .truths
            .values()
            .map(|t| {
                let params: Vec<&str> = t.params.iter().map(|p| p.name.name.as_str()).collect();
                CompiledTruth {
                    name: b.symbols.intern(&t.name.name),
                    allowance: t.allowance.as_ref().map_or(Expr::Const(Scalar::Int(0)), |e| {
                        b.expr_with(e, Ctx::Truth, &params)
                    }),
                    outcomes: t
                        .outcomes
                        .iter()
                        .map(|(v, c)| {
                            (
                                b.expr_with(v, Ctx::Truth, &params),
                                b.expr_with(c, Ctx::Truth, &params),
                            )
                        })
                        .collect(),
                    dissatisfied: t
                        .dissatisfied
                        .iter()
                        .map(|c| b.expr_with(c, Ctx::Truth, &params))
                        .collect(),
                }
            })
            .collect();
        let grade = match &p.grade {
            Some(g) => {
                let setting =
                    |name: &str| g.settings.get(name).and_then(|s| Constant::of(&s.value));
                let mut closure = [0.0; 5];
                for (i, class) in crate::check::CLOSURE_CLASSES.iter().enumerate() {
                    closure[i] = g
                        .closure
                        .iter()
                        .find(|c| c.name.name == *class)
                        .and_then(|c| Constant::of(&c.value))
                        .map_or(0.0, Constant::real);
                }
                CompiledGrade {
                    accept: setting("accept").map_or(0.5, Constant::real),
                    tolerance_bp: setting("tolerance").map_or(0, Constant::whole),
                    invalid_penalty: setting("invalid_penalty").map_or(0.0, Constant::real),
                    closure,
                    components: g
                        .components
                        .iter()
                        .map(|c| {
                            let weight = scenario.weights.get(&c.name.name).copied().unwrap_or(0.0);
                            (c.name.name.clone(), b.expr(&c.value, Ctx::Grade), weight)
                        })
                        .collect(),
                }
            }
            None => CompiledGrade {
                accept: 0.5,
                tolerance_bp: 0,
                invalid_penalty: 0.0,
                closure: [0.0; 5],
                components: Vec::new(),
            },
        };
        let ends = p
            .ends
            .iter()
            .map(|e| (e.reason.name.clone(), b.expr(&e.when, Ctx::End), e.truncated))
            .collect();
        let reward_groups: Vec<String> =
            crate::check::reward_groups(p).iter().map(|g| g.name.clone()).collect();
        let desk_name = |key: &str| {
            p.desk.get(key).and_then(|s| s.value.kind.as_name()).map(|n| n.name.clone())
        };
        let rounding_group = desk_name("rounding_group")
            .and_then(|g| reward_groups.iter().position(|r| *r == g))
            .unwrap_or(0);
        let desk_whole = |key: &str| {
            p.desk.get(key).and_then(|s| Constant::of(&s.value)).map_or(0, Constant::whole)
        };
        let note_fact = desk_name("note_fact").map(|f| b.symbols.intern(&f));
        let replacement_cost = p
            .desk
            .get("replacement_cost")
            .map_or(Expr::Const(Scalar::Int(0)), |s| b.expr(&s.value, Ctx::Blocker));
        // Last: case data reads symbols as runtime values, so everything is interned by now.
        let reset = reset_plan(&scenario, &b.symbols);
        let templates = b
            .appended
            .iter()
            .map(|&text| (text, Template::parse(b.symbols.name(text), &b.symbols)))
            .collect();
        let rejects_of = rejects_by_action(&actions, &rejects);
        let by_type = ActionType::ALL
            .iter()
            .map(|t| {
                let sym = b.symbols.get(t.as_str());
                actions.iter().position(|a| Some(a.name) == sym)
            })
            .collect();
        Machine {
            clamp: scenario.reward_clamp().unwrap_or((-1.0, 1.0)),
            hold_cost: desk_whole("hold_cost"),
            invalid_cost: desk_whole("invalid_cost"),
            expedite_fee: desk_whole("expedite_fee"),
            replacement_cost,
            symbols: Arc::new(b.symbols),
            checks,
            responses,
            actions,
            by_type,
            rejects,
            rejects_of,
            hooks,
            events,
            blockers,
            verdict,
            truths,
            grade,
            ends,
            reward_groups,
            rounding_group,
            note_fact,
            status,
            reset,
            templates,
            scenario,
        }
    }
}

/// Position of a declared name (the checker has made sure it is declared).
fn index<T>(map: &indexmap::IndexMap<String, T>, name: &str) -> usize {
    map.get_index_of(name).unwrap_or(0)
}

fn text(expr: Option<&ast::Expr>) -> String {
    match expr.map(|e| &e.kind) {
        Some(ExprKind::Text(t)) => t.clone(),
        _ => String::new(),
    }
}

struct Builder<'s> {
    symbols: Symbols,
    scenario: &'s Scenario,
    /// The texts events append to summaries, parsed once every name is interned.
    appended: Vec<Sym>,
}

impl Builder<'_> {
    /// Interns every name and text the scenario mentions, so runtime values are symbols.
    fn intern_everything(&mut self) {
        for reason in REASONS {
            self.symbols.intern(reason);
        }
        let scenario = self.scenario;
        for case in &scenario.cases {
            self.symbols.intern(&case.id.name);
            for (_, value) in &case.attributes {
                self.symbols.intern(&value.name);
            }
            if let Some(sku) = &case.sku {
                self.symbols.intern(&sku.name);
            }
            if let Some(note) = &case.requires.note {
                self.symbols.intern(&note.name);
            }
            let groups = case.facts.iter().chain(case.variants.iter().flat_map(|(_, v)| &v.facts));
            for (fact, _) in groups.flat_map(|g| &g.facts) {
                self.symbols.intern(&fact.name);
            }
            for (_, variant) in &case.variants {
                if let Some(note) = variant.requires.as_ref().and_then(|r| r.note.as_ref()) {
                    self.symbols.intern(&note.name);
                }
            }
        }
        for sku in scenario.stock.keys() {
            self.symbols.intern(sku);
        }
        for response in scenario.program.responses.values() {
            for status in &response.statuses {
                self.symbols.intern(&status.name);
            }
        }
        for case in &scenario.cases {
            for draw in &case.draws {
                if let crate::data::DrawKind::Options(options) = &draw.kind {
                    for (option, _) in options {
                        self.symbols.intern(&option.name);
                    }
                }
            }
        }
    }

    fn body(&mut self, body: &[Effect], ctx: Ctx) -> Vec<Stmt> {
        body.iter().map(|e| self.effect(e, ctx)).collect()
    }

    fn effect(&mut self, effect: &Effect, ctx: Ctx) -> Stmt {
        match effect {
            Effect::If { condition, then, otherwise } => {
                Stmt::If(self.expr(condition, ctx), self.body(then, ctx), self.body(otherwise, ctx))
            }
            Effect::Reward { value, group, when, .. } => {
                let groups = crate::check::reward_groups(&self.scenario.program);
                Stmt::Reward {
                    value: self.expr(value, ctx),
                    group: groups.iter().position(|g| g.name == group.name).unwrap_or(0),
                    when: when.as_ref().map(|w| self.expr(w, ctx)),
                }
            }
            Effect::Op { op, when, .. } => {
                let when = when.as_ref().map(|w| self.expr(w, ctx));
                Stmt::Op(self.op(op, ctx), when)
            }
        }
    }

    fn op(&mut self, op: &Primitive, ctx: Ctx) -> Op {
        let p = &self.scenario.program;
        match op {
            Primitive::Inspect(c) => Op::Inspect(index(&p.checks, &c.name)),
            Primitive::Request(r) => Op::Request(index(&p.responses, &r.name)),
            Primitive::Deliver(r) => Op::Deliver(index(&p.responses, &r.name)),
            Primitive::Resolve(t) => Op::Resolve(index(&p.truths, &t.name)),
            Primitive::Pay(e) => Op::Pay(self.expr(e, ctx)),
            Primitive::TakeStock => Op::TakeStock,
            Primitive::Note(e) => Op::Note(self.expr(e, ctx)),
            Primitive::Close => Op::Close,
            Primitive::Switch(e) => Op::Switch(self.expr(e, ctx)),
            Primitive::Reopen => Op::Reopen,
            Primitive::Satisfaction(e) => Op::Satisfaction(self.expr(e, ctx)),
            Primitive::FraudLoss(e) => Op::FraudLoss(self.expr(e, ctx)),
            Primitive::Fee(e) => Op::Fee(self.expr(e, ctx)),
            Primitive::Stockout => Op::Stockout,
            Primitive::Schedule { event, after, with } => Op::Schedule {
                event: index(&p.events, &event.name),
                after: self.expr(after, ctx),
                with: with.as_ref().map(|w| self.expr(w, ctx)),
            },
            Primitive::Fact { name, value } => Op::Fact {
                name: self.symbols.intern(&name.name),
                value: self.expr(value, ctx),
                unit: self.unit(value, ctx),
            },
            Primitive::Detail { name, value } => Op::Detail {
                name: self.symbols.intern(&name.name),
                value: self.expr(value, ctx),
                unit: self.unit(value, ctx),
            },
            Primitive::Append { check, text: t } => {
                let text = self.symbols.intern(&text(Some(t)));
                self.appended.push(text);
                Op::Append { check: index(&p.checks, &check.name), text }
            }
        }
    }

    /// The wire unit of an expression, from the checker's type for it.
    fn unit(&self, expr: &ast::Expr, ctx: Ctx) -> Unit {
        let mut ignored = Vec::new();
        let scope = Scope::new(&self.scenario.program, ctx);
        match Typer::new(&mut ignored).infer(&scope, expr) {
            Ty::Money => Unit::Money,
            Ty::Percent => Unit::Percent,
            Ty::Minutes | Ty::Count => Unit::Whole,
            Ty::Real => Unit::Real,
            Ty::Bool => Unit::Flag,
            Ty::Text
            | Ty::Case
            | Ty::Symbol(_)
            | Ty::Range(_)
            | Ty::List(_)
            | Ty::Truth
            | Ty::Null
            | Ty::Unknown => Unit::Name,
        }
    }

    fn expr(&mut self, expr: &ast::Expr, ctx: Ctx) -> Expr {
        self.expr_with(expr, ctx, &[])
    }

    fn expr_with(&mut self, expr: &ast::Expr, ctx: Ctx, params: &[&str]) -> Expr {
        let mut go = |e: &ast::Expr| self.expr_with(e, ctx, params);
        match &expr.kind {
            ExprKind::Money(v) | ExprKind::Minutes(v) | ExprKind::Percent(v) | ExprKind::Int(v) => {
                Expr::Const(Scalar::Int(*v))
            }
            ExprKind::Real(r) => Expr::Const(Scalar::Real(*r)),
            ExprKind::Bool(b) => Expr::Const(Scalar::Bool(*b)),
            ExprKind::Null | ExprKind::Error => Expr::Const(Scalar::Null),
            ExprKind::Text(t) => Expr::Const(Scalar::Sym(self.symbols.intern(t))),
            ExprKind::List(_) => Expr::Const(Scalar::Null),
            ExprKind::Unary(UnaryOp::Not, e) => Expr::Not(Box::new(go(e))),
            ExprKind::Unary(UnaryOp::Neg, e) => Expr::Neg(Box::new(go(e))),
            ExprKind::Binary(op, a, b) => {
                let a = go(a);
                Expr::Binary(*op, Box::new(a), Box::new(self.expr_with(b, ctx, params)))
            }
            ExprKind::If(c, a, b) => {
                let c = go(c);
                let a = self.expr_with(a, ctx, params);
                Expr::If(Box::new([c, a, self.expr_with(b, ctx, params)]))
            }
            ExprKind::Path(segments) => match segments.as_slice() {
                [case, field] if case.name == "case" => {
                    CaseField::named(&field.name).map_or(Expr::Const(Scalar::Null), Expr::Case)
                }
                [name] => self.name(&name.name, ctx, params),
                _ => Expr::Const(Scalar::Null),
            },
            ExprKind::Call(name, args) => self.call(&name.name, args, ctx, params),
        }
    }

    fn name(&mut self, name: &str, ctx: Ctx, params: &[&str]) -> Expr {
        if let Some(i) = params.iter().position(|p| *p == name) {
            return Expr::Param(i);
        }
        if let Some(wire) = Wire::parse(name, ctx) {
            return Expr::Wire(wire);
        }
        if let Some(builtin) = Builtin::parse(name, ctx) {
            return Expr::Get(builtin);
        }
        if let Some(i) = self.scenario.program.responses.get_index_of(name) {
            return Expr::ResponseStatus(i);
        }
        Expr::Const(Scalar::Sym(self.symbols.intern(name)))
    }

    fn call(&mut self, name: &str, args: &[ast::Expr], ctx: Ctx, params: &[&str]) -> Expr {
        let p = &self.scenario.program;
        let target = |arg: &ast::Expr| -> Target {
            match arg.kind.as_name().map(|n| n.name.as_str()) {
                Some(n) if p.checks.contains_key(n) => {
                    Target::Check(p.checks.get_index_of(n).unwrap_or(0))
                }
                Some(n) if p.responses.contains_key(n) => {
                    Target::Response(p.responses.get_index_of(n).unwrap_or(0))
                }
                Some("check") => Target::CheckLocal,
                _ => Target::ResponseLocal,
            }
        };
        let Some(function) = Function::named(name) else { return Expr::Const(Scalar::Null) };
        let checked = |f: fn(Target) -> Func| {
            Expr::Call(f(args.first().map_or(Target::ResponseLocal, target)), Box::new([]))
        };
        let func = match function {
            Function::Pct => Func::Pct,
            Function::Min => Func::Min,
            Function::Max => Func::Max,
            Function::HasNote => Func::HasNote,
            Function::ValidCode => Func::ValidCode,
            Function::CaseExists => Func::CaseExists,
            Function::StatusOf => Func::StatusOf,
            Function::Stock => Func::Stock,
            Function::ReplacementCost => Func::ReplacementCost,
            Function::PaidAs => {
                let kind =
                    args.first().and_then(|a| a.kind.as_name()).map_or("", |n| n.name.as_str());
                let truth = p.truths.get_index_of(kind).unwrap_or(0);
                return Expr::Call(Func::PaidAs(truth), Box::new([]));
            }
            Function::Completed => return checked(Func::Completed),
            Function::Required => return checked(Func::Required),
            Function::Received => return checked(Func::Received),
            Function::Revealed => return checked(Func::Revealed),
        };
        let args: Vec<Expr> = args.iter().map(|a| self.expr_with(a, ctx, params)).collect();
        Expr::Call(func, args.into_boxed_slice())
    }
}
