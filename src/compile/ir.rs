//! The executable form of a compiled scenario, as the compiler lowers it (`lower.rs`) and the
//! engine runs it: every name resolved to an index or a builtin, so stepping never looks a name
//! up (the case data's reset plan is in [`case_plan`](super::case_plan)).

use crate::lang::BinaryOp;
pub use crate::lang::{Builtin, CaseField, WireField as Wire};

/// Index of an interned symbol (a name or text of the scenario).
pub type Sym = u32;

/// A runtime value. Quantities are whole numbers in their unit (cents, minutes, basis points,
/// counts); the checker guarantees units match, so they share one representation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// `null`
    Null,
    /// A condition.
    Bool(bool),
    /// A whole quantity.
    Int(i64),
    /// A real.
    Real(f64),
    /// A name or text known to the scenario.
    Sym(Sym),
    /// The text of a request field that names nothing the scenario knows.
    Foreign(Wire),
}

impl Scalar {
    /// Whether the value is `true`.
    pub fn truthy(self) -> bool {
        matches!(self, Scalar::Bool(true))
    }

    /// The whole number, if this is one.
    pub fn int(self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(i),
            _ => None,
        }
    }

    /// As a real (whole numbers widen).
    pub fn real(self) -> f64 {
        match self {
            Scalar::Real(r) => r,
            Scalar::Int(i) => i as f64,
            _ => 0.0,
        }
    }
}

/// What a check/response function is asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A check by index.
    Check(usize),
    /// A response by index.
    Response(usize),
    /// The `check` local of `on inspect`.
    CheckLocal,
    /// The `response` local of `on request`.
    ResponseLocal,
}

/// Functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is the function of the same spelling
pub enum Func {
    Pct,
    Min,
    Max,
    HasNote,
    ValidCode,
    CaseExists,
    StatusOf,
    Stock,
    ReplacementCost,
    PaidAs(usize),
    Completed(Target),
    Required(Target),
    Received(Target),
    Revealed(Target),
}

/// An expression of the engine's program: every name resolved (the syntax tree's form is
/// `syntax::ast::Expr`).
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A constant.
    Const(Scalar),
    /// A builtin value.
    Get(Builtin),
    /// A request field.
    Wire(Wire),
    /// `case.FIELD`
    Case(CaseField),
    /// A truth parameter of the case's truth.
    Param(usize),
    /// The current status of a response.
    ResponseStatus(usize),
    /// `not x`
    Not(Box<Expr>),
    /// `-x`
    Neg(Box<Expr>),
    /// `a OP b`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<[Expr; 3]>),
    /// `f(args)`
    Call(Func, Box<[Expr]>),
}

/// The checks and responses a case must require for a condition to hold: the `required(…)`
/// terms of its top-level conjunction, a bit per index as a case's draw holds them. On a case
/// that lacks one the condition is false, so the engine need not evaluate it there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Requires {
    /// Bit per check index.
    pub checks: u32,
    /// Bit per response index.
    pub responses: u32,
}

impl Requires {
    /// What `condition` requires of a case.
    pub fn of(condition: &Expr) -> Self {
        // An index past the bits requires nothing here (the condition is evaluated as usual).
        let bit = |index: usize| u32::try_from(index).ok().and_then(|i| 1u32.checked_shl(i));
        match condition {
            Expr::Binary(BinaryOp::And, a, b) => {
                let (a, b) = (Self::of(a), Self::of(b));
                Requires { checks: a.checks | b.checks, responses: a.responses | b.responses }
            }
            Expr::Call(Func::Required(Target::Check(c)), _) => {
                Requires { checks: bit(*c).unwrap_or(0), responses: 0 }
            }
            Expr::Call(Func::Required(Target::Response(r)), _) => {
                Requires { checks: 0, responses: bit(*r).unwrap_or(0) }
            }
            // Anything else may hold whatever the case requires (the safe answer for any form).
            _ => Requires::default(),
        }
    }

    /// Whether a case requiring `checks` and `responses` (bit per index) requires all of these.
    pub fn met_by(self, checks: u32, responses: u32) -> bool {
        checks & self.checks == self.checks && responses & self.responses == self.responses
    }
}

/// A statement of the engine's program: a resolved effect.
#[derive(Clone, Debug)]
pub enum Stmt {
    /// `if`
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    /// `reward VALUE GROUP "label" [when C]`
    Reward {
        /// Amount.
        value: Expr,
        /// Reward group index.
        group: usize,
        /// Condition.
        when: Option<Expr>,
    },
    /// A primitive operation.
    Op(Op, Option<Expr>),
}

/// Resolved primitive operations (see `check::program::Primitive`).
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub enum Op {
    Inspect(usize),
    Request(usize),
    Deliver(usize),
    Resolve(usize),
    Pay(Expr),
    TakeStock,
    Note(Expr),
    Close,
    Switch(Expr),
    Reopen,
    Satisfaction(Expr),
    FraudLoss(Expr),
    Fee(Expr),
    Stockout,
    Schedule { event: usize, after: Expr, with: Option<Expr> },
    Fact { name: Sym, value: Expr, unit: Unit },
    Detail { name: Sym, value: Expr, unit: Unit },
    Append { check: usize, text: Sym },
}

/// How a value reaches the wire (the checker's type of the expression).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Cents → USD with two decimals.
    Money,
    /// Basis points → integer percent.
    Percent,
    /// Minutes and counts → integers.
    Whole,
    /// Reals.
    Real,
    /// Conditions → booleans.
    Flag,
    /// Names and texts → strings.
    Name,
}
