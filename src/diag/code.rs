//! Stable diagnostic codes and their explanations (`shopops explain SHOP004`).

use std::fmt;

use serde::Serialize;

use super::{Severity, Stage};

macro_rules! codes {
    ($($variant:ident = $num:literal, $severity:ident, $title:literal;)*) => {
        /// A stable diagnostic code. Codes are never renumbered or reused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $title]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &[Code] = &[$(Code::$variant),*];

            /// The code as written, e.g. `SHOP004`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!("SHOP", $num),)*
                }
            }

            /// A short title.
            pub fn title(self) -> &'static str {
                match self {
                    $(Code::$variant => $title,)*
                }
            }

            /// The default severity.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// The long explanation with an example (Markdown).
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("../../docs/codes/SHOP", $num, ".md")),)*
                }
            }
        }
    };
}

codes! {
    Syntax = "001", Error, "syntax error";
    UnknownStatement = "002", Error, "statement not allowed here";
    MalformedStatement = "003", Error, "malformed statement";
    UnknownReference = "004", Error, "unknown reference";
    Duplicate = "005", Error, "duplicate definition";
    TypeMismatch = "006", Error, "type or unit mismatch";
    Yaml = "007", Error, "invalid case data";
    Cycle = "008", Error, "dependency cycle";
    NeverCleared = "009", Error, "blocker can never be cleared";
    Weights = "010", Error, "grade weights out of range";
    Unused = "011", Warning, "unused definition";
    Import = "012", Error, "import failed";
    MissingSetting = "013", Error, "missing required setting";
    InvalidValue = "014", Error, "invalid value";
    SummaryMissesFact = "015", Warning, "summary does not mention a fact";
    Unsolvable = "016", Error, "scenario not solvable to the bar (`--prove`)";
    TrivialPolicyScores = "017", Error, "a trivial policy scores (`--prove`)";
    Farmable = "018", Error, "a repeated action pays (`--prove`)";
    Unreached = "019", Error, "component or blocker never reached (`--prove`)";
    DuplicateScenario = "020", Error, "two files declare one scenario id";
    SplitOverlap = "021", Error, "seed splits overlap";
    InvalidSplit = "022", Error, "invalid seed split";
    ProofBudget = "023", Warning, "the oracle's search ran out of budget (`--prove`)";
}

impl Code {
    /// The stage of the checker that reports this code (see [`Stage`]).
    pub fn stage(self) -> Stage {
        match self {
            Code::Syntax | Code::Import => Stage::Read,
            Code::UnknownStatement
            | Code::MalformedStatement
            | Code::Duplicate
            | Code::MissingSetting
            | Code::InvalidValue
            | Code::DuplicateScenario
            | Code::SplitOverlap
            | Code::InvalidSplit => Stage::Statements,
            Code::UnknownReference | Code::TypeMismatch | Code::Yaml => Stage::Names,
            Code::Cycle | Code::NeverCleared | Code::Weights => Stage::Whole,
            Code::Unused | Code::SummaryMissesFact => Stage::Lints,
            Code::Unsolvable
            | Code::TrivialPolicyScores
            | Code::Farmable
            | Code::Unreached
            | Code::ProofBudget => Stage::Proof,
        }
    }

    /// Parses `SHOP004` (case-insensitive; `shop4` and `4` work too).
    pub fn parse(text: &str) -> Option<Code> {
        let digits = text.trim().to_ascii_uppercase();
        let digits = digits.strip_prefix("SHOP").unwrap_or(&digits);
        let number: u32 = digits.parse().ok()?;
        Code::ALL.iter().copied().find(|c| c.as_str()[4..].parse() == Ok(number))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_back() {
        for &code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
            assert!(code.explanation().starts_with(&format!("# {code}")), "{code} doc header");
        }
        assert_eq!(Code::parse("shop4"), Some(Code::UnknownReference));
        assert_eq!(Code::parse("SHOP999"), None);
    }

    /// The language reference's table of codes has a row for every code, with its severity
    /// and title as `shopops explain` gives them.
    #[test]
    fn the_language_reference_lists_every_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenario-language.md");
        let reference = std::fs::read_to_string(path).expect("the language reference");
        for &code in Code::ALL {
            let severity = match code.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let row = format!("| `{code}` | {severity} | {} |", code.title());
            assert!(reference.contains(&row), "no row `{row}` in docs/scenario-language.md");
        }
    }
}
