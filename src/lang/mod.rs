//! The language's vocabulary, below every stage that reads it: what the syntax, the checker,
//! the compiler and the engine all mean by the same word. Nothing here imports another module
//! of the crate.

pub mod ty;
mod vocabulary;

pub use vocabulary::{Builtin, CaseField, WireField};

/// Where an expression is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// A `scenario` or `desk` setting.
    Setting,
    /// A `reject` condition or message.
    Reject,
    /// An action body.
    Action,
    /// An `on TRIGGER` body.
    Hook(Trigger),
    /// An event body.
    Event,
    /// A blocker's conditions.
    Blocker,
    /// A verdict item.
    Verdict,
    /// A truth declaration.
    Truth,
    /// A grade component or setting.
    Grade,
    /// A termination rule.
    End,
    /// YAML case data.
    CaseData,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `..`
    Range,
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinaryOp {
    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Range => 1,
            BinaryOp::Or => 2,
            BinaryOp::And => 3,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div => 6,
        }
    }

    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Range => "..",
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

/// What an `on` hook reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// An `inspect` effect ran.
    Inspect,
    /// A `request` effect ran.
    Request,
    /// A `resolve` effect ran.
    Resolve,
    /// A rule-invalid action.
    Invalid,
    /// A case newly breached its SLA.
    Breach,
    /// A close judged good.
    GoodClose,
    /// A close judged bad.
    BadClose,
    /// A `pay` effect ran.
    Payout,
    /// A named `reject` rule refused an action.
    Reject,
    /// Settlement, once per case, when the episode ends.
    Settle,
    /// The step that ends the episode.
    End,
}

impl Trigger {
    /// Every trigger name, in documentation order.
    pub const NAMES: &[&str] = &[
        "inspect",
        "request",
        "resolve",
        "invalid",
        "breach",
        "good_close",
        "bad_close",
        "payout",
        "reject",
        "settle",
        "end",
    ];

    /// Parses a trigger name.
    pub fn parse(name: &str) -> Option<Trigger> {
        Some(match name {
            "inspect" => Trigger::Inspect,
            "request" => Trigger::Request,
            "resolve" => Trigger::Resolve,
            "invalid" => Trigger::Invalid,
            "breach" => Trigger::Breach,
            "good_close" => Trigger::GoodClose,
            "bad_close" => Trigger::BadClose,
            "payout" => Trigger::Payout,
            "reject" => Trigger::Reject,
            "settle" => Trigger::Settle,
            "end" => Trigger::End,
            _ => return None,
        })
    }
}

/// The note-code format of the wire protocol.
pub fn valid_note_code(code: &str) -> bool {
    let mut chars = code.chars();
    code.len() <= 48
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
