//! [`Sink`]: what [`Observed`](super::Observed) writes an observation into, one value at a
//! time in document order: JSON text ([`Json`], what the server sends), or a host language's
//! values (the Python bindings' dicts). One walk of the episode serves both.

use std::fmt::{self, Display, Write as _};
use std::ops::Range;

use serde::Serialize;
use serde_json::Value;

/// Receives an observation in document order. An object is [`Sink::begin_object`], then per
/// entry a key ([`Sink::field`] or [`Sink::key`]) and one value, then [`Sink::end_object`]; a
/// list is [`Sink::begin_list`], its values, [`Sink::end_list`]. A value is a scalar, a string,
/// a JSON value, or a whole object or list.
pub trait Sink {
    /// What writing can fail with.
    type Error;

    /// Opens an object.
    fn begin_object(&mut self) -> Result<(), Self::Error>;
    /// The key of the open object's next entry: a field name of the wire format.
    fn field(&mut self, key: &'static Field) -> Result<(), Self::Error>;
    /// The key of the open object's next entry: a name from the scenario (a SKU, a fact, a
    /// reward group).
    fn key(&mut self, key: &str) -> Result<(), Self::Error>;
    /// Closes the open object.
    fn end_object(&mut self) -> Result<(), Self::Error>;
    /// Opens a list.
    fn begin_list(&mut self) -> Result<(), Self::Error>;
    /// Closes the open list.
    fn end_list(&mut self) -> Result<(), Self::Error>;

    /// A string of the wire format's vocabulary (an enum's value, an outcome).
    fn literal(&mut self, value: &'static str) -> Result<(), Self::Error>;
    /// A name the scenario's observations repeat (a case id, a title, a blocker): a sink may
    /// share one copy between observations.
    fn name(&mut self, name: &str) -> Result<(), Self::Error>;
    /// Any other string.
    fn string(&mut self, text: &str) -> Result<(), Self::Error>;
    /// A string written through `Display` (built only if the sink needs it whole).
    fn text(&mut self, text: impl Display) -> Result<(), Self::Error>;
    /// `null`.
    fn null(&mut self) -> Result<(), Self::Error>;
    /// A boolean.
    fn bool(&mut self, value: bool) -> Result<(), Self::Error>;
    /// An integer.
    fn int(&mut self, value: i64) -> Result<(), Self::Error>;
    /// An unsigned integer (a seed).
    fn uint(&mut self, value: u64) -> Result<(), Self::Error>;
    /// A number with a fraction (`null` if it is not finite, as JSON has it).
    fn float(&mut self, value: f64) -> Result<(), Self::Error>;
    /// A JSON value (a step's details, a fact's value, the summary and grade at the end),
    /// walked value by value: an integer that fits `u64` or `i64` as one, any other number as
    /// a float, object keys as names. A sink that writes JSON copies it whole instead.
    fn json(&mut self, value: &Value) -> Result<(), Self::Error> {
        match value {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(x) => match (x.as_u64(), x.as_i64()) {
                (Some(u), _) => self.uint(u),
                (None, Some(i)) => self.int(i),
                (None, None) => self.float(x.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(text) => self.string(text),
            Value::Array(items) => {
                self.begin_list()?;
                items.iter().try_for_each(|item| self.json(item))?;
                self.end_list()
            }
            Value::Object(map) => {
                self.begin_object()?;
                for (key, item) in map {
                    self.key(key)?;
                    self.json(item)?;
                }
                self.end_object()
            }
        }
    }
}

/// A field name of the wire format, with its JSON text made at compile time by [`field!`].
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    /// The name.
    pub name: &'static str,
    /// `,"name":` (the comma is left off when the field comes first).
    pub json: &'static str,
}

/// The [`Field`] of a name written as a string literal.
macro_rules! field {
    ($name:literal) => {
        &$crate::engine::sink::Field { name: $name, json: concat!(",\"", $name, "\":") }
    };
}
pub(super) use field;

/// A value a [`Sink`] takes in one call.
pub trait Emit {
    /// Writes the value into `sink`.
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error>;
}

impl Emit for bool {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        sink.bool(*self)
    }
}

impl Emit for i64 {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        sink.int(*self)
    }
}

impl Emit for u32 {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        sink.int(i64::from(*self))
    }
}

impl Emit for u64 {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        sink.uint(*self)
    }
}

impl Emit for f64 {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        sink.float(*self)
    }
}

impl Emit for Value {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        sink.json(self)
    }
}

impl<T: Emit + ?Sized> Emit for &T {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        (**self).emit(sink)
    }
}

impl<T: Emit> Emit for Option<T> {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        match self {
            Some(value) => value.emit(sink),
            None => sink.null(),
        }
    }
}

/// JSON text appended to a buffer, byte for byte as serde_json writes the same values:
/// field names and punctuation copied as they are, strings copied between quotes unless
/// something in them needs escaping, numbers and JSON values through serde_json.
pub struct Json<'o> {
    out: &'o mut Vec<u8>,
    /// The next key or value follows another in its object or list.
    comma: bool,
}

