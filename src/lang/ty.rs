//! Types of expressions: units on quantities, symbols of named domains.

use std::fmt;

/// The type of an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Cents, written `$45.00`.
    Money,
    /// Minutes, written `20m`.
    Minutes,
    /// Whole numbers, written `12`.
    Count,
    /// Basis points, written `35%`.
    Percent,
    /// Reals, written `0.05` (rewards, grades, weights).
    Real,
    /// `true` / `false`.
    Bool,
    /// Text.
    Text,
    /// A case id.
    Case,
    /// A value of a named domain (statuses, action names, draw options, ...).
    Symbol(Domain),
    /// `lo..hi`
    Range(Box<Ty>),
    /// `[a, b]`
    List(Box<Ty>),
    /// A truth value built by a truth constructor, e.g. `refund(lo, hi)`.
    Truth,
    /// `null`: compares equal to anything.
    Null,
    /// Unknown because of an error already reported; never reported again.
    Unknown,
}

/// Named domains of symbols.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Action names.
    Action,
    /// Case statuses.
    CaseStatus,
    /// Resolution / truth kinds.
    Resolution,
    /// Escalation reasons.
    Reason,
    /// Check names.
    Check,
    /// Response names.
    Response,
    /// Statuses of one response.
    ResponseStatus(String),
    /// Options of one draw.
    DrawOption(String),
    /// Reopen reasons (verdict items).
    CloseReason,
}

impl Ty {
    /// Whether arithmetic and ordering apply.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Money | Ty::Minutes | Ty::Count | Ty::Percent | Ty::Real)
    }

    /// Whether a value of type `self` is acceptable where `expected` is wanted.
    pub fn fits(&self, expected: &Ty) -> bool {
        match (self, expected) {
            (Ty::Unknown, _) | (_, Ty::Unknown) => true,
            (Ty::Count, Ty::Real) => true,
            (Ty::Null, _) => false,
            (Ty::Range(a), Ty::Range(b)) | (Ty::List(a), Ty::List(b)) => a.fits(b),
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Money => f.write_str("money"),
            Ty::Minutes => f.write_str("minutes"),
            Ty::Count => f.write_str("a count"),
            Ty::Percent => f.write_str("a percentage"),
            Ty::Real => f.write_str("a number"),
            Ty::Bool => f.write_str("a condition"),
            Ty::Text => f.write_str("text"),
            Ty::Case => f.write_str("a case id"),
            Ty::Symbol(domain) => write!(f, "{domain}"),
            Ty::Range(inner) => write!(f, "a range of {inner}"),
            Ty::List(inner) => write!(f, "a list of {inner}"),
            Ty::Truth => f.write_str("a truth"),
            Ty::Null => f.write_str("null"),
            Ty::Unknown => f.write_str("an unknown type"),
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Domain::Action => f.write_str("an action name"),
            Domain::CaseStatus => f.write_str("a case status"),
            Domain::Resolution => f.write_str("a resolution kind"),
            Domain::Reason => f.write_str("an escalation reason"),
            Domain::Check => f.write_str("a check name"),
            Domain::Response => f.write_str("a response name"),
            Domain::ResponseStatus(response) => write!(f, "a status of `{response}`"),
            Domain::DrawOption(draw) => write!(f, "an option of `{draw}`"),
            Domain::CloseReason => f.write_str("a close verdict reason"),
        }
    }
}
