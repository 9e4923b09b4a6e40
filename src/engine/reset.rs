//! Everything an episode draws at reset, in the fixed order of the game spec (§9.2, §10):
//! task-level draws (stock) first, then each case's draws in table order, then the queue
//! shuffle. `step` draws nothing.

use indexmap::IndexMap;
use serde::Serialize;

use super::eval::{Env, eval};
use super::ir::{CasePlan, DataExpr, DrawPlan, FactGroupPlan, Required, StockDraw};
use super::machine::Machine;
use super::rng::Draws;
use super::value::Value;

/// The drawn world of one episode.
#[derive(Clone, Debug, Serialize)]
pub struct World {
    /// Units per SKU at reset, in scenario order.
    pub stock: IndexMap<String, i64>,
    /// Cases in table order, with their draws made.
    pub cases: Vec<CaseInstance>,
    /// Queue order: indices into `cases`, the first case first.
    pub queue: Vec<usize>,
}

/// One case with its draws made and its variant applied.
#[derive(Clone, Debug, Serialize)]
pub struct CaseInstance {
    /// Case id.
    pub id: String,
    /// The chosen variant, if the case has variants.
    pub variant: Option<String>,
    /// Draws and `let`s, in order (a `let` may shadow a draw).
    pub env: IndexMap<String, Value>,
    /// Named values (`order_value`, `sla_deadline`, ...), evaluated.
    pub values: IndexMap<&'static str, Value>,
    /// The correct resolution.
    pub truth: Value,
    /// Whether payouts are fraud losses.
    pub fraudulent: bool,
    /// Required checks, responses and note.
    #[serde(skip)]
    pub requires: Required,
    /// Per response: initial status, delivered outcome, delay in minutes.
    pub responses: IndexMap<String, ResponsePlan>,
    /// Fact groups after the variant's overrides (evaluated when revealed).
    #[serde(skip)]
    pub facts: Vec<FactGroupPlan>,
}

/// How one response behaves in this episode.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResponsePlan {
    /// Status at reset.
    pub initial: String,
    /// Status the answer delivers.
    pub outcome: String,
    /// Minutes from the request to the answer.
    pub delay: i64,
}

struct CaseEnv<'a> {
    vars: &'a IndexMap<String, Value>,
    values: &'a IndexMap<&'static str, Value>,
    /// Units of a SKU by name.
    stock: &'a dyn Fn(&str) -> i64,
    sku: Option<&'a str>,
}

impl Env for CaseEnv<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        if let Some(value) = self.vars.get(name) {
            return Some(value.clone());
        }
        if name == "sku" {
            return Some(self.sku.map_or(Value::Null, |s| Value::Text(s.to_string())));
        }
        self.values.get(name).cloned()
    }

    fn stock(&self, sku: &str) -> i64 {
        (self.stock)(sku)
    }
}

/// Makes every draw of an episode of the machine's scenario with `seed`.
pub fn draw_world(m: &Machine, seed: u64) -> World {
    let plan = &m.reset;
    let mut draws = Draws::new(seed);
    let mut stock = IndexMap::new();
    for (sku, units) in &plan.stock {
        let value = match *units {
            StockDraw::Range(lo, hi) => draws.int(lo, hi),
            StockDraw::Fixed(n) => n,
        };
        stock.insert(sku.clone(), value);
    }
    let cases: Vec<CaseInstance> =
        plan.cases.iter().map(|case| draw_case(case, &stock, &mut draws)).collect();
    let mut rest: Vec<usize> = (1..cases.len()).collect();
    draws.shuffle(&mut rest);
    let queue = (0..cases.len().min(1)).chain(rest).collect();
    World { stock, cases, queue }
}

