//! `SHOP011` (warning): definitions of a scenario file that nothing uses.

use super::infer::{Item, Used};
use super::program::Program;
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Reports texts, checks, responses, events and truth kinds declared in `root` (not in an
/// imported library) that nothing references.
pub(super) fn check_unused(
    program: &Program,
    used: &Used,
    root: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut items: Vec<(Item, &str, Span, &str)> = Vec::new();
    items.extend(
        program.texts.values().map(|t| (Item::Text, t.name.name.as_str(), t.name.span, "text")),
    );
    items.extend(
        program.checks.values().map(|c| (Item::Check, c.name.name.as_str(), c.name.span, "check")),
    );
    items.extend(
        program
            .responses
            .values()
            .map(|r| (Item::Response, r.name.name.as_str(), r.name.span, "response")),
    );
    items.extend(
        program.events.values().map(|e| (Item::Event, e.name.name.as_str(), e.name.span, "event")),
    );
    items.extend(
        program
            .truths
            .values()
            .map(|t| (Item::Truth, t.name.name.as_str(), t.name.span, "truth kind")),
    );
    for (item, name, span, what) in items {
        if span.file == root && !used.contains(&(item, name.to_string())) {
            diagnostics.push(
                Diagnostic::new(Code::Unused, span, format!("{what} `{name}` is never used"))
                    .label("defined here")
                    .help("remove it, or reference it; definitions in imported files are never reported"),
            );
        }
    }
}
