//! Summary templates: placeholders must name facts of their group (`SHOP004`), and every fact
//! should be mentioned (`SHOP015`, warning), since the summary is how a text-only agent sees it.

use super::program::{Primitive, Program, for_each_primitive};
use crate::data::{Case, FactGroup};
use crate::diag::{Code, Diagnostic, suggest};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::ExprKind;

/// Checks that `append` texts only name facts some case or `fact` effect defines.
pub(super) fn check_appends(program: &Program, cases: &[Case], diagnostics: &mut Vec<Diagnostic>) {
    let mut known: Vec<&str> = cases
        .iter()
        .flat_map(|c| c.facts.iter().chain(c.variants.iter().flat_map(|(_, v)| &v.facts)))
        .flat_map(|g| g.facts.iter().map(|(name, _)| name.name.as_str()))
        .collect();
    let mut appends = Vec::new();
    for body in program.bodies() {
        for_each_primitive(body, &mut |op| match op {
            Primitive::Fact { name, .. } => known.push(name.name.as_str()),
            Primitive::Append { text, .. } => appends.push(text),
            _ => {}
        });
    }
    for text in appends {
        let ExprKind::Text(template) = &text.kind else { continue };
        for (name, from, to) in placeholders(template) {
            if !known.contains(&name) {
                // A string literal's span starts at its opening quote.
                let start = text.span.start as usize + 1;
                let span = Span::new(text.span.file, start + from, start + to);
                let mut diagnostic = Diagnostic::new(
                    Code::UnknownReference,
                    span,
                    format!("unknown fact `{name}` in appended text"),
                )
                .label("no case or `fact` effect defines it");
                diagnostic.help = suggest(name, known.iter().copied());
                diagnostics.push(diagnostic);
            }
        }
    }
}

/// Checks the summary templates of every fact group of every case.
pub(super) fn check_summaries(
    sources: &SourceMap,
    cases: &[Case],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for case in cases {
        let groups = case.facts.iter().chain(case.variants.iter().flat_map(|(_, v)| &v.facts));
        for group in groups {
            check_group(sources, group, diagnostics);
        }
    }
}

/// The `{name}` placeholders of a template, with their byte ranges in the template.
pub fn placeholders(template: &str) -> Vec<(&str, usize, usize)> {
    let mut found = Vec::new();
    let mut rest = template;
    let mut base = 0;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        let name = &rest[open + 1..open + close];
        found.push((name, base + open, base + open + close + 1));
        base += open + close + 1;
        rest = &rest[open + close + 1..];
    }
    found
}

fn check_group(sources: &SourceMap, group: &FactGroup, diagnostics: &mut Vec<Diagnostic>) {
    let Some(summary) = &group.summary else { return };
    let used = placeholders(&summary.name);
    let facts: Vec<&str> = group.facts.iter().map(|(name, _)| name.name.as_str()).collect();
    // Point at a placeholder only when the template is written verbatim in the file (no
    // escapes, not folded); otherwise label the whole value.
    let text = &sources.file(summary.span.file).text;
    let start = summary.span.start as usize;
    let window = text.get(start..(start + summary.name.len() + 4).min(text.len())).unwrap_or("");
    let verbatim = window.find(summary.name.as_str()).map(|i| start + i);
    for (name, from, to) in &used {
        if !facts.contains(name) {
            let span = match verbatim {
                Some(offset) => Span::new(summary.span.file, offset + from, offset + to),
                None => summary.span,
            };
            let mut diagnostic = Diagnostic::new(
                Code::UnknownReference,
                span,
                format!("unknown fact `{name}` in the `{}` summary", group.group.name),
            )
            .label("not a fact of this group");
            diagnostic.help = suggest(name, facts.iter().copied());
            diagnostics.push(diagnostic);
        }
    }
    for (name, _) in &group.facts {
        if !used.iter().any(|(placeholder, _, _)| *placeholder == name.name) {
            diagnostics.push(
                Diagnostic::new(
                    Code::SummaryMissesFact,
                    name.span,
                    format!(
                        "the `{}` summary does not mention fact `{}`",
                        group.group.name, name.name
                    ),
                )
                .label("never shown in the summary")
                .with_label(summary.span, "summary")
                .help(format!("add `{{{}}}` to the summary text", name.name)),
            );
        }
    }
}
