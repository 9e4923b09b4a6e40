//! The public wire format (game spec §2): the action an agent sends, the observation, state,
//! episode summary and grade report it receives, and their JSON Schemas.
//!
//! Field names, field order and enum values are exactly those of the spec, kept from the
//! original environment so its clients keep working. Money is USD as an `f64` with at most two
//! decimals ([`usd`]); ratios, rewards and grades are reported with four ([`round4`]). Nothing
//! here knows the game's rules: the engine fills these types, the server serialises them.
//!
//! [`schemas`] is what `GET /schema` serves: one self-contained Draft 2020-12 schema each for
//! the action, the observation and the state. Every struct refuses unknown keys, so every schema
//! says `"additionalProperties": false`.

use std::fmt;

use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};

/// Declares a wire enumeration: serde `snake_case` values, `as_str`, `ALL`, parsing, `Display`,
/// and a plain `{"type": "string", "enum": [...]}` JSON Schema in declaration order.
macro_rules! wire_enum {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            $( $(#[doc = $vdoc:literal])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[doc = $vdoc])* $variant, )+
        }

        impl $name {
            /// Every value, in the spec's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// What the value means, from its documentation.
            pub fn doc(self) -> &'static str {
                match self {
                    $($name::$variant => concat!($($vdoc),*).trim(),)+
                }
            }

            /// The value with this wire name, if any.
            pub fn parse(wire: &str) -> Option<Self> {
                match wire {
                    $($wire => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::wire::UnknownValue;

            fn from_str(wire: &str) -> Result<Self, Self::Err> {
                Self::parse(wire).ok_or_else(|| $crate::wire::UnknownValue {
                    kind: stringify!($name),
                    value: wire.to_string(),
                })
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let description = $crate::wire::doc_text(&[$($doc),*]);
                schemars::json_schema!({
                    "description": description,
                    "type": "string",
                    "enum": [$($wire),+],
                })
            }
        }
    };
}

mod action;
mod capped;
pub(crate) mod lax;
mod observation;

#[cfg(test)]
pub(crate) use observation::tests::example as example_observation;
mod summary;
mod tools;

pub use action::{
    Action, ActionType, EscalationReason, MAX_ID_CHARS, RequestError, RequestErrors,
    action_from_value, parse_action,
};
pub use capped::{Capped, MAX_LISTED};
pub use observation::{
    BusinessMetrics, CarrierStatus, CasePriority, CaseStatus, CaseType, CaseView, CustomerTier,
    EvidenceStatus, FraudSignal, Observation, OrderStatus, QueueItemView, Resources, ToolResult,
};
pub use summary::{CaseGrade, Closure, EpisodeSummary, GradeReport, State, TerminationReason};
pub use tools::{ActionTool, action_tools};

/// The version of this wire format (`env_schema_version`).
pub const ENV_SCHEMA_VERSION: &str = "3.0.0";

/// A string that names no value of a wire enumeration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownValue {
    /// The enumeration's name, e.g. `ActionType`.
    pub kind: &'static str,
    /// The string that was given.
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a {} value", self.value, self.kind)
    }
}

impl std::error::Error for UnknownValue {}

