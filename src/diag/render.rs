//! Renderers: rustc-style text through miette, and JSON.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use super::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap, Span};

/// Output format of `shopops check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// rustc-style reports with source excerpts.
    Human,
    /// one JSON array of diagnostic objects (code, severity, message, file, line, column,
    /// labels, help).
    Json,
}

/// Renders diagnostics as text reports, one after another.
///
/// `color` picks the coloured theme; `width` wraps long lines.
pub fn render_human(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    color: bool,
    width: usize,
) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width).with_links(false);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&diagnostic.message);
            out.push('\n');
        }
    }
    out
}

/// A diagnostic as `check --format json` prints it.
#[derive(Debug, Serialize, PartialEq)]
pub struct JsonDiagnostic {
    /// Stable code.
    pub code: String,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// File of the primary label.
    pub file: String,
    /// 1-based line of the primary label.
    pub line: usize,
    /// 1-based column (characters) of the primary label.
    pub column: usize,
    /// Every label, primary first.
    pub labels: Vec<JsonLabel>,
    /// How to fix it.
    pub help: Option<String>,
}

/// A label in JSON output.
#[derive(Debug, Serialize, PartialEq)]
pub struct JsonLabel {
    /// File path.
    pub file: String,
    /// 1-based start line.
    pub line: usize,
    /// 1-based start column.
    pub column: usize,
    /// 1-based end line.
    pub end_line: usize,
    /// 1-based end column (exclusive).
    pub end_column: usize,
    /// Byte offset of the start.
    pub offset: u32,
    /// Length in bytes.
    pub length: usize,
    /// Label text.
    pub message: String,
}

/// Converts diagnostics to their JSON shape.
pub fn to_json(diagnostics: &[Diagnostic], sources: &SourceMap) -> Vec<JsonDiagnostic> {
    diagnostics
        .iter()
        .map(|d| {
            let labels: Vec<JsonLabel> = d.labels.iter().map(|l| json_label(l, sources)).collect();
            JsonDiagnostic {
                code: d.code.to_string(),
                severity: d.severity,
                message: d.message.clone(),
                file: labels[0].file.clone(),
                line: labels[0].line,
                column: labels[0].column,
                labels,
                help: d.help.clone(),
            }
        })
        .collect()
}

/// Renders diagnostics as a pretty JSON array.
pub fn render_json(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    serde_json::to_string_pretty(&to_json(diagnostics, sources)).expect("diagnostics serialize")
}

fn json_label(label: &Label, sources: &SourceMap) -> JsonLabel {
    let file = sources.file(label.span.file);
    let (line, column) = file.line_col(label.span.start);
    let (end_line, end_column) = file.line_col(label.span.end);
    JsonLabel {
        file: file.path.display().to_string(),
        line,
        column,
        end_line,
        end_column,
        offset: label.span.start,
        length: label.span.len(),
        message: label.message.clone(),
    }
}

/// Adapter that shows one file's labels of a diagnostic to miette; labels in other files
/// become related reports.
struct Report {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Excerpt,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> Self {
        let primary = diagnostic.span().file;
        let mut files: Vec<FileId> = vec![primary];
        for label in &diagnostic.labels {
            if !files.contains(&label.span.file) {
                files.push(label.span.file);
            }
        }
        let severity = match diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let related = files[1..]
            .iter()
            .map(|&file| Report {
                message: format!("in {}", sources.file(file).path.display()),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: Excerpt::new(sources, diagnostic, file),
                labels: labels_in(diagnostic, file),
                related: Vec::new(),
            })
            .collect();
        Report {
            message: diagnostic.message.clone(),
            code: Some(diagnostic.code.to_string()),
            severity,
            help: diagnostic.help.clone(),
            source: Excerpt::new(sources, diagnostic, primary),
            labels: labels_in(diagnostic, primary),
            related,
        }
    }
}

/// The lines of one file a report shows: those around its labels, never the whole file, so
/// rendering many diagnostics of a large file stays linear in its size. Spans keep their
/// offsets in the whole file; line numbers are the file's.
struct Excerpt {
    name: String,
    text: String,
    /// Byte offset of `text` in the file.
    offset: usize,
    /// 0-based line number of the first line of `text`.
    first_line: usize,
}

/// Lines shown around a label: more than the renderer's context lines.
const EXCERPT_CONTEXT_LINES: usize = 3;

impl Excerpt {
    fn new(sources: &SourceMap, diagnostic: &Diagnostic, file: FileId) -> Self {
        let spans = diagnostic.labels.iter().map(|l| l.span).filter(|s| s.file == file);
        let start = spans.clone().map(|s| s.start).min().unwrap_or(0);
        let end = spans.map(|s| s.end).max().unwrap_or(0);
        let source = sources.file(file);
        let (range, first_line) = source.lines_around(start, end, EXCERPT_CONTEXT_LINES);
        Excerpt {
            name: source.path.display().to_string(),
            offset: range.start,
            text: source.text[range].to_string(),
            first_line,
        }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let offset = span.offset().checked_sub(self.offset).ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new(offset.into(), span.len());
        let contents =
            self.text.as_str().read_span(&local, context_lines_before, context_lines_after)?;
        let shown =
            SourceSpan::new((contents.span().offset() + self.offset).into(), contents.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            shown,
            contents.line() + self.first_line,
            contents.column(),
            // The lines the contents cover, as miette's trait documents; miette's own `str`
            // counts from the start of the text instead, which makes it merge the snippets of
            // labels up to twice their line number apart into one long excerpt.
            contents.line_count() - contents.line(),
        )))
    }
}

fn labels_in(diagnostic: &Diagnostic, file: FileId) -> Vec<LabeledSpan> {
    diagnostic
        .labels
        .iter()
        .enumerate()
        .filter(|(_, l)| l.span.file == file)
        .map(|(i, l)| {
            let text = (!l.message.is_empty()).then(|| l.message.clone());
            let span = source_span(l.span);
            if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        })
        .collect()
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}
