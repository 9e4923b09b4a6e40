//! Everything an episode draws at reset, in the fixed order of the game spec (§9.2, §10):
//! task-level draws (stock) first, then each case's draws in table order, then the queue
//! shuffle. `step` draws nothing.

use indexmap::IndexMap;
use serde::Serialize;

use super::case_plan::{CasePlan, DataExpr, DrawPlan, StockDraw};
use super::eval::{Env, eval};
use super::ir::Scalar;
use super::machine::Machine;
use super::rng::Draws;
use super::state::{CaseDraw, Inline};
use super::value::Value;

/// The drawn world of one episode.
pub struct World {
    /// Units per SKU at reset, in scenario order.
    pub stock: Inline<i64, 8>,
    /// Cases in table order, with their draws made.
    pub cases: Vec<CaseDraw>,
    /// Queue order: indices into `cases`, the first case first.
    pub queue: Vec<usize>,
}

/// Makes every draw of an episode of the machine's scenario with `seed`.
pub fn draw_world(m: &Machine, seed: u64) -> World {
    let plan = &m.reset;
    let mut draws = Draws::new(seed);
    let stock: Inline<i64, 8> = plan
        .stock
        .iter()
        .map(|units| match *units {
            StockDraw::Range(lo, hi) => draws.int(lo, hi),
            StockDraw::Fixed(n) => n,
        })
        .collect();
    let units = |sku: &str| m.scenario.stock.get_index_of(sku).map_or(0, |i| stock[i]);
    let cases: Vec<CaseDraw> = plan
        .cases
        .iter()
        .enumerate()
        .map(|(index, case)| draw_case(m, index, case, &units, &mut draws))
        .collect();
    let mut rest: Vec<usize> = (1..cases.len()).collect();
    draws.shuffle(&mut rest);
    let queue = (0..cases.len().min(1)).chain(rest).collect();
    World { stock, cases, queue }
}

fn draw_case(
    m: &Machine,
    index: usize,
    case: &CasePlan,
    stock: &dyn Fn(&str) -> i64,
    draws: &mut Draws,
) -> CaseDraw {
    let mut vars = vec![Value::Null; case.vars.len()];
    for (slot, draw) in &case.draws {
        let env = Env { vars: &vars, fields: &[], stock };
        let value = match draw {
            DrawPlan::Range(lo, hi) => draw_range(lo, hi, &env, draws),
            DrawPlan::Malformed => Value::Null,
            DrawPlan::Options(options) => {
                let weights: Vec<i64> =
                    options.iter().map(|(_, w)| eval(w, &env).whole().unwrap_or(0)).collect();
                let chosen = draws.variant(&weights);
                Value::Symbol(options.get(chosen).map_or(String::new(), |(o, _)| o.clone()))
            }
        };
        vars[*slot] = value;
    }
    for (slot, expr) in &case.lets {
        vars[*slot] = eval(expr, &Env { vars: &vars, fields: &[], stock });
    }
    let mut fields = Vec::with_capacity(case.values.len());
    for (_, expr) in &case.values {
        let value = eval(expr, &Env { vars: &vars, fields: &fields, stock });
        fields.push(value);
    }
    let variant = case.variant.and_then(|slot| {
        let chosen = vars[slot].name()?;
        case.variants.iter().position(|(option, _)| option == chosen)
    });
    let variant_plan = variant.map(|v| &case.variants[v].1);
    let env = Env { vars: &vars, fields: &fields, stock };
    let truth = eval(variant_plan.and_then(|v| v.truth.as_ref()).unwrap_or(&case.truth), &env);
    let fraudulent = match variant_plan.and_then(|v| v.fraudulent.as_ref()) {
        Some(expr) => eval(expr, &env).truthy(),
        None => case.record.fraudulent.is_some_and(|i| fields[i].truthy()),
    };
    let requires = variant_plan.map_or(case.requires, |v| v.requires);
    let responses = case
        .responses
        .iter()
        .zip(&m.responses)
        .map(|(setting, declared)| {
            let status = |expr: Option<&DataExpr>, default| {
                let value = expr.map(|e| eval(e, &env));
                match value.as_ref().and_then(Value::name) {
                    Some(name) => m.symbols.get(name).unwrap_or(declared.initial),
                    None => default,
                }
            };
            (
                status(setting.initial.as_ref(), setting.initial_default),
                status(setting.outcome.as_ref(), setting.outcome_default),
                setting.delay.as_ref().and_then(|e| eval(e, &env).whole()).unwrap_or(0),
            )
        })
        .collect();
    let whole = |field: Option<usize>| field.and_then(|i| fields[i].whole());
    let record = &case.record;
    CaseDraw {
        id: case.id,
        order_value: whole(record.order_value).unwrap_or(0),
        requested: whole(record.requested),
        days_since_order: whole(record.days_since_order).unwrap_or(0),
        sla_deadline: whole(record.sla_deadline).unwrap_or(0),
        satisfaction_bonus: whole(record.satisfaction_bonus).unwrap_or(0),
        reopen_delay: whole(record.reopen_delay).unwrap_or(0),
        chargeback_delay: whole(record.chargeback_delay).unwrap_or(0),
        chargeback_fee: whole(record.chargeback_fee).unwrap_or(0),
        fraudulent,
        truth: truth_of(m, truth),
        required_checks: requires.checks,
        required_responses: requires.responses,
        required_note: requires.note,
        responses,
        sku: case.sku,
        index,
        variant,
        vars,
        fields,
    }
}

