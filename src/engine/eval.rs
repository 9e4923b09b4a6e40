//! Evaluation of case-data expressions ([`DataExpr`]) at reset (draw bounds, `let`s, values,
//! truths) and when facts are revealed.
//!
//! The checker has typed every expression, so evaluation cannot meet a type error. Arithmetic
//! that would overflow, and division by zero, yield `null` rather than a wrong number: the rule
//! of every evaluation, at reset as during a step (`eval_ir`).

use std::borrow::Cow;

use smallvec::SmallVec;

use super::case_plan::{DataExpr, DataFunc};
use super::value::{Value, pct};
use crate::lang::BinaryOp;

/// What an expression reads: the case's draws and `let`s by slot, its named values by index,
/// and the stock.
pub struct Env<'a> {
    /// Draws and `let`s.
    pub vars: &'a [Value],
    /// Named values computed so far.
    pub fields: &'a [Value],
    /// Units of a SKU by name.
    pub stock: &'a dyn Fn(&str) -> i64,
}

/// Evaluates an expression.
pub fn eval(expr: &DataExpr, env: &Env<'_>) -> Value {
    eval_ref(expr, env).into_owned()
}

/// Evaluates an expression, borrowing the value a literal, draw or named value holds instead of
/// copying it (a fact such as `=stock(sku)` reads its SKU's name in place).
pub fn eval_ref<'e>(expr: &'e DataExpr, env: &Env<'e>) -> Cow<'e, Value> {
    let read = |values: &'e [Value], index: usize| {
        values.get(index).map_or(Cow::Owned(Value::Null), Cow::Borrowed)
    };
    let owned = match expr {
        DataExpr::Const(value) => return Cow::Borrowed(value),
        DataExpr::Var(slot) => return read(env.vars, *slot),
        DataExpr::Field(index) => return read(env.fields, *index),
        DataExpr::If(parts) => {
            let [condition, then, otherwise] = &**parts;
            let branch = if eval_ref(condition, env).truthy() { then } else { otherwise };
            return eval_ref(branch, env);
        }
        DataExpr::Null => Value::Null,
        DataExpr::List(items) => Value::List(items.iter().map(|i| eval(i, env)).collect()),
        DataExpr::Not(operand) => Value::Bool(!eval_ref(operand, env).truthy()),
        DataExpr::Neg(operand) => match &*eval_ref(operand, env) {
            Value::Real(r) => Value::Real(-r),
            other => map_whole(other, |v| v.checked_neg()),
        },
        DataExpr::Binary(op, left, right) => binary(*op, eval(left, env), eval(right, env)),
        DataExpr::Call(func, args) => {
            let values: SmallVec<[Cow<'e, Value>; 2]> =
                args.iter().map(|a| eval_ref(a, env)).collect();
            call(func, values, env)
        }
    };
    Cow::Owned(owned)
}

fn call(func: &DataFunc, args: SmallVec<[Cow<'_, Value>; 2]>, env: &Env<'_>) -> Value {
    match (func, args.as_slice()) {
        (DataFunc::Pct, [a, b]) => match (&**a, &**b) {
            (Value::Money(x), Value::Percent(bp)) => Value::Money(pct(*x, *bp)),
            _ => truth(func, args),
        },
        (DataFunc::Min | DataFunc::Max, [a, b]) => {
            let less = compare(a, b).is_some_and(|o| o.is_lt());
            if (*func == DataFunc::Min) == less { a.as_ref().clone() } else { b.as_ref().clone() }
        }
        (DataFunc::Stock, [sku]) => Value::Count(sku.name().map_or(0, env.stock)),
        _ => truth(func, args),
    }
}

/// Anything else the checker let through is a truth constructor.
fn truth(func: &DataFunc, args: SmallVec<[Cow<'_, Value>; 2]>) -> Value {
    let args = args.into_iter().map(Cow::into_owned).collect();
    Value::Truth(Box::new((func.name().to_string(), args)))
}

fn map_whole(value: &Value, f: impl Fn(i64) -> Option<i64>) -> Value {
    let rebuild = |v: i64| match value {
        Value::Money(_) => Value::Money(v),
        Value::Minutes(_) => Value::Minutes(v),
        Value::Percent(_) => Value::Percent(v),
        _ => Value::Count(v),
    };
    value.whole().and_then(f).map_or(Value::Null, rebuild)
}

/// Orders two quantities of the same unit (counts and reals compare as reals).
pub fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => x.partial_cmp(y),
        (Value::Real(x), Value::Count(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Count(x), Value::Real(y)) => (*x as f64).partial_cmp(y),
        _ => Some(a.whole()?.cmp(&b.whole()?)),
    }
}

fn real(value: &Value) -> Option<f64> {
    match value {
        Value::Real(r) => Some(*r),
        Value::Count(c) => Some(*c as f64),
        _ => None,
    }
}

fn binary(op: BinaryOp, a: Value, b: Value) -> Value {
    use BinaryOp::*;
    match op {
        And => Value::Bool(a.truthy() && b.truthy()),
        Or => Value::Bool(a.truthy() || b.truthy()),
        Eq => Value::Bool(equal(&a, &b)),
        Ne => Value::Bool(!equal(&a, &b)),
        Lt | Le | Gt | Ge => Value::Bool(compare(&a, &b).is_some_and(|o| match op {
            Lt => o.is_lt(),
            Le => o.is_le(),
            Gt => o.is_gt(),
            _ => o.is_ge(),
        })),
        Range => Value::List(vec![a, b]),
        Add | Sub | Mul | Div => arithmetic(op, &a, &b),
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Symbol(x) | Value::Text(x), Value::Symbol(y) | Value::Text(y)) => x == y,
        _ => a == b || compare(a, b).is_some_and(|o| o.is_eq()),
    }
}

fn arithmetic(op: BinaryOp, a: &Value, b: &Value) -> Value {
    if matches!(a, Value::Real(_)) || matches!(b, Value::Real(_)) {
        let (Some(x), Some(y)) = (real(a), real(b)) else { return Value::Null };
        return match op {
            BinaryOp::Add => Value::Real(x + y),
            BinaryOp::Sub => Value::Real(x - y),
            BinaryOp::Mul => Value::Real(x * y),
            _ if y != 0.0 => Value::Real(x / y),
            _ => Value::Null,
        };
    }
    let (Some(x), Some(y)) = (a.whole(), b.whole()) else { return Value::Null };
    // The unit of the result: the non-count operand's (money * count is money).
    let unit = if matches!(a, Value::Count(_)) { b } else { a };
    match op {
        BinaryOp::Add => map_whole(unit, |_| x.checked_add(y)),
        BinaryOp::Sub => map_whole(unit, |_| x.checked_sub(y)),
        BinaryOp::Mul => map_whole(unit, |_| x.checked_mul(y)),
        _ if y != 0 => Value::Real(x as f64 / y as f64),
        _ => Value::Null,
    }
}
