//! Types every declaration of a program in its context and resolves the names it references.

use super::constant::{self, Constant};
use super::infer::{Item, Typer};
use super::program::{Effect, Primitive, Program, Setting};
use super::scope::{Ctx, Scope, Trigger, WIRE_FIELDS, param_type, wire_field};
use super::ty::Ty;
use crate::diag::{Code, Diagnostic, suggest};
use crate::syntax::ast::{Expr, ExprKind, Ident};

/// Closure classes the grade knows.
pub const CLOSURE_CLASSES: &[&str] = &["clean", "repaired", "bad", "unfinished", "untouched"];

/// Observation fields a check's summary can be shown in.
pub const SUMMARY_FIELDS: &[&str] =
    &["order_summary", "policy_summary", "history_summary", "inventory_summary"];

/// Observation fields a response's status can be shown in.
pub const STATUS_FIELDS: &[&str] = &["evidence_status", "carrier_status"];

/// Most checks, and most responses, a scenario may declare (the engine keeps one bit each).
pub const MAX_PER_KIND: usize = 32;

/// Difficulty tiers.
pub const DIFFICULTIES: &[&str] = &["easy", "medium", "hard"];

/// Checks every declaration of `program`.
pub(super) fn check_declarations(program: &Program, typer: &mut Typer<'_>) {
    for (what, names) in [
        ("checks", program.checks.values().map(|c| &c.name).collect::<Vec<_>>()),
        ("responses", program.responses.values().map(|r| &r.name).collect()),
    ] {
        if let Some(extra) = names.get(MAX_PER_KIND) {
            typer.diagnostics.push(
                Diagnostic::new(Code::InvalidValue, extra.span, format!("too many {what}"))
                    .label(format!("the engine supports at most {MAX_PER_KIND} {what}"))
                    .help("checks and responses are tracked per case in fixed-size sets"),
            );
        }
    }
    let setting = Scope::new(program, Ctx::Setting);
    scenario(program, &setting, typer);
    desk(program, &setting, typer);
    for text in program.texts.values() {
        typer.expect(&setting, &text.value, &Ty::Text);
    }
    for check in program.checks.values() {
        if let Some(empty) = &check.empty {
            typer.expect(&setting, empty, &Ty::Text);
        }
        if let Some(field) =
            check.field.as_ref().filter(|f| !SUMMARY_FIELDS.contains(&f.name.as_str()))
        {
            typer.unknown("summary field", field, SUMMARY_FIELDS);
        }
    }
    for response in program.responses.values() {
        if let Some(field) =
            response.field.as_ref().filter(|f| !STATUS_FIELDS.contains(&f.name.as_str()))
        {
            typer.unknown("status field", field, STATUS_FIELDS);
        }
    }
    if let Some(group) = program.desk.get("rounding_group").and_then(|s| s.value.kind.as_name()) {
        let groups = reward_groups(program);
        if !groups.iter().any(|g| g.name == group.name) {
            let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
            typer.unknown("reward group", group, &names);
        }
    }
    for response in program.responses.values() {
        let statuses: Vec<&str> = response.statuses.iter().map(|s| s.name.as_str()).collect();
        for status in
            [&response.initial, &response.pending, &response.default_outcome].into_iter().flatten()
        {
            if !statuses.contains(&status.name.as_str()) {
                typer.unknown(&format!("`{}` status", response.name.name), status, &statuses);
            }
        }
        if response.statuses.is_empty() {
            typer.diagnostics.push(
                Diagnostic::new(
                    Code::MissingSetting,
                    response.name.span,
                    format!("response `{}` has no statuses", response.name.name),
                )
                .label("needs `statuses [...]`"),
            );
        }
        if let Some(delay) = &response.default_delay {
            typer.expect(&setting, delay, &Ty::Minutes);
        }
    }
    let reject = Scope::new(program, Ctx::Reject);
    for rule in &program.rejects {
        typer.expect(&reject, &rule.when, &Ty::Bool);
        typer.expect(&reject, &rule.message, &Ty::Text);
    }
    for action in program.actions.values() {
        let mut scope = Scope::new(program, Ctx::Action);
        for param in &action.params {
            let Some(wire) = wire_field(&param.name.name) else {
                typer.unknown("request field", &param.name, WIRE_FIELDS);
                continue;
            };
            match param_type(&param.ty.name) {
                Some(ty) if ty == wire => scope.bind(&param.name, ty),
                Some(ty) => typer.mismatch(param.ty.span, &wire, &ty),
                None => typer.unknown("type", &param.ty, &TYPE_NAMES),
            }
        }
        match &action.cost {
            Some(cost) => {
                typer.expect(&scope, cost, &Ty::Minutes);
            }
            None => typer.diagnostics.push(
                Diagnostic::new(
                    Code::MissingSetting,
                    action.name.span,
                    format!("action `{}` has no `cost`", action.name.name),
                )
                .label("every action takes time")
                .help("add `cost 2m` (or whatever the action takes) to its block"),
            ),
        }
        effects(program, &scope, &action.body, typer);
    }
    for hook in &program.hooks {
        let Some(trigger) = Trigger::named(&hook.trigger.name) else {
            typer.unknown("trigger", &hook.trigger, Trigger::NAMES);
            continue;
        };
        match (&hook.argument, trigger) {
            (Some(code), Trigger::Reject) => {
                if !program.rejects.iter().any(|r| r.code.name == code.name) {
                    let codes: Vec<&str> =
                        program.rejects.iter().map(|r| r.code.name.as_str()).collect();
                    typer.unknown("reject rule", code, &codes);
                }
            }
            (None, Trigger::Reject) => typer.diagnostics.push(
                Diagnostic::new(
                    Code::MalformedStatement,
                    hook.trigger.span,
                    "`on reject` names a reject rule",
                )
                .label("which rule?")
                .help("write `on reject replacement_out_of_stock { ... }`"),
            ),
            (Some(extra), _) => typer.diagnostics.push(
                Diagnostic::new(
                    Code::MalformedStatement,
                    extra.span,
                    format!("`on {}` takes no argument", hook.trigger.name),
                )
                .label("unexpected argument"),
            ),
            (None, _) => {}
        }
        effects(program, &Scope::new(program, Ctx::Hook(trigger)), &hook.body, typer);
    }
    let event_scope = Scope::new(program, Ctx::Event);
    for event in program.events.values() {
        if let Some(visible) = &event.visible {
            typer.expect(&event_scope, visible, &Ty::Bool);
        }
        effects(program, &event_scope, &event.body, typer);
    }
    let blocker_scope = Scope::new(program, Ctx::Blocker);
    for blocker in program.blockers.values() {
        for condition in [&blocker.unmet, &blocker.visible].into_iter().flatten() {
            typer.expect(&blocker_scope, condition, &Ty::Bool);
        }
        for gated in &blocker.gates {
            if !program.actions.contains_key(&gated.name) {
                typer.unknown("action", gated, &keys(&program.actions));
            }
        }
        for clearer in &blocker.cleared_by {
            if program.events.contains_key(&clearer.name) {
                typer.use_item(Item::Event, &clearer.name);
            } else if !program.actions.contains_key(&clearer.name) {
                let mut candidates = keys(&program.actions);
                candidates.extend(keys(&program.events));
                typer.unknown("action or event", clearer, &candidates);
            }
        }
    }
    let verdict = Scope::new(program, Ctx::Verdict);
    for item in &program.verdict {
        typer.expect(&verdict, &item.when, &Ty::Bool);
    }
    for truth in program.truths.values() {
        let mut scope = Scope::new(program, Ctx::Truth);
        for param in &truth.params {
            match param_type(&param.ty.name) {
                Some(ty) => scope.bind(&param.name, ty),
                None => typer.unknown("type", &param.ty, &TYPE_NAMES),
            }
        }
        if let Some(allowance) = &truth.allowance {
            typer.expect(&scope, allowance, &Ty::Money);
        }
        for (value, when) in &truth.outcomes {
            typer.expect(&scope, value, &Ty::Real);
            typer.expect(&scope, when, &Ty::Bool);
        }
        for condition in &truth.dissatisfied {
            typer.expect(&scope, condition, &Ty::Bool);
        }
    }
    if let Some(grade) = &program.grade {
        let scope = Scope::new(program, Ctx::Grade);
        for (name, setting) in &grade.settings {
            let ty = if name == "tolerance" { Ty::Percent } else { Ty::Real };
            typer.expect(&scope, &setting.value, &ty);
            require_constant(&setting.value, name, typer);
        }
        for class in &grade.closure {
            if !CLOSURE_CLASSES.contains(&class.name.name.as_str()) {
                typer.unknown("closure class", &class.name, CLOSURE_CLASSES);
            }
            typer.expect(&scope, &class.value, &Ty::Real);
            require_constant(&class.value, "closure factor", typer);
        }
        for component in &grade.components {
            typer.expect(&scope, &component.value, &Ty::Real);
        }
    }
    let end = Scope::new(program, Ctx::End);
    for rule in &program.ends {
        typer.expect(&end, &rule.when, &Ty::Bool);
    }
}

