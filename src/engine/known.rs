//! Facts known on a case, compact: each fact revealed or set is one small plain value (a
//! number, a truth value, a symbol, or the place in the case's draw that holds it unchanged),
//! taken when it was revealed or set. Its wire form ([`Wired`]) is read on demand.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};
use serde_json::{Value as Json, json};

use super::case_plan::{DataExpr, FactGroupPlan};
use super::ir::Sym;
use super::machine::Machine;
use super::sink::{Emit, Sink};
use super::state::{CaseDraw, Inline};
use super::value::Value;
use crate::wire::usd;

/// A fact's value as it was when revealed or set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Known {
    /// `null`.
    Null,
    /// A condition.
    Bool(bool),
    /// A count or minutes.
    Int(i64),
    /// Cents (the wire shows USD).
    Money(i64),
    /// Basis points (the wire shows percent).
    Percent(i64),
    /// A real.
    Real(f64),
    /// A name or text the scenario interned.
    Sym(Sym),
    /// A draw or `let` of the case by slot (unchanged since reset).
    Var(u32),
    /// A named value of the case by index (unchanged since reset).
    Field(u32),
    /// A literal of the case's fact plan: its group and position.
    Literal(u16, u16),
    /// Anything else: its wire form, by index among those its log keeps ([`FactLog`]).
    Wire(u16),
}

/// One entry of a case's fact log: a later entry of a name replaces an earlier one, and the log
/// keeps what the summaries rendered from. Its value is held as its kind and two 4-byte words,
/// so an entry takes 16 bytes, not the 24 of a [`Known`] beside a name: every case of every
/// session carries room for ten.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fact {
    /// The fact's name.
    pub name: Sym,
    /// The check whose inspection revealed it (`None`: set by an effect).
    pub check: Option<u8>,
    kind: Kind,
    words: [u32; 2],
}

/// Which [`Known`] a fact holds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Null,
    Bool,
    Int,
    Money,
    Percent,
    Real,
    Sym,
    Var,
    Field,
    Literal,
    Wire,
}

impl Fact {
    /// The entry of fact `name`, revealed by `check` (`None`: set by an effect), with `value`.
    fn new(name: Sym, check: Option<u8>, value: Known) -> Self {
        let wide = |bits: u64| [bits as u32, (bits >> 32) as u32];
        let (kind, words) = match value {
            Known::Null => (Kind::Null, [0, 0]),
            Known::Bool(b) => (Kind::Bool, [u32::from(b), 0]),
            Known::Int(v) => (Kind::Int, wide(v as u64)),
            Known::Money(c) => (Kind::Money, wide(c as u64)),
            Known::Percent(bp) => (Kind::Percent, wide(bp as u64)),
            Known::Real(r) => (Kind::Real, wide(r.to_bits())),
            Known::Sym(s) => (Kind::Sym, [s, 0]),
            Known::Var(slot) => (Kind::Var, [slot, 0]),
            Known::Field(i) => (Kind::Field, [i, 0]),
            Known::Literal(group, position) => {
                (Kind::Literal, [u32::from(group), u32::from(position)])
            }
            Known::Wire(i) => (Kind::Wire, [u32::from(i), 0]),
        };
        Fact { name, check, kind, words }
    }

    /// Its value then.
    pub fn value(&self) -> Known {
        let [low, high] = self.words;
        let wide = u64::from(low) | (u64::from(high) << 32);
        // The narrow words were widened from these types by `new`.
        let narrow = |word: u32| word as u16;
        match self.kind {
            Kind::Null => Known::Null,
            Kind::Bool => Known::Bool(low != 0),
            Kind::Int => Known::Int(wide as i64),
            Kind::Money => Known::Money(wide as i64),
            Kind::Percent => Known::Percent(wide as i64),
            Kind::Real => Known::Real(f64::from_bits(wide)),
            Kind::Sym => Known::Sym(low),
            Kind::Var => Known::Var(low),
            Kind::Field => Known::Field(low),
            Kind::Literal => Known::Literal(narrow(low), narrow(high)),
            Kind::Wire => Known::Wire(narrow(low)),
        }
    }
}

