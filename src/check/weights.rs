//! `SHOP010`: grade weights and closure factors out of range.

use super::program::{Program, Setting};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::{Expr, ExprKind};

/// Every weight in [0, 1], weights summing to 1, one weight per grade component, closure
/// factors in [0, 1].
pub(super) fn check_weights(program: &Program, diagnostics: &mut Vec<Diagnostic>) {
    let Some(scenario) = &program.scenario else { return };
    let mut total = 0.0;
    let mut all_literal = true;
    for weight in &scenario.weights {
        match number(&weight.value) {
            Some(value) => {
                total += value;
                out_of_range(weight, value, "weight", diagnostics);
            }
            None => all_literal = false,
        }
    }
    if let Some(grade) = &program.grade {
        for component in &grade.components {
            if !scenario.weights.iter().any(|w| w.name.name == component.name.name) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::Weights,
                        scenario.id.span,
                        format!("grade component `{}` has no weight", component.name.name),
                    )
                    .label("this scenario")
                    .with_label(component.name.span, "component declared here")
                    .help(format!(
                        "add `weight {} 0.25` (or its share) to the scenario",
                        component.name.name
                    )),
                );
            }
        }
        for class in &grade.closure {
            if let Some(value) = number(&class.value) {
                out_of_range(class, value, "closure factor", diagnostics);
            }
        }
    }
    if all_literal && !scenario.weights.is_empty() && (total - 1.0).abs() > 1e-9 {
        let first = &scenario.weights[0];
        let last = &scenario.weights[scenario.weights.len() - 1];
        diagnostics.push(
            Diagnostic::new(
                Code::Weights,
                first.name.span.to(last.value.span),
                format!("grade weights sum to {total:.4}, not 1"),
            )
            .label("these weights")
            .help("the grade is a weighted mean: make the weights add up to exactly 1"),
        );
    }
}

fn out_of_range(setting: &Setting, value: f64, what: &str, diagnostics: &mut Vec<Diagnostic>) {
    if !(0.0..=1.0).contains(&value) {
        diagnostics.push(
            Diagnostic::new(
                Code::Weights,
                setting.value.span,
                format!("{what} `{}` is {value}, outside 0..1", setting.name.name),
            )
            .label("out of range")
            .help("weights and factors are shares between 0 and 1"),
        );
    }
}

fn number(expr: &Expr) -> Option<f64> {
    match &expr.kind {
        ExprKind::Real(r) => Some(*r),
        ExprKind::Int(i) => Some(*i as f64),
        ExprKind::Unary(crate::syntax::ast::UnaryOp::Neg, inner) => number(inner).map(|v| -v),
        _ => None,
    }
}
