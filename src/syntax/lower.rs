//! pest pairs → owned [`ast`] nodes, and pest errors → diagnostics.

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;

use super::ast::{
    BinaryOp, Block, Clause, ClauseKeyword, Else, Expr, ExprKind, Ident, Stmt, UnaryOp,
};
use super::grammar::{Rule, ShopParser};
use super::{MAX_DEPTH, MAX_FILE_BYTES, MAX_PARTS, MAX_SYNTAX_ERRORS, MAX_TREE_DEPTH};
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Parses a whole `.shop` file. On a syntax error the statements are empty and the one
/// diagnostic says what was expected.
pub fn parse_file(file: FileId, text: &str) -> Result<Vec<Stmt>, Vec<Diagnostic>> {
    if text.len() > MAX_FILE_BYTES {
        let span = Span::new(file, 0, 0);
        return Err(vec![
            Diagnostic::new(Code::Syntax, span, "file is too large to parse")
                .help(format!("scenario files are limited to {MAX_FILE_BYTES} bytes")),
        ]);
    }
    if let Some(diagnostic) = check_nesting(file, text, 0) {
        return Err(vec![diagnostic]);
    }
    // pest stops at the first error; to report more, parsing resumes at the next top-level
    // statement (a line starting in column 0) after each error.
    let mut errors = Vec::new();
    let mut lowering = Lowering { file, offset: 0, diagnostics: Vec::new(), nodes: 0, parts: 0 };
    let mut stmts = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let chunk = &text[start..];
        lowering.offset = start;
        match ShopParser::parse(Rule::file, chunk) {
            Ok(pairs) => {
                lowering.lower_file(pairs, &mut stmts);
                break;
            }
            Err(error) => {
                errors.push(syntax_error(file, start, &error).help(STATEMENT_HELP));
                let at = match error.location {
                    InputLocation::Pos(pos) | InputLocation::Span((pos, _)) => pos,
                };
                if errors.len() == MAX_SYNTAX_ERRORS {
                    let span = Span::new(file, start + at, start + at);
                    errors.push(
                        Diagnostic::new(
                            Code::Syntax,
                            span,
                            "too many syntax errors; the rest of the file is not checked",
                        )
                        .label(format!("stopped here, after {MAX_SYNTAX_ERRORS} errors"))
                        .help("fix the errors above and check again"),
                    );
                    break;
                }
                // Keep what parsed before the broken statement.
                let broken = top_level_start(chunk, at);
                if let Ok(pairs) = ShopParser::parse(Rule::file, &chunk[..broken]) {
                    lowering.lower_file(pairs, &mut stmts);
                }
                match next_top_level(chunk, at) {
                    Some(next) => start += next,
                    None => break,
                }
            }
        }
    }
    errors.extend(lowering.diagnostics);
    if errors.is_empty() { Ok(stmts) } else { Err(errors) }
}

/// Byte offset of the line, at or before `at`, where the top-level statement holding `at` starts.
fn top_level_start(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    let mut start = 0;
    for (offset, line) in line_starts(text) {
        if offset > at {
            break;
        }
        if starts_statement(line) {
            start = offset;
        }
    }
    start
}

/// Byte offset of the first top-level statement line after the one holding `at`.
fn next_top_level(text: &str, at: usize) -> Option<usize> {
    line_starts(text).map(|(offset, _)| offset).find(|&offset| offset > at).and_then(|first| {
        line_starts(&text[first..]).find(|(_, line)| starts_statement(line)).map(|(o, _)| first + o)
    })
}

fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line)
    })
}

