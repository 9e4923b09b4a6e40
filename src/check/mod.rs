//! Source files → every diagnostic, and the checked declarations the compiler needs.
//!
//! Each rule lives in its own module and reports into one list; nothing stops at the first
//! problem. [`check_paths`] is what `shopops check` runs.

mod case_data;
pub mod constant;
mod cycles;
mod duplicates;
pub mod graph;
pub mod infer;
pub mod load;
mod never_cleared;
pub mod program;
mod resolve;
pub mod scope;
pub mod splits;
mod statements;
mod summaries;
mod unused;
mod walk;
mod weights;

/// Types of expressions (declared with the vocabulary, in `lang`).
pub use crate::lang::ty;

use std::io;

use indexmap::IndexMap;
use std::path::PathBuf;

use crate::data::Case;
use crate::diag::{self, Code, Diagnostic};
use crate::source::{FileId, SourceMap};
use crate::syntax::ast::ExprKind;
use graph::DependencyGraph;
use program::Program;

pub use crate::lang::valid_note_code;
pub use resolve::{
    CLOSURE_CLASSES, DIFFICULTIES, MAX_PER_KIND, STATUS_FIELDS, SUMMARY_FIELDS, reward_groups,
};
pub use summaries::placeholders;

/// Settings every `scenario` block must have.
pub const REQUIRED_SETTINGS: &[&str] =
    &["title", "difficulty", "time_limit", "max_steps", "invalid_limit", "budget", "cases"];

/// A checked scenario file: its declarations and case data.
#[derive(Debug)]
pub struct Checked {
    /// The file checked.
    pub root: FileId,
    /// Every `.shop` file involved (imports first).
    pub files: Vec<FileId>,
    /// The case-data file, if loaded.
    pub cases_file: Option<FileId>,
    /// Declarations.
    pub program: Program,
    /// Cases.
    pub cases: Vec<Case>,
    /// The dependency graph of the declarations and cases (built once, here; the compiled
    /// scenario keeps it).
    pub graph: DependencyGraph,
    /// The scenario's seed splits, by name.
    pub splits: IndexMap<String, splits::SeedSplit>,
    /// Whether any diagnostic of this file set is an error.
    pub has_errors: bool,
}

