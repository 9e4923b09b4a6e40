//! Seed splits (`split train 1..800`, `split smoke [3, 7, 20..24]`): named sets of episode
//! seeds a trainer draws from and an evaluation holds out. A split whose seeds are not whole
//! numbers from 1, or a range that is empty, is `SHOP022`; a seed in two splits (or twice in
//! one) is `SHOP021`. A split name declared twice is `SHOP005`, reported with the statement.

use indexmap::IndexMap;
use serde::Serialize;

use super::program::Program;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, UnaryOp};

/// One split's seeds: ranges of seeds in the order written (`[9, 1..3]` is 9, 1, 2, 3), no
/// seed twice, every seed at least 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedSplit {
    ranges: Vec<(u64, u64)>,
}

impl SeedSplit {
    /// The number of seeds.
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|&(lo, hi)| hi - lo + 1).fold(0, u64::saturating_add)
    }

    /// Whether the split has no seed (a checked split always has one).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The `index`-th seed (from 0), if the split has that many.
    pub fn seed(&self, index: u64) -> Option<u64> {
        let mut rest = index;
        for &(lo, hi) in &self.ranges {
            let count = hi - lo + 1;
            if rest < count {
                return Some(lo + rest);
            }
            rest -= count;
        }
        None
    }

    /// The position of `seed` in the split, if it is one of its seeds.
    pub fn index_of(&self, seed: u64) -> Option<u64> {
        let mut before = 0u64;
        for &(lo, hi) in &self.ranges {
            if (lo..=hi).contains(&seed) {
                return Some(before + (seed - lo));
            }
            before += hi - lo + 1;
        }
        None
    }

    /// Every seed, in order.
    pub fn seeds(&self) -> impl Iterator<Item = u64> + '_ {
        self.ranges.iter().flat_map(|&(lo, hi)| lo..=hi)
    }

    /// The ranges as written, `(first, last)` inclusive.
    pub fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges
    }
}

impl Serialize for SeedSplit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            count: u64,
            ranges: &'a [(u64, u64)],
        }
        View { count: self.len(), ranges: &self.ranges }.serialize(serializer)
    }
}

/// A range of seeds as written, with its split and place.
struct Piece<'a> {
    split: &'a str,
    lo: u64,
    hi: u64,
    span: Span,
}

/// Checks the scenario's splits; returns them by name, in order (complete when nothing was
/// reported: a scenario with errors is not compiled).
pub(super) fn check_splits(
    program: &Program,
    found: &mut Vec<Diagnostic>,
) -> IndexMap<String, SeedSplit> {
    let Some(scenario) = &program.scenario else { return IndexMap::new() };
    let mut pieces = Vec::new();
    let mut splits = IndexMap::new();
    for setting in &scenario.splits {
        let name = setting.name.name.as_str();
        let before = found.len();
        let mut own = Vec::new();
        match &setting.value.kind {
            ExprKind::List(items) if items.is_empty() => found.push(
                invalid(setting.value.span, format!("split `{name}` has no seeds"))
                    .label("an empty list")
                    .help("list at least one seed, or remove the split"),
            ),
            ExprKind::List(items) => {
                for item in items {
                    own.extend(piece(name, item, found));
                }
            }
            _ => own.extend(piece(name, &setting.value, found)),
        }
        if found.len() == before {
            let ranges = own.iter().map(|p| (p.lo, p.hi)).collect();
            splits.insert(name.to_string(), SeedSplit { ranges });
        }
        pieces.extend(own);
    }
    overlaps(pieces, found);
    splits
}

/// One seed or range of seeds of split `split`.
fn piece<'a>(split: &'a str, expr: &Expr, found: &mut Vec<Diagnostic>) -> Option<Piece<'a>> {
    let (lo, hi) = match &expr.kind {
        ExprKind::Binary(BinaryOp::Range, lo, hi) => {
            let (lo, hi) = (seed(lo, found), seed(hi, found));
            let (lo, hi) = (lo?, hi?);
            if lo > hi {
                found.push(
                    invalid(expr.span, format!("the range {lo}..{hi} of split `{split}` is empty"))
                        .label("the first seed is above the last")
                        .help(format!("write the lower seed first: `{hi}..{lo}`")),
                );
                return None;
            }
            (lo, hi)
        }
        _ => {
            let one = seed(expr, found)?;
            (one, one)
        }
    };
    Some(Piece { split, lo, hi, span: expr.span })
}