fn starts_statement(line: &str) -> bool {
    line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

/// Parses one expression written at byte `offset` of `file` (e.g. a YAML scalar), so that
/// its spans point into that file.
pub fn parse_expr(file: FileId, offset: usize, text: &str) -> Result<Expr, Diagnostic> {
    if let Some(diagnostic) = check_nesting(file, text, offset) {
        return Err(diagnostic);
    }
    let mut pairs =
        ShopParser::parse(Rule::expression, text).map_err(|e| syntax_error(file, offset, &e))?;
    let mut lowering = Lowering { file, offset, diagnostics: Vec::new(), nodes: 0, parts: 0 };
    let expr_pair = pairs.next().expect("expression rule").into_inner().next().expect("expr");
    let expr = lowering.top_expr(expr_pair, 0);
    match lowering.diagnostics.into_iter().next() {
        Some(diagnostic) => Err(diagnostic),
        None => Ok(expr),
    }
}

/// Refuses bracket nesting deeper than [`MAX_DEPTH`] before pest sees it. Brackets inside
/// strings and comments do not count.
fn check_nesting(file: FileId, text: &str, offset: usize) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '"' if text[i..].starts_with("\"\"\"") => {
                let end = text[i + 3..].find("\"\"\"").map_or(text.len(), |e| i + 3 + e + 3);
                while chars.next_if(|&(j, _)| j < end).is_some() {}
            }
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_DEPTH {
            let span = Span::new(file, offset + i, offset + i + 1);
            return Some(
                Diagnostic::new(Code::Syntax, span, "brackets are nested too deeply")
                    .label(format!("more than {MAX_DEPTH} levels deep"))
                    .help("split the expression into named `let` values"),
            );
        }
    }
    None
}

/// Length of `text` up to the end of its last character that is neither whitespace nor part
/// of a comment (pest includes the trivia it skipped after a rule in the rule's span).
fn significant_len(text: &str) -> usize {
    let mut end = text.len();
    loop {
        let trimmed = text[..end].trim_end();
        end = trimmed.len();
        let line_start = trimmed.rfind('\n').map_or(0, |i| i + 1);
        match comment_start(&trimmed[line_start..]) {
            Some(at) => end = line_start + at,
            None => return end,
        }
    }
}

/// Where a `#` comment starts on one line, outside strings.
fn comment_start(line: &str) -> Option<usize> {
    if !line.contains('#') {
        return None;
    }
    let mut in_string = false;
    let mut chars = line.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

fn syntax_error(file: FileId, offset: usize, error: &pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match error.location {
        InputLocation::Pos(pos) => (pos, pos),
        InputLocation::Span((start, end)) => (start, end),
    };
    let span = Span::new(file, offset + start, offset + end);
    let (message, label) = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut expected: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            if expected.len() > 3 && expected.contains(&"a name") {
                expected.retain(|e| !is_operand(e));
                expected.push("an expression");
            }
            expected.sort_unstable();
            expected.dedup();
            let label = match expected.as_slice() {
                [] => "unexpected input".to_string(),
                [one] => format!("expected {one}"),
                [init @ .., last] => format!("expected {} or {last}", init.join(", ")),
            };
            ("syntax error".to_string(), label)
        }
        ErrorVariant::CustomError { message } if message.contains("limit reached") => {
            ("input is nested too deeply".to_string(), "parsing stopped here".to_string())
        }
        ErrorVariant::CustomError { message } => (message.clone(), String::new()),
    };
    Diagnostic::new(Code::Syntax, span, message).label(label)
}

const STATEMENT_HELP: &str =
    "statements are `name arguments... { block }`, one per line; see `shopops explain SHOP001`";

/// How a rule is named in "expected ..." messages; `None` hides it.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::stmt | Rule::head => "a statement",
        Rule::expr | Rule::arg => "an expression",
        Rule::block => "`{`",
        Rule::clause | Rule::clause_keyword => "`when`, `after`, `with`, `message` or `=`",
        Rule::else_clause => "`else`",
        Rule::range
        | Rule::or
        | Rule::and
        | Rule::eq
        | Rule::ne
        | Rule::le
        | Rule::ge
        | Rule::lt
        | Rule::gt
        | Rule::add
        | Rule::sub
        | Rule::mul
        | Rule::div => "an operator",
        Rule::money => "an amount like `$45.00`",
        Rule::minutes => "a duration like `20m`",
        Rule::percent | Rule::basis_points => "a percentage like `35%`",
        Rule::number => "a number",
        Rule::string | Rule::long_string => "a string",
        Rule::name | Rule::path | Rule::call => "a name",
        Rule::list => "a list",
        Rule::if_expr => "`if`",
        _ => return None,
    })
}

