//! `SHOP010`: grade weights and closure factors out of range.

use super::program::{GradeDecl, Program, ScenarioDecl, Setting};
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
        let weighted = |name: &str| scenario.weights.iter().any(|w| w.name.name == name);
        let unweighted = grade.components.iter().filter(|c| !weighted(&c.name.name)).count();
        let left = unassigned(scenario, grade);
        for component in &grade.components {
            if !weighted(&component.name.name) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::Weights,
                        scenario.id.span,
                        format!("grade component `{}` has no weight", component.name.name),
                    )
                    .label("this scenario")
                    .with_label(component.name.span, "component declared here")
                    .help(missing_weight_help(
                        &component.name.name,
                        unweighted,
                        left,
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

/// What the weights of the grade's components leave of 1, when they are all literal numbers.
/// Weights naming no component (a misspelt name) do not count: they weigh nothing.
fn unassigned(scenario: &ScenarioDecl, grade: &GradeDecl) -> Option<f64> {
    let is_component = |name: &str| grade.components.iter().any(|c| c.name.name == name);
    let weights = scenario.weights.iter().filter(|w| is_component(&w.name.name));
    weights.map(|w| number(&w.value)).sum::<Option<f64>>().map(|sum| 1.0 - sum)
}

/// How to weigh `component`, one of `unweighted` components without a weight, given what the
/// other weights leave of 1.
fn missing_weight_help(component: &str, unweighted: usize, left: Option<f64>) -> String {
    match left {
        Some(left) if left > 1e-9 && unweighted == 1 => format!(
            "add `weight {component} {}` to the scenario (1 minus the other components' weights)",
            share(left)
        ),
        Some(left) if left > 1e-9 => format!(
            "add `weight {component} W` to the scenario: the {unweighted} components without a weight share {} (1 minus the other components' weights)",
            share(left)
        ),
        Some(_) | None => format!(
            "add `weight {component} W` to the scenario and lower the other weights so that all of them sum to 1"
        ),
    }
}

/// A share written with 2 to 4 decimals, e.g. `0.20`, `0.125`.
fn share(value: f64) -> String {
    let text = format!("{value:.4}");
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split_once('.').map_or(0, |(_, d)| d.len());
    format!("{value:.*}", decimals.max(2))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_keep_two_to_four_decimals() {
        assert_eq!(share(0.2), "0.20");
        assert_eq!(share(0.125), "0.125");
        assert_eq!(share(1.0 - 0.4 - 0.25 - 0.15), "0.20");
    }

    #[test]
    fn the_suggested_weight_is_what_the_others_leave() {
        let help = missing_weight_help("money", 1, Some(0.2));
        assert!(help.starts_with("add `weight money 0.20`"), "{help}");
        let help = missing_weight_help("money", 2, Some(0.35));
        assert!(help.contains("share 0.35"), "{help}");
        let help = missing_weight_help("money", 1, Some(0.0));
        assert!(help.contains("lower the other weights"), "{help}");
    }
}