/// Joins doc-comment lines into one schema description.
pub(crate) fn doc_text(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Integer cents as a USD amount: `cents / 100`, the double nearest to the two-decimal value,
/// so it serialises as e.g. `123.45`.
pub fn usd(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// A USD amount as integer cents, rounding `amount × 100` half away from zero (spec §4.3);
/// `None` when the amount is not finite or does not fit in an `i64`.
pub fn cents(amount_usd: f64) -> Option<i64> {
    let scaled = (amount_usd * 100.0).round();
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (scaled.is_finite() && (-LIMIT..LIMIT).contains(&scaled)).then_some(scaled as i64)
}

/// `x` rounded to 4 decimals, half away from zero, applied to the shortest decimal form of `x`
/// (so `0.78375` gives `0.7838`); never returns `-0.0`. Non-finite values and values too large
/// to carry decimals are returned unchanged.
pub fn round4(x: f64) -> f64 {
    if !x.is_finite() || x.abs() >= 1e14 {
        return x;
    }
    // Unless the fifth decimal is near a tie, the binary value rounds as its shortest decimal
    // form does, and the formatting (a third of a search step's time) can be skipped.
    let scaled = x.abs() * 10_000.0;
    if x.abs() < 1e6 && (scaled - scaled.floor() - 0.5).abs() > 1e-4 {
        let units = scaled.round();
        return if units == 0.0 { 0.0 } else { (units / 10_000.0).copysign(x) };
    }
    round4_by_text(x)
}

/// [`round4`] on the decimal text of `x`: exact at ties.
fn round4_by_text(x: f64) -> f64 {
    // The shortest round-trip form, never in exponent notation: on the stack when it fits (a
    // step's reward near a tie is rounded without a heap allocation).
    let mut stack = StackText { bytes: [0; 64], len: 0 };
    let heap;
    let text = match fmt::write(&mut stack, format_args!("{}", x.abs())) {
        Ok(()) => stack.as_str(),
        Err(fmt::Error) => {
            heap = x.abs().to_string();
            heap.as_str()
        }
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() <= 4 {
        return if x == 0.0 { 0.0 } else { x };
    }
    let digits = |s: &str| s.bytes().fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
    let mut units = digits(whole) * 10_000 + digits(&fraction[..4]);
    if fraction.as_bytes()[4] >= b'5' {
        units += 1;
    }
    let magnitude = units as f64 / 10_000.0;
    if units == 0 {
        0.0
    } else if x < 0.0 {
        -magnitude
    } else {
        magnitude
    }
}

/// A short text written into a fixed buffer ([`fmt::Error`] once it is full).
struct StackText {
    bytes: [u8; 64],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let end = self.len + text.len();
        self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The JSON Schemas `GET /schema` serves: `{"action", "observation", "state"}`, each a
/// self-contained Draft 2020-12 schema with its own `$defs`. The action schema describes what
/// is accepted; the observation and state schemas describe what is emitted (every field
/// present, nullable ones as `null`).
pub fn schemas() -> serde_json::Value {
    serde_json::json!({
        "action": schema_of::<Action>(false),
        "observation": schema_of::<Observation>(true),
        "state": schema_of::<State>(true),
    })
}

/// The schema of one wire type, for what is read (`emitted = false`) or written.
pub(crate) fn schema_of<T: JsonSchema>(emitted: bool) -> serde_json::Value {
    let settings = SchemaSettings::draft2020_12();
    let settings = if emitted { settings.for_serialize() } else { settings.for_deserialize() };
    let generator: SchemaGenerator = settings.into_generator();
    generator.into_root_schema_for::<T>().to_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usd_is_two_decimals() {
        assert_eq!(usd(12345), 123.45);
        assert_eq!(serde_json::to_string(&usd(8121)).unwrap(), "81.21");
        assert_eq!(serde_json::to_string(&usd(-5)).unwrap(), "-0.05");
        assert_eq!(serde_json::to_string(&usd(28460)).unwrap(), "284.6");
        for c in [1, 7, 99, 101, 9961, 28460, 167545, 123_456_789] {
            let text = serde_json::to_string(&usd(c)).unwrap();
            let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
            assert!(decimals <= 2, "{c} -> {text}");
            assert_eq!(cents(usd(c)), Some(c));
        }
    }

    #[test]
    fn cents_rounds_half_away_and_refuses_overflow() {
        assert_eq!(cents(81.21), Some(8121));
        assert_eq!(cents(0.125), Some(13));
        assert_eq!(cents(-0.125), Some(-13));
        assert_eq!(cents(0.004), Some(0));
        assert_eq!(cents(f64::NAN), None);
        assert_eq!(cents(f64::INFINITY), None);
        assert_eq!(cents(1e17), None);
        assert_eq!(cents(9.2e16), Some(9_200_000_000_000_000_000));
    }

    #[test]
    fn round4_agrees_with_rounding_the_decimal_text() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut values: Vec<f64> = (-200_000..=200_000).map(|i| f64::from(i) / 100_000.0).collect();
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push((x as f64 / u64::MAX as f64 - 0.5) * 2_000.0);
        }
        for v in values {
            assert_eq!(round4(v).to_bits(), round4_by_text(v).to_bits(), "{v}");
        }
    }

    #[test]
    fn texts_too_long_for_the_stack_round_from_the_heap() {
        // 1e-70 and 1.23e-65 write more than 64 characters; 123.45678 and 0.00005 fit.
        for (v, rounded) in
            [(1e-70, 0.0), (-1.23e-65, 0.0), (123.45678, 123.4568), (0.00005, 0.0001)]
        {
            assert_eq!(round4_by_text(v).to_bits(), f64::to_bits(rounded), "{v}");
        }
        assert!(format!("{}", 1.23e-65).len() > 64 && format!("{}", 1e-70).len() > 64);
    }

    #[test]
    fn round4_is_half_away_from_zero() {
        assert_eq!(round4(0.78375), 0.7838);
        assert_eq!(round4(-0.78375), -0.7838);
        assert_eq!(round4(0.12344999), 0.1234);
        assert_eq!(round4(0.6666666666666666), 0.6667);
        assert_eq!(round4(1.13), 1.13);
        assert_eq!(round4(0.00005), 0.0001);
        assert_eq!(round4(-0.00005), -0.0001);
        assert_eq!(round4(0.1 + 0.2), 0.3);
        assert_eq!(round4(2.5e-5), 0.0);
        assert!(round4(-0.00001).is_sign_positive());
        assert!(round4(-0.0).is_sign_positive());
        assert_eq!(round4(9.99995), 10.0);
        assert_eq!(round4(f64::INFINITY), f64::INFINITY);
        assert_eq!(serde_json::to_string(&round4(0.9352951510892481)).unwrap(), "0.9353");
    }
}