/// Where a fact of a plan sits: group and position.
#[derive(Clone, Copy, Debug)]
pub(super) struct PlanPlace {
    pub(super) group: usize,
    pub(super) position: usize,
}

/// A value to keep in a fact log: compact, or as the wire shows it when nothing compact covers
/// it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Keep {
    /// A compact value.
    Known(Known),
    /// A wire form to keep beside the log.
    Json(Json),
}

impl Keep {
    /// The value a fact's expression gave (`value`), kept compact: a plain value as it is, an
    /// interned text as its symbol, a text or list the draw holds as its place there, anything
    /// else as its wire form.
    pub(super) fn of_value(m: &Machine, expr: &DataExpr, at: PlanPlace, value: &Value) -> Keep {
        let elsewhere =
            || drawn_at(expr, at).map_or_else(|| Keep::Json(wire_value(value)), Keep::Known);
        let known = match value {
            Value::Null => Known::Null,
            Value::Bool(b) => Known::Bool(*b),
            Value::Money(c) => Known::Money(*c),
            Value::Minutes(v) | Value::Count(v) => Known::Int(*v),
            Value::Percent(bp) => Known::Percent(*bp),
            Value::Real(r) => Known::Real(*r),
            Value::Text(t) | Value::Symbol(t) => match m.symbols.get(t) {
                Some(sym) => Known::Sym(sym),
                None => return elsewhere(),
            },
            Value::List(_) => return elsewhere(),
            // Its wire form is a text written out, which a borrowed value cannot hand out.
            Value::Truth(_) => return Keep::Json(wire_value(value)),
        };
        Keep::Known(known)
    }
}

/// A case's facts revealed and set, in order: the known value of a name is its latest entry
/// (the earlier ones are what summaries rendered before it changed). Its entries are plain
/// values, so a clone copies them as one block; the rare wire forms no compact value covers
/// are kept beside them, shared between clones.
#[derive(Debug, Default)]
pub struct FactLog {
    /// Room for ten entries in place (16 B each): what the shipped tasks' cases reveal in
    /// rule-policy play (a quiet step allocates nothing: tests/allocations.rs), and no more,
    /// since every case of every idle session carries it (16 made an idle hard session
    /// 1 KiB larger).
    facts: Inline<Fact, 10>,
    wire: Option<Arc<Vec<Json>>>,
}

impl Clone for FactLog {
    fn clone(&self) -> Self {
        FactLog { facts: Inline::from_slice(&self.facts), wire: self.wire.clone() }
    }
}

