//! Case data: every YAML quantity typed, every name it uses resolved.

use std::collections::BTreeSet;

use super::infer::{Item, Typer};
use super::program::Program;
use super::scope::{Ctx, Scope};
use super::ty::{Domain, Ty};
use crate::data::{Case, DrawKind, FactGroup, Requirements};
use crate::diag::{Code, Diagnostic, suggest};
use crate::lang::valid_note_code;
use crate::syntax::ast::{Expr, ExprKind, Ident};

/// Values of the visible enums of a case, as the wire protocol spells them.
const ATTRIBUTE_VALUES: &[(&str, &[&str])] = &[
    ("type", &["refund_request", "delivery_issue", "wrong_item", "fraud_signal"]),
    ("tier", &["bronze", "silver", "gold", "platinum"]),
    ("priority", &["low", "medium", "high", "critical"]),
    ("order_status", &["delivered", "in_transit", "delayed", "lost"]),
    ("fraud_signal", &["low", "medium", "high"]),
];

/// Checks every case of a scenario against its program.
pub(super) fn check_cases(program: &Program, cases: &[Case], typer: &mut Typer<'_>) {
    let mut seen: Vec<&Ident> = Vec::new();
    for case in cases {
        if let Some(first) = seen.iter().find(|id| id.name == case.id.name) {
            typer.diagnostics.push(
                Diagnostic::new(
                    Code::Duplicate,
                    case.id.span,
                    format!("case `{}` is defined twice", case.id.name),
                )
                .label("defined again here")
                .with_label(first.span, "first defined here"),
            );
        }
        seen.push(&case.id);
        check_case(program, case, typer);
    }
}

fn check_case(program: &Program, case: &Case, typer: &mut Typer<'_>) {
    completeness(program, case, typer);
    for (attribute, value) in &case.attributes {
        let allowed =
            ATTRIBUTE_VALUES.iter().find(|(a, _)| a == attribute).map_or(&[][..], |(_, v)| *v);
        if !allowed.contains(&value.name.as_str()) {
            let mut diagnostic = Diagnostic::new(
                Code::InvalidValue,
                value.span,
                format!("`{}` is not a valid `{attribute}`", value.name),
            )
            .label(format!("expected one of: {}", allowed.join(", ")));
            diagnostic.help = suggest(&value.name, allowed.iter().copied());
            typer.diagnostics.push(diagnostic);
        }
    }
    let mut scope = Scope::new(program, Ctx::CaseData);
    let mut unused: Vec<&Ident> = Vec::new();
    for draw in &case.draws {
        let ty = match &draw.kind {
            DrawKind::Range(range) => draw_range(&scope, range, typer),
            DrawKind::Options(options) => {
                draw_options(&scope, &draw.name, options, typer);
                for (option, _) in options {
                    scope.bind(option, Ty::Symbol(Domain::DrawOption(draw.name.name.clone())));
                }
                Ty::Symbol(Domain::DrawOption(draw.name.name.clone()))
            }
        };
        scope.bind(&draw.name, ty);
        unused.push(&draw.name);
    }
    for (name, value) in &case.lets {
        let ty = typer.infer(&scope, value);
        scope.bind(name, ty);
        unused.push(name);
    }
    for (field, value) in &case.values {
        let expected = super::scope::case_field(field).unwrap_or(Ty::Unknown);
        typer.expect(&scope, value, &expected);
    }
    requirements(program, &case.requires, typer);
    for (response, settings) in &case.responses {
        let Some(decl) = program.responses.get(&response.name) else {
            let names: Vec<&str> = program.responses.keys().map(String::as_str).collect();
            typer.unknown("response", response, &names);
            continue;
        };
        let status = Ty::Symbol(Domain::ResponseStatus(response.name.clone()));
        for value in [&settings.initial, &settings.outcome].into_iter().flatten() {
            response_status(&scope, case, decl, value, &status, typer);
        }
        if let Some(delay) = &settings.delay {
            typer.expect(&scope, delay, &Ty::Minutes);
        }
    }
    typer.expect(&scope, &case.truth, &Ty::Truth);
    fact_groups(program, &scope, &case.facts, typer);
    let variant_options = variant_draw(case, typer);
    for (option, variant) in &case.variants {
        if let Some(options) = &variant_options
            && !options.contains(&option.name.as_str())
        {
            let draw = case.variant.as_ref().map_or("", |v| v.name.as_str());
            typer.unknown(&format!("option of `{draw}`"), option, options);
        }
        if let Some(truth) = &variant.truth {
            typer.expect(&scope, truth, &Ty::Truth);
        }
        if let Some(fraudulent) = &variant.fraudulent {
            typer.expect(&scope, fraudulent, &Ty::Bool);
        }
        if let Some(requires) = &variant.requires {
            requirements(program, requires, typer);
        }
        fact_groups(program, &scope, &variant.facts, typer);
    }
    let referenced = referenced_names(case);
    for name in unused {
        let is_variant = case.variant.as_ref().is_some_and(|v| v.name == name.name);
        if !referenced.contains(name.name.as_str()) && !is_variant {
            typer.diagnostics.push(
                Diagnostic::new(Code::Unused, name.span, format!("`{}` is never used", name.name))
                    .label("defined here")
                    .help("remove it, or use it in a value, fact or truth (draws are still made, in order)"),
            );
        }
    }
}

