//! Expression typing: units, domains and name resolution (`SHOP004`, `SHOP006`).

use std::collections::BTreeSet;

use super::scope::{CASE_FIELDS, Ctx, Scope, case_field, param_type};
use super::ty::{Domain, Ty};
use crate::diag::{Code, Diagnostic, suggest};
use crate::lang::Function;
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident, UnaryOp};

/// Things that can be referenced by name and reported unused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    /// A `text`.
    Text,
    /// A check.
    Check,
    /// A response.
    Response,
    /// An event.
    Event,
    /// A truth kind.
    Truth,
}

/// Names referenced so far, for the unused-definition warnings.
pub type Used = BTreeSet<(Item, String)>;

/// Types expressions and reports what does not resolve or does not fit.
pub struct Typer<'d> {
    /// Where diagnostics go.
    pub diagnostics: &'d mut Vec<Diagnostic>,
    /// Program items referenced so far.
    pub used: Used,
}

impl<'d> Typer<'d> {
    /// A typer reporting into `diagnostics`.
    pub fn new(diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        Self { diagnostics, used: Used::new() }
    }

    /// Types `expr` and reports unless it fits `expected`. A local name's definition is
    /// labelled too (a draw written without its unit is fixed there), and a symbol's help lists
    /// the values it may take.
    pub fn expect(&mut self, scope: &Scope<'_>, expr: &Expr, expected: &Ty) -> Ty {
        let ty = self.infer(scope, expr);
        if !ty.fits(expected) {
            let mut diagnostic = mismatch(expr.span, expected, &ty);
            if let Some(name) = expr.kind.as_name()
                && let Some(definition) = scope.definition(&name.name)
            {
                let label = format!("`{}` is defined here, as {ty}", name.name);
                diagnostic = diagnostic.with_label(definition, label);
            }
            if let Some(values) = symbol_hint(scope, expected) {
                diagnostic.help = Some(values);
            }
            self.diagnostics.push(diagnostic);
        }
        ty
    }

    /// Reports a type mismatch.
    pub fn mismatch(&mut self, span: Span, expected: &Ty, found: &Ty) {
        self.diagnostics.push(mismatch(span, expected, found));
    }

    /// Marks a program item as referenced.
    pub fn use_item(&mut self, item: Item, name: &str) {
        self.used.insert((item, name.to_string()));
    }

    /// Reports an unknown reference of some kind, suggesting the closest candidate.
    pub fn unknown(&mut self, what: &str, name: &Ident, candidates: &[&str]) {
        let mut diagnostic = Diagnostic::new(
            Code::UnknownReference,
            name.span,
            format!("unknown {what} `{}`", name.name),
        )
        .label(if what == "name" {
            "not defined here".to_string()
        } else {
            format!("no {what} of this name")
        });
        diagnostic.help = suggest(&name.name, candidates.iter().copied());
        self.diagnostics.push(diagnostic);
    }

    /// The type of an expression in a scope.
    pub fn infer(&mut self, scope: &Scope<'_>, expr: &Expr) -> Ty {
        match &expr.kind {
            ExprKind::Money(_) => Ty::Money,
            ExprKind::Minutes(_) => Ty::Minutes,
            ExprKind::Percent(_) => Ty::Percent,
            ExprKind::Int(_) => Ty::Count,
            ExprKind::Real(_) => Ty::Real,
            ExprKind::Text(_) => Ty::Text,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Null => Ty::Null,
            ExprKind::Error => Ty::Unknown,
            ExprKind::Path(segments) => self.path(scope, segments),
            ExprKind::Call(name, args) => self.call(scope, name, args, expr.span),
            ExprKind::List(items) => {
                let types: Vec<Ty> = items.iter().map(|i| self.infer(scope, i)).collect();
                match types.split_first() {
                    Some((first, rest)) => {
                        for (item, ty) in items[1..].iter().zip(rest) {
                            if !ty.fits(first) {
                                self.mismatch(item.span, first, ty);
                            }
                        }
                        Ty::List(Box::new(first.clone()))
                    }
                    None => Ty::List(Box::new(Ty::Unknown)),
                }
            }
            ExprKind::Unary(UnaryOp::Not, operand) => {
                self.expect(scope, operand, &Ty::Bool);
                Ty::Bool
            }
            ExprKind::Unary(UnaryOp::Neg, operand) => {
                let ty = self.infer(scope, operand);
                if !ty.is_numeric() && ty != Ty::Unknown {
                    self.mismatch(operand.span, &Ty::Real, &ty);
                    return Ty::Unknown;
                }
                ty
            }
            ExprKind::Binary(op, left, right) => self.binary(scope, *op, left, right),
            ExprKind::If(condition, then, otherwise) => {
                self.expect(scope, condition, &Ty::Bool);
                let a = self.infer(scope, then);
                let b = self.infer(scope, otherwise);
                join(&a, &b).unwrap_or_else(|| {
                    self.mismatch(otherwise.span, &a, &b);
                    Ty::Unknown
                })
            }
        }
    }

