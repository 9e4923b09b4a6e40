//! The owned, span-carrying syntax tree of a `.shop` file.
//!
//! The tree is generic: every statement is `head arg* clause* block? else?`. Which statements
//! exist where is decided by the checker (`check::decl`), not by the grammar.

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
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
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
