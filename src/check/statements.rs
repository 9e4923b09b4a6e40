//! Generic statements → typed [`Program`] declarations.
//!
//! Reports statements that do not belong where they are (`SHOP002`), statements with the wrong
//! arguments (`SHOP003`) and names defined twice (`SHOP005`). It never stops early: every
//! statement is looked at.

use indexmap::IndexMap;

use super::program::*;
use crate::diag::{Code, Diagnostic, suggest};
use crate::lang::EffectKeyword;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{Block, ClauseKeyword, Else, Expr, ExprKind, Ident, Stmt};

const TOP_LEVEL: &[&str] = &[
    "import", "scenario", "desk", "text", "check", "response", "reject", "action", "on", "event",
    "blocker", "verdict", "truth", "grade", "end", "truncate",
];
const SCENARIO_SETTINGS: &[&str] = &[
    "title",
    "difficulty",
    "brief",
    "time_limit",
    "max_steps",
    "invalid_limit",
    "budget",
    "cases",
    "satisfaction",
    "weight",
    "stock",
    "split",
];
const DESK_SETTINGS: &[&str] = &[
    "satisfaction",
    "reward_clamp",
    "hold_cost",
    "invalid_cost",
    "reward_groups",
    "rounding_group",
    "note_fact",
    "replacement_cost",
    "expedite_fee",
];
const RESPONSE_SETTINGS: &[&str] =
    &["field", "statuses", "initial", "pending", "waiting", "default_outcome", "default_delay"];
const GRADE_SETTINGS: &[&str] = &["accept", "tolerance", "invalid_penalty", "closure", "component"];

/// Builds the program of one scenario from the statements of all its files (imports first).
pub(super) fn declare<'s>(
    sources: &SourceMap,
    stmts: impl Iterator<Item = &'s Stmt>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Program {
    let mut d = Declarer { sources, program: Program::default(), diagnostics };
    for stmt in stmts {
        d.top_level(stmt);
    }
    d.program
}

