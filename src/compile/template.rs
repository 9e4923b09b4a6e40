//! [`Template`]: a summary text with `{fact}` placeholders, split at compile time into its
//! literal pieces and the facts it names (as symbols), so writing it looks nothing up by name.

use std::fmt::{self, Display, Write};

use super::ir::Sym;
use super::symbols::Symbols;

/// A text with `{fact}` placeholders, parsed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq)]
enum Piece {
    /// Text written as it is.
    Text(Box<str>),
    /// A placeholder: the fact it names (`None`: a name no fact can have), and the placeholder
    /// as written (what is written when the fact has no value).
    Fact { name: Option<Sym>, written: Box<str> },
}

impl Template {
    /// `text` parsed, its placeholders' names resolved in `symbols` (final: a name not in it is
    /// no fact's).
    pub fn parse(text: &str, symbols: &Symbols) -> Template {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            pieces.push(Piece::Text(rest[..open].into()));
            let Some(close) = rest[open..].find('}') else {
                // An unclosed `{`: the text before it is written, then all of the rest (as the
                // engine always has).
                break;
            };
            let name = &rest[open + 1..open + close];
            let written = rest[open..=open + close].into();
            pieces.push(Piece::Fact { name: symbols.get(name), written });
            rest = &rest[open + close + 1..];
        }
        pieces.push(Piece::Text(rest.into()));
        pieces.retain(|piece| !matches!(piece, Piece::Text(text) if text.is_empty()));
        Template { pieces }
    }

    /// Writes the text, each placeholder filled with `value` of its fact (as written when
    /// that has none).
    pub fn write<V: Display>(
        &self,
        out: &mut impl Write,
        value: impl Fn(Sym) -> Option<V>,
    ) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.write_str(text)?,
                Piece::Fact { name, written } => match name.and_then(&value) {
                    Some(value) => write!(out, "{value}")?,
                    None => out.write_str(written)?,
                },
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> String {
        let mut symbols = Symbols::default();
        let (order, fee) = (symbols.intern("order"), symbols.intern("fee"));
        let template = Template::parse(text, &symbols);
        let mut out = String::new();
        let value = |name: Sym| match name {
            _ if name == order => Some("A-1"),
            _ if name == fee => Some("2.50"),
            _ => None,
        };
        template.write(&mut out, value).unwrap();
        out
    }

    #[test]
    fn placeholders_are_filled_and_the_rest_written_as_it_is() {
        assert_eq!(written("Order {order}: fee ${fee}."), "Order A-1: fee $2.50.");
        assert_eq!(written("{order}{fee}"), "A-12.50");
        assert_eq!(written("no placeholders"), "no placeholders");
        assert_eq!(written(""), "");
    }

    #[test]
    fn a_placeholder_without_a_value_is_written_as_it_is() {
        assert_eq!(written("{unknown} and {order}"), "{unknown} and A-1");
        assert_eq!(written("{}"), "{}");
    }

    #[test]
    fn an_unclosed_brace_writes_the_text_before_it_then_the_rest() {
        assert_eq!(written("before {order"), "before before {order");
        assert_eq!(written("{order} then {x"), "A-1 then  then {x");
    }
}
