//! Constant values of settings (limits, weights): literals, optionally negated.

use crate::syntax::ast::{Expr, ExprKind, UnaryOp};

/// A constant quantity in its unit's integer (cents, minutes, basis points, count) or real form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Constant {
    /// A whole quantity (cents, minutes, basis points or a count).
    Whole(i64),
    /// A real number.
    Real(f64),
}

impl Constant {
    /// The value of a literal (or negated literal), if `expr` is one.
    pub fn of(expr: &Expr) -> Option<Constant> {
        match &expr.kind {
            ExprKind::Money(v) | ExprKind::Minutes(v) | ExprKind::Percent(v) | ExprKind::Int(v) => {
                Some(Constant::Whole(*v))
            }
            ExprKind::Real(r) => Some(Constant::Real(*r)),
            ExprKind::Unary(UnaryOp::Neg, inner) => match Constant::of(inner)? {
                Constant::Whole(v) => v.checked_neg().map(Constant::Whole),
                Constant::Real(r) => Some(Constant::Real(-r)),
            },
            _ => None,
        }
    }

    /// As a real number.
    pub fn real(self) -> f64 {
        match self {
            Constant::Whole(v) => v as f64,
            Constant::Real(r) => r,
        }
    }

    /// As a whole number (reals are truncated; the checker only lets whole units through).
    pub fn whole(self) -> i64 {
        match self {
            Constant::Whole(v) => v,
            Constant::Real(r) => r as i64,
        }
    }
}

/// The constant bounds of a `lo..hi` range of literals.
pub fn range(expr: &Expr) -> Option<(Constant, Constant)> {
    match &expr.kind {
        ExprKind::Binary(crate::syntax::ast::BinaryOp::Range, lo, hi) => {
            Some((Constant::of(lo)?, Constant::of(hi)?))
        }
        _ => None,
    }
}
