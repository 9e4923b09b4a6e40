//! Runtime values of the expression language.

use std::fmt;

/// A value: quantities keep their unit (money in cents, percentages in basis points).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// A condition.
    Bool(bool),
    /// Cents.
    Money(i64),
    /// Minutes.
    Minutes(i64),
    /// A whole number.
    Count(i64),
    /// Basis points.
    Percent(i64),
    /// A real.
    Real(f64),
    /// Text.
    Text(String),
    /// A named symbol (a status, a draw option, a reason, ...).
    Symbol(String),
    /// A truth: its kind and arguments (boxed: drawn values are kept per case, and the rest
    /// of the variants need half the room).
    Truth(Box<(String, Vec<Value>)>),
    /// A list.
    List(Vec<Value>),
}

impl Value {
    /// The whole-number payload of a quantity.
    pub fn whole(&self) -> Option<i64> {
        match self {
            Value::Money(v) | Value::Minutes(v) | Value::Count(v) | Value::Percent(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as a condition (`null` is false).
    pub fn truthy(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// The name of a symbol or the text of a text value.
    pub fn name(&self) -> Option<&str> {
        match self {
            Value::Symbol(s) | Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// Wire-style rendering: money as `123.45`, percentages as integer percent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Money(c) => {
                let sign = if *c < 0 { "-" } else { "" };
                write!(f, "{sign}{}.{:02}", c.unsigned_abs() / 100, c.unsigned_abs() % 100)
            }
            Value::Minutes(v) | Value::Count(v) => write!(f, "{v}"),
            Value::Percent(bp) if bp % 100 == 0 => write!(f, "{}", bp / 100),
            Value::Percent(bp) => write!(f, "{}", *bp as f64 / 100.0),
            Value::Real(r) => write!(f, "{r}"),
            Value::Text(s) | Value::Symbol(s) => f.write_str(s),
            Value::Truth(truth) => {
                let (kind, args) = &**truth;
                write!(f, "{kind}(")?;
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{arg}")?;
                }
                f.write_str(")")
            }
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", items.join(", "))
            }
        }
    }
}

/// `pct(x, bp) = (x·bp + 5000) div 10000`, half up, for non-negative cents (spec §1).
pub fn pct(cents: i64, bp: i64) -> i64 {
    let product = i128::from(cents) * i128::from(bp) + 5_000;
    i64::try_from(product.div_euclid(10_000)).unwrap_or(i64::MAX)
}

impl Value {
    /// The value as the scenario language writes it: `$313.51`, `40m`, `30%`, `"text"`.
    pub fn source_form(&self) -> String {
        match self {
            Value::Money(c) => {
                let sign = if *c < 0 { "-" } else { "" };
                format!("{sign}${}.{:02}", c.unsigned_abs() / 100, c.unsigned_abs() % 100)
            }
            Value::Minutes(m) => format!("{m}m"),
            Value::Percent(bp) if bp % 100 == 0 => format!("{}%", bp / 100),
            Value::Percent(bp) => format!("{bp}bp"),
            Value::Real(r) => format!("{r:?}"),
            Value::Text(t) => format!("{t:?}"),
            Value::Truth(truth) => {
                let (kind, args) = &**truth;
                let args: Vec<String> = args.iter().map(Value::source_form).collect();
                format!("{kind}({})", args.join(", "))
            }
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(Value::source_form).collect();
                format!("[{}]", items.join(", "))
            }
            other => other.to_string(),
        }
    }
}

/// Values serialize in their source form, which keeps units visible in dumps and snapshots.
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source_form())
    }
}
