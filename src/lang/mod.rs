//! The language's vocabulary, below every stage that reads it: what the syntax, the checker,
//! the compiler and the engine all mean by the same word. Nothing here imports another module
//! of the crate.

#[macro_use]
mod keywords;
pub mod ty;
mod vocabulary;

pub use vocabulary::{Builtin, CaseField, EffectKeyword, Function, WireField};

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

keywords! {
    /// What an `on` hook reacts to.
    pub enum Trigger {
        /// An `inspect` effect ran.
        Inspect "inspect",
        /// A `request` effect ran.
        Request "request",
        /// A `resolve` effect ran.
        Resolve "resolve",
        /// A rule-invalid action.
        Invalid "invalid",
        /// A case newly breached its SLA.
        Breach "breach",
        /// A close judged good.
        GoodClose "good_close",
        /// A close judged bad.
        BadClose "bad_close",
        /// A `pay` effect ran.
        Payout "payout",
        /// A named `reject` rule refused an action.
        Reject "reject",
        /// Settlement, once per case, when the episode ends.
        Settle "settle",
        /// The step that ends the episode.
        End "end",
    }
}

/// The note-code format of the wire protocol.
pub fn valid_note_code(code: &str) -> bool {
    let mut chars = code.chars();
    code.len() <= 48
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The language reference documents every word of every table: each name appears there
    /// in backticks (as written, or opening a call or a statement).
    #[test]
    fn the_language_reference_documents_every_name() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenario-language.md");
        let reference = std::fs::read_to_string(path).expect("the language reference");
        let tables: [(&str, &[&str]); 6] = [
            ("builtin", Builtin::NAMES),
            ("case field", CaseField::NAMES),
            ("action field", WireField::NAMES),
            ("function", Function::NAMES),
            ("effect", EffectKeyword::NAMES),
            ("trigger", Trigger::NAMES),
        ];
        let mut missing = Vec::new();
        for (table, names) in tables {
            for name in names {
                let written = [format!("`{name}`"), format!("`{name}("), format!("`{name} ")];
                if !written.iter().any(|w| reference.contains(w.as_str())) {
                    missing.push(format!("{table} `{name}`"));
                }
            }
        }
        assert!(missing.is_empty(), "not in docs/scenario-language.md: {missing:?}");
    }
}