fn require_constant(value: &Expr, name: &str, typer: &mut Typer<'_>) {
    match Constant::of(value) {
        None => typer.diagnostics.push(not_constant(value, name)),
        Some(Constant::Whole(v)) if v < 0 => typer.diagnostics.push(
            Diagnostic::new(Code::InvalidValue, value.span, format!("`{name}` cannot be negative"))
                .label("negative"),
        ),
        Some(Constant::Whole(v)) if name == "satisfaction" && v > 10_000 => typer.diagnostics.push(
            Diagnostic::new(Code::InvalidValue, value.span, "satisfaction is at most 100%")
                .label("above 100%"),
        ),
        Some(_) => {}
    }
}

fn not_constant(value: &Expr, name: &str) -> Diagnostic {
    Diagnostic::new(Code::InvalidValue, value.span, format!("`{name}` must be a plain value"))
        .label("not a literal")
        .help("settings take literal values like `60m`, `$250.00`, `12` or `0.25`")
}

const TYPE_NAMES: [&str; 10] =
    ["money", "minutes", "count", "percent", "number", "flag", "code", "text", "case", "reason"];

fn keys<T>(map: &indexmap::IndexMap<String, T>) -> Vec<&str> {
    map.keys().map(String::as_str).collect()
}

fn scenario(program: &Program, scope: &Scope<'_>, typer: &mut Typer<'_>) {
    let Some(scenario) = &program.scenario else { return };
    for (name, Setting { value, .. }) in &scenario.settings {
        let expected = match name.as_str() {
            "title" | "brief" | "cases" => Ty::Text,
            "time_limit" => Ty::Minutes,
            "max_steps" | "invalid_limit" => Ty::Count,
            "budget" => Ty::Money,
            "satisfaction" => Ty::Percent,
            "difficulty" => {
                match value.kind.as_name() {
                    Some(tier) if DIFFICULTIES.contains(&tier.name.as_str()) => {}
                    Some(tier) => typer.unknown("difficulty", tier, DIFFICULTIES),
                    None => typer.diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            value.span,
                            "difficulty is `easy`, `medium` or `hard`",
                        )
                        .label("not a difficulty"),
                    ),
                }
                continue;
            }
            _ => continue,
        };
        typer.expect(scope, value, &expected);
        if !matches!(expected, Ty::Text) {
            require_constant(value, name, typer);
        }
    }
    for stock in &scenario.stock {
        let ty = typer.infer(scope, &stock.value);
        if !ty.fits(&Ty::Count) && !ty.fits(&Ty::Range(Box::new(Ty::Count))) {
            typer.mismatch(stock.value.span, &Ty::Count, &ty);
        }
        match constant::range(&stock.value) {
            Some((lo, hi)) if lo.whole() > hi.whole() || lo.whole() < 0 => typer.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    stock.value.span,
                    format!("stock range of `{}` is empty or negative", stock.name.name),
                )
                .label("write low..high, both 0 or more"),
            ),
            Some(_) => {}
            None => require_constant(&stock.value, "stock", typer),
        }
    }
    let components: Vec<&str> = program
        .grade
        .iter()
        .flat_map(|g| g.components.iter().map(|c| c.name.name.as_str()))
        .collect();
    for weight in &scenario.weights {
        typer.expect(scope, &weight.value, &Ty::Real);
        require_constant(&weight.value, "weight", typer);
        if program.grade.is_some() && !components.contains(&weight.name.name.as_str()) {
            typer.unknown("grade component", &weight.name, &components);
        }
    }
}