/// A seed: a whole number from 1.
fn seed(expr: &Expr, found: &mut Vec<Diagnostic>) -> Option<u64> {
    let value = match &expr.kind {
        ExprKind::Int(v) => Some(*v),
        ExprKind::Unary(UnaryOp::Neg, inner) => match inner.kind {
            ExprKind::Int(v) => Some(-v),
            _ => None,
        },
        _ => None,
    };
    match value {
        Some(v) if v >= 1 => Some(v.unsigned_abs()),
        Some(v) => {
            found.push(
                invalid(expr.span, format!("seed {v} cannot be in a split"))
                    .label("seeds are numbered from 1")
                    .help(
                        "seeds count from 1, as `eval --seeds N` plays them; 0, what a client \
                         sending no seed may default to, is in no split",
                    ),
            );
            None
        }
        None => {
            if expr.kind != ExprKind::Error {
                let label = match expr.kind {
                    ExprKind::Real(_) => "not a whole number",
                    ExprKind::Path(_) => "a name, not a seed",
                    _ => "not a seed",
                };
                found.push(
                    invalid(expr.span, "a split holds seeds: whole numbers and ranges of them")
                        .label(label)
                        .help("write `split NAME 1..800`, or a list: `split NAME [3, 7, 20..24]`"),
                );
            }
            None
        }
    }
}

fn invalid(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(Code::InvalidSplit, span, message)
}

/// `SHOP021` for places that share seeds: the first such pair per pair of splits.
fn overlaps(mut pieces: Vec<Piece<'_>>, found: &mut Vec<Diagnostic>) {
    pieces.sort_by_key(|p| (p.lo, p.span.file, p.span.start));
    let mut reported: Vec<(&str, &str)> = Vec::new();
    // The piece reaching furthest so far: any later piece starting at or below its end overlaps it.
    let mut reach: Option<&Piece<'_>> = None;
    for piece in &pieces {
        if let Some(far) = reach
            && piece.lo <= far.hi
        {
            let (first, later) =
                if (far.span.file, far.span.start) <= (piece.span.file, piece.span.start) {
                    (far, piece)
                } else {
                    (piece, far)
                };
            let pair = (first.split, later.split);
            if !reported.contains(&pair) {
                reported.push(pair);
                let (lo, hi) = (piece.lo, piece.hi.min(far.hi));
                let seeds =
                    if lo == hi { format!("seed {lo}") } else { format!("seeds {lo}..{hi}") };
                let (message, help) = if first.split == later.split {
                    (format!("split `{}` holds {seeds} twice", later.split), "list each seed once")
                } else {
                    (
                        format!("splits `{}` and `{}` share {seeds}", first.split, later.split),
                        "a seed belongs to one split: a test seed a model trained on tests nothing",
                    )
                };
                let diagnostic = Diagnostic::new(Code::SplitOverlap, later.span, message)
                    .label(format!("{seeds} again, in `{}`", later.split))
                    .with_label(first.span, format!("in `{}` here", first.split))
                    .help(help);
                found.push(diagnostic);
            }
        }
        if reach.is_none_or(|far| piece.hi > far.hi) {
            reach = Some(piece);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_indexed_in_the_order_written() {
        let split = SeedSplit { ranges: vec![(9, 9), (1, 3)] };
        assert_eq!(split.len(), 4);
        assert_eq!(split.seeds().collect::<Vec<_>>(), [9, 1, 2, 3]);
        assert_eq!((split.seed(0), split.seed(3), split.seed(4)), (Some(9), Some(3), None));
        assert_eq!((split.index_of(2), split.index_of(4)), (Some(2), None));
    }
}