fn is_operand(description: &str) -> bool {
    matches!(description, "a name" | "a number" | "a string" | "a list" | "`if`")
        || description.contains(" like ")
}

struct Lowering {
    file: FileId,
    offset: usize,
    diagnostics: Vec<Diagnostic>,
    /// Operators, calls, lists and `if`s seen in the current top-level expression.
    nodes: u32,
    /// Statements (nested ones included), arguments and clauses lowered so far.
    parts: usize,
}

impl Lowering {
    fn lower_file(&mut self, mut pairs: pest::iterators::Pairs<'_, Rule>, stmts: &mut Vec<Stmt>) {
        let file = pairs.next().expect("file rule");
        for pair in file.into_inner().filter(|p| p.as_rule() == Rule::stmt) {
            if !self.count_part(&pair) {
                break;
            }
            stmts.push(self.stmt(pair, 0));
        }
    }

    /// The pair's span without the whitespace and comments pest skipped after it.
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let end = s.start() + significant_len(pair.as_str());
        Span::new(self.file, self.offset + s.start(), self.offset + end)
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident { name: pair.as_str().to_string(), span: self.span(pair) }
    }

    fn too_deep(&mut self, span: Span) -> bool {
        self.diagnostics.push(
            Diagnostic::new(Code::Syntax, span, "nested too deeply")
                .label(format!("more than {MAX_DEPTH} levels deep")),
        );
        true
    }

    fn stmt(&mut self, pair: Pair<'_, Rule>, depth: usize) -> Stmt {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let head = self.ident(&inner.next().expect("head"));
        let mut stmt = Stmt {
            head,
            args: Vec::new(),
            clauses: Vec::new(),
            block: None,
            else_branch: None,
            span,
        };
        if depth > MAX_DEPTH && self.too_deep(span) {
            return stmt;
        }
        for part in inner {
            match part.as_rule() {
                Rule::expr | Rule::clause if !self.count_part(&part) => break,
                Rule::expr => stmt.args.push(self.top_expr(part, depth + 1)),
                Rule::clause => stmt.clauses.push(self.clause(part, depth)),
                Rule::block => stmt.block = Some(self.block(part, depth)),
                Rule::else_clause => {
                    let branch = part.into_inner().last().expect("else body");
                    let branch = match branch.as_rule() {
                        Rule::block => Else::Block(self.block(branch, depth)),
                        _ => Else::If(self.stmt(branch, depth + 1)),
                    };
                    stmt.else_branch = Some(Box::new(branch));
                }
                rule => unreachable!("unexpected {rule:?} in stmt"),
            }
        }
        stmt
    }

    fn block(&mut self, pair: Pair<'_, Rule>, depth: usize) -> Block {
        let span = self.span(&pair);
        let mut stmts = Vec::new();
        for inner in pair.into_inner() {
            if !self.count_part(&inner) {
                break;
            }
            stmts.push(self.stmt(inner, depth + 1));
        }
        Block { stmts, span }
    }

    fn clause(&mut self, pair: Pair<'_, Rule>, depth: usize) -> Clause {
        let mut inner = pair.into_inner();
        let keyword_pair = inner.next().expect("clause keyword");
        let keyword = match keyword_pair.as_str() {
            "when" => ClauseKeyword::When,
            "after" => ClauseKeyword::After,
            "with" => ClauseKeyword::With,
            "message" => ClauseKeyword::Message,
            _ => ClauseKeyword::Assign,
        };
        let keyword_span = self.span(&keyword_pair);
        let value = self.top_expr(inner.next().expect("clause value"), depth + 1);
        Clause { keyword, keyword_span, value }
    }

    /// Lowers an expression that is not part of another, with a fresh node budget.
    fn top_expr(&mut self, pair: Pair<'_, Rule>, depth: usize) -> Expr {
        self.nodes = 0;
        self.expr(pair, depth)
    }

    /// Counts a statement, argument or clause; false (and a diagnostic, once) past
    /// [`MAX_PARTS`].
    fn count_part(&mut self, pair: &Pair<'_, Rule>) -> bool {
        self.parts += 1;
        if self.parts == MAX_PARTS + 1 {
            self.diagnostics.push(
                Diagnostic::new(Code::Syntax, self.span(pair), "the file is too long")
                    .label(format!(
                        "more than {MAX_PARTS} statements, arguments and clauses; the rest is not checked"
                    ))
                    .help("split the file, and import the parts"),
            );
        }
        self.parts <= MAX_PARTS
    }

    /// Counts one inner node; false (and a diagnostic, once) past [`MAX_TREE_DEPTH`].
    fn node(&mut self, span: Span) -> bool {
        self.nodes += 1;
        if self.nodes == MAX_TREE_DEPTH + 1 {
            self.diagnostics.push(
                Diagnostic::new(Code::Syntax, span, "expression is too long")
                    .label(format!("more than {MAX_TREE_DEPTH} operators"))
                    .help("split it into named `let` values"),
            );
        }
        self.nodes <= MAX_TREE_DEPTH
    }

    /// Lowers `unary (infix unary)*` by precedence climbing over the flat token list.
    ///
    /// `-` binds tighter than anything; `not` binds looser than comparisons and tighter than
    /// `and`, so `not status == closed` is `not (status == closed)`.
    fn expr(&mut self, pair: Pair<'_, Rule>, depth: usize) -> Expr {
        let span = self.span(&pair);
        if depth > MAX_DEPTH && self.too_deep(span) {
            return Expr { kind: ExprKind::Error, span };
        }
        let mut operands: Vec<Expr> = Vec::new();
        let mut operators: Vec<Pending> = Vec::new();
        let mut negations: Vec<Span> = Vec::new();
        for part in pair.into_inner() {
            let part_span = self.span(&part);
            let operator = binary_op(part.as_rule()).is_some()
                || matches!(part.as_rule(), Rule::neg | Rule::not);
            if operator && !self.node(part_span) {
                return Expr { kind: ExprKind::Error, span };
            }
            match part.as_rule() {
                Rule::neg => negations.push(part_span),
                Rule::not => operators.push(Pending::Not(part_span)),
                rule => {
                    if let Some(op) = binary_op(rule) {
                        let incoming = Pending::Binary(op);
                        while operators
                            .last()
                            .is_some_and(|top| top.binding() >= incoming.binding())
                        {
                            reduce(&mut operands, &mut operators);
                        }
                        operators.push(incoming);
                    } else {
                        let mut operand = self.primary(part, depth);
                        while let Some(op_span) = negations.pop() {
                            let span = op_span.to(operand.span);
                            operand = Expr {
                                kind: ExprKind::Unary(UnaryOp::Neg, Box::new(operand)),
                                span,
                            };
                        }
                        operands.push(operand);
                    }
                }
            }
        }
        while !operators.is_empty() {
            reduce(&mut operands, &mut operators);
        }
        operands.pop().unwrap_or(Expr { kind: ExprKind::Error, span })
    }

    fn primary(&mut self, pair: Pair<'_, Rule>, depth: usize) -> Expr {
        let span = self.span(&pair);
        let nested = matches!(pair.as_rule(), Rule::if_expr | Rule::list)
            || pair.as_rule() == Rule::path
                && pair.clone().into_inner().any(|p| p.as_rule() == Rule::call);
        if nested && !self.node(span) {
            return Expr { kind: ExprKind::Error, span };
        }
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::money => self.literal(span, money_cents(text), ExprKind::Money),
            Rule::minutes => self.literal(span, minutes(text), ExprKind::Minutes),
            Rule::percent => {
                self.literal(span, percent_bp(&text[..text.len() - 1]), ExprKind::Percent)
            }
            Rule::basis_points => {
                self.literal(span, text[..text.len() - 2].parse().ok(), ExprKind::Percent)
            }
            Rule::number if text.contains('.') => ExprKind::Real(text.parse().unwrap_or(0.0)),
            Rule::number => self.literal(span, text.parse().ok(), ExprKind::Int),
            Rule::string => ExprKind::Text(unescape(&text[1..text.len() - 1])),
            Rule::long_string => ExprKind::Text(text[3..text.len() - 3].to_string()),
            Rule::boolean => ExprKind::Bool(text == "true"),
            Rule::null => ExprKind::Null,
            Rule::path => {
                let mut segments = Vec::new();
                let mut args = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::call => {
                            args =
                                Some(part.into_inner().map(|p| self.expr(p, depth + 1)).collect());
                        }
                        _ => segments.push(self.ident(&part)),
                    }
                }
                match (args, segments.len()) {
                    (None, _) => ExprKind::Path(segments),
                    (Some(args), 1) => ExprKind::Call(segments.remove(0), args),
                    (Some(_), _) => {
                        self.diagnostics.push(
                            Diagnostic::new(Code::Syntax, span, "only a plain name can be called")
                                .label("a dotted name with arguments"),
                        );
                        ExprKind::Error
                    }
                }
            }
            Rule::list => {
                ExprKind::List(pair.into_inner().map(|p| self.expr(p, depth + 1)).collect())
            }
            Rule::if_expr => {
                let mut parts = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::expr)
                    .map(|p| self.expr(p, depth + 1));
                let (c, a, b) = (parts.next(), parts.next(), parts.next());
                match (c, a, b) {
                    (Some(c), Some(a), Some(b)) => {
                        ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
                    }
                    _ => ExprKind::Error,
                }
            }
            Rule::expr => return self.expr(pair, depth + 1),
            rule => unreachable!("unexpected {rule:?} in expression"),
        };
        Expr { kind, span }
    }

    /// A numeric literal, or a diagnostic when it does not fit or has too many decimals.
    fn literal(&mut self, span: Span, value: Option<i64>, kind: fn(i64) -> ExprKind) -> ExprKind {
        match value {
            Some(value) => kind(value),
            None => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        span,
                        "this quantity cannot be represented",
                    )
                    .label("too large, or more than two decimals")
                    .help("amounts are whole cents and percentages whole basis points"),
                );
                ExprKind::Error
            }
        }
    }
}