fn desk(program: &Program, scope: &Scope<'_>, typer: &mut Typer<'_>) {
    for (name, Setting { value, .. }) in &program.desk {
        match name.as_str() {
            "satisfaction" => {
                typer.expect(scope, value, &Ty::Percent);
                require_constant(value, name, typer);
            }
            "hold_cost" | "invalid_cost" => {
                typer.expect(scope, value, &Ty::Minutes);
                require_constant(value, name, typer);
            }
            "expedite_fee" => {
                typer.expect(scope, value, &Ty::Money);
                require_constant(value, name, typer);
            }
            "replacement_cost" => {
                // A formula over the case at hand, evaluated when a replacement is priced.
                typer.expect(&Scope::new(program, Ctx::Blocker), value, &Ty::Money);
            }
            "reward_clamp" => {
                typer.expect(scope, value, &Ty::Range(Box::new(Ty::Real)));
                if constant::range(value).is_none() {
                    typer.diagnostics.push(not_constant(value, name));
                }
            }
            "reward_groups" => {
                let ExprKind::List(items) = &value.kind else {
                    typer.diagnostics.push(
                        Diagnostic::new(
                            Code::MalformedStatement,
                            value.span,
                            "`reward_groups` takes a list of names",
                        )
                        .label("expected `[group, ...]`"),
                    );
                    continue;
                };
                for item in items.iter().filter(|i| i.kind.as_name().is_none()) {
                    typer.diagnostics.push(
                        Diagnostic::new(
                            Code::MalformedStatement,
                            item.span,
                            "expected a reward group name",
                        )
                        .label("not a plain name"),
                    );
                }
            }
            _ => {
                if value.kind.as_name().is_none() {
                    typer.diagnostics.push(
                        Diagnostic::new(
                            Code::MalformedStatement,
                            value.span,
                            format!("`{name}` takes a name"),
                        )
                        .label("not a plain name"),
                    );
                }
            }
        }
    }
}