/// Fields a case needs because of what else it says.
fn completeness(program: &Program, case: &Case, typer: &mut Typer<'_>) {
    if case.variant.is_none()
        && let Some((first, _)) = case.variants.first()
    {
        typer.diagnostics.push(
            Diagnostic::new(Code::MissingSetting, first.span, "`variants` without `variant`")
                .label("which draw picks this variant?")
                .with_label(case.id.span, "in this case")
                .help("add `variant: <draw>` naming a draw with options, e.g. `profile: { a: 50%, b: 50% }`"),
        );
    }
    let has = |field: &str| case.values.iter().any(|(name, _)| *name == field);
    let fraud_capable =
        std::iter::once(case.values.iter().find(|(n, _)| *n == "fraudulent").map(|(_, e)| e))
            .chain(case.variants.iter().map(|(_, v)| v.fraudulent.as_ref()))
            .flatten()
            .any(|e| e.kind != ExprKind::Bool(false));
    if fraud_capable {
        for field in ["chargeback_delay", "chargeback_fee"] {
            if !has(field) {
                typer.diagnostics.push(
                    Diagnostic::new(Code::MissingSetting, case.id.span, format!("case `{}` can be fraudulent but has no `{field}`", case.id.name))
                        .label(format!("missing `{field}`"))
                        .help("payouts on a fraudulent case come back as chargebacks: give their delay and fee"),
                );
            }
        }
    }
    let skus: Vec<&str> = program
        .scenario
        .iter()
        .flat_map(|s| s.stock.iter().map(|s| s.name.name.as_str()))
        .collect();
    if let Some(sku) = &case.sku
        && program.scenario.is_some()
        && !skus.contains(&sku.name.as_str())
    {
        typer.unknown("SKU", sku, &skus);
    }
    let note_fact =
        program.desk.get("note_fact").and_then(|s| s.value.kind.as_name()).map(|n| n.name.as_str());
    let requirement_sets = std::iter::once(&case.requires)
        .chain(case.variants.iter().filter_map(|(_, v)| v.requires.as_ref()));
    for requires in requirement_sets {
        let (Some(note), Some(fact)) = (&requires.note, note_fact) else { continue };
        let groups = case.facts.iter().chain(case.variants.iter().flat_map(|(_, v)| &v.facts));
        let values: Vec<&Expr> = groups
            .flat_map(|g| &g.facts)
            .filter(|(name, _)| name.name == fact)
            .map(|(_, v)| v)
            .collect();
        let learnable = values.iter().any(|v| match &v.kind {
            ExprKind::Text(text) => *text == note.name,
            _ => true, // computed: cannot tell before the episode
        });
        if !values.is_empty() && !learnable {
            typer.diagnostics.push(
                Diagnostic::new(
                    Code::NeverCleared,
                    note.span,
                    format!(
                        "case `{}` requires note `{}`, but its `{fact}` fact never says so",
                        case.id.name, note.name
                    ),
                )
                .label("no agent can learn this code")
                .with_label(values[0].span, format!("the `{fact}` fact says this")),
            );
        }
    }
}