    fn path(&mut self, scope: &Scope<'_>, segments: &[Ident]) -> Ty {
        match segments {
            [name] => match scope.resolve(&name.name) {
                Some(ty) => {
                    self.note_use(scope, &name.name);
                    ty
                }
                None => {
                    let candidates = scope.candidates();
                    let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
                    self.unknown("name", name, &refs);
                    Ty::Unknown
                }
            },
            [case, field] if case.name == "case" && scope.ctx != Ctx::CaseData => {
                match case_field(&field.name) {
                    Some(ty) => ty,
                    None => {
                        self.unknown("case field", field, CASE_FIELDS);
                        Ty::Unknown
                    }
                }
            }
            [first, ..] => {
                let mut diagnostic = Diagnostic::new(
                    Code::UnknownReference,
                    first.span.to(segments[segments.len() - 1].span),
                    "unknown dotted name",
                )
                .label("only `case.FIELD` has fields");
                if scope.ctx == Ctx::CaseData {
                    diagnostic = diagnostic
                        .help("in case data, write the field name alone, e.g. `order_value`");
                }
                self.diagnostics.push(diagnostic);
                Ty::Unknown
            }
            [] => Ty::Unknown,
        }
    }

    fn note_use(&mut self, scope: &Scope<'_>, name: &str) {
        let program = scope.program();
        if scope.ctx == Ctx::Setting && program.texts.contains_key(name) {
            self.use_item(Item::Text, name);
        }
        if program.truths.contains_key(name) {
            self.use_item(Item::Truth, name);
        }
    }

    fn binary(&mut self, scope: &Scope<'_>, op: BinaryOp, left: &Expr, right: &Expr) -> Ty {
        let a = self.infer(scope, left);
        let b = self.infer(scope, right);
        if a == Ty::Unknown || b == Ty::Unknown {
            return match op {
                BinaryOp::And
                | BinaryOp::Or
                | BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => Ty::Bool,
                _ => Ty::Unknown,
            };
        }
        let result = match op {
            BinaryOp::And | BinaryOp::Or => {
                for (expr, ty) in [(left, &a), (right, &b)] {
                    if *ty != Ty::Bool {
                        self.mismatch(expr.span, &Ty::Bool, ty);
                    }
                }
                return Ty::Bool;
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                (a == Ty::Null || b == Ty::Null || join(&a, &b).is_some()).then_some(Ty::Bool)
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                join(&a, &b).filter(Ty::is_numeric).map(|_| Ty::Bool)
            }
            BinaryOp::Add | BinaryOp::Sub => join(&a, &b).filter(Ty::is_numeric),
            BinaryOp::Mul => match (&a, &b) {
                (Ty::Count, Ty::Count) => Some(Ty::Count),
                (Ty::Real | Ty::Count, Ty::Real | Ty::Count) => Some(Ty::Real),
                (Ty::Count, other) | (other, Ty::Count) if other.is_numeric() => {
                    Some(other.clone())
                }
                _ => None,
            },
            // A quotient is a plain number: `refunded / case.order_value` is a share.
            BinaryOp::Div => (a.is_numeric() && b.is_numeric()).then_some(Ty::Real),
            BinaryOp::Range => join(&a, &b).filter(Ty::is_numeric).map(|t| Ty::Range(Box::new(t))),
        };
        result.unwrap_or_else(|| {
            let verb = match op {
                BinaryOp::Add => "add",
                BinaryOp::Sub => "subtract",
                BinaryOp::Mul => "multiply",
                BinaryOp::Div => "divide",
                BinaryOp::Range => "make a range of",
                _ => "compare",
            };
            self.diagnostics.push(
                Diagnostic::new(
                    Code::TypeMismatch,
                    left.span.to(right.span),
                    format!("cannot {verb} {a} and {b}"),
                )
                .label(format!("`{}` on mismatched units", op.as_str()))
                .with_label(left.span, format!("{a}"))
                .with_label(right.span, format!("{b}"))
                .help(
                    "both sides need the same unit; `pct(amount, 30%)` takes a percentage of money",
                ),
            );
            Ty::Unknown
        })
    }