impl FactLog {
    /// Adds an entry.
    pub(super) fn push(&mut self, name: Sym, check: Option<u8>, value: Keep) {
        let value = match value {
            Keep::Known(known) => known,
            Keep::Json(json) => {
                let wire = Arc::make_mut(self.wire.get_or_insert_default());
                let Ok(index) = u16::try_from(wire.len()) else { return };
                wire.push(json);
                Known::Wire(index)
            }
        };
        self.facts.push(Fact::new(name, check, value));
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[Fact] {
        &self.facts
    }

    /// The known facts: each name's latest entry, in log order.
    pub fn known(&self) -> impl Iterator<Item = &Fact> {
        let facts = &self.facts;
        facts
            .iter()
            .enumerate()
            .filter(move |(i, f)| !facts[i + 1..].iter().any(|g| g.name == f.name))
            .map(|(_, f)| f)
    }

    /// The value of fact `name` when the log held its first `len` entries.
    pub fn value_then(&self, name: Sym, len: usize) -> Option<Known> {
        self.facts.get(..len)?.iter().rev().find(|f| f.name == name).map(Fact::value)
    }

    /// The known value of fact `name`.
    pub fn value(&self, name: Sym) -> Option<Known> {
        self.value_then(name, self.facts.len())
    }

    /// A value of this log as the wire shows it (`draw`: the case's drawn data).
    pub fn wired<'a>(&'a self, m: &'a Machine, draw: &'a CaseDraw, value: Known) -> Wired<'a> {
        let drawn = |values: &'a [Value], i: u32| {
            values.get(i as usize).map_or(Wired::Null, Wired::of_value)
        };
        match value {
            Known::Null => Wired::Null,
            Known::Bool(b) => Wired::Bool(b),
            Known::Int(v) => Wired::Int(v),
            Known::Money(c) => Wired::real(usd(c)),
            Known::Percent(bp) => percent(bp),
            Known::Real(r) => Wired::real(r),
            Known::Sym(s) => Wired::Str(m.symbols.name(s)),
            Known::Var(slot) => drawn(&draw.vars, slot),
            Known::Field(i) => drawn(&draw.fields, i),
            Known::Literal(group, position) => {
                let fact = fact_groups(m, draw)
                    .get(usize::from(group))
                    .and_then(|g| g.facts.get(usize::from(position)));
                match fact {
                    Some((_, DataExpr::Const(value))) => Wired::of_value(value),
                    _ => Wired::Null,
                }
            }
            Known::Wire(i) => self
                .wire
                .as_ref()
                .and_then(|w| w.get(usize::from(i)))
                .map_or(Wired::Null, Wired::Json),
        }
    }

    /// The heap the log holds: its entries past the inline room, and the wire forms (counted in
    /// full by every clone that shares them).
    pub(super) fn heap(&self) -> (Option<usize>, Option<&Vec<Json>>) {
        let spilled = self.facts.spilled().then(|| self.facts.capacity() * size_of::<Fact>());
        (spilled, self.wire.as_deref())
    }
}

/// Where the case's draw or fact plan holds the value of `expr` unchanged, if it does.
fn drawn_at(expr: &DataExpr, at: PlanPlace) -> Option<Known> {
    match expr {
        DataExpr::Var(slot) => u32::try_from(*slot).ok().map(Known::Var),
        DataExpr::Field(i) => u32::try_from(*i).ok().map(Known::Field),
        DataExpr::Const(_) => {
            Some(Known::Literal(u16::try_from(at.group).ok()?, u16::try_from(at.position).ok()?))
        }
        DataExpr::Null
        | DataExpr::List(_)
        | DataExpr::Not(_)
        | DataExpr::Neg(_)
        | DataExpr::If(_)
        | DataExpr::Binary(..)
        | DataExpr::Call(..) => None,
    }
}

/// The fact groups of a drawn case (its variant's, if it has one).
pub(super) fn fact_groups<'m>(m: &'m Machine, draw: &CaseDraw) -> &'m [FactGroupPlan] {
    m.reset.cases.get(draw.index).map_or(&[], |plan| plan.facts(draw.variant))
}

