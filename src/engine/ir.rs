//! The executable form of a compiled scenario: every name resolved to an index or a builtin,
//! so stepping never looks a name up.

use crate::lang::BinaryOp;

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

/// Request fields an action may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    /// `case_id`
    CaseId,
    /// `refund_amount_usd`, in cents
    RefundAmount,
    /// `expedite`
    Expedite,
    /// `escalation_reason`
    EscalationReason,
    /// `note_code`
    NoteCode,
}

/// Values the engine computes from the episode, the case at hand, the action or a hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is the builtin name of the same spelling
pub enum Builtin {
    Clock,
    ClockAfter,
    TimeLimit,
    Steps,
    InvalidActions,
    MaxSteps,
    InvalidLimit,
    Spending,
    Budget,
    AllClosed,
    ResponsePending,
    ActiveCase,
    Status,
    Paid,
    Fees,
    Tolerance,
    Resolution,
    Truth,
    ResolvedExpedite,
    SlotFree,
    AwaitingResponse,
    NoteRevealed,
    Dissatisfied,
    ResolvedReason,
    Reopens,
    MissingChecks,
    RequiredNote,
    CloseReason,
    Action,
    Resolving,
    Payout,
    Payload,
    First,
    Check,
    Scheduled,
    Response,
    Gate,
    Quality,
    QualityBefore,
    Grade,
    Outcome,
    Policy,
    Sla,
    Money,
    Closure,
}

/// `case.FIELD`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is the case field of the same spelling
pub enum CaseField {
    Id,
    Title,
    Type,
    Tier,
    Priority,
    OrderStatus,
    FraudSignal,
    Sku,
    OrderValue,
    Requested,
    DaysSinceOrder,
    SlaDeadline,
    SatisfactionBonus,
    ReopenDelay,
    ChargebackDelay,
    ChargebackFee,
    Fraudulent,
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

/// Resolved primitive operations (see `check::program::Op`).
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
