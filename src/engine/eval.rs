//! Evaluation of case-data expressions ([`DataExpr`]) at reset (draw bounds, `let`s, values,
//! truths) and when facts are revealed.
//!
//! The checker has typed every expression, so evaluation cannot meet a type error. Arithmetic
//! that would overflow, and division by zero, yield `null` rather than a wrong number: the rule
//! of every evaluation, at reset as during a step (`eval_ir`).

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
    let read = |values: &[Value], index: usize| values.get(index).cloned().unwrap_or(Value::Null);
    match expr {
        DataExpr::Const(value) => value.clone(),
        DataExpr::Null => Value::Null,
        DataExpr::Var(slot) => read(env.vars, *slot),
        DataExpr::Field(index) => read(env.fields, *index),
        DataExpr::List(items) => Value::List(items.iter().map(|i| eval(i, env)).collect()),
        DataExpr::Not(operand) => Value::Bool(!eval(operand, env).truthy()),
        DataExpr::Neg(operand) => match eval(operand, env) {
            Value::Real(r) => Value::Real(-r),
            other => map_whole(&other, |v| v.checked_neg()),
        },
        DataExpr::If(parts) => {
            let [condition, then, otherwise] = &**parts;
            if eval(condition, env).truthy() { eval(then, env) } else { eval(otherwise, env) }
        }
        DataExpr::Binary(op, left, right) => binary(*op, eval(left, env), eval(right, env)),
        DataExpr::Call(func, args) => {
            let values: Vec<Value> = args.iter().map(|a| eval(a, env)).collect();
            call(func, values, env)
        }
    }
}

fn call(func: &DataFunc, args: Vec<Value>, env: &Env<'_>) -> Value {
    match (func, args.as_slice()) {
        (DataFunc::Pct, [Value::Money(x), Value::Percent(bp)]) => Value::Money(pct(*x, *bp)),
        (DataFunc::Min | DataFunc::Max, [a, b]) => {
            let less = compare(a, b).is_some_and(|o| o.is_lt());
            if (*func == DataFunc::Min) == less { a.clone() } else { b.clone() }
        }
        (DataFunc::Stock, [sku]) => Value::Count(sku.name().map_or(0, env.stock)),
        // Anything else the checker let through is a truth constructor.
        (func, _) => Value::Truth(Box::new((func.name().to_string(), args))),
    }
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