impl<'o> Json<'o> {
    /// A sink appending to `out`.
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        Json { out, comma: false }
    }

    /// Starts a key or a value: a comma if it follows another.
    #[inline]
    fn next(&mut self) {
        if self.comma {
            self.out.push(b',');
        }
        self.comma = true;
    }

    /// A string, as serde_json writes it: copied between quotes when nothing in it needs
    /// escaping (the usual case, checked a block of bytes at a time), else escaped by
    /// serde_json.
    fn quoted(&mut self, text: &str) {
        if needs_escape(text.as_bytes()) {
            self.serde(text);
            return;
        }
        self.out.reserve(text.len() + 2);
        self.out.push(b'"');
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'"');
    }

    /// Writes one value with `write` and returns where its text lies in the buffer, for
    /// [`Json::repeat`].
    pub fn record(
        &mut self,
        write: impl FnOnce(&mut Self) -> fmt::Result,
    ) -> Result<Range<usize>, fmt::Error> {
        self.next();
        self.comma = false;
        let start = self.out.len();
        write(self)?;
        Ok(start..self.out.len())
    }

    /// The value [`Json::record`] wrote at `written`, written again (a copy of its text).
    pub fn repeat(&mut self, written: Range<usize>) {
        self.next();
        self.out.extend_from_within(written);
    }

    /// A value, as serde_json writes it.
    fn serde<T: Serialize + ?Sized>(&mut self, value: &T) {
        // Writing to a `Vec` fails only on a serialisation error, which these values have not.
        let _ = serde_json::to_writer(&mut *self.out, value);
    }
}

impl Sink for Json<'_> {
    type Error = fmt::Error;

    #[inline]
    fn begin_object(&mut self) -> fmt::Result {
        self.next();
        self.out.push(b'{');
        self.comma = false;
        Ok(())
    }

    #[inline]
    fn field(&mut self, key: &'static Field) -> fmt::Result {
        let json = key.json.as_bytes();
        self.out.extend_from_slice(if self.comma { json } else { &json[1..] });
        self.comma = false;
        Ok(())
    }

    #[inline]
    fn key(&mut self, key: &str) -> fmt::Result {
        self.next();
        self.quoted(key);
        self.out.push(b':');
        self.comma = false;
        Ok(())
    }

    #[inline]
    fn end_object(&mut self) -> fmt::Result {
        self.out.push(b'}');
        self.comma = true;
        Ok(())
    }

    #[inline]
    fn begin_list(&mut self) -> fmt::Result {
        self.next();
        self.out.push(b'[');
        self.comma = false;
        Ok(())
    }

    #[inline]
    fn end_list(&mut self) -> fmt::Result {
        self.out.push(b']');
        self.comma = true;
        Ok(())
    }

    #[inline]
    fn literal(&mut self, value: &'static str) -> fmt::Result {
        // The wire format's vocabulary needs no escaping.
        debug_assert!(!needs_escape(value.as_bytes()), "{value:?}");
        self.next();
        self.out.reserve(value.len() + 2);
        self.out.push(b'"');
        self.out.extend_from_slice(value.as_bytes());
        self.out.push(b'"');
        Ok(())
    }

    #[inline]
    fn name(&mut self, name: &str) -> fmt::Result {
        self.string(name)
    }

    #[inline]
    fn string(&mut self, text: &str) -> fmt::Result {
        self.next();
        self.quoted(text);
        Ok(())
    }

    #[inline]
    fn text(&mut self, text: impl Display) -> fmt::Result {
        self.next();
        let start = self.out.len();
        self.out.push(b'"');
        write!(Raw(self.out), "{text}")?;
        if needs_escape(&self.out[start + 1..]) {
            // Rare: written again from a copy, escaped (JSON escapes character by character,
            // so escaping the whole equals escaping each piece).
            let written = self.out.split_off(start + 1);
            self.out.truncate(start);
            self.serde(std::str::from_utf8(&written).map_err(|_| fmt::Error)?);
            return Ok(());
        }
        self.out.push(b'"');
        Ok(())
    }

    #[inline]
    fn null(&mut self) -> fmt::Result {
        self.next();
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    #[inline]
    fn bool(&mut self, value: bool) -> fmt::Result {
        self.next();
        self.out.extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    #[inline]
    fn int(&mut self, value: i64) -> fmt::Result {
        self.next();
        self.serde(&value);
        Ok(())
    }

    #[inline]
    fn uint(&mut self, value: u64) -> fmt::Result {
        self.next();
        self.serde(&value);
        Ok(())
    }

    #[inline]
    fn float(&mut self, value: f64) -> fmt::Result {
        self.next();
        self.serde(&value);
        Ok(())
    }

    #[inline]
    fn json(&mut self, value: &Value) -> fmt::Result {
        self.next();
        self.serde(value);
        Ok(())
    }
}

/// Whether JSON escapes any of these bytes (serde_json escapes exactly the control characters,
/// `"` and `\`), eight bytes at a time.
fn needs_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let found = words
        .by_ref()
        .any(|word| escapes_any(u64::from_le_bytes(word.try_into().unwrap_or_default())));
    let rest = words.remainder();
    // The last bytes padded with spaces, which need no escaping.
    let mut last = [b' '; 8];
    last[..rest.len()].copy_from_slice(rest);
    found || escapes_any(u64::from_le_bytes(last))
}

