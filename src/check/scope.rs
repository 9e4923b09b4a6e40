//! What names mean where: the desk model's vocabulary, by context.
//!
//! Every expression is checked in a [`Ctx`]; [`Scope::resolve`] says what a bare name denotes
//! there (its type), and [`Scope::candidates`] lists the names for "did you mean".

use indexmap::IndexMap;

use super::program::Program;
use crate::lang::ty::{Domain, Ty};
use crate::lang::{Builtin, CaseField, WireField};
pub use crate::lang::{Ctx, Trigger};
use crate::source::Span;
use crate::syntax::ast::Ident;

/// Wire fields of an action request.
pub const WIRE_FIELDS: &[&str] = WireField::NAMES;

/// Escalation reasons of the wire protocol.
pub const REASONS: &[&str] = &["suspected_fraud", "policy_exception", "sla_risk", "vip_recovery"];

/// Case statuses of the engine's status machine (responses add their waiting statuses).
pub const BASE_STATUSES: &[&str] = &["open", "resolved", "closed", "reopened"];

/// Fields of `case.FIELD`.
pub const CASE_FIELDS: &[&str] = CaseField::NAMES;

/// Parameter type names, for `param NAME TYPE`.
pub fn param_type(name: &str) -> Option<Ty> {
    Some(match name {
        "money" => Ty::Money,
        "minutes" => Ty::Minutes,
        "count" => Ty::Count,
        "percent" => Ty::Percent,
        "number" => Ty::Real,
        "flag" => Ty::Bool,
        "code" | "text" => Ty::Text,
        "case" => Ty::Case,
        "reason" => Ty::Symbol(Domain::Reason),
        _ => return None,
    })
}

/// Type of a wire field.
pub fn wire_field(name: &str) -> Option<Ty> {
    WireField::named(name).map(WireField::ty)
}

/// Type of `case.FIELD`.
pub fn case_field(name: &str) -> Option<Ty> {
    CaseField::named(name).map(CaseField::ty)
}

/// Names bound in a context, and everything the program declares.
pub struct Scope<'p> {
    /// The context.
    pub ctx: Ctx,
    program: &'p Program,
    /// Local names: their types and where they are defined.
    locals: IndexMap<String, (Ty, Span)>,
}

impl<'p> Scope<'p> {
    /// A scope for `ctx` over `program`.
    pub fn new(program: &'p Program, ctx: Ctx) -> Self {
        Self { ctx, program, locals: IndexMap::new() }
    }

    /// Binds a local name (a parameter, a draw, a `let`).
    pub fn bind(&mut self, name: &Ident, ty: Ty) {
        self.locals.insert(name.name.clone(), (ty, name.span));
    }

    /// Where a local name is defined.
    pub fn definition(&self, name: &str) -> Option<Span> {
        self.locals.get(name).map(|(_, span)| *span)
    }

    fn runtime(&self) -> bool {
        !matches!(self.ctx, Ctx::Setting | Ctx::CaseData)
    }

    /// The type a bare name denotes here, if any.
    pub fn resolve(&self, name: &str) -> Option<Ty> {
        if let Some((ty, _)) = self.locals.get(name) {
            return Some(ty.clone());
        }
        if let Some(ty) = self.builtin(name) {
            return Some(ty);
        }
        self.symbol(name)
    }

    fn builtin(&self, name: &str) -> Option<Ty> {
        if self.ctx == Ctx::CaseData {
            return CaseField::parse(name, self.ctx).map(CaseField::ty);
        }
        if !self.runtime() {
            return None;
        }
        Builtin::parse(name, self.ctx)
            .map(Builtin::ty)
            .or_else(|| WireField::parse(name, self.ctx).map(WireField::ty))
    }

    fn symbol(&self, name: &str) -> Option<Ty> {
        let p = self.program;
        if self.ctx == Ctx::Setting {
            return p.texts.contains_key(name).then_some(Ty::Text);
        }
        if self.runtime() && p.actions.contains_key(name) {
            return Some(Ty::Symbol(Domain::Action));
        }
        if p.truths.contains_key(name) {
            return Some(Ty::Symbol(Domain::Resolution));
        }
        if REASONS.contains(&name) {
            return Some(Ty::Symbol(Domain::Reason));
        }
        if self.runtime() {
            if BASE_STATUSES.contains(&name)
                || p.responses.values().any(|r| r.waiting.as_ref().is_some_and(|w| w.name == name))
            {
                return Some(Ty::Symbol(Domain::CaseStatus));
            }
            if p.responses.contains_key(name) {
                return Some(Ty::Symbol(Domain::ResponseStatus(name.to_string())));
            }
            if p.verdict.iter().any(|v| v.reason.name == name) {
                return Some(Ty::Symbol(Domain::CloseReason));
            }
        }
        p.responses
            .values()
            .find(|r| r.statuses.iter().any(|s| s.name == name))
            .map(|r| Ty::Symbol(Domain::ResponseStatus(r.name.name.clone())))
    }

    /// Every name that resolves here, for suggestions.
    pub fn candidates(&self) -> Vec<String> {
        let p = self.program;
        let mut names: Vec<String> = self.locals.keys().cloned().collect();
        let declared = p
            .actions
            .keys()
            .chain(p.truths.keys())
            .chain(p.responses.keys())
            .chain(p.texts.keys())
            .chain(p.responses.values().flat_map(|r| r.statuses.iter().map(|s| &s.name)))
            .cloned();
        names.extend(declared);
        names.extend(
            WIRE_FIELDS
                .iter()
                .chain(REASONS)
                .chain(BASE_STATUSES)
                .chain(CASE_FIELDS)
                .map(|s| s.to_string()),
        );
        names.extend(Builtin::NAMES.iter().map(|s| s.to_string()));
        names.retain(|n| self.resolve(n).is_some());
        names
    }

    /// The program the scope reads declarations from.
    pub fn program(&self) -> &'p Program {
        self.program
    }
}
