//! The case data as the compiler lowers it (`lower_cases.rs`) and reset plays it: every draw,
//! `let` and named value in a slot, every name an expression reads resolved to its slot, a
//! constant or a symbol, each variant's requirements and fact groups merged ahead of time. A
//! reset evaluates expressions over slices; it looks no name up.

use super::ir::{Scalar, Sym};
use super::template::Template;
use super::value::Value;
use crate::lang::BinaryOp;
use crate::wire::{CasePriority, CaseType, CustomerTier, FraudSignal, OrderStatus};

/// A case-data expression (draw bounds, `let`s, values, truths, facts), evaluated at reset and
/// when facts are revealed over unit-carrying [`Value`]s.
#[derive(Clone, Debug, PartialEq)]
pub enum DataExpr {
    /// A literal (quantities keep their unit); also a bare name bound to nothing where it is
    /// read (a symbol) and `sku` (the case's SKU, fixed per case).
    Const(Value),
    /// A draw or `let` of the case, by slot.
    Var(usize),
    /// A named value of the record (`order_value`, ...), by its index in [`CasePlan::values`].
    Field(usize),
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
    pub stock: Vec<StockDraw>,
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
    /// Interned case id.
    pub id: Sym,
    /// Its title, attributes and SKU as runtime values.
    pub names: CaseNames,
    /// Its attributes as the observation shows them.
    pub shown: Shown,
    /// Index of its replacement SKU in the stock.
    pub sku: Option<usize>,
    /// Names of its draws and `let`s by slot (a `let` that shadows a name reuses its slot).
    pub vars: Vec<String>,
    /// Seeded draws in order, each with its slot.
    pub draws: Vec<(usize, DrawPlan)>,
    /// Derived values in order, each with its slot.
    pub lets: Vec<(usize, DataExpr)>,
    /// Named values of the record, evaluated in order.
    pub values: Vec<(&'static str, DataExpr)>,
    /// Where each named value the engine reads sits in `values`.
    pub record: Record,
    /// The correct resolution.
    pub truth: DataExpr,
    /// Requirements.
    pub requires: Required,
    /// Per declared response (in declaration order): how it behaves on this case.
    pub responses: Vec<ResponseSetting>,
    /// Fact groups.
    pub facts: Vec<FactGroupPlan>,
    /// The slot of the draw that selects a variant.
    pub variant: Option<usize>,
    /// Variants by option name.
    pub variants: Vec<(String, VariantPlan)>,
}

impl CasePlan {
    /// The fact groups of a case drawn with `variant` (an index into `variants`).
    pub fn facts(&self, variant: Option<usize>) -> &[FactGroupPlan] {
        match variant.and_then(|v| self.variants.get(v)) {
            Some((_, variant)) => &variant.facts,
            None => &self.facts,
        }
    }
}

/// A case's fixed texts as symbols (`null` when not given).
#[derive(Clone, Copy, Debug)]
#[allow(missing_docs)]
pub struct CaseNames {
    pub title: Scalar,
    pub kind: Scalar,
    pub tier: Scalar,
    pub priority: Scalar,
    pub order_status: Scalar,
    pub fraud_signal: Scalar,
    pub sku: Scalar,
}

/// A case's attributes as the observation shows them, each parsed once (a value that is not
/// one of the wire's names shows as the wire's first: the checker reports it).
#[derive(Clone, Copy, Debug)]
#[allow(missing_docs)]
pub struct Shown {
    pub case_type: CaseType,
    pub priority: CasePriority,
    pub tier: CustomerTier,
    pub order_status: OrderStatus,
    pub fraud_signal: FraudSignal,
}

/// Indices into [`CasePlan::values`] of the record's named values (`None`: not given).
#[derive(Clone, Copy, Debug, Default)]
#[allow(missing_docs)]
pub struct Record {
    pub order_value: Option<usize>,
    pub requested: Option<usize>,
    pub days_since_order: Option<usize>,
    pub sla_deadline: Option<usize>,
    pub satisfaction_bonus: Option<usize>,
    pub reopen_delay: Option<usize>,
    pub chargeback_delay: Option<usize>,
    pub chargeback_fee: Option<usize>,
    pub fraudulent: Option<usize>,
}

/// What a case needs before a good close.
#[derive(Clone, Copy, Debug, Default)]
pub struct Required {
    /// Required checks (bit per check index).
    pub checks: u32,
    /// Required responses (bit per response index).
    pub responses: u32,
    /// Required note code.
    pub note: Option<Sym>,
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
    /// Status at reset: the case's expression, when it names a status.
    pub initial: Option<DataExpr>,
    /// Status at reset otherwise (the declaration's initial status).
    pub initial_default: Sym,
    /// Delivered status: the case's expression, when it names a status.
    pub outcome: Option<DataExpr>,
    /// Delivered status otherwise (the declaration's default outcome).
    pub outcome_default: Sym,
    /// Delay: the case's, else the declaration's default.
    pub delay: Option<DataExpr>,
}

/// A fact group of a case.
#[derive(Clone, Debug)]
pub struct FactGroupPlan {
    /// Group name (a check, a response or an event's group).
    pub group: String,
    /// Summary template with `{fact}` placeholders.
    pub summary: Option<Template>,
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
    /// Requirements with the variant's replacement.
    pub requires: Required,
    /// The case's fact groups with the variant's replacements and additions.
    pub facts: Vec<FactGroupPlan>,
}
