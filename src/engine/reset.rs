//! Everything an episode draws at reset, in the fixed order of the game spec (§9.2, §10):
//! task-level draws (stock) first, then each case's draws in table order, then the queue
//! shuffle. `step` draws nothing.

use indexmap::IndexMap;
use serde::Serialize;

use super::eval::{Env, eval};
use super::rng::Draws;
use super::value::Value;
use crate::check::constant;
use crate::compile::Scenario;
use crate::data::{Case, DrawKind, FactGroup, Requirements};
use crate::syntax::ast::{Expr, ExprKind};

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
    pub requires: Requirements,
    /// Per response: initial status, delivered outcome, delay in minutes.
    pub responses: IndexMap<String, ResponsePlan>,
    /// Fact groups after the variant's overrides (evaluated when revealed).
    #[serde(skip)]
    pub facts: Vec<FactGroup>,
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
    stock: &'a IndexMap<String, i64>,
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
        self.stock.get(sku).copied().unwrap_or(0)
    }
}

/// Makes every draw of an episode of `scenario` with `seed`.
pub fn draw_world(scenario: &Scenario, seed: u64) -> World {
    let mut draws = Draws::new(seed);
    let mut stock = IndexMap::new();
    for (sku, units) in &scenario.stock {
        let value = match constant::range(units) {
            Some((lo, hi)) => draws.int(lo.whole(), hi.whole()),
            None => constant::Constant::of(units).map_or(0, constant::Constant::whole),
        };
        stock.insert(sku.clone(), value);
    }
    let cases: Vec<CaseInstance> =
        scenario.cases.iter().map(|case| draw_case(scenario, case, &stock, &mut draws)).collect();
    let mut rest: Vec<usize> = (1..cases.len()).collect();
    draws.shuffle(&mut rest);
    let queue = (0..cases.len().min(1)).chain(rest).collect();
    World { stock, cases, queue }
}

fn draw_case(
    scenario: &Scenario,
    case: &Case,
    stock: &IndexMap<String, i64>,
    draws: &mut Draws,
) -> CaseInstance {
    let no_values = IndexMap::new();
    let sku = case.sku.as_ref().map(|s| s.name.as_str());
    let mut env: IndexMap<String, Value> = IndexMap::new();
    for draw in &case.draws {
        let value = {
            let scope = CaseEnv { vars: &env, values: &no_values, stock, sku };
            match &draw.kind {
                DrawKind::Range(range) => draw_range(range, &scope, draws),
                DrawKind::Options(options) => {
                    let weights: Vec<i64> =
                        options.iter().map(|(_, w)| eval(w, &scope).whole().unwrap_or(0)).collect();
                    let chosen = draws.variant(&weights);
                    Value::Symbol(
                        options.get(chosen).map_or(String::new(), |(o, _)| o.name.clone()),
                    )
                }
            }
        };
        env.insert(draw.name.name.clone(), value);
    }
    for (name, expr) in &case.lets {
        let value = eval(expr, &CaseEnv { vars: &env, values: &no_values, stock, sku });
        env.insert(name.name.clone(), value);
    }
    let mut values = IndexMap::new();
    for (name, expr) in &case.values {
        let value = eval(expr, &CaseEnv { vars: &env, values: &values, stock, sku });
        values.insert(*name, value);
    }
    let variant_name = case
        .variant
        .as_ref()
        .and_then(|draw| env.get(&draw.name).and_then(|v| v.name().map(str::to_string)));
    let variant = variant_name
        .as_ref()
        .and_then(|chosen| case.variants.iter().find(|(o, _)| o.name == *chosen));
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
        match facts.iter_mut().find(|g| g.group.name == group.group.name) {
            Some(existing) => *existing = group.clone(),
            None => facts.push(group.clone()),
        }
    }
    let mut responses = IndexMap::new();
    for (name, decl) in &scenario.program.responses {
        let settings = case.responses.iter().find(|(r, _)| r.name == *name).map(|(_, s)| s);
        let status = |expr: Option<&Expr>, default: Option<&str>| {
            expr.map(|e| eval(e, &scope))
                .and_then(|v| v.name().map(str::to_string))
                .or(default.map(str::to_string))
        };
        let initial = status(
            settings.and_then(|s| s.initial.as_ref()),
            decl.initial.as_ref().map(|i| i.name.as_str()),
        );
        let outcome = status(
            settings.and_then(|s| s.outcome.as_ref()),
            decl.default_outcome.as_ref().map(|o| o.name.as_str()),
        );
        let delay = settings
            .and_then(|s| s.delay.as_ref())
            .or(decl.default_delay.as_ref())
            .and_then(|e| eval(e, &scope).whole())
            .unwrap_or(0);
        responses.insert(
            name.clone(),
            ResponsePlan {
                initial: initial.unwrap_or_default(),
                outcome: outcome.unwrap_or_default(),
                delay,
            },
        );
    }
    CaseInstance {
        id: case.id.name.clone(),
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
    stock: &IndexMap<String, i64>,
    expr: &Expr,
) -> Value {
    eval(expr, &CaseEnv { vars: &instance.env, values: &instance.values, stock, sku })
}

fn draw_range(range: &Expr, env: &dyn Env, draws: &mut Draws) -> Value {
    let ExprKind::Binary(_, lo, hi) = &range.kind else { return Value::Null };
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