/// An operator waiting for its right operand.
enum Pending {
    Binary(BinaryOp),
    Not(Span),
}

impl Pending {
    fn binding(&self) -> u8 {
        match self {
            Pending::Binary(op) => op.precedence() * 2,
            Pending::Not(_) => BinaryOp::And.precedence() * 2 + 1,
        }
    }
}

fn reduce(operands: &mut Vec<Expr>, operators: &mut Vec<Pending>) {
    let Some(pending) = operators.pop() else { return };
    let Some(right) = operands.pop() else { return };
    let expr = match pending {
        Pending::Not(op_span) => {
            let span = op_span.to(right.span);
            Expr { kind: ExprKind::Unary(UnaryOp::Not, Box::new(right)), span }
        }
        Pending::Binary(op) => match operands.pop() {
            Some(left) => {
                let span = left.span.to(right.span);
                Expr { kind: ExprKind::Binary(op, Box::new(left), Box::new(right)), span }
            }
            None => right,
        },
    };
    operands.push(expr);
}

fn binary_op(rule: Rule) -> Option<BinaryOp> {
    Some(match rule {
        Rule::range => BinaryOp::Range,
        Rule::or => BinaryOp::Or,
        Rule::and => BinaryOp::And,
        Rule::eq => BinaryOp::Eq,
        Rule::ne => BinaryOp::Ne,
        Rule::lt => BinaryOp::Lt,
        Rule::le => BinaryOp::Le,
        Rule::gt => BinaryOp::Gt,
        Rule::ge => BinaryOp::Ge,
        Rule::add => BinaryOp::Add,
        Rule::sub => BinaryOp::Sub,
        Rule::mul => BinaryOp::Mul,
        Rule::div => BinaryOp::Div,
        _ => return None,
    })
}