fn draw_case(case: &CasePlan, stock: &IndexMap<String, i64>, draws: &mut Draws) -> CaseInstance {
    let units = |sku: &str| stock.get(sku).copied().unwrap_or(0);
    let stock: &dyn Fn(&str) -> i64 = &units;
    let no_values = IndexMap::new();
    let sku = case.sku.as_deref();
    let mut env: IndexMap<String, Value> = IndexMap::new();
    for (name, draw) in &case.draws {
        let value = {
            let scope = CaseEnv { vars: &env, values: &no_values, stock, sku };
            match draw {
                DrawPlan::Range(lo, hi) => draw_range(lo, hi, &scope, draws),
                DrawPlan::Malformed => Value::Null,
                DrawPlan::Options(options) => {
                    let weights: Vec<i64> =
                        options.iter().map(|(_, w)| eval(w, &scope).whole().unwrap_or(0)).collect();
                    let chosen = draws.variant(&weights);
                    Value::Symbol(options.get(chosen).map_or(String::new(), |(o, _)| o.clone()))
                }
            }
        };
        env.insert(name.clone(), value);
    }
    for (name, expr) in &case.lets {
        let value = eval(expr, &CaseEnv { vars: &env, values: &no_values, stock, sku });
        env.insert(name.clone(), value);
    }
    let mut values = IndexMap::new();
    for (name, expr) in &case.values {
        let value = eval(expr, &CaseEnv { vars: &env, values: &values, stock, sku });
        values.insert(*name, value);
    }
    let variant_name = case
        .variant
        .as_ref()
        .and_then(|draw| env.get(draw).and_then(|v| v.name().map(str::to_string)));
    let variant =
        variant_name.as_ref().and_then(|chosen| case.variants.iter().find(|(o, _)| o == chosen));
    let scope = CaseEnv { vars: &env, values: &values, stock, sku };
    let truth_expr = variant.and_then(|(_, v)| v.truth.as_ref()).unwrap_or(&case.truth);
    let truth = eval(truth_expr, &scope);
    let fraudulent = variant
        .and_then(|(_, v)| v.fraudulent.as_ref())
        .map(|e| eval(e, &scope))
        .or_else(|| values.get("fraudulent").cloned())
        .is_some_and(|v| v.truthy());
    let requires =
        variant.and_then(|(_, v)| v.requires.clone()).unwrap_or_else(|| case.requires.clone());
    let mut facts = case.facts.clone();
    for group in variant.iter().flat_map(|(_, v)| &v.facts) {
        match facts.iter_mut().find(|g| g.group == group.group) {
            Some(existing) => *existing = group.clone(),
            None => facts.push(group.clone()),
        }
    }
    let mut responses = IndexMap::new();
    for setting in &case.responses {
        let status = |expr: Option<&DataExpr>, default: Option<&String>| {
            expr.map(|e| eval(e, &scope))
                .and_then(|v| v.name().map(str::to_string))
                .or(default.cloned())
        };
        let initial = status(setting.initial.as_ref(), setting.initial_default.as_ref());
        let outcome = status(setting.outcome.as_ref(), setting.outcome_default.as_ref());
        let delay = setting.delay.as_ref().and_then(|e| eval(e, &scope).whole()).unwrap_or(0);
        responses.insert(
            setting.name.clone(),
            ResponsePlan {
                initial: initial.unwrap_or_default(),
                outcome: outcome.unwrap_or_default(),
                delay,
            },
        );
    }
    CaseInstance {
        id: case.id.clone(),
        variant: variant_name,
        env,
        values,
        truth,
        fraudulent,
        requires,
        responses,
        facts,
    }
}

/// Evaluates a fact of a case now (facts such as `=stock(sku)` read the live stock).
pub fn fact_value(
    instance: &CaseInstance,
    sku: Option<&str>,
    stock: &dyn Fn(&str) -> i64,
    expr: &DataExpr,
) -> Value {
    eval(expr, &CaseEnv { vars: &instance.env, values: &instance.values, stock, sku })
}

fn draw_range(lo: &DataExpr, hi: &DataExpr, env: &dyn Env, draws: &mut Draws) -> Value {
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