fn draw_range(scope: &Scope<'_>, range: &Expr, typer: &mut Typer<'_>) -> Ty {
    let ty = typer.infer(scope, range);
    match ty {
        Ty::Range(inner) if matches!(*inner, Ty::Money | Ty::Minutes | Ty::Count | Ty::Percent) => {
            if let ExprKind::Binary(_, lo, hi) = &range.kind
                && let (Some(lo), Some(hi)) = (literal_value(lo), literal_value(hi))
                && lo > hi
            {
                typer.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        range.span,
                        "range is empty: its low end is above its high end",
                    )
                    .label(format!("{lo} > {hi}"))
                    .help("write the range low..high"),
                );
            }
            *inner
        }
        Ty::Unknown => Ty::Unknown,
        other => {
            typer.diagnostics.push(
                Diagnostic::new(Code::TypeMismatch, range.span, format!("a draw needs a range like `31..40`, found {other}"))
                    .label("not a range")
                    .help("draw money as `$10.00..$25.00`, minutes as `10m..20m`, counts as `1..3`, or options as `{ a: 50%, b: 50% }`"),
            );
            Ty::Unknown
        }
    }
}

fn literal_value(expr: &Expr) -> Option<i64> {
    match expr.kind {
        ExprKind::Money(v) | ExprKind::Minutes(v) | ExprKind::Int(v) | ExprKind::Percent(v) => {
            Some(v)
        }
        _ => None,
    }
}

fn draw_options(scope: &Scope<'_>, draw: &Ident, options: &[(Ident, Expr)], typer: &mut Typer<'_>) {
    let mut total = 0i64;
    for (_, weight) in options {
        typer.expect(scope, weight, &Ty::Percent);
        if let ExprKind::Percent(bp) = weight.kind {
            total = total.saturating_add(bp);
        }
    }
    if total != 10_000 {
        typer.diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                draw.span,
                format!(
                    "the options of `{}` weigh {}.{:02}%, not 100%",
                    draw.name,
                    total / 100,
                    total % 100
                ),
            )
            .label("weights must sum to 100%"),
        );
    }
}

fn requirements(program: &Program, requires: &Requirements, typer: &mut Typer<'_>) {
    for check in &requires.checks {
        if program.checks.contains_key(&check.name) {
            typer.use_item(Item::Check, &check.name);
        } else {
            let names: Vec<&str> = program.checks.keys().map(String::as_str).collect();
            typer.unknown("check", check, &names);
        }
    }
    for response in &requires.responses {
        if program.responses.contains_key(&response.name) {
            typer.use_item(Item::Response, &response.name);
        } else {
            let names: Vec<&str> = program.responses.keys().map(String::as_str).collect();
            typer.unknown("response", response, &names);
        }
    }
    if let Some(note) = &requires.note
        && !valid_note_code(&note.name)
    {
        typer.diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                note.span,
                format!("`{}` is not a valid note code", note.name),
            )
            .label("must match ^[a-z][a-z0-9_]{0,47}$"),
        );
    }
}

