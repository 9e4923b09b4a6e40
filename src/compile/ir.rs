//! The executable form of a compiled scenario, as the compiler lowers it (`lower.rs`) and the
//! engine runs it: every name resolved to an index or a builtin, so stepping never looks a name
//! up; the case data as [`DataExpr`]s and the reset plan.

use crate::lang::BinaryOp;
pub use crate::lang::{Builtin, CaseField, WireField as Wire};

/// Index of an interned symbol (a name or text of the scenario).
pub type Sym = u32;

/// A runtime value. Quantities are whole numbers in their unit (cents, minutes, basis points,
/// counts); the checker guarantees units match, so they share one representation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum V {
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

impl V {
    /// Whether the value is `true`.
    pub fn truthy(self) -> bool {
        matches!(self, V::Bool(true))
    }

    /// The whole number, if this is one.
    pub fn int(self) -> Option<i64> {
        match self {
            V::Int(i) => Some(i),
            _ => None,
        }
    }

    /// As a real (whole numbers widen).
    pub fn real(self) -> f64 {
        match self {
            V::Real(r) => r,
            V::Int(i) => i as f64,
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

/// A resolved expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Ex {
    /// A constant.
    Const(V),
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
    Not(Box<Ex>),
    /// `-x`
    Neg(Box<Ex>),
    /// `a OP b`
    Binary(BinaryOp, Box<Ex>, Box<Ex>),
    /// `if c then a else b`
    If(Box<[Ex; 3]>),
    /// `f(args)`
    Call(Func, Box<[Ex]>),
}

/// A resolved effect.
#[derive(Clone, Debug)]
pub enum St {
    /// `if`
    If(Ex, Vec<St>, Vec<St>),
    /// `reward VALUE GROUP "label" [when C]`
    Reward {
        /// Amount.
        value: Ex,
        /// Reward group index.
        group: usize,
        /// Condition.
        when: Option<Ex>,
    },
    /// A primitive operation.
    Op(Op, Option<Ex>),
}

/// Resolved primitive operations (see `check::program::Primitive`).
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub enum Op {
    Inspect(usize),
    Request(usize),
    Deliver(usize),
    Resolve(usize),
    Pay(Ex),
    TakeStock,
    Note(Ex),
    Close,
    Switch(Ex),
    Reopen,
    Satisfaction(Ex),
    FraudLoss(Ex),
    Fee(Ex),
    Stockout,
    Schedule { event: usize, after: Ex, with: Option<Ex> },
    Fact { name: Sym, value: Ex, unit: Unit },
    Detail { name: Sym, value: Ex, unit: Unit },
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

/// A case-data expression (draw bounds, `let`s, values, truths, facts), evaluated at reset and
/// when facts are revealed over unit-carrying [`Value`](super::value::Value)s.
#[derive(Clone, Debug, PartialEq)]
pub enum DataExpr {
    /// A literal (quantities keep their unit).
    Const(super::value::Value),
    /// A bare name: a draw, a `let`, a named value or `sku`; a symbol when none is bound.
    Name(String),
    /// `[a, b]`
    List(Vec<DataExpr>),
    /// `not x`
    Not(Box<DataExpr>),
    /// `-x`
    Neg(Box<DataExpr>),
    /// `if c then a else b`
    If(Box<[DataExpr; 3]>),
    /// `a OP b`
    Binary(BinaryOp, Box<DataExpr>, Box<DataExpr>),
    /// `f(args)`
    Call(DataFunc, Vec<DataExpr>),
    /// Anything else (a dotted name): `null`.
    Null,
}

/// Functions of case data.
#[derive(Clone, Debug, PartialEq)]
pub enum DataFunc {
    /// `pct(money, percent)`
    Pct,
    /// `min(a, b)`
    Min,
    /// `max(a, b)`
    Max,
    /// `stock(sku)`
    Stock,
    /// A truth constructor, e.g. `refund(lo, hi)`.
    Truth(String),
}

impl DataFunc {
    /// The function's name as written.
    pub fn name(&self) -> &str {
        match self {
            DataFunc::Pct => "pct",
            DataFunc::Min => "min",
            DataFunc::Max => "max",
            DataFunc::Stock => "stock",
            DataFunc::Truth(kind) => kind,
        }
    }
}

/// What reset draws, as the compiler lowered it: the task-level stock draws and every case's
/// draws, values and variants, in table order.
#[derive(Clone, Debug, Default)]
pub struct ResetPlan {
    /// Units of each SKU at reset, in scenario order.
    pub stock: Vec<(String, StockDraw)>,
    /// Cases in table order.
    pub cases: Vec<CasePlan>,
}

/// Units of one SKU at reset.
#[derive(Clone, Copy, Debug)]
pub enum StockDraw {
    /// Drawn uniformly from `lo..hi` (inclusive).
    Range(i64, i64),
    /// A fixed count.
    Fixed(i64),
}

/// One case of the data, lowered.
#[derive(Clone, Debug)]
pub struct CasePlan {
    /// Case id.
    pub id: String,
    /// Replacement SKU.
    pub sku: Option<String>,
    /// Seeded draws in order.
    pub draws: Vec<(String, DrawPlan)>,
    /// Derived values in order.
    pub lets: Vec<(String, DataExpr)>,
    /// Named values of the record, e.g. `order_value`.
    pub values: Vec<(&'static str, DataExpr)>,
    /// The correct resolution.
    pub truth: DataExpr,
    /// Requirements.
    pub requires: Required,
    /// Per declared response (in declaration order): how it behaves on this case.
    pub responses: Vec<ResponseSetting>,
    /// Fact groups.
    pub facts: Vec<FactGroupPlan>,
    /// The draw that selects a variant.
    pub variant: Option<String>,
    /// Variant overrides.
    pub variants: Vec<(String, VariantPlan)>,
}

/// What a case needs before a good close.
#[derive(Clone, Debug, Default)]
pub struct Required {
    /// Required checks.
    pub checks: Vec<String>,
    /// Required responses.
    pub responses: Vec<String>,
    /// Required note code.
    pub note: Option<String>,
}

/// A seeded draw.
#[derive(Clone, Debug)]
pub enum DrawPlan {
    /// Uniform over `lo..hi` (inclusive).
    Range(DataExpr, DataExpr),
    /// Not a range (the checker reports it): `null`.
    Malformed,
    /// Weighted options, weights in percent.
    Options(Vec<(String, DataExpr)>),
}

/// How one response behaves on a case: its case settings over the declaration's defaults.
#[derive(Clone, Debug)]
pub struct ResponseSetting {
    /// The response's name.
    pub name: String,
    /// Status at reset (the case's expression), else `initial_default`.
    pub initial: Option<DataExpr>,
    /// The declaration's initial status.
    pub initial_default: Option<String>,
    /// Delivered status (the case's expression), else `outcome_default`.
    pub outcome: Option<DataExpr>,
    /// The declaration's default outcome.
    pub outcome_default: Option<String>,
    /// Delay: the case's, else the declaration's default.
    pub delay: Option<DataExpr>,
}

/// A fact group of a case.
#[derive(Clone, Debug)]
pub struct FactGroupPlan {
    /// Group name (a check, a response or an event's group).
    pub group: String,
    /// Summary template with `{fact}` placeholders.
    pub summary: Option<String>,
    /// Facts in order.
    pub facts: Vec<(String, DataExpr)>,
}

/// What one variant changes.
#[derive(Clone, Debug, Default)]
pub struct VariantPlan {
    /// Replacement truth.
    pub truth: Option<DataExpr>,
    /// Replacement fraud flag.
    pub fraudulent: Option<DataExpr>,
    /// Replacement requirements.
    pub requires: Option<Required>,
    /// Replacement fact groups.
    pub facts: Vec<FactGroupPlan>,
}