/// The result of checking a set of paths.
#[derive(Debug, Default)]
pub struct Report {
    /// Every file read.
    pub sources: SourceMap,
    /// Checked scenario files (libraries checked alone included), in path order.
    pub checked: Vec<Checked>,
    /// Every diagnostic, deduplicated and sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Checks files and directories (recursively, `*.shop`; see [`walk`] for what is read). Only a
/// given path that does not exist or cannot be listed is an I/O error; everything else, an
/// unreadable file included, is a diagnostic.
pub fn check_paths(paths: &[PathBuf]) -> io::Result<Report> {
    let walk = walk::walk(paths)?;
    let mut report = check_sources(walk.sources, &walk.roots);
    for checked in &mut report.checked {
        checked.has_errors |= walk.unread.contains(&checked.root);
    }
    report.diagnostics.extend(walk.diagnostics);
    diag::sort(&mut report.diagnostics);
    report.diagnostics.dedup();
    Ok(report)
}

/// Checks the given root files of `sources`. Imports and case data are looked up in `sources`
/// first and read from disk only when absent, so a caller can check text held in memory
/// (an editor buffer, a request body, a fuzzer's input).
pub fn check_sources(sources: SourceMap, roots: &[FileId]) -> Report {
    let mut report = Report { sources, ..Report::default() };
    let is_scenario = |sources: &SourceMap, id: FileId| is_scenario_text(&sources.file(id).text);
    let (scenarios, libraries): (Vec<FileId>, Vec<FileId>) =
        roots.iter().partition(|&&id| is_scenario(&report.sources, id));
    let mut imported = Vec::new();
    let mut cache = load::ParseCache::new();
    for root in scenarios {
        let checked = check_file(&mut report.sources, &mut cache, root, &mut report.diagnostics);
        imported.extend(checked.files.iter().copied());
        report.checked.push(checked);
    }
    for root in libraries.into_iter().filter(|l| !imported.contains(l)) {
        let checked = check_file(&mut report.sources, &mut cache, root, &mut report.diagnostics);
        report.checked.push(checked);
    }
    duplicates::check_scenario_ids(&mut report.checked, &mut report.diagnostics);
    diag::sort(&mut report.diagnostics);
    report.diagnostics.dedup();
    report
}

/// Whether a file's text declares a scenario (else it is a library, such as a prelude).
pub fn is_scenario_text(text: &str) -> bool {
    text.lines().any(|line| line.trim_start().starts_with("scenario "))
}

/// Checks one root file with its imports and case data.
fn check_file(
    sources: &mut SourceMap,
    cache: &mut load::ParseCache,
    root: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Checked {
    let mut found = Vec::new();
    let parsed = load::parse_with_imports(sources, cache, root, &mut found);
    if parsed.broken || found.iter().any(Diagnostic::is_error) {
        // Names declared in a broken statement would only cascade into unknown references.
        diagnostics.extend(found);
        let program = Program::default();
        return Checked {
            root,
            files: parsed.files,
            cases_file: None,
            program,
            cases: Vec::new(),
            graph: DependencyGraph::default(),
            splits: IndexMap::new(),
            has_errors: true,
        };
    }
    let stmts = parsed.stmts.iter().flat_map(|file| file.iter());
    let program = statements::declare(sources, stmts, &mut found);
    let mut cases = Vec::new();
    let mut cases_file = None;
    if let Some(scenario) = &program.scenario {
        for setting in REQUIRED_SETTINGS {
            if !scenario.settings.contains_key(*setting) {
                found.push(
                    Diagnostic::new(
                        Code::MissingSetting,
                        scenario.id.span,
                        format!("scenario `{}` has no `{setting}`", scenario.id.name),
                    )
                    .label(format!("missing `{setting}`"))
                    .help("see the `scenario` block in docs/scenario-language.md for its settings"),
                );
            }
        }
        for (present, what) in
            [(program.grade.is_some(), "grade"), (!program.ends.is_empty(), "end")]
        {
            if !present {
                found.push(
                    Diagnostic::new(
                        Code::MissingSetting,
                        scenario.id.span,
                        format!("no `{what}` is declared"),
                    )
                    .label("this scenario cannot be graded or ended")
                    .help("import the prelude, or declare it yourself"),
                );
            }
        }
        if let Some(setting) = scenario.settings.get("cases") {
            match &setting.value.kind {
                ExprKind::Text(path) => {
                    if let Some((file, loaded)) =
                        load::load_cases(sources, root, path, setting.value.span, &mut found)
                    {
                        if loaded.is_empty() {
                            found.push(
                                Diagnostic::new(
                                    Code::MissingSetting,
                                    setting.value.span,
                                    "the case data has no cases",
                                )
                                .label("this file lists no case")
                                .help("a scenario needs at least one case under `cases:`"),
                            );
                        }
                        cases_file = Some(file);
                        cases = loaded;
                    }
                }
                _ => found.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        setting.value.span,
                        "`cases` takes a path in quotes",
                    )
                    .label("not a string"),
                ),
            }
        }
    }
    let splits = splits::check_splits(&program, &mut found);
    let mut typer = infer::Typer::new(&mut found);
    resolve::check_declarations(&program, &mut typer);
    case_data::check_cases(&program, &cases, &mut typer);
    let used = std::mem::take(&mut typer.used);
    summaries::check_summaries(sources, &cases, &mut found);
    let graph = DependencyGraph::build(&program, &cases);
    cycles::check_cycles(&program, &graph, &mut found);
    never_cleared::check_blockers(&program, &graph, &mut found);
    never_cleared::check_requirements(&program, &graph, &cases, &mut found);
    weights::check_weights(&program, &mut found);
    if program.scenario.is_some() && cases_file.is_some() {
        unused::check_unused(&program, &used, root, &mut found);
        summaries::check_appends(&program, &cases, &mut found);
    }
    let has_errors = found.iter().any(Diagnostic::is_error);
    diagnostics.extend(found);
    Checked { root, files: parsed.files, cases_file, program, cases, graph, splits, has_errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<Code> {
        let mut sources = SourceMap::new();
        let root = sources.add("memory.shop", text);
        check_sources(sources, &[root]).diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn in_memory_sources_are_checked_without_disk() {
        assert!(codes("check order { empty \"none\" }\n").is_empty());
        assert_eq!(codes("chek order\n"), [Code::UnknownStatement]);
    }

    #[test]
    fn more_checks_than_the_engine_tracks_are_refused() {
        let text: String =
            (0..=MAX_PER_KIND).map(|i| format!("check c{i} {{ empty \"-\" }}\n")).collect();
        assert_eq!(codes(&text), [Code::InvalidValue]);
    }
}
