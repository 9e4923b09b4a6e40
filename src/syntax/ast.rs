//! The owned, span-carrying syntax tree of a `.shop` file.
//!
//! The tree is generic: every statement is `head arg* clause* block? else?`. Which statements
//! exist where is decided by the checker (`check::decl`), not by the grammar.

pub use crate::lang::BinaryOp;
use crate::source::Span;

/// A name with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name as written.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// `head arg* clause* block? else?`
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// The leading word, e.g. `reward`, `action`, `cost`.
    pub head: Ident,
    /// Positional arguments.
    pub args: Vec<Expr>,
    /// Keyword clauses (`when`, `after`, `with`, `message`, `=`), in order.
    pub clauses: Vec<Clause>,
    /// A `{ ... }` body.
    pub block: Option<Block>,
    /// An `else` branch (only meaningful for `if`).
    pub else_branch: Option<Box<Else>>,
    /// The whole statement.
    pub span: Span,
}

impl Stmt {
    /// The value of the first clause with this keyword.
    pub fn clause(&self, keyword: ClauseKeyword) -> Option<&Expr> {
        self.clauses.iter().find(|c| c.keyword == keyword).map(|c| &c.value)
    }
}

/// A `{ ... }` body.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The statements inside.
    pub stmts: Vec<Stmt>,
    /// From `{` to `}`.
    pub span: Span,
}

/// The branch after `else`.
#[derive(Clone, Debug, PartialEq)]
pub enum Else {
    /// `else { ... }`
    Block(Block),
    /// `else if ... { ... }`
    If(Stmt),
}

/// A keyword clause of a statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// Which keyword.
    pub keyword: ClauseKeyword,
    /// Where the keyword is.
    pub keyword_span: Span,
    /// The expression after it.
    pub value: Expr,
}

/// Clause keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClauseKeyword {
    /// `when <condition>`
    When,
    /// `after <delay>`
    After,
    /// `with <value>`
    With,
    /// `message "<text>"`
    Message,
    /// `= <value>`
    Assign,
}

impl ClauseKeyword {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            ClauseKeyword::When => "when",
            ClauseKeyword::After => "after",
            ClauseKeyword::With => "with",
            ClauseKeyword::Message => "message",
            ClauseKeyword::Assign => "=",
        }
    }
}

/// An expression with its location.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `$45.00`, in cents.
    Money(i64),
    /// `20m` or `2h`, in minutes.
    Minutes(i64),
    /// `35%` or `1200bp`, in basis points.
    Percent(i64),
    /// `12`
    Int(i64),
    /// `0.05`
    Real(f64),
    /// `"text"` (escapes resolved)
    Text(String),
    /// `true` / `false`
    Bool(bool),
    /// `null`
    Null,
    /// `name` or `case.order_value`
    Path(Vec<Ident>),
    /// `pct(value, 30%)`
    Call(Ident, Vec<Expr>),
    /// `[a, b]`
    List(Vec<Expr>),
    /// `-x`, `not x`
    Unary(UnaryOp, Box<Expr>),
    /// `a + b`, `a and b`, `lo..hi`
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Placeholder for an expression that failed to lower (already reported).
    Error,
}

impl ExprKind {
    /// The single name of a one-segment path.
    pub fn as_name(&self) -> Option<&Ident> {
        match self {
            ExprKind::Path(segments) if segments.len() == 1 => segments.first(),
            _ => None,
        }
    }
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `not`
    Not,
}

impl serde::Serialize for Ident {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name)
    }
}

/// Expressions serialize as their canonical source text (`pct(value, 30%)`).
impl serde::Serialize for Expr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write(f, 0)
    }
}

impl Expr {
    /// Writes the expression, parenthesised where its binding is weaker than `outer`.
    fn write(&self, f: &mut std::fmt::Formatter<'_>, outer: u8) -> std::fmt::Result {
        let list = |f: &mut std::fmt::Formatter<'_>, items: &[Expr]| {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                item.write(f, 0)?;
            }
            Ok(())
        };
        match &self.kind {
            ExprKind::Money(cents) => {
                let sign = if *cents < 0 { "-" } else { "" };
                write!(f, "{sign}${}.{:02}", cents.unsigned_abs() / 100, cents.unsigned_abs() % 100)
            }
            ExprKind::Minutes(m) => write!(f, "{m}m"),
            ExprKind::Percent(bp) if bp % 100 == 0 => write!(f, "{}%", bp / 100),
            ExprKind::Percent(bp) => write!(f, "{bp}bp"),
            ExprKind::Int(i) => write!(f, "{i}"),
            ExprKind::Real(r) => write!(f, "{r:?}"),
            ExprKind::Text(t) => write!(f, "{t:?}"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Null => f.write_str("null"),
            ExprKind::Path(segments) => {
                let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
                f.write_str(&names.join("."))
            }
            ExprKind::Call(name, args) => {
                write!(f, "{}(", name.name)?;
                list(f, args)?;
                f.write_str(")")
            }
            ExprKind::List(items) => {
                f.write_str("[")?;
                list(f, items)?;
                f.write_str("]")
            }
            ExprKind::Unary(UnaryOp::Neg, operand) => {
                f.write_str("-")?;
                operand.write(f, 7)
            }
            ExprKind::Unary(UnaryOp::Not, operand) => {
                // `not` binds looser than comparisons: `not a == b` is `not (a == b)`.
                let parenthesize = outer > BinaryOp::And.precedence();
                if parenthesize {
                    f.write_str("(")?;
                }
                f.write_str("not ")?;
                operand.write(f, BinaryOp::Eq.precedence())?;
                if parenthesize {
                    f.write_str(")")?;
                }
                Ok(())
            }
            ExprKind::Binary(op, left, right) => {
                let precedence = op.precedence();
                if precedence < outer {
                    f.write_str("(")?;
                }
                left.write(f, precedence)?;
                let spaced = *op != BinaryOp::Range;
                let sep = if spaced { " " } else { "" };
                write!(f, "{sep}{}{sep}", op.as_str())?;
                right.write(f, precedence + 1)?;
                if precedence < outer {
                    f.write_str(")")?;
                }
                Ok(())
            }
            ExprKind::If(c, a, b) => {
                if outer > 0 {
                    f.write_str("(")?;
                }
                f.write_str("if ")?;
                c.write(f, 0)?;
                f.write_str(" then ")?;
                a.write(f, 0)?;
                f.write_str(" else ")?;
                b.write(f, 0)?;
                if outer > 0 {
                    f.write_str(")")?;
                }
                Ok(())
            }
            ExprKind::Error => f.write_str("<error>"),
        }
    }
}