struct Declarer<'a> {
    /// The files, to quote an argument as written.
    sources: &'a SourceMap,
    program: Program,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Declarer<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn top_level(&mut self, stmt: &Stmt) {
        match stmt.head.name.as_str() {
            "import" => {} // resolved by the loader
            "scenario" => self.scenario(stmt),
            "desk" => {
                self.shape(stmt, 0, &[], true);
                if let Some(block) = &stmt.block {
                    let settings = self.settings(block, DESK_SETTINGS, "desk");
                    for (name, setting) in settings {
                        self.insert_setting(Kind::Desk, name, setting);
                    }
                }
            }
            "text" => {
                self.shape(stmt, 1, &[ClauseKeyword::Assign], false);
                if let (Some(name), Some(value)) = (
                    self.name_arg(stmt, 0, "a text name"),
                    self.clause(stmt, ClauseKeyword::Assign),
                ) {
                    self.insert_setting(Kind::Text, name.name.clone(), Setting { name, value });
                }
            }
            "check" => {
                self.shape(stmt, 1, &[], true);
                let Some(name) = self.name_arg(stmt, 0, "a check name") else { return };
                let settings = self.block_settings(stmt, &["empty", "field"], "check");
                let empty = settings.get("empty").map(|s| s.value.clone());
                let field =
                    settings.get("field").and_then(|s| self.name_of(&s.value, "a field name"));
                let decl = CheckDecl { name: name.clone(), empty, field };
                insert(&mut self.program.checks, name, decl, "check", self.diagnostics);
            }
            "response" => self.response(stmt),
            "reject" => {
                self.shape(stmt, 1, &[ClauseKeyword::When, ClauseKeyword::Message], false);
                let code = self.name_arg(stmt, 0, "an error code");
                let when = self.clause(stmt, ClauseKeyword::When);
                let message = self.clause(stmt, ClauseKeyword::Message);
                if let (Some(code), Some(when), Some(message)) = (code, when, message) {
                    if let Some(first) =
                        self.program.rejects.iter().find(|r| r.code.name == code.name)
                    {
                        let previous = first.code.span;
                        self.report(duplicate("reject rule", &code, previous));
                    }
                    self.program.rejects.push(RejectDecl { code, when, message });
                }
            }
            "action" => self.action(stmt),
            "on" => {
                self.shape_args(stmt, 1, 2);
                self.shape(stmt, usize::MAX, &[], true);
                let Some(trigger) = self.name_arg(stmt, 0, "a trigger") else { return };
                let argument = (stmt.args.len() > 1)
                    .then(|| self.name_arg(stmt, 1, "a reject code"))
                    .flatten();
                let body = self.body(stmt, &[]);
                self.program.hooks.push(HookDecl { trigger, argument, body });
            }
            "event" => self.event(stmt),
            "blocker" => self.blocker(stmt),
            "verdict" => {
                self.shape(stmt, 0, &[], true);
                for item in stmt.block.iter().flat_map(|b| &b.stmts) {
                    if item.head.name != "bad" {
                        self.unknown_statement(item, &["bad"], "verdict");
                        continue;
                    }
                    self.shape(item, 1, &[ClauseKeyword::When], false);
                    let reason = self.name_arg(item, 0, "a reopen reason");
                    let when = self.clause(item, ClauseKeyword::When);
                    if let (Some(reason), Some(when)) = (reason, when) {
                        self.program.verdict.push(VerdictItem { reason, when });
                    }
                }
            }
            "truth" => self.truth(stmt),
            "grade" => self.grade(stmt),
            "end" | "truncate" => {
                self.shape(stmt, 1, &[ClauseKeyword::When], false);
                let reason = self.name_arg(stmt, 0, "a termination reason");
                let when = self.clause(stmt, ClauseKeyword::When);
                if let (Some(reason), Some(when)) = (reason, when) {
                    if let Some(first) =
                        self.program.ends.iter().find(|e| e.reason.name == reason.name)
                    {
                        let previous = first.reason.span;
                        self.report(duplicate("termination rule", &reason, previous));
                    }
                    let truncated = stmt.head.name == "truncate";
                    self.program.ends.push(EndDecl { reason, when, truncated });
                }
            }
            _ => self.unknown_statement(stmt, TOP_LEVEL, "a file's top level"),
        }
    }

    fn scenario(&mut self, stmt: &Stmt) {
        self.shape(stmt, 1, &[], true);
        let Some(id) = self.name_arg(stmt, 0, "a scenario id") else { return };
        if let Some(previous) = &self.program.scenario {
            let span = previous.id.span;
            self.report(
                duplicate("scenario", &id, span)
                    .help("a file holds one scenario; put the other in its own file"),
            );
            return;
        }
        let mut decl = ScenarioDecl {
            id,
            settings: IndexMap::new(),
            weights: Vec::new(),
            stock: Vec::new(),
            splits: Vec::new(),
            span: stmt.span,
        };
        for item in stmt.block.iter().flat_map(|b| &b.stmts) {
            match item.head.name.as_str() {
                "weight" | "stock" | "split" => {
                    let setting = match item.head.name.as_str() {
                        "stock" => self.stock(item),
                        head => {
                            self.shape(item, 2, &[], false);
                            let what =
                                if head == "weight" { "a grade component" } else { "a split name" };
                            self.name_arg(item, 0, what).zip(item.args.get(1).cloned())
                        }
                    };
                    let Some((name, value)) = setting else { continue };
                    let list = match item.head.name.as_str() {
                        "weight" => &mut decl.weights,
                        "stock" => &mut decl.stock,
                        _ => &mut decl.splits,
                    };
                    if let Some(first) = list.iter().find(|s| s.name.name == name.name) {
                        let diagnostic = duplicate(&item.head.name, &name, first.name.span);
                        self.report(diagnostic);
                        continue;
                    }
                    list.push(Setting { name, value });
                }
                _ => {
                    if let Some((name, setting)) = self.setting(item, SCENARIO_SETTINGS, "scenario")
                    {
                        insert_setting(
                            &mut decl.settings,
                            name,
                            setting,
                            "setting",
                            self.diagnostics,
                        );
                    }
                }
            }
        }
        self.program.scenario = Some(decl);
    }

    /// `stock "SKU" COUNT`: the SKU and its count. An unquoted SKU (`stock blender-200 3`,
    /// read as the arguments `blender`, `-200` and `3`) is one error, saying to quote it; the
    /// SKU is still declared under its text, so the cases that use it report nothing more.
    fn stock(&mut self, stmt: &Stmt) -> Option<(Ident, Expr)> {
        let unquoted = match stmt.args.split_last() {
            Some((value, sku)) if !sku.is_empty() && !matches!(sku[0].kind, ExprKind::Text(_)) => {
                Some((value, sku.iter().map(|e| e.span).reduce(Span::to)?))
            }
            _ => None,
        };
        let Some((value, span)) = unquoted else {
            self.shape(stmt, 2, &[], false);
            return self.text_arg(stmt, 0, "a SKU in quotes").zip(stmt.args.get(1).cloned());
        };
        self.shape(stmt, usize::MAX, &[], false);
        let sku = self.sources.slice(span).to_string();
        let count = self.sources.slice(value.span);
        self.report(
            Diagnostic::new(
                Code::MalformedStatement,
                span,
                format!("the SKU `{sku}` is not in quotes"),
            )
            .label("not a string")
            .help(format!("quote the SKU: `stock \"{sku}\" {count}`")),
        );
        Some((Ident { name: sku, span }, value.clone()))
    }

    fn response(&mut self, stmt: &Stmt) {
        self.shape(stmt, 1, &[], true);
        let Some(name) = self.name_arg(stmt, 0, "a response name") else { return };
        let settings = self.block_settings(stmt, RESPONSE_SETTINGS, "response");
        let statuses = match settings.get("statuses").map(|s| &s.value) {
            Some(Expr { kind: ExprKind::List(items), .. }) => {
                items.iter().filter_map(|e| self.name_of(e, "a status name")).collect()
            }
            Some(other) => {
                self.report(
                    Diagnostic::new(
                        Code::MalformedStatement,
                        other.span,
                        "`statuses` takes a list of names",
                    )
                    .label("expected `[status, ...]`"),
                );
                Vec::new()
            }
            None => Vec::new(),
        };
        let field = settings.get("field").and_then(|s| self.name_of(&s.value, "a field name"));
        let mut named =
            |key: &str| settings.get(key).and_then(|s| self.name_of(&s.value, "a status name"));
        let decl = ResponseDecl {
            name: name.clone(),
            field,
            statuses,
            initial: named("initial"),
            pending: named("pending"),
            waiting: named("waiting"),
            default_outcome: named("default_outcome"),
            default_delay: settings.get("default_delay").map(|s| s.value.clone()),
        };
        insert(&mut self.program.responses, name, decl, "response", self.diagnostics);
    }

    fn action(&mut self, stmt: &Stmt) {
        self.shape(stmt, 1, &[], true);
        let Some(name) = self.name_arg(stmt, 0, "an action name") else { return };
        let mut decl =
            ActionDecl { name: name.clone(), params: Vec::new(), cost: None, body: Vec::new() };
        let mut rest = Vec::new();
        for item in stmt.block.iter().flat_map(|b| &b.stmts) {
            match item.head.name.as_str() {
                "param" => {
                    if let Some(param) = self.param(item) {
                        if let Some(first) =
                            decl.params.iter().find(|p| p.name.name == param.name.name)
                        {
                            let diagnostic = duplicate("parameter", &param.name, first.name.span);
                            self.report(diagnostic);
                        } else {
                            decl.params.push(param);
                        }
                    }
                }
                "cost" => {
                    self.shape(item, 1, &[], false);
                    if decl.cost.is_some() {
                        let diagnostic =
                            Diagnostic::new(Code::Duplicate, item.head.span, "`cost` is set twice")
                                .label("second `cost`");
                        self.report(diagnostic);
                    }
                    decl.cost = item.args.first().cloned();
                }
                _ => rest.push(item),
            }
        }
        decl.body = self.effects(rest.into_iter(), &["param", "cost"]);
        insert(&mut self.program.actions, name, decl, "action", self.diagnostics);
    }

    fn event(&mut self, stmt: &Stmt) {
        self.shape(stmt, 1, &[], true);
        let Some(name) = self.name_arg(stmt, 0, "an event name") else { return };
        let mut decl =
            EventDecl { name: name.clone(), visible: None, settle: None, body: Vec::new() };
        let mut rest = Vec::new();
        for item in stmt.block.iter().flat_map(|b| &b.stmts) {
            match item.head.name.as_str() {
                "visible" => {
                    self.shape(item, 1, &[], false);
                    decl.visible = item.args.first().cloned();
                }
                "settle" => {
                    self.shape(item, 1, &[], false);
                    decl.settle = self.name_arg(item, 0, "`fire` or `drop`");
                    if let Some(settle) = &decl.settle
                        && !matches!(settle.name.as_str(), "fire" | "drop")
                    {
                        let diagnostic = Diagnostic::new(
                            Code::InvalidValue,
                            settle.span,
                            "`settle` is `fire` or `drop`",
                        )
                        .label("not a settlement behaviour");
                        self.report(diagnostic);
                    }
                }
                _ => rest.push(item),
            }
        }
        decl.body = self.effects(rest.into_iter(), &["visible", "settle"]);
        insert(&mut self.program.events, name, decl, "event", self.diagnostics);
    }

    fn blocker(&mut self, stmt: &Stmt) {
        self.shape(stmt, 1, &[], true);
        let Some(name) = self.name_arg(stmt, 0, "a blocker name") else { return };
        let mut decl = BlockerDecl {
            name: name.clone(),
            unmet: None,
            visible: None,
            gates: Vec::new(),
            cleared_by: Vec::new(),
            span: stmt.span,
        };
        for item in stmt.block.iter().flat_map(|b| &b.stmts) {
            self.shape(item, 1, &[], false);
            match item.head.name.as_str() {
                "unmet" => decl.unmet = item.args.first().cloned(),
                "visible" => decl.visible = item.args.first().cloned(),
                "gates" => decl.gates.extend(self.name_arg(item, 0, "an action name")),
                "cleared_by" => {
                    decl.cleared_by.extend(self.name_arg(item, 0, "an action or event name"))
                }
                _ => self.unknown_statement(
                    item,
                    &["unmet", "visible", "gates", "cleared_by"],
                    "a blocker",
                ),
            }
        }
        if decl.unmet.is_none() {
            self.missing(stmt, "unmet", "a blocker needs `unmet <condition>`");
        }
        insert(&mut self.program.blockers, name, decl, "blocker", self.diagnostics);
    }

    fn truth(&mut self, stmt: &Stmt) {
        self.shape(stmt, 1, &[], true);
        let Some(name) = self.name_arg(stmt, 0, "a truth kind") else { return };
        let mut decl = TruthDecl {
            name: name.clone(),
            params: Vec::new(),
            allowance: None,
            outcomes: Vec::new(),
            dissatisfied: Vec::new(),
        };
        for item in stmt.block.iter().flat_map(|b| &b.stmts) {
            match item.head.name.as_str() {
                "param" => decl.params.extend(self.param(item)),
                "allowance" => {
                    self.shape(item, 1, &[], false);
                    decl.allowance = item.args.first().cloned();
                }
                "outcome" => {
                    self.shape(item, 1, &[ClauseKeyword::When], false);
                    if let (Some(value), Some(when)) =
                        (item.args.first().cloned(), self.clause(item, ClauseKeyword::When))
                    {
                        decl.outcomes.push((value, when));
                    }
                }
                "dissatisfied" => {
                    self.shape(item, 0, &[ClauseKeyword::When], false);
                    decl.dissatisfied.extend(self.clause(item, ClauseKeyword::When));
                }
                _ => self.unknown_statement(
                    item,
                    &["param", "allowance", "outcome", "dissatisfied"],
                    "a truth",
                ),
            }
        }
        insert(&mut self.program.truths, name, decl, "truth kind", self.diagnostics);
    }

    fn grade(&mut self, stmt: &Stmt) {
        self.shape(stmt, 0, &[], true);
        if let Some(previous) = &self.program.grade {
            let d = Diagnostic::new(Code::Duplicate, stmt.head.span, "`grade` is defined twice")
                .label("second definition")
                .with_label(previous.span, "first defined here");
            self.report(d);
            return;
        }
        let mut decl = GradeDecl {
            settings: IndexMap::new(),
            closure: Vec::new(),
            components: Vec::new(),
            span: stmt.span,
        };
        for item in stmt.block.iter().flat_map(|b| &b.stmts) {
            match item.head.name.as_str() {
                "closure" => {
                    self.shape(item, 2, &[], false);
                    if let (Some(name), Some(value)) =
                        (self.name_arg(item, 0, "a closure class"), item.args.get(1))
                    {
                        if let Some(first) = decl.closure.iter().find(|s| s.name.name == name.name)
                        {
                            let diagnostic = duplicate("closure class", &name, first.name.span);
                            self.report(diagnostic);
                            continue;
                        }
                        decl.closure.push(Setting { name, value: value.clone() });
                    }
                }
                "component" => {
                    self.shape(item, 1, &[ClauseKeyword::Assign], false);
                    let name = self.name_arg(item, 0, "a component name");
                    if let (Some(name), Some(value)) =
                        (name, self.clause(item, ClauseKeyword::Assign))
                    {
                        if let Some(first) =
                            decl.components.iter().find(|s| s.name.name == name.name)
                        {
                            let diagnostic = duplicate("grade component", &name, first.name.span);
                            self.report(diagnostic);
                            continue;
                        }
                        decl.components.push(Setting { name, value });
                    }
                }
                _ => {
                    if let Some((name, setting)) = self.setting(item, GRADE_SETTINGS, "grade") {
                        insert_setting(
                            &mut decl.settings,
                            name,
                            setting,
                            "setting",
                            self.diagnostics,
                        );
                    }
                }
            }
        }
        self.program.grade = Some(decl);
    }

    fn param(&mut self, item: &Stmt) -> Option<Param> {
        self.shape(item, 2, &[], false);
        let name = self.name_arg(item, 0, "a parameter name")?;
        let ty = self.name_arg(item, 1, "a type name")?;
        Some(Param { name, ty })
    }

    /// The statements of a body block.
    fn body(&mut self, stmt: &Stmt, extra: &[&str]) -> Vec<Effect> {
        self.effects(stmt.block.iter().flat_map(|b| &b.stmts), extra)
    }

    fn effects<'s>(
        &mut self,
        stmts: impl Iterator<Item = &'s Stmt>,
        extra: &[&str],
    ) -> Vec<Effect> {
        stmts.filter_map(|s| self.effect(s, extra)).collect()
    }

    fn block_effects(&mut self, block: &Block) -> Vec<Effect> {
        self.effects(block.stmts.iter(), &[])
    }

    fn effect(&mut self, stmt: &Stmt, extra: &[&str]) -> Option<Effect> {
        let when = stmt.clause(ClauseKeyword::When).cloned();
        let Some(keyword) = EffectKeyword::named(&stmt.head.name) else {
            let expected: Vec<&str> = EffectKeyword::NAMES.iter().chain(extra).copied().collect();
            self.unknown_statement(stmt, &expected, "a body");
            return None;
        };
        let op = match keyword {
            EffectKeyword::If => {
                self.shape(stmt, 1, &[], true);
                let condition = stmt.args.first()?.clone();
                let then = stmt.block.as_ref().map(|b| self.block_effects(b)).unwrap_or_default();
                let otherwise = match stmt.else_branch.as_deref() {
                    Some(Else::Block(block)) => self.block_effects(block),
                    Some(Else::If(nested)) => self.effect(nested, &[]).into_iter().collect(),
                    None => Vec::new(),
                };
                return Some(Effect::If { condition, then, otherwise });
            }
            EffectKeyword::Reward => {
                self.shape_args(stmt, 2, 3);
                self.shape(stmt, usize::MAX, &[ClauseKeyword::When], false);
                let value = stmt.args.first()?.clone();
                let group = self.name_arg(stmt, 1, "a reward group")?;
                let label = match stmt.args.get(2).map(|e| &e.kind) {
                    Some(ExprKind::Text(text)) => Some(text.clone()),
                    Some(_) => {
                        self.text_arg(stmt, 2, "a label in quotes");
                        None
                    }
                    None => None,
                };
                return Some(Effect::Reward { value, group, label, when });
            }
            EffectKeyword::Inspect => Primitive::Inspect(self.named_effect(stmt)?),
            EffectKeyword::Request => Primitive::Request(self.named_effect(stmt)?),
            EffectKeyword::Deliver => Primitive::Deliver(self.named_effect(stmt)?),
            EffectKeyword::Resolve => Primitive::Resolve(self.named_effect(stmt)?),
            EffectKeyword::Pay => Primitive::Pay(self.valued_effect(stmt)?),
            EffectKeyword::Note => Primitive::Note(self.valued_effect(stmt)?),
            EffectKeyword::Switch => Primitive::Switch(self.valued_effect(stmt)?),
            EffectKeyword::Satisfaction => Primitive::Satisfaction(self.valued_effect(stmt)?),
            EffectKeyword::FraudLoss => Primitive::FraudLoss(self.valued_effect(stmt)?),
            EffectKeyword::Fee => Primitive::Fee(self.valued_effect(stmt)?),
            EffectKeyword::TakeStock => self.bare_effect(stmt, Primitive::TakeStock),
            EffectKeyword::Close => self.bare_effect(stmt, Primitive::Close),
            EffectKeyword::Reopen => self.bare_effect(stmt, Primitive::Reopen),
            EffectKeyword::Stockout => self.bare_effect(stmt, Primitive::Stockout),
            EffectKeyword::Schedule => {
                let clauses = [ClauseKeyword::After, ClauseKeyword::With, ClauseKeyword::When];
                self.shape(stmt, 1, &clauses, false);
                let event = self.name_arg(stmt, 0, "an event name")?;
                let after = self.clause(stmt, ClauseKeyword::After)?;
                let with = stmt.clause(ClauseKeyword::With).cloned();
                Primitive::Schedule { event, after, with }
            }
            EffectKeyword::Fact => {
                let (name, value) = self.assigning_effect(stmt)?;
                Primitive::Fact { name, value }
            }
            EffectKeyword::Detail => {
                let (name, value) = self.assigning_effect(stmt)?;
                Primitive::Detail { name, value }
            }
            EffectKeyword::Append => {
                self.shape(stmt, 2, &[ClauseKeyword::When], false);
                let check = self.name_arg(stmt, 0, "a check name")?;
                let text = stmt.args.get(1)?.clone();
                Primitive::Append { check, text }
            }
        };
        Some(Effect::Op { op, when, span: stmt.span })
    }

    /// `KEYWORD NAME [when C]`: the name.
    fn named_effect(&mut self, stmt: &Stmt) -> Option<Ident> {
        self.shape(stmt, 1, &[ClauseKeyword::When], false);
        self.name_arg(stmt, 0, "a name")
    }

    /// `KEYWORD VALUE [when C]`: the value.
    fn valued_effect(&mut self, stmt: &Stmt) -> Option<Expr> {
        self.shape(stmt, 1, &[ClauseKeyword::When], false);
        stmt.args.first().cloned()
    }

    /// `KEYWORD [when C]`: `op`.
    fn bare_effect(&mut self, stmt: &Stmt, op: Primitive) -> Primitive {
        self.shape(stmt, 0, &[ClauseKeyword::When], false);
        op
    }

    /// `KEYWORD NAME = VALUE [when C]`: the name and the value.
    fn assigning_effect(&mut self, stmt: &Stmt) -> Option<(Ident, Expr)> {
        self.shape(stmt, 1, &[ClauseKeyword::Assign, ClauseKeyword::When], false);
        let name = self.name_arg(stmt, 0, "a name")?;
        Some((name, self.clause(stmt, ClauseKeyword::Assign)?))
    }

    /// Settings of a block: `name value` lines, each allowed name at most once.
    fn settings(
        &mut self,
        block: &Block,
        allowed: &[&str],
        context: &str,
    ) -> IndexMap<String, Setting> {
        let mut settings = IndexMap::new();
        for item in &block.stmts {
            if let Some((name, setting)) = self.setting(item, allowed, context) {
                insert_setting(&mut settings, name, setting, "setting", self.diagnostics);
            }
        }
        settings
    }

    fn block_settings(
        &mut self,
        stmt: &Stmt,
        allowed: &[&str],
        context: &str,
    ) -> IndexMap<String, Setting> {
        match &stmt.block {
            Some(block) => self.settings(block, allowed, context),
            None => IndexMap::new(),
        }
    }

    fn setting(
        &mut self,
        item: &Stmt,
        allowed: &[&str],
        context: &str,
    ) -> Option<(String, Setting)> {
        if !allowed.contains(&item.head.name.as_str()) {
            self.unknown_statement(item, allowed, context);
            return None;
        }
        self.shape(item, 1, &[], false);
        let value = item.args.first()?.clone();
        Some((item.head.name.clone(), Setting { name: item.head.clone(), value }))
    }

    fn insert_setting(&mut self, kind: Kind, name: String, setting: Setting) {
        let (map, what) = match kind {
            Kind::Desk => (&mut self.program.desk, "desk setting"),
            Kind::Text => (&mut self.program.texts, "text"),
        };
        insert_setting(map, name, setting, what, self.diagnostics);
    }

    /// Checks argument count, clauses and block presence, reporting `SHOP003`.
    fn shape(&mut self, stmt: &Stmt, args: usize, clauses: &[ClauseKeyword], block: bool) {
        let head = &stmt.head.name;
        if args != usize::MAX && stmt.args.len() != args {
            let span = match stmt.args.get(args) {
                Some(extra) => extra.span.to(stmt.args.last().map_or(extra.span, |e| e.span)),
                None => stmt.head.span,
            };
            let expected = match args {
                0 => "no arguments".to_string(),
                1 => "one argument".to_string(),
                n => format!("{n} arguments"),
            };
            let label =
                if stmt.args.len() > args { "unexpected argument" } else { "missing argument" };
            self.report(
                Diagnostic::new(
                    Code::MalformedStatement,
                    span,
                    format!("`{head}` takes {expected}"),
                )
                .label(label)
                .help(format!("see `{head}` in docs/scenario-language.md")),
            );
        }
        for clause in &stmt.clauses {
            if !clauses.contains(&clause.keyword) {
                let keyword = clause.keyword.as_str();
                self.report(
                    Diagnostic::new(
                        Code::MalformedStatement,
                        clause.keyword_span,
                        format!("`{head}` takes no `{keyword}` clause"),
                    )
                    .label("unexpected clause"),
                );
            }
        }
        match (&stmt.block, block) {
            (Some(b), false) => self.report(
                Diagnostic::new(
                    Code::MalformedStatement,
                    b.span,
                    format!("`{head}` takes no block"),
                )
                .label("unexpected block"),
            ),
            (None, true) => self.report(
                Diagnostic::new(
                    Code::MalformedStatement,
                    stmt.span,
                    format!("`{head}` needs a `{{ ... }}` block"),
                )
                .label("no block"),
            ),
            _ => {}
        }
        if stmt.else_branch.is_some() && head != "if" {
            self.report(
                Diagnostic::new(Code::MalformedStatement, stmt.span, "`else` follows only an `if`")
                    .label("unexpected `else`"),
            );
        }
    }

    fn shape_args(&mut self, stmt: &Stmt, min: usize, max: usize) {
        let n = stmt.args.len();
        if n < min || n > max {
            let head = &stmt.head.name;
            self.report(
                Diagnostic::new(
                    Code::MalformedStatement,
                    stmt.span,
                    format!("`{head}` takes {min} to {max} arguments, found {n}"),
                )
                .label("here"),
            );
        }
    }

    fn clause(&mut self, stmt: &Stmt, keyword: ClauseKeyword) -> Option<Expr> {
        let value = stmt.clause(keyword).cloned();
        if value.is_none() {
            let head = &stmt.head.name;
            let keyword = keyword.as_str();
            self.report(
                Diagnostic::new(
                    Code::MalformedStatement,
                    stmt.span,
                    format!("`{head}` needs a `{keyword}` clause"),
                )
                .label(format!("no `{keyword}` here")),
            );
        }
        value
    }

    fn name_arg(&mut self, stmt: &Stmt, index: usize, what: &str) -> Option<Ident> {
        let arg = stmt.args.get(index)?;
        self.name_of(arg, what)
    }

    fn name_of(&mut self, expr: &Expr, what: &str) -> Option<Ident> {
        match expr.kind.as_name() {
            Some(name) => Some(name.clone()),
            None => {
                if expr.kind != ExprKind::Error {
                    self.report(
                        Diagnostic::new(
                            Code::MalformedStatement,
                            expr.span,
                            format!("expected {what}"),
                        )
                        .label("not a plain name"),
                    );
                }
                None
            }
        }
    }

    fn text_arg(&mut self, stmt: &Stmt, index: usize, what: &str) -> Option<Ident> {
        let arg = stmt.args.get(index)?;
        match &arg.kind {
            ExprKind::Text(text) => Some(Ident { name: text.clone(), span: arg.span }),
            _ => {
                self.report(
                    Diagnostic::new(Code::MalformedStatement, arg.span, format!("expected {what}"))
                        .label("not a string"),
                );
                None
            }
        }
    }

    fn unknown_statement(&mut self, stmt: &Stmt, expected: &[&str], context: &str) {
        let head = &stmt.head.name;
        let mut diagnostic = Diagnostic::new(
            Code::UnknownStatement,
            stmt.head.span,
            format!("`{head}` is not a statement of {context}"),
        )
        .label("unknown here");
        diagnostic.help = Some(match suggest(head, expected.iter().copied()) {
            Some(suggestion) => suggestion,
            None => format!("expected one of: {}", expected.join(", ")),
        });
        self.report(diagnostic);
    }

    fn missing(&mut self, stmt: &Stmt, what: &str, help: &str) {
        self.report(
            Diagnostic::new(Code::MissingSetting, stmt.head.span, format!("missing `{what}`"))
                .label(format!("`{}` without `{what}`", stmt.head.name))
                .help(help),
        );
    }
}

