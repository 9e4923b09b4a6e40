//! YAML case data → located, typed [`Case`]s whose quantities are expressions.
//!
//! Shape errors (missing fields, wrong types, unknown keys, bad YAML) become `SHOP007`
//! diagnostics pointing into the YAML file; expression strings are parsed with the scenario
//! language's own expression grammar, so their spans point into the YAML file too.

pub mod model;

use serde::Serialize;
use serde_saphyr::{Location, Spanned};

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{Expr, ExprKind, Ident};
use crate::syntax::parse_expr;
use model::{CaseFile, CaseRecord, Draw, Outcome, Scalar, Text, Value};

/// One case, lowered from YAML.
#[derive(Clone, Debug, Serialize)]
pub struct Case {
    /// Case id.
    pub id: Ident,
    /// Title.
    pub title: Ident,
    /// Visible enums: `type`, `tier`, `priority`, `order_status`, `fraud_signal`, in this order.
    pub attributes: Vec<(&'static str, Ident)>,
    /// Replacement SKU.
    pub sku: Option<Ident>,
    /// Seeded draws in order.
    pub draws: Vec<DrawDef>,
    /// Derived values in order.
    pub lets: Vec<(Ident, Expr)>,
    /// Named quantities of the hidden record and visible values, e.g. `order_value`.
    pub values: Vec<(&'static str, Expr)>,
    /// Requirements.
    pub requires: Requirements,
    /// Per-response settings.
    pub responses: Vec<(Ident, ResponseSettings)>,
    /// The correct resolution.
    pub truth: Expr,
    /// Fact groups.
    pub facts: Vec<FactGroup>,
    /// The draw that selects a variant.
    pub variant: Option<Ident>,
    /// Variant overrides.
    pub variants: Vec<(Ident, Variant)>,
    /// The whole record.
    #[serde(skip)]
    pub span: Span,
}

/// A seeded draw.
#[derive(Clone, Debug, Serialize)]
pub struct DrawDef {
    /// Name the draw is referred to by.
    pub name: Ident,
    /// What is drawn.
    pub kind: DrawKind,
}

/// Kinds of draws.
#[derive(Clone, Debug, Serialize)]
pub enum DrawKind {
    /// Uniform over `lo..hi` (inclusive).
    Range(Expr),
    /// Weighted options, weights in percent.
    Options(Vec<(Ident, Expr)>),
}

/// What a case needs before a good close.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Requirements {
    /// Required checks.
    pub checks: Vec<Ident>,
    /// Required responses.
    pub responses: Vec<Ident>,
    /// Required note code.
    pub note: Option<Ident>,
}

/// How one response behaves on a case.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ResponseSettings {
    /// Status at reset.
    pub initial: Option<Expr>,
    /// Delivered status.
    pub outcome: Option<Expr>,
    /// Delay.
    pub delay: Option<Expr>,
}

/// A fact group of a case.
#[derive(Clone, Debug, Serialize)]
pub struct FactGroup {
    /// Group name (a check, a response or an event's group).
    pub group: Ident,
    /// Summary template with `{fact}` placeholders.
    pub summary: Option<Ident>,
    /// Facts in order.
    pub facts: Vec<(Ident, Expr)>,
}

/// What one variant changes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Variant {
    /// Replacement truth.
    pub truth: Option<Expr>,
    /// Replacement fraud flag.
    pub fraudulent: Option<Expr>,
    /// Replacement requirements.
    pub requires: Option<Requirements>,
    /// Replacement fact groups.
    pub facts: Vec<FactGroup>,
}

/// Largest case-data file accepted.
pub const MAX_YAML_BYTES: usize = 1 << 20;

/// Loads and lowers a case-data file already in `sources`.
pub fn load(sources: &SourceMap, file: FileId) -> Result<Vec<Case>, Vec<Diagnostic>> {
    let text = &sources.file(file).text;
    if text.len() > MAX_YAML_BYTES {
        let span = Span::new(file, 0, 0);
        return Err(vec![Diagnostic::new(Code::Yaml, span, "case-data file is too large")]);
    }
    let options = serde_saphyr::options! { with_snippet: false };
    let parsed: CaseFile =
        serde_saphyr::from_str_with_options(text, options).map_err(|error| {
            let span = error.location().map_or(Span::new(file, 0, 0), |l| locate(sources, file, l));
            let message = yaml_message(&error.to_string());
            vec![Diagnostic::new(Code::Yaml, span, message).label("here").help(
                "see docs/scenario-language.md, section \"Case data\", for the fields of a case",
            )]
        })?;
    let mut lowering = Lowering { sources, file, diagnostics: Vec::new() };
    let cases = parsed.cases.iter().map(|c| lowering.case(c)).collect();
    if lowering.diagnostics.is_empty() { Ok(cases) } else { Err(lowering.diagnostics) }
}

