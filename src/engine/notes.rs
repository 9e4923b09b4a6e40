//! Note codes on a case: a name the scenario interned (its declared codes among them) is a
//! plain symbol, so adding, comparing and cloning them touches no heap; any other text an agent
//! writes is kept as it is.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::ir::Sym;
use super::state::Inline;
use super::symbols::Symbols;

/// One note code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// A code the scenario interned.
    Sym(Sym),
    /// A code outside the scenario's names.
    Other(Arc<str>),
}

/// A code looked up for comparison, without owning it.
#[derive(Clone, Copy, Debug)]
pub enum NoteKey<'a> {
    /// A code the scenario interned.
    Sym(Sym),
    /// A code outside the scenario's names.
    Other(&'a str),
}

impl<'a> NoteKey<'a> {
    /// The key of a code's text: its symbol when the scenario interned it.
    pub fn of(symbols: &Symbols, text: &'a str) -> Self {
        symbols.get(text).map_or(NoteKey::Other(text), NoteKey::Sym)
    }
}

impl Note {
    /// The code's text.
    pub fn text<'a>(&'a self, symbols: &'a Symbols) -> &'a str {
        match self {
            Note::Sym(sym) => symbols.name(*sym),
            Note::Other(text) => text,
        }
    }

    /// Whether this is the code `key` (a code's symbol and text never both name it: an interned
    /// text is always held as its symbol).
    pub fn is(&self, key: NoteKey<'_>) -> bool {
        match (self, key) {
            (Note::Sym(a), NoteKey::Sym(b)) => *a == b,
            (Note::Other(a), NoteKey::Other(b)) => **a == *b,
            (Note::Sym(_), NoteKey::Other(_)) | (Note::Other(_), NoteKey::Sym(_)) => false,
        }
    }
}

impl From<NoteKey<'_>> for Note {
    fn from(key: NoteKey<'_>) -> Self {
        match key {
            NoteKey::Sym(sym) => Note::Sym(sym),
            NoteKey::Other(text) => Note::Other(text.into()),
        }
    }
}

/// A case's note codes, in insertion order.
pub type Notes = Inline<Note, 2>;

/// Whether `notes` hold the code `key`.
pub fn has(notes: &Notes, key: NoteKey<'_>) -> bool {
    notes.iter().any(|n| n.is(key))
}

/// Hashes the codes' texts exactly as a list of strings hashes (length, then each text), so a
/// hash of a state does not depend on how its notes are held.
pub fn hash_texts<H: Hasher>(notes: &Notes, symbols: &Symbols, state: &mut H) {
    notes.len().hash(state);
    for note in notes {
        note.text(symbols).hash(state);
    }
}

#[cfg(test)]
mod tests {
    use std::hash::DefaultHasher;

    use super::*;

    fn symbols() -> Symbols {
        let mut symbols = Symbols::default();
        symbols.intern("vip_exchange");
        symbols
    }

    #[test]
    fn interned_codes_are_symbols_and_others_are_texts() {
        let symbols = symbols();
        let vip = NoteKey::of(&symbols, "vip_exchange");
        let other = NoteKey::of(&symbols, "whatever");
        assert!(matches!(vip, NoteKey::Sym(_)));
        assert!(matches!(other, NoteKey::Other("whatever")));
        let notes: Notes = [Note::from(other), Note::from(vip)].into_iter().collect();
        assert!(has(&notes, vip) && has(&notes, other));
        assert!(!has(&notes, NoteKey::of(&symbols, "vip")));
        let texts: Vec<&str> = notes.iter().map(|n| n.text(&symbols)).collect();
        assert_eq!(texts, ["whatever", "vip_exchange"]);
    }

    #[test]
    fn the_hash_is_the_hash_of_the_texts() {
        let symbols = symbols();
        let notes: Notes =
            [Note::Other("a".into()), Note::from(NoteKey::of(&symbols, "vip_exchange"))]
                .into_iter()
                .collect();
        let texts: Inline<Arc<str>, 2> = ["a".into(), "vip_exchange".into()].into_iter().collect();
        let (mut ours, mut theirs) = (DefaultHasher::new(), DefaultHasher::new());
        hash_texts(&notes, &symbols, &mut ours);
        texts.hash(&mut theirs);
        assert_eq!(ours.finish(), theirs.finish());
    }
}