    fn call(&mut self, scope: &Scope<'_>, name: &Ident, args: &[Expr], span: Span) -> Ty {
        let arity = |typer: &mut Self, n: usize| {
            if args.len() != n {
                typer.diagnostics.push(
                    Diagnostic::new(
                        Code::MalformedStatement,
                        span,
                        format!(
                            "`{}` takes {n} argument{}, found {}",
                            name.name,
                            if n == 1 { "" } else { "s" },
                            args.len()
                        ),
                    )
                    .label("wrong number of arguments"),
                );
                false
            } else {
                true
            }
        };
        let function = Function::parse(&name.name, scope.ctx);
        match function {
            Some(Function::Pct) => {
                if arity(self, 2) {
                    self.expect(scope, &args[0], &Ty::Money);
                    self.expect(scope, &args[1], &Ty::Percent);
                }
                Ty::Money
            }
            Some(Function::Min | Function::Max) => {
                if !arity(self, 2) {
                    return Ty::Unknown;
                }
                let a = self.infer(scope, &args[0]);
                let b = self.infer(scope, &args[1]);
                match join(&a, &b).filter(Ty::is_numeric) {
                    Some(ty) => ty,
                    None if a == Ty::Unknown || b == Ty::Unknown => Ty::Unknown,
                    None => {
                        self.mismatch(args[1].span, &a, &b);
                        Ty::Unknown
                    }
                }
            }
            Some(Function::Completed | Function::Revealed) => {
                if arity(self, 1) {
                    self.named(scope, &args[0], &[Domain::Check]);
                }
                Ty::Bool
            }
            Some(Function::Required) => {
                if arity(self, 1) {
                    self.named(scope, &args[0], &[Domain::Check, Domain::Response]);
                }
                Ty::Bool
            }
            Some(Function::Received) => {
                if arity(self, 1) {
                    self.named(scope, &args[0], &[Domain::Response]);
                }
                Ty::Bool
            }
            Some(Function::PaidAs) => {
                if arity(self, 1) {
                    match args[0].kind.as_name() {
                        Some(kind) if scope.program().truths.contains_key(&kind.name) => {
                            self.use_item(Item::Truth, &kind.name);
                        }
                        Some(kind) => {
                            let kinds: Vec<&str> =
                                scope.program().truths.keys().map(String::as_str).collect();
                            self.unknown("truth kind", kind, &kinds);
                        }
                        None => {
                            let found = self.infer(scope, &args[0]);
                            self.mismatch(args[0].span, &Ty::Symbol(Domain::Resolution), &found);
                        }
                    }
                }
                Ty::Money
            }
            Some(Function::HasNote | Function::ValidCode) => {
                self.unary_fn(scope, args, Ty::Text, Ty::Bool, arity)
            }
            Some(Function::CaseExists) => self.unary_fn(scope, args, Ty::Case, Ty::Bool, arity),
            Some(Function::StatusOf) => {
                self.unary_fn(scope, args, Ty::Case, Ty::Symbol(Domain::CaseStatus), arity)
            }
            Some(Function::Stock) => {
                let skus: Vec<&str> = scope
                    .program()
                    .scenario
                    .iter()
                    .flat_map(|s| s.stock.iter().map(|s| s.name.name.as_str()))
                    .collect();
                if let [Expr { kind: ExprKind::Text(sku), span }] = args
                    && scope.program().scenario.is_some()
                    && !skus.contains(&sku.as_str())
                {
                    let name = Ident { name: sku.clone(), span: *span };
                    self.unknown("SKU", &name, &skus);
                }
                self.unary_fn(scope, args, Ty::Text, Ty::Count, arity)
            }
            Some(Function::ReplacementCost) => {
                self.unary_fn(scope, args, Ty::Bool, Ty::Money, arity)
            }
            None if scope.ctx == Ctx::CaseData
                && scope.program().truths.contains_key(&name.name) =>
            {
                let truth = name.name.as_str();
                self.use_item(Item::Truth, truth);
                let params = &scope.program().truths[truth].params;
                if arity(self, params.len()) {
                    for (param, arg) in params.iter().zip(args) {
                        let ty = param_type(&param.ty.name).unwrap_or(Ty::Unknown);
                        self.expect(scope, arg, &ty);
                    }
                }
                Ty::Truth
            }
            None if Function::named(&name.name).is_some() => {
                // A function of the language that reads an episode, in case data: its
                // arguments would only report follow-on errors.
                let usable: Vec<&str> = Function::ALL
                    .iter()
                    .filter(|f| f.available(scope.ctx))
                    .map(|f| f.name())
                    .collect();
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownReference,
                        name.span,
                        format!("`{}` cannot be used in case data", name.name),
                    )
                    .label("it reads an episode; case data is drawn at reset, before one starts")
                    .help(format!(
                        "case data can call {} and the truth kinds",
                        usable.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
                    )),
                );
                Ty::Unknown
            }
            None => {
                let mut candidates: Vec<&str> = Function::ALL
                    .iter()
                    .filter(|f| f.available(scope.ctx))
                    .map(|f| f.name())
                    .collect();
                if scope.ctx == Ctx::CaseData {
                    candidates.extend(scope.program().truths.keys().map(String::as_str));
                }
                self.unknown("function", name, &candidates);
                for arg in args {
                    self.infer(scope, arg);
                }
                Ty::Unknown
            }
        }
    }

    fn unary_fn(
        &mut self,
        scope: &Scope<'_>,
        args: &[Expr],
        param: Ty,
        result: Ty,
        arity: impl Fn(&mut Self, usize) -> bool,
    ) -> Ty {
        if arity(self, 1) {
            self.expect(scope, &args[0], &param);
        }
        result
    }

    /// An argument naming a check or response directly, or a variable of that domain.
    fn named(&mut self, scope: &Scope<'_>, arg: &Expr, domains: &[Domain]) {
        let program = scope.program();
        if let Some(name) = arg.kind.as_name() {
            if domains.contains(&Domain::Check) && program.checks.contains_key(&name.name) {
                self.use_item(Item::Check, &name.name);
                return;
            }
            if domains.contains(&Domain::Response) && program.responses.contains_key(&name.name) {
                self.use_item(Item::Response, &name.name);
                return;
            }
            if scope.resolve(&name.name).is_none() {
                let what = if domains.len() > 1 {
                    "check or response"
                } else if domains[0] == Domain::Check {
                    "check"
                } else {
                    "response"
                };
                let mut candidates: Vec<&str> = Vec::new();
                if domains.contains(&Domain::Check) {
                    candidates.extend(program.checks.keys().map(String::as_str));
                }
                if domains.contains(&Domain::Response) {
                    candidates.extend(program.responses.keys().map(String::as_str));
                }
                self.unknown(what, name, &candidates);
                return;
            }
        }
        let ty = self.infer(scope, arg);
        let fits = domains.iter().any(|d| ty == Ty::Symbol(d.clone())) || ty == Ty::Unknown;
        if !fits {
            self.mismatch(arg.span, &Ty::Symbol(domains[0].clone()), &ty);
        }
    }
}