/// serde-saphyr's message without its trailing location (we show that ourselves). Messages
/// about the model's untagged enums are their `expecting` texts, written for authors.
fn yaml_message(message: &str) -> String {
    let message = message.lines().next().unwrap_or(message);
    let message = message.split(" at line ").next().unwrap_or(message).trim().trim_end_matches('.');
    let message = message.split(", set DuplicateKeyPolicy").next().unwrap_or(message);
    message.split("; set DuplicateKeyPolicy").next().unwrap_or(message).to_string()
}

fn locate(sources: &SourceMap, file: FileId, location: Location) -> Span {
    let span = location.span();
    if let (Some(offset), Some(len)) = (span.byte_offset(), span.byte_len()) {
        return Span::new(file, offset as usize, (offset + len) as usize);
    }
    // Fall back to line and column.
    let text = &sources.file(file).text;
    let line_start: usize = text
        .split_inclusive('\n')
        .take(location.line().saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let offset = text[line_start..]
        .char_indices()
        .nth(location.column().saturating_sub(1) as usize)
        .map_or(text.len(), |(i, _)| line_start + i);
    Span::new(file, offset, offset)
}

struct Lowering<'a> {
    sources: &'a SourceMap,
    file: FileId,
    diagnostics: Vec<Diagnostic>,
}