fn response_status(
    scope: &Scope<'_>,
    case: &Case,
    decl: &super::program::ResponseDecl,
    value: &Expr,
    status: &Ty,
    typer: &mut Typer<'_>,
) {
    let statuses: Vec<&str> = decl.statuses.iter().map(|s| s.name.as_str()).collect();
    if let Some(name) = value.kind.as_name() {
        if statuses.contains(&name.name.as_str()) {
            return;
        }
        // A draw whose options are statuses.
        let draw = case.draws.iter().find(|d| d.name.name == name.name);
        if let Some(DrawKind::Options(options)) = draw.map(|d| &d.kind) {
            for (option, _) in options {
                if !statuses.contains(&option.name.as_str()) {
                    typer.unknown(&format!("`{}` status", decl.name.name), option, &statuses);
                }
            }
            return;
        }
        if scope.resolve(&name.name).is_none() {
            typer.unknown(&format!("`{}` status", decl.name.name), name, &statuses);
            return;
        }
    }
    typer.expect(scope, value, status);
}

fn fact_groups(program: &Program, scope: &Scope<'_>, groups: &[FactGroup], typer: &mut Typer<'_>) {
    for group in groups {
        if !program.checks.contains_key(&group.group.name) {
            let names: Vec<&str> = program.checks.keys().map(String::as_str).collect();
            typer.unknown("fact group", &group.group, &names);
        }
        for (_, value) in &group.facts {
            typer.infer(scope, value);
        }
    }
}

/// Options of the draw named by `variant`, reporting a bad reference.
fn variant_draw<'c>(case: &'c Case, typer: &mut Typer<'_>) -> Option<Vec<&'c str>> {
    let variant = case.variant.as_ref()?;
    let draw = case.draws.iter().find(|d| d.name.name == variant.name);
    match draw.map(|d| &d.kind) {
        Some(DrawKind::Options(options)) => {
            Some(options.iter().map(|(o, _)| o.name.as_str()).collect())
        }
        Some(DrawKind::Range(_)) => {
            typer.diagnostics.push(
                Diagnostic::new(
                    Code::TypeMismatch,
                    variant.span,
                    format!("`{}` is a range draw, not options", variant.name),
                )
                .label("variants need a draw with options, e.g. `{ a: 50%, b: 50% }`"),
            );
            None
        }
        None => {
            let names: Vec<&str> = case.draws.iter().map(|d| d.name.name.as_str()).collect();
            typer.unknown("draw", variant, &names);
            None
        }
    }
}

/// Every bare name used in the case's expressions.
fn referenced_names(case: &Case) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut exprs: Vec<&Expr> = Vec::new();
    for draw in &case.draws {
        match &draw.kind {
            DrawKind::Range(e) => exprs.push(e),
            DrawKind::Options(options) => exprs.extend(options.iter().map(|(_, w)| w)),
        }
    }
    exprs.extend(case.lets.iter().map(|(_, e)| e));
    exprs.extend(case.values.iter().map(|(_, e)| e));
    exprs.push(&case.truth);
    for (_, settings) in &case.responses {
        exprs.extend([&settings.initial, &settings.outcome, &settings.delay].into_iter().flatten());
    }
    let groups = case.facts.iter().chain(case.variants.iter().flat_map(|(_, v)| &v.facts));
    exprs.extend(groups.flat_map(|g| g.facts.iter().map(|(_, e)| e)));
    for (_, variant) in &case.variants {
        exprs.extend([&variant.truth, &variant.fraudulent].into_iter().flatten());
    }
    for expr in exprs {
        collect_names(expr, &mut names);
    }
    names
}

fn collect_names<'e>(expr: &'e Expr, names: &mut BTreeSet<&'e str>) {
    match &expr.kind {
        ExprKind::Path(segments) => names.extend(segments.iter().map(|s| s.name.as_str())),
        ExprKind::Call(_, args) | ExprKind::List(args) => {
            args.iter().for_each(|a| collect_names(a, names))
        }
        ExprKind::Unary(_, operand) => collect_names(operand, names),
        ExprKind::Binary(_, a, b) => {
            collect_names(a, names);
            collect_names(b, names);
        }
        ExprKind::If(c, a, b) => {
            collect_names(c, names);
            collect_names(a, names);
            collect_names(b, names);
        }
        _ => {}
    }
}