/// A fact's value as the wire shows it, borrowed: what `metadata.known_facts` holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Wired<'a> {
    /// `null` (also a real that is not finite, as serde_json shows it).
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A finite real.
    Real(f64),
    /// A string.
    Str(&'a str),
    /// A list the case's draw holds (a truth held in place would read as no string: facts
    /// keep truths as their wire text).
    Value(&'a Value),
    /// Any other JSON.
    Json(&'a Json),
}

/// Percent as the wire shows it: whole percent as a whole number.
fn percent<'a>(bp: i64) -> Wired<'a> {
    if bp % 100 == 0 { Wired::Int(bp / 100) } else { Wired::real(bp as f64 / 100.0) }
}

impl<'a> Wired<'a> {
    /// A real, `null` unless finite.
    fn real(r: f64) -> Self {
        if r.is_finite() { Wired::Real(r) } else { Wired::Null }
    }

    /// A case-data value as the wire shows it (spec §3.2).
    pub fn of_value(value: &'a Value) -> Self {
        match value {
            Value::Null => Wired::Null,
            Value::Bool(b) => Wired::Bool(*b),
            Value::Money(c) => Wired::real(usd(*c)),
            Value::Minutes(v) | Value::Count(v) => Wired::Int(*v),
            Value::Percent(bp) => percent(*bp),
            Value::Real(r) => Wired::real(*r),
            Value::Text(t) | Value::Symbol(t) => Wired::Str(t),
            Value::Truth(..) | Value::List(_) => Wired::Value(value),
        }
    }

    /// The value as JSON.
    pub fn to_json(self) -> Json {
        match self {
            Wired::Null => Json::Null,
            Wired::Bool(b) => json!(b),
            Wired::Int(v) => json!(v),
            Wired::Real(r) => json!(r),
            Wired::Str(s) => json!(s),
            Wired::Value(v) => wire_value(v),
            Wired::Json(j) => j.clone(),
        }
    }

    /// The string, if it is one.
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            Wired::Str(s) => Some(s),
            Wired::Json(j) => j.as_str(),
            Wired::Null | Wired::Bool(_) | Wired::Int(_) | Wired::Real(_) | Wired::Value(_) => None,
        }
    }

    /// The boolean, if it is one.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Wired::Bool(b) => Some(b),
            Wired::Json(j) => j.as_bool(),
            Wired::Null | Wired::Int(_) | Wired::Real(_) | Wired::Str(_) | Wired::Value(_) => None,
        }
    }

    /// The whole number, if it is one.
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Wired::Int(v) => Some(v),
            Wired::Json(j) => j.as_i64(),
            Wired::Null | Wired::Bool(_) | Wired::Real(_) | Wired::Str(_) | Wired::Value(_) => None,
        }
    }

    /// The number as a real, if it is a number.
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Wired::Int(v) => Some(v as f64),
            Wired::Real(r) => Some(r),
            Wired::Json(j) => j.as_f64(),
            Wired::Null | Wired::Bool(_) | Wired::Str(_) | Wired::Value(_) => None,
        }
    }
}

impl<'a> From<&'a Json> for Wired<'a> {
    fn from(json: &'a Json) -> Self {
        Wired::Json(json)
    }
}

impl Serialize for Wired<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Wired::Null => serializer.serialize_unit(),
            Wired::Bool(b) => serializer.serialize_bool(b),
            Wired::Int(v) => serializer.serialize_i64(v),
            Wired::Real(r) => serializer.serialize_f64(r),
            Wired::Str(s) => serializer.serialize_str(s),
            Wired::Value(v) => wire_value(v).serialize(serializer),
            Wired::Json(j) => j.serialize(serializer),
        }
    }
}

impl Emit for Wired<'_> {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        match *self {
            Wired::Null => sink.null(),
            Wired::Bool(b) => sink.bool(b),
            Wired::Int(v) => sink.int(v),
            Wired::Real(r) => sink.float(r),
            Wired::Str(s) => sink.string(s),
            Wired::Value(v) => sink.json(&wire_value(v)),
            Wired::Json(j) => sink.json(j),
        }
    }
}

/// The value in a summary sentence: a string as it is, a real with two decimals, the rest as
/// JSON writes it.
impl fmt::Display for Wired<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Wired::Null => f.write_str("null"),
            Wired::Bool(b) => write!(f, "{b}"),
            Wired::Int(v) => write!(f, "{v}"),
            Wired::Real(r) => write!(f, "{r:.2}"),
            Wired::Str(s) => f.write_str(s),
            Wired::Value(v) => display(&wire_value(v), f),
            Wired::Json(j) => display(j, f),
        }
    }
}