enum Kind {
    Desk,
    Text,
}

fn duplicate(what: &str, name: &Ident, previous: Span) -> Diagnostic {
    Diagnostic::new(Code::Duplicate, name.span, format!("{what} `{}` is defined twice", name.name))
        .label("defined again here")
        .with_label(previous, "first defined here")
        .help("rename one of them or remove the duplicate")
}

fn insert<T>(
    map: &mut IndexMap<String, T>,
    name: Ident,
    value: T,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) where
    T: Named,
{
    if let Some(previous) = map.get(&name.name) {
        diagnostics.push(duplicate(what, &name, previous.name_span()));
        return;
    }
    map.insert(name.name, value);
}

fn insert_setting(
    map: &mut IndexMap<String, Setting>,
    name: String,
    setting: Setting,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if let Some(previous) = map.get(&name) {
        diagnostics.push(duplicate(what, &setting.name, previous.name.span));
        return;
    }
    map.insert(name, setting);
}

/// Declarations that have a name to point at.
trait Named {
    fn name_span(&self) -> Span;
}

macro_rules! named {
    ($($t:ty),*) => { $(impl Named for $t { fn name_span(&self) -> Span { self.name.span } })* };
}
named!(CheckDecl, ResponseDecl, ActionDecl, EventDecl, BlockerDecl, TruthDecl);