impl Lowering<'_> {
    fn span<T>(&self, value: &Spanned<T>) -> Span {
        locate(self.sources, self.file, value.referenced)
    }

    fn ident(&self, text: &Text) -> Ident {
        Ident { name: text.value.clone(), span: self.span(text) }
    }

    /// Parses a string as an expression whose spans point into the YAML file.
    fn expression(&mut self, text: &str, span: Span) -> Expr {
        let source = &self.sources.file(self.file).text;
        // The scalar may be quoted: find the text itself just after the reported start.
        let start = span.start as usize;
        let window = source.get(start..(start + text.len() + 8).min(source.len())).unwrap_or("");
        let offset = window.find(text).map_or(start, |i| start + i);
        match parse_expr(self.file, offset, text) {
            Ok(expr) => expr,
            Err(diagnostic) => {
                self.diagnostics.push(diagnostic);
                Expr { kind: ExprKind::Error, span }
            }
        }
    }

    /// A quantity: strings are expressions, other scalars literals.
    fn value(&mut self, value: &Value) -> Expr {
        let span = self.span(value);
        self.scalar(&value.value, span)
    }

    fn scalar(&mut self, scalar: &Scalar, span: Span) -> Expr {
        match scalar {
            Scalar::Text(text) => self.expression(text, span),
            other => literal(other, span),
        }
    }

    /// A response's outcome. Weights written in place are reported with how to draw them.
    fn outcome(&mut self, response: &Text, outcome: &Spanned<Outcome>) -> Expr {
        let span = self.span(outcome);
        let weights = match &outcome.value {
            Outcome::Named(scalar) => return self.scalar(scalar, span),
            Outcome::Weights(weights) => weights,
        };
        let draw = format!("{}_outcome", response.value);
        let options: Vec<String> = weights.iter().map(|(o, w)| format!("{o}: {w}")).collect();
        let options = options.join(", ");
        self.diagnostics.push(
            Diagnostic::new(Code::Yaml, span, "an outcome takes a status or the name of a draw, not weights")
                .label("weights of a draw")
                .help(format!(
                    "move the weights into a draw and name it here: `{draw}: {{ {options} }}` under `draws:`, then `outcome: {draw}`"
                )),
        );
        Expr { kind: ExprKind::Error, span }
    }

    /// A fact: literal unless it starts with `=`.
    fn fact(&mut self, value: &Value) -> Expr {
        let span = self.span(value);
        match &value.value {
            Scalar::Text(text) if text.starts_with('=') => {
                let source = &self.sources.file(self.file).text;
                let eq = source.get(span.start as usize..).and_then(|s| s.find('=')).unwrap_or(0);
                let inner = Span::new(self.file, span.start as usize + eq + 1, span.end as usize);
                self.expression(&text[1..], inner)
            }
            other => literal(other, span),
        }
    }

    fn case(&mut self, record: &Spanned<CaseRecord>) -> Case {
        let span = self.span(record);
        let r = &record.value;
        let attributes = vec![
            ("type", self.ident(&r.case_type)),
            ("tier", self.ident(&r.tier)),
            ("priority", self.ident(&r.priority)),
            ("order_status", self.ident(&r.order_status)),
            ("fraud_signal", self.ident(&r.fraud_signal)),
        ];
        let draws = r.draws.iter().map(|(name, draw)| self.draw(name, draw)).collect();
        let lets = r.lets.iter().map(|(name, v)| (self.ident(name), self.value(v))).collect();
        let mut values = vec![
            ("order_value", self.value(&r.order_value)),
            ("days_since_order", self.value(&r.days_since_order)),
            ("sla_deadline", self.value(&r.sla_deadline)),
            ("satisfaction_bonus", self.value(&r.satisfaction_bonus)),
            ("reopen_delay", self.value(&r.reopen_delay)),
        ];
        let optional = [
            ("requested", &r.requested),
            ("chargeback_delay", &r.chargeback_delay),
            ("chargeback_fee", &r.chargeback_fee),
            ("fraudulent", &r.fraudulent),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                values.push((name, self.value(value)));
            }
        }
        let responses = r
            .responses
            .iter()
            .map(|(name, data)| {
                let settings = ResponseSettings {
                    initial: data.value.initial.as_ref().map(|v| self.value(v)),
                    outcome: data.value.outcome.as_ref().map(|v| self.outcome(name, v)),
                    delay: data.value.delay.as_ref().map(|v| self.value(v)),
                };
                (self.ident(name), settings)
            })
            .collect();
        let variants = r
            .variants
            .iter()
            .map(|(name, o)| {
                let variant = Variant {
                    truth: o.value.truth.as_ref().map(|v| self.value(v)),
                    fraudulent: o.value.fraudulent.as_ref().map(|v| self.value(v)),
                    requires: o.value.requires.as_ref().map(|q| self.requires(q)),
                    facts: self.fact_groups(&o.value.facts),
                };
                (self.ident(name), variant)
            })
            .collect();
        Case {
            id: self.ident(&r.id),
            title: self.ident(&r.title),
            attributes,
            sku: r.sku.as_ref().map(|s| self.ident(s)),
            draws,
            lets,
            values,
            requires: self.requires(&r.requires),
            responses,
            truth: self.value(&r.truth),
            facts: self.fact_groups(&r.facts),
            variant: r.variant.as_ref().map(|v| self.ident(v)),
            variants,
            span,
        }
    }

    fn draw(&mut self, name: &Text, draw: &Spanned<Draw>) -> DrawDef {
        let span = self.span(draw);
        let kind = match &draw.value {
            Draw::Range(text) => DrawKind::Range(self.expression(text, span)),
            Draw::Options(options) => DrawKind::Options(
                options
                    .iter()
                    .map(|(option, weight)| {
                        let source = &self.sources.file(self.file).text;
                        let at = |needle: &str, from: usize| {
                            source
                                .get(from..)
                                .and_then(|s| s.find(needle))
                                .map_or(from, |i| from + i)
                        };
                        let start = at(option, span.start as usize);
                        let option_span = Span::new(self.file, start, start + option.len());
                        let weight_start = at(weight, option_span.end as usize);
                        let weight_span =
                            Span::new(self.file, weight_start, weight_start + weight.len());
                        let ident = Ident { name: option.clone(), span: option_span };
                        (ident, self.expression(weight, weight_span))
                    })
                    .collect(),
            ),
        };
        DrawDef { name: self.ident(name), kind }
    }

    fn requires(&self, requires: &model::Requires) -> Requirements {
        Requirements {
            checks: requires.checks.iter().map(|c| self.ident(c)).collect(),
            responses: requires.responses.iter().map(|c| self.ident(c)).collect(),
            note: requires.note.as_ref().map(|n| self.ident(n)),
        }
    }

    fn fact_groups(
        &mut self,
        groups: &indexmap::IndexMap<Text, indexmap::IndexMap<Text, Value>>,
    ) -> Vec<FactGroup> {
        groups
            .iter()
            .map(|(group, facts)| {
                let mut summary = None;
                let mut list = Vec::new();
                for (name, value) in facts {
                    match (&*name.value, &value.value) {
                        ("summary", Scalar::Text(text)) => {
                            summary = Some(Ident { name: text.clone(), span: self.span(value) });
                        }
                        _ => list.push((self.ident(name), self.fact(value))),
                    }
                }
                FactGroup { group: self.ident(group), summary, facts: list }
            })
            .collect()
    }
}

fn literal(scalar: &Scalar, span: Span) -> Expr {
    let kind = match scalar {
        Scalar::Bool(b) => ExprKind::Bool(*b),
        Scalar::Int(i) => ExprKind::Int(*i),
        Scalar::Real(r) => ExprKind::Real(*r),
        Scalar::Text(t) => ExprKind::Text(t.clone()),
        Scalar::List(items) => ExprKind::List(
            items.iter().map(|t| Expr { kind: ExprKind::Text(t.clone()), span }).collect(),
        ),
    };
    Expr { kind, span }
}