fn display(value: &Json, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match value {
        Json::String(s) => f.write_str(s),
        Json::Number(n) if n.is_f64() => write!(f, "{:.2}", n.as_f64().unwrap_or(0.0)),
        other => write!(f, "{other}"),
    }
}

/// A case-data value as a wire JSON scalar (spec §3.2).
pub(super) fn wire_value(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Money(c) => json!(usd(*c)),
        Value::Minutes(v) | Value::Count(v) => json!(v),
        Value::Percent(bp) if bp % 100 == 0 => json!(bp / 100),
        Value::Percent(bp) => json!(*bp as f64 / 100.0),
        Value::Real(r) => json!(r),
        Value::Text(t) | Value::Symbol(t) => json!(t),
        Value::Truth(..) => json!(value.to_string()),
        Value::List(items) => Json::Array(items.iter().map(wire_value).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fact gives back the value it was made with, whatever its kind, in 16 bytes.
    #[test]
    fn facts_hold_their_values() {
        assert_eq!(size_of::<Fact>(), 16);
        let values = [
            Known::Null,
            Known::Bool(false),
            Known::Bool(true),
            Known::Int(i64::MIN),
            Known::Int(-1),
            Known::Money(i64::MAX),
            Known::Money(-28460),
            Known::Percent(-1250),
            Known::Real(-0.5),
            Known::Real(f64::INFINITY),
            Known::Sym(u32::MAX),
            Known::Var(7),
            Known::Field(u32::MAX),
            Known::Literal(u16::MAX, 3),
            Known::Wire(u16::MAX),
        ];
        for value in values {
            let fact = Fact::new(4, Some(2), value);
            assert_eq!((fact.name, fact.check, fact.value()), (4, Some(2), value));
        }
        let nan = Fact::new(0, None, Known::Real(f64::NAN)).value();
        assert!(matches!(nan, Known::Real(r) if r.is_nan()));
    }

    /// Every plain form reads, writes and displays as the JSON it stands for.
    #[test]
    fn wired_values_are_their_json() {
        let list = Value::List(vec![Value::Count(1), Value::Percent(1250)]);
        let values = [
            Value::Null,
            Value::Bool(true),
            Value::Money(12345),
            Value::Money(28460),
            Value::Money(-5),
            Value::Count(3),
            Value::Minutes(-40),
            Value::Percent(3000),
            Value::Percent(1250),
            Value::Real(2.5),
            Value::Real(f64::NAN),
            Value::Real(f64::INFINITY),
            Value::Text("a \"quoted\" text".into()),
            Value::Symbol("HARD-1".into()),
            list,
        ];
        for value in &values {
            let json = wire_value(value);
            let wired = Wired::of_value(value);
            assert_eq!(wired.to_json(), json, "{value:?}");
            let written = serde_json::to_string(&wired).expect("serialises");
            assert_eq!(written, serde_json::to_string(&json).expect("serialises"), "{value:?}");
            let mut emitted = Vec::new();
            wired.emit(&mut super::super::sink::Json::new(&mut emitted)).expect("emits");
            assert_eq!(String::from_utf8(emitted).expect("UTF-8"), written, "{value:?}");
            let shown = match &json {
                Json::String(s) => s.clone(),
                Json::Number(n) if n.is_f64() => format!("{:.2}", n.as_f64().unwrap_or(0.0)),
                other => other.to_string(),
            };
            assert_eq!(wired.to_string(), shown, "{value:?}");
            assert_eq!(wired.as_str(), json.as_str(), "{value:?}");
            assert_eq!(wired.as_bool(), json.as_bool(), "{value:?}");
            assert_eq!(wired.as_i64(), json.as_i64(), "{value:?}");
            assert_eq!(wired.as_f64(), json.as_f64(), "{value:?}");
            let from_json = Wired::from(&json);
            assert_eq!(from_json.to_string(), shown, "{value:?}");
            assert_eq!(serde_json::to_string(&from_json).expect("serialises"), written);
        }
    }
}
