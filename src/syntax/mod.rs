//! Source text → syntax tree. Syntax errors become [`Diagnostic`]s with spans.

pub mod ast;
mod grammar;
mod lower;

pub use lower::{parse_expr, parse_file};

/// Files larger than this are refused rather than parsed.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Brackets and blocks nested deeper than this are refused.
pub const MAX_DEPTH: usize = 48;

/// Syntax errors reported per file before parsing gives up on the rest of it (as clang's
/// `-ferror-limit`): past a few dozen, more errors help nobody, and each one costs memory.
pub const MAX_SYNTAX_ERRORS: usize = 50;

/// Expression trees deeper than this (long operator chains included) are refused, so that
/// nothing downstream recurses without bound.
pub const MAX_TREE_DEPTH: u32 = 128;
