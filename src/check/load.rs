//! Reads a scenario file, follows its imports and loads its case data.

use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

use crate::data::{self, Case};
use crate::diag::{Code, Diagnostic};
pub use crate::source::normalize;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{ExprKind, Stmt};
use crate::syntax::parse_file;

/// The parsed files of one scenario.
#[derive(Debug, Default)]
pub struct Parsed {
    /// `.shop` files in import order (imports before importers); the root is last.
    pub files: Vec<FileId>,
    /// Their statements, file by file in that order.
    pub stmts: Vec<Rc<[Stmt]>>,
    /// Whether some file failed to parse or import (its statements are incomplete).
    pub broken: bool,
}

/// Syntax trees of files parsed so far, so that a library imported by many scenarios is
/// parsed (and its syntax errors reported) once.
pub type ParseCache = BTreeMap<FileId, Result<Rc<[Stmt]>, ()>>;

/// Parses `root` and, depth-first, every file it imports. Syntax and import errors are
/// reported; files that fail to parse contribute no statements.
pub fn parse_with_imports(
    sources: &mut SourceMap,
    cache: &mut ParseCache,
    root: FileId,
    diagnostics: &mut Vec<Diagnostic>,
) -> Parsed {
    let mut parsed = Parsed::default();
    let mut visit = Visit { sources, cache, stack: Vec::new(), parsed: &mut parsed, diagnostics };
    visit.file(root);
    parsed
}

struct Visit<'a> {
    sources: &'a mut SourceMap,
    cache: &'a mut ParseCache,
    stack: Vec<FileId>,
    parsed: &'a mut Parsed,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Visit<'_> {
    fn file(&mut self, file: FileId) {
        if self.parsed.files.contains(&file) {
            return;
        }
        self.stack.push(file);
        let (sources, diagnostics) = (&*self.sources, &mut *self.diagnostics);
        let parsed = self.cache.entry(file).or_insert_with(|| {
            parse_file(file, &sources.file(file).text)
                .map(Rc::from)
                .map_err(|errors| diagnostics.extend(errors))
        });
        let stmts = parsed.clone().unwrap_or_else(|()| {
            self.parsed.broken = true;
            Rc::from([])
        });
        self.imports(file, &stmts);
        self.stack.pop();
        self.parsed.files.push(file);
        self.parsed.stmts.push(stmts);
    }

    fn imports(&mut self, file: FileId, stmts: &[Stmt]) {
        let (sources, diagnostics, stack) =
            (&mut *self.sources, &mut *self.diagnostics, &self.stack);
        let mut next = Vec::new();
        for stmt in stmts.iter().filter(|s| s.head.name == "import") {
            let Some(target) = import_target(stmt, diagnostics) else { continue };
            let base = sources.file(file).path.parent().map(Path::to_path_buf).unwrap_or_default();
            let path = normalize(&base.join(&target));
            let Some(imported) = open(sources, &path, stmt.args[0].span, diagnostics) else {
                continue;
            };
            if let Some(position) = stack.iter().position(|f| *f == imported) {
                let chain: Vec<String> = stack[position..]
                    .iter()
                    .chain(std::iter::once(&imported))
                    .map(|f| sources.file(*f).path.display().to_string())
                    .collect();
                diagnostics.push(
                    Diagnostic::new(Code::Import, stmt.args[0].span, "import cycle")
                        .label(format!("imports {}", chain.join(" → ")))
                        .help("a file may not import itself, directly or through other files"),
                );
                continue;
            }
            next.push(imported);
        }
        for imported in next {
            self.file(imported);
        }
    }
}

fn import_target(stmt: &Stmt, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    match stmt.args.as_slice() {
        [arg] => match &arg.kind {
            ExprKind::Text(path) => Some(path.clone()),
            _ => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::MalformedStatement,
                        arg.span,
                        "`import` takes a path in quotes",
                    )
                    .label("not a string")
                    .help("write `import \"prelude.shop\"`"),
                );
                None
            }
        },
        _ => {
            diagnostics.push(
                Diagnostic::new(Code::MalformedStatement, stmt.span, "`import` takes one path")
                    .label("here")
                    .help("write `import \"prelude.shop\"`"),
            );
            None
        }
    }
}

/// Loads a file into the map (once), reporting `SHOP012` at `referenced_at` when it cannot be read.
pub fn open(
    sources: &mut SourceMap,
    path: &Path,
    referenced_at: Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<FileId> {
    if let Some(id) = sources.find(path) {
        return Some(id);
    }
    match sources.read(path) {
        Ok(text) => Some(sources.add(path, text)),
        Err(error) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::Import,
                    referenced_at,
                    format!("cannot read `{}`", path.display()),
                )
                .label(error.to_string())
                .help("paths are relative to the file that names them"),
            );
            None
        }
    }
}

/// Loads the case data a scenario names with `cases "PATH"`.
pub fn load_cases(
    sources: &mut SourceMap,
    scenario_file: FileId,
    path: &str,
    referenced_at: Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(FileId, Vec<Case>)> {
    let base = sources.file(scenario_file).path.parent().map(Path::to_path_buf).unwrap_or_default();
    let file = open(sources, &normalize(&base.join(path)), referenced_at, diagnostics)?;
    match data::load(sources, file) {
        Ok(cases) => Some((file, cases)),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    }
}
