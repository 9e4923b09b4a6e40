//! Source text → syntax tree. Syntax errors become [`Diagnostic`]s with spans.

pub mod ast;
mod grammar;
mod lower;

pub use lower::{parse_expr, parse_file};

/// Files larger than this are refused rather than parsed: 17 times the prelude, and parsing
/// holds about 250 bytes per byte of input at its peak, so one file costs at most ~64 MiB.
pub const MAX_FILE_BYTES: usize = 256 << 10;

/// Brackets and blocks nested deeper than this are refused.
pub const MAX_DEPTH: usize = 48;

/// Statements (nested ones included), arguments and clauses in one file (the prelude has about
/// 1,500): past it the rest of the file is not checked, so a file of tiny statements cannot
/// hold a tree node and a diagnostic per word by the hundred thousand.
pub const MAX_PARTS: usize = 20_000;

/// Syntax errors reported per file before parsing gives up on the rest of it (as clang's
/// `-ferror-limit`): past a few dozen, more errors help nobody, and each one costs memory.
pub const MAX_SYNTAX_ERRORS: usize = 50;

/// Expression trees deeper than this (long operator chains included) are refused, so that
/// nothing downstream recurses without bound.
pub const MAX_TREE_DEPTH: u32 = 128;