/// Reward groups the desk declares.
pub fn reward_groups(program: &Program) -> Vec<&Ident> {
    match program.desk.get("reward_groups").map(|s| &s.value.kind) {
        Some(ExprKind::List(items)) => items.iter().filter_map(|i| i.kind.as_name()).collect(),
        _ => Vec::new(),
    }
}

fn effects(program: &Program, scope: &Scope<'_>, body: &[Effect], typer: &mut Typer<'_>) {
    for effect in body {
        match effect {
            Effect::If { condition, then, otherwise } => {
                typer.expect(scope, condition, &Ty::Bool);
                effects(program, scope, then, typer);
                effects(program, scope, otherwise, typer);
            }
            Effect::Reward { value, group, when, .. } => {
                typer.expect(scope, value, &Ty::Real);
                let groups: Vec<&str> =
                    reward_groups(program).iter().map(|g| g.name.as_str()).collect();
                if !groups.contains(&group.name.as_str()) {
                    let mut diagnostic = Diagnostic::new(
                        Code::UnknownReference,
                        group.span,
                        format!("unknown reward group `{}`", group.name),
                    )
                    .label("not in the desk's `reward_groups`");
                    diagnostic.help = suggest(&group.name, groups.iter().copied())
                        .or_else(|| Some("declare it in `desk { reward_groups [...] }`".into()));
                    typer.diagnostics.push(diagnostic);
                }
                if let Some(when) = when {
                    typer.expect(scope, when, &Ty::Bool);
                }
            }
            Effect::Op { op, when, .. } => {
                if let Some(when) = when {
                    typer.expect(scope, when, &Ty::Bool);
                }
                op_refs(program, scope, op, typer);
            }
        }
    }
}

fn op_refs(program: &Program, scope: &Scope<'_>, op: &Primitive, typer: &mut Typer<'_>) {
    let name_in =
        |typer: &mut Typer<'_>, name: &Ident, what: &str, item: Item, names: Vec<&str>| {
            if names.contains(&name.name.as_str()) {
                typer.use_item(item, &name.name);
            } else {
                typer.unknown(what, name, &names);
            }
        };
    match op {
        Primitive::Inspect(check) | Primitive::Append { check, .. } => {
            name_in(typer, check, "check", Item::Check, keys(&program.checks));
        }
        Primitive::Request(response) | Primitive::Deliver(response) => {
            name_in(typer, response, "response", Item::Response, keys(&program.responses));
        }
        Primitive::Resolve(kind) => {
            name_in(typer, kind, "truth kind", Item::Truth, keys(&program.truths))
        }
        Primitive::Schedule { event, .. } => {
            name_in(typer, event, "event", Item::Event, keys(&program.events))
        }
        Primitive::Pay(_)
        | Primitive::TakeStock
        | Primitive::Note(_)
        | Primitive::Close
        | Primitive::Switch(_)
        | Primitive::Reopen
        | Primitive::Satisfaction(_)
        | Primitive::FraudLoss(_)
        | Primitive::Fee(_)
        | Primitive::Stockout
        | Primitive::Fact { .. }
        | Primitive::Detail { .. } => {}
    }
    let typed: Option<(&Expr, Ty)> = match op {
        Primitive::Pay(amount) | Primitive::FraudLoss(amount) | Primitive::Fee(amount) => {
            Some((amount, Ty::Money))
        }
        Primitive::Note(code) => Some((code, Ty::Text)),
        Primitive::Switch(case) => Some((case, Ty::Case)),
        Primitive::Satisfaction(delta) => Some((delta, Ty::Percent)),
        Primitive::Schedule { after, with, .. } => {
            if let Some(with) = with {
                typer.expect(scope, with, &Ty::Money);
            }
            Some((after, Ty::Minutes))
        }
        Primitive::Append { text, .. } => Some((text, Ty::Text)),
        Primitive::Fact { value, .. } | Primitive::Detail { value, .. } => {
            typer.infer(scope, value);
            None
        }
        Primitive::Inspect(_)
        | Primitive::Request(_)
        | Primitive::Deliver(_)
        | Primitive::Resolve(_)
        | Primitive::TakeStock
        | Primitive::Close
        | Primitive::Reopen
        | Primitive::Stockout => None,
    };
    if let Some((expr, ty)) = typed {
        typer.expect(scope, expr, &ty);
    }
    if let Primitive::Resolve(kind) = op
        && scope.ctx != Ctx::Action
    {
        typer.diagnostics.push(
            Diagnostic::new(
                Code::MalformedStatement,
                kind.span,
                "`resolve` may only appear in an action",
            )
            .label("not inside an action"),
        );
    }
}