/// `$1,800.5` → 180050 cents. Digits after the second decimal are refused by the checker's
/// caller through `None`.
fn money_cents(text: &str) -> Option<i64> {
    let digits: String = text[1..].chars().filter(|c| *c != ',' && *c != '_').collect();
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    if fraction.len() > 2 {
        return None;
    }
    let cents = format!("{fraction:0<2}").parse::<i64>().ok()?;
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)
}

/// `12.5` (percent) → 1250 basis points; at most two decimals.
fn percent_bp(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 2 {
        return None;
    }
    let bp = format!("{fraction:0<2}").parse::<i64>().ok()?;
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(bp)
}

/// `20m` → 20, `2h` → 120.
fn minutes(text: &str) -> Option<i64> {
    let (digits, unit) = text.split_at(text.len() - 1);
    digits.parse::<i64>().ok()?.checked_mul(if unit == "h" { 60 } else { 1 })
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> String {
        parse_expr(FileId(0), 0, text).expect("parses").to_string()
    }

    fn messages(text: &str) -> Vec<String> {
        let errors = parse_file(FileId(0), text).expect_err("fails");
        errors.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn parsing_stops_after_fifty_syntax_errors() {
        let messages = messages(&"a @\n".repeat(10_000));
        assert_eq!(messages.len(), MAX_SYNTAX_ERRORS + 1);
        assert_eq!(
            messages.last().unwrap(),
            "too many syntax errors; the rest of the file is not checked"
        );
    }

    #[test]
    fn a_file_of_tiny_statements_or_arguments_is_cut_off_once() {
        for text in ["a\n".repeat(MAX_PARTS + 10), format!("a {}\n", "b ".repeat(MAX_PARTS + 10))] {
            assert_eq!(messages(&text), ["the file is too long"]);
        }
        assert!(parse_file(FileId(0), &"a\n".repeat(MAX_PARTS)).is_ok());
    }

    fn args(text: &str) -> Vec<String> {
        let stmts = parse_file(FileId(0), text).expect("parses");
        stmts[0].args.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn not_binds_looser_than_comparisons() {
        let parsed = parse_expr(FileId(0), 0, "not status == closed and first").unwrap();
        let ExprKind::Binary(BinaryOp::And, left, _) = parsed.kind else { panic!("{parsed}") };
        assert!(matches!(left.kind, ExprKind::Unary(UnaryOp::Not, ref inner)
            if matches!(inner.kind, ExprKind::Binary(BinaryOp::Eq, ..))));
        assert_eq!(expr("not (a and b)"), "not (a and b)");
    }

    #[test]
    fn a_minus_before_a_digit_is_a_sign() {
        assert_eq!(args("weight money -0.40\n"), ["money", "-0.4"]);
        assert_eq!(args("reward -0.02 penalty\n"), ["-0.02", "penalty"]);
        assert_eq!(expr("days - 1"), "days - 1");
        assert_eq!(expr("value-credit"), "value - credit");
    }

    #[test]
    fn spans_stop_before_trailing_comments() {
        let stmts = parse_file(FileId(0), "cost 4m   # four minutes\n").unwrap();
        assert_eq!(stmts[0].args[0].span, Span::new(FileId(0), 5, 7));
    }

    #[test]
    fn every_broken_statement_is_reported() {
        let errors =
            parse_file(FileId(0), "action a {\n  cost 4m +\n}\nok 1\nevent e { ) }\n").unwrap_err();
        assert_eq!(errors.len(), 2);
    }
}
