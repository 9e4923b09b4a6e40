//! The one diagnostic type every stage reports with, and its renderers.
//!
//! A [`Diagnostic`] is renderer-neutral: a stable [`Code`], a severity, a message, labelled
//! spans (the first is the primary one) and an optional help line. [`render`] turns it into
//! rustc-style text (through miette) or JSON for editors and CI.

mod code;
mod render;

pub use code::Code;
pub use render::{Format, JsonDiagnostic, render_human, render_json, to_json};

use serde::Serialize;

use crate::source::Span;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails `shopops check` and blocks compilation.
    Error,
    /// Reported, but fails `check` only with `--deny-warnings`.
    Warning,
}

/// The stage of the checker a diagnostic comes from, in the order the stages run. A finding of
/// a later stage may be a consequence of an earlier one (a misspelt weight's name leaves a
/// component without a weight; a malformed statement leaves a name undeclared), never the
/// reverse, so reports list earlier stages first: the cause is read before its consequences.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Reading files: syntax and imports.
    Read,
    /// Statements and settings: shapes, duplicates, required settings, literal values.
    Statements,
    /// Names, types and units of expressions; the shape of the case data.
    Names,
    /// Analyses of the whole scenario: dependency cycles, blockers and requirements that can
    /// never be met, grade weights.
    Whole,
    /// Warnings about what is unused or unmentioned.
    Lints,
    /// The soundness proofs of `check --prove`.
    Proof,
}

/// A labelled span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it (may be empty).
    pub message: String,
}

/// One finding of the checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `SHOP004`.
    pub code: Code,
    /// Error or warning (the code's default).
    pub severity: Severity,
    /// One line, lowercase, naming the offending item in backticks.
    pub message: String,
    /// Labelled spans; the first is the primary location.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and a primary label.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            labels: vec![Label { span, message: String::new() }],
            help: None,
        }
    }

    /// Sets the primary label's text.
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.labels[0].message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The primary location.
    pub fn span(&self) -> Span {
        self.labels[0].span
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics into reading order: causes before consequences (by [`Stage`]), then file,
/// position and code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            let span = d.span();
            (d.code.stage(), span.file, span.start, d.code)
        };
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
}

/// "did you mean `x`?" for the closest of `candidates` to `name`, if any is close.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (name.len() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            suggest("inspect_ordr", ["inspect_order", "close_case"]),
            Some("did you mean `inspect_order`?".into())
        );
        assert_eq!(suggest("zzz", ["inspect_order"]), None);
    }

    #[test]
    fn causes_sort_before_consequences_whatever_their_position() {
        let mut sources = crate::source::SourceMap::new();
        let file = sources.add("main.shop", "scenario s {\n  weight polcy 0.2\n}\n");
        let at = |start| Span::new(file, start, start + 1);
        let mut diagnostics = vec![
            Diagnostic::new(Code::Unused, at(0), "unused"),
            Diagnostic::new(Code::Weights, at(0), "no weight"),
            Diagnostic::new(Code::UnknownReference, at(22), "unknown"),
            Diagnostic::new(Code::MalformedStatement, at(30), "malformed"),
        ];
        sort(&mut diagnostics);
        let codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [Code::MalformedStatement, Code::UnknownReference, Code::Weights, Code::Unused]
        );
    }
}