/// Whether any of a word's eight bytes is below 0x20, `"` or `\`: subtracting one from every
/// byte borrows into a byte's high bit exactly when some byte of the word is zero (the classic
/// "has a zero byte" test), here of the word minus 0x20 in every byte and of the word with every
/// `"` and every `\` turned to zero; bytes at 0x80 and above (their high bit set) never count.
fn escapes_any(word: u64) -> bool {
    const ONES: u64 = u64::MAX / 0xff;
    const HIGH_BITS: u64 = ONES * 0x80;
    let below_space = word.wrapping_sub(ONES * 0x20);
    let quote = (word ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES);
    let backslash = (word ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
    (below_space | quote | backslash) & !word & HIGH_BITS != 0
}

/// Text written through `fmt::Write` as it is (the pieces `Display` gives, one after another).
struct Raw<'o>(&'o mut Vec<u8>);

impl fmt::Write for Raw<'_> {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        self.0.extend_from_slice(piece.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings with and without characters to escape, anywhere in blocks and remainders.
    fn samples() -> Vec<String> {
        let mut samples = vec![String::new(), "é – \u{1F600} \u{7f}".to_string()];
        for special in ["\"", "\\", "\n", "\u{1}", "\u{1f}", " ", "!", "#", "[", "]", "\u{7f}"] {
            for at in [0, 5, 15, 16, 17, 31, 40] {
                let mut text = "x".repeat(41);
                text.replace_range(at..=at, special);
                samples.push(text);
            }
            // Every place in short texts: the remainder after the blocks, or a block and it.
            for len in 1..=17 {
                for at in 0..len {
                    let mut text = "y".repeat(len);
                    text.replace_range(at..=at, special);
                    samples.push(text);
                }
            }
        }
        samples
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in samples() {
            let mut out = Vec::new();
            Json::new(&mut out).name(&text).unwrap();
            assert_eq!(out, serde_json::to_vec(&text).unwrap(), "{text:?}");
            let mut out = Vec::new();
            Json::new(&mut out).text(format_args!("{text}{text}")).unwrap();
            assert_eq!(out, serde_json::to_vec(&format!("{text}{text}")).unwrap(), "{text:?}");
        }
    }

    /// Every pair of byte values, at pairs of places within the first word, across the two
    /// words and in the padded remainder, against the byte-by-byte definition.
    #[test]
    fn needs_escape_finds_exactly_the_bytes_json_escapes() {
        let escaped = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
        for (i, j) in [(0, 7), (3, 4), (6, 9), (7, 8), (1, 12)] {
            for a in 0..=u8::MAX {
                for b in 0..=u8::MAX {
                    let mut bytes = [b'y'; 13];
                    bytes[i] = a;
                    bytes[j] = b;
                    for len in [j + 1, 13] {
                        let bytes = &bytes[..len];
                        let want = bytes.iter().any(|&b| escaped(b));
                        assert_eq!(needs_escape(bytes), want, "{bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_recorded_value_is_repeated_byte_for_byte() {
        let mut out = Vec::new();
        let mut json = Json::new(&mut out);
        let written: fmt::Result = (|| {
            json.begin_list()?;
            json.int(1)?;
            let range = json.record(|json| {
                json.begin_object()?;
                json.field(field!("a"))?;
                json.string("b")?;
                json.end_object()
            })?;
            json.repeat(range);
            json.null()?;
            json.end_list()
        })();
        written.unwrap();
        assert_eq!(out, br#"[1,{"a":"b"},{"a":"b"},null]"#);
    }

    #[test]
    fn objects_and_lists_are_written_as_serde_json_writes_them() {
        let mut out = Vec::new();
        let mut json = Json::new(&mut out);
        let written: fmt::Result = (|| {
            json.begin_object()?;
            json.field(field!("a"))?;
            json.begin_list()?;
            json.int(-1)?;
            json.float(0.5)?;
            json.float(f64::NAN)?;
            json.begin_object()?;
            json.end_object()?;
            json.begin_list()?;
            json.end_list()?;
            json.end_list()?;
            json.key("b\"")?;
            json.uint(u64::MAX)?;
            json.field(field!("c"))?;
            json.json(&serde_json::json!({"d": [true, null]}))?;
            json.end_object()
        })();
        written.unwrap();
        let want = serde_json::json!({"a": [-1, 0.5, null, {}, []], "b\"": u64::MAX, "c": {"d": [true, null]}});
        assert_eq!(out, serde_json::to_vec(&want).unwrap());
    }
}