/// The common type of two operands, if they have one (counts widen to reals).
pub fn join(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Unknown, other) | (other, Ty::Unknown) => Some(other.clone()),
        (Ty::Count, Ty::Real) | (Ty::Real, Ty::Count) => Some(Ty::Real),
        (Ty::Null, other) | (other, Ty::Null) => Some(other.clone()),
        (x, y) if x == y => Some(x.clone()),
        _ => None,
    }
}

/// A type mismatch, with how to write the expected unit.
fn mismatch(span: Span, expected: &Ty, found: &Ty) -> Diagnostic {
    let mut diagnostic =
        Diagnostic::new(Code::TypeMismatch, span, format!("expected {expected}, found {found}"))
            .label(format!("this is {found}"));
    diagnostic.help = unit_hint(expected);
    diagnostic
}

/// The values a symbol of the expected domain may take, where the program lists them.
fn symbol_hint(scope: &Scope<'_>, expected: &Ty) -> Option<String> {
    let Ty::Symbol(domain) = expected else { return None };
    match domain {
        Domain::ResponseStatus(response) => {
            let decl = scope.program().responses.get(response)?;
            let statuses: Vec<&str> = decl.statuses.iter().map(|s| s.name.as_str()).collect();
            Some(format!("the statuses of `{response}` are: {}", statuses.join(", ")))
        }
        Domain::Action
        | Domain::CaseStatus
        | Domain::Resolution
        | Domain::Reason
        | Domain::Check
        | Domain::Response
        | Domain::DrawOption(_)
        | Domain::CloseReason => None,
    }
}