/// A drawn truth as its kind's index and arguments (kind 0 and none if it is not a truth).
fn truth_of(m: &Machine, truth: Value) -> (usize, Vec<Scalar>) {
    let Value::Truth(truth) = truth else { return (0, Vec::new()) };
    let (kind, args) = *truth;
    let kind = m.scenario.program.truths.get_index_of(&kind).unwrap_or(0);
    (kind, args.iter().map(|a| to_v(m, a)).collect())
}

/// A case-data value as a runtime value.
fn to_v(m: &Machine, value: &Value) -> Scalar {
    match value {
        Value::Null => Scalar::Null,
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Money(v) | Value::Minutes(v) | Value::Count(v) | Value::Percent(v) => {
            Scalar::Int(*v)
        }
        Value::Real(r) => Scalar::Real(*r),
        Value::Text(t) | Value::Symbol(t) => m.symbols.get(t).map_or(Scalar::Null, Scalar::Sym),
        Value::Truth(..) | Value::List(_) => Scalar::Null,
    }
}

/// Evaluates a fact of a drawn case now (facts such as `=stock(sku)` read the live stock).
pub fn fact_value(draw: &CaseDraw, stock: &dyn Fn(&str) -> i64, expr: &DataExpr) -> Value {
    eval(expr, &Env { vars: &draw.vars, fields: &draw.fields, stock })
}

fn draw_range(lo: &DataExpr, hi: &DataExpr, env: &Env<'_>, draws: &mut Draws) -> Value {
    let (lo, hi) = (eval(lo, env), eval(hi, env));
    let (Some(a), Some(b)) = (lo.whole(), hi.whole()) else { return Value::Null };
    let drawn = draws.int(a, b);
    match lo {
        Value::Money(_) => Value::Money(drawn),
        Value::Minutes(_) => Value::Minutes(drawn),
        Value::Percent(_) => Value::Percent(drawn),
        _ => Value::Count(drawn),
    }
}

impl World {
    /// The world with every name written out (stock by SKU, each case's draws, values, truth
    /// and response plans), as the golden-draws snapshots show it.
    pub fn describe<'a>(&'a self, m: &'a Machine) -> impl Serialize + 'a {
        let stock: IndexMap<&str, i64> =
            m.scenario.stock.keys().map(String::as_str).zip(self.stock.iter().copied()).collect();
        let cases: Vec<DescribedCase<'_>> =
            self.cases.iter().map(|draw| DescribedCase::new(m, draw, &self.stock)).collect();
        DescribedWorld { stock, cases, queue: &self.queue }
    }
}

#[derive(Serialize)]
struct DescribedWorld<'a> {
    stock: IndexMap<&'a str, i64>,
    cases: Vec<DescribedCase<'a>>,
    queue: &'a [usize],
}

#[derive(Serialize)]
struct DescribedCase<'a> {
    id: &'a str,
    variant: Option<&'a str>,
    env: IndexMap<&'a str, &'a Value>,
    values: IndexMap<&'a str, &'a Value>,
    truth: Value,
    fraudulent: bool,
    responses: IndexMap<&'a str, DescribedResponse<'a>>,
}

#[derive(Serialize)]
struct DescribedResponse<'a> {
    initial: &'a str,
    outcome: &'a str,
    delay: i64,
}

impl<'a> DescribedCase<'a> {
    fn new(m: &'a Machine, draw: &'a CaseDraw, stock: &[i64]) -> Self {
        let plan = &m.reset.cases[draw.index];
        let variant = draw.variant.map(|v| &plan.variants[v]);
        let units = |sku: &str| m.scenario.stock.get_index_of(sku).map_or(0, |i| stock[i]);
        let env = Env { vars: &draw.vars, fields: &draw.fields, stock: &units };
        let truth = variant.and_then(|(_, v)| v.truth.as_ref()).unwrap_or(&plan.truth);
        DescribedCase {
            id: m.symbols.name(draw.id),
            variant: variant.map(|(option, _)| option.as_str()),
            env: plan.vars.iter().map(String::as_str).zip(&draw.vars).collect(),
            values: plan.values.iter().map(|(name, _)| *name).zip(&draw.fields).collect(),
            truth: eval(truth, &env),
            fraudulent: draw.fraudulent,
            responses: m
                .responses
                .iter()
                .zip(&draw.responses)
                .map(|(declared, &(initial, outcome, delay))| {
                    let response = DescribedResponse {
                        initial: m.symbols.name(initial),
                        outcome: m.symbols.name(outcome),
                        delay,
                    };
                    (m.symbols.name(declared.name), response)
                })
                .collect(),
        }
    }
}