fn unit_hint(expected: &Ty) -> Option<String> {
    Some(match expected {
        Ty::Money => "write money in dollars with a `$`, e.g. `$45.00`".into(),
        Ty::Minutes => "write durations with a unit, e.g. `20m` or `2h`".into(),
        Ty::Percent => "write percentages with `%`, e.g. `35%`".into(),
        Ty::Count => "write counts as whole numbers, e.g. `12`".into(),
        Ty::Real => "write numbers like `0.25`".into(),
        Ty::Bool => "write a condition, e.g. `completed(order)` or `status == closed`".into(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::program::Program;
    use crate::lang::Builtin;
    use crate::source::FileId;
    use crate::syntax::parse_expr;

    fn unknown(program: &Program, ctx: Ctx, text: &str) -> bool {
        let expr = parse_expr(FileId(0), 0, text).expect("parses");
        let mut diagnostics = Vec::new();
        Typer::new(&mut diagnostics).infer(&Scope::new(program, ctx), &expr);
        diagnostics.iter().any(|d| d.message.starts_with("unknown function"))
    }

    #[test]
    fn every_suggested_function_is_a_function() {
        let program = Program::default();
        for name in Function::NAMES {
            assert!(!unknown(&program, Ctx::Action, &format!("{name}(x)")), "{name}");
        }
    }

    #[test]
    fn every_builtin_resolves_somewhere_and_is_suggested_there() {
        let program = Program::default();
        let contexts = [Ctx::Action, Ctx::Event, Ctx::Grade, Ctx::Hook(crate::lang::Trigger::End)]
            .into_iter()
            .chain(
                crate::lang::Trigger::NAMES
                    .iter()
                    .filter_map(|n| crate::lang::Trigger::named(n).map(Ctx::Hook)),
            );
        let contexts: Vec<Ctx> = contexts.collect();
        for builtin in Builtin::ALL {
            let at = contexts.iter().find(|&&ctx| builtin.available(ctx));
            let ctx = *at.unwrap_or_else(|| panic!("`{}` is available nowhere", builtin.name()));
            let scope = Scope::new(&program, ctx);
            assert_eq!(scope.resolve(builtin.name()), Some(builtin.ty()));
            assert!(scope.candidates().iter().any(|c| c == builtin.name()));
        }
    }
}
