//! Numbers and booleans read as pydantic v2 reads them in its default (lax) mode, which OpenEnv's
//! Python environments (the original ShopOps among them) validate actions in: an agent that
//! quotes a number (`"83.39"`) or a boolean (`"true"`) is understood, as it was there. The
//! published schema still says `number` and `boolean`; this is leniency, not a second type.
//!
//! The rules are pydantic-core's, and the tests pin what pydantic 2.14 answered for each input.

use serde_json::Value;

/// A pydantic error code (`float_parsing`, `bool_type`, ...).
pub(crate) type Kind = &'static str;

/// The strings a boolean field accepts, compared ignoring ASCII case, and what they mean.
const BOOLEAN_WORDS: [(&str, bool); 12] = [
    ("0", false),
    ("f", false),
    ("n", false),
    ("no", false),
    ("off", false),
    ("false", false),
    ("1", true),
    ("t", true),
    ("y", true),
    ("on", true),
    ("yes", true),
    ("true", true),
];

/// A float field: any JSON number; `false` and `true` as 0 and 1; or a string that is a float
/// once trimmed of whitespace (`" 83.39 "`, `"1e2"`, `".5"`, `"inf"`, `"nan"`) or once single
/// underscores between its characters are dropped (`"1_000"`). Bounds are the caller's.
pub(crate) fn float(value: &Value) -> Result<f64, Kind> {
    match value {
        Value::Number(number) => number.as_f64().ok_or("float_type"),
        Value::Bool(flag) => Ok(f64::from(u8::from(*flag))),
        Value::String(text) => float_text(text).ok_or("float_parsing"),
        Value::Null | Value::Array(_) | Value::Object(_) => Err("float_type"),
    }
}

/// A boolean field: `true` and `false`; the numbers 0 and 1 (`0.0`, `1.0` too); or one of
/// [`BOOLEAN_WORDS`] in any ASCII case, untrimmed.
pub(crate) fn boolean(value: &Value) -> Result<bool, Kind> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        Value::Number(number) => match number.as_f64() {
            Some(0.0) => Ok(false),
            Some(1.0) => Ok(true),
            Some(x) if x.fract() == 0.0 => Err("bool_parsing"),
            _ => Err("bool_type"),
        },
        Value::String(text) => BOOLEAN_WORDS
            .iter()
            .find(|(word, _)| word.eq_ignore_ascii_case(text))
            .map(|&(_, flag)| flag)
            .ok_or("bool_parsing"),
        Value::Null | Value::Array(_) | Value::Object(_) => Err("bool_type"),
    }
}

/// Float text as pydantic-core parses it: Rust's float syntax after trimming Unicode
/// whitespace, else (untrimmed) without its underscores when none leads, trails or doubles.
fn float_text(text: &str) -> Option<f64> {
    text.trim().parse().ok().or_else(|| {
        let separated = text.contains('_')
            && !text.starts_with('_')
            && !text.ends_with('_')
            && !text.contains("__");
        separated.then(|| text.replace('_', "")).and_then(|digits| digits.parse().ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What pydantic 2.14.4 (lax mode, `Optional[float] = Field(None, ge=0)`) answered for
    /// `{"refund_amount_usd": <input>}`: the float read (bounds not applied here; `-1` and
    /// `"nan"` were then refused by `ge=0`), or the error code. Run in both Python and JSON
    /// mode, which agreed on every row.
    const FLOATS: &[(&str, Result<f64, Kind>)] = &[
        (r#""83.39""#, Ok(83.39)),
        (r#"" 83.39 ""#, Ok(83.39)),
        (r#""\t83.39\n""#, Ok(83.39)),
        (r#""\r12""#, Ok(12.0)),
        (r#""\u000b12""#, Ok(12.0)),
        (r#""\u00a012""#, Ok(12.0)),
        (r#""12\u00a0""#, Ok(12.0)),
        (r#""\u300012""#, Ok(12.0)),
        (r#""\u00851""#, Ok(1.0)),
        (r#""\u20281""#, Ok(1.0)),
        (r#""1e2""#, Ok(100.0)),
        (r#""1E2""#, Ok(100.0)),
        (r#""1.5E+3""#, Ok(1500.0)),
        (r#""1e-2""#, Ok(0.01)),
        (r#""0.1e1""#, Ok(1.0)),
        (r#""+5""#, Ok(5.0)),
        (r#""-1""#, Ok(-1.0)),
        (r#""-0""#, Ok(-0.0)),
        (r#""1.""#, Ok(1.0)),
        (r#"".5""#, Ok(0.5)),
        (r#""1.e1""#, Ok(10.0)),
        (r#""00012""#, Ok(12.0)),
        (r#""0000.0000""#, Ok(0.0)),
        (r#""83.390000000000000000001""#, Ok(83.39)),
        (r#""123456789012345678901234567890""#, Ok(1.2345678901234568e29)),
        (r#""1e-400""#, Ok(0.0)),
        (r#""1e400""#, Ok(f64::INFINITY)),
        (r#""1e99999999999""#, Ok(f64::INFINITY)),
        (r#""1.7976931348623159e308""#, Ok(f64::INFINITY)),
        (r#""inf""#, Ok(f64::INFINITY)),
        (r#""+inf""#, Ok(f64::INFINITY)),
        (r#""-inf""#, Ok(f64::NEG_INFINITY)),
        (r#""INF""#, Ok(f64::INFINITY)),
        (r#""Infinity""#, Ok(f64::INFINITY)),
        (r#""inFinity""#, Ok(f64::INFINITY)),
        (r#""nan""#, Ok(f64::NAN)),
        (r#""NaN""#, Ok(f64::NAN)),
        (r#""-nan""#, Ok(f64::NAN)),
        (r#""+nan""#, Ok(f64::NAN)),
        (r#""1_000""#, Ok(1000.0)),
        (r#""1_000.000_1""#, Ok(1000.0001)),
        (r#""5_5_5""#, Ok(555.0)),
        (r#""+1_0""#, Ok(10.0)),
        (r#""-_1""#, Ok(-1.0)),
        (r#""1_e10""#, Ok(1e10)),
        (r#""1e_1""#, Ok(10.0)),
        (r#""1._5""#, Ok(1.5)),
        (r#""1_.5""#, Ok(1.5)),
        (r#""in_f""#, Ok(f64::INFINITY)),
        (r#""1__000""#, Err("float_parsing")),
        (r#""_1000""#, Err("float_parsing")),
        (r#""1000_""#, Err("float_parsing")),
        (r#""_.5""#, Err("float_parsing")),
        (r#""inf_""#, Err("float_parsing")),
        (r#"" 1_000 ""#, Err("float_parsing")),
        (r#""0x10""#, Err("float_parsing")),
        (r#""83,39""#, Err("float_parsing")),
        (r#""83.39abc""#, Err("float_parsing")),
        (r#""""#, Err("float_parsing")),
        (r#"" ""#, Err("float_parsing")),
        (r#"".""#, Err("float_parsing")),
        (r#"".e1""#, Err("float_parsing")),
        (r#""1e""#, Err("float_parsing")),
        (r#""1e+""#, Err("float_parsing")),
        (r#""e5""#, Err("float_parsing")),
        (r#""++1""#, Err("float_parsing")),
        (r#""1 2""#, Err("float_parsing")),
        (r#""nan(1)""#, Err("float_parsing")),
        (r#""null""#, Err("float_parsing")),
        (r#""\u0000""#, Err("float_parsing")),
        (r#""\u200b12""#, Err("float_parsing")),
        (r#""\ufeff1""#, Err("float_parsing")),
        (r#""\u180e1""#, Err("float_parsing")),
        (r#""12\u001c""#, Err("float_parsing")),
        (r#""١٢""#, Err("float_parsing")),
        (r#""１２""#, Err("float_parsing")),
        ("83.39", Ok(83.39)),
        ("1", Ok(1.0)),
        ("-0.0", Ok(-0.0)),
        ("1e308", Ok(1e308)),
        ("true", Ok(1.0)),
        ("false", Ok(0.0)),
        ("[]", Err("float_type")),
        (r#"["1"]"#, Err("float_type")),
        ("{}", Err("float_type")),
    ];

    /// What pydantic 2.14.4 (lax mode, `bool = False`) answered for `{"expedite": <input>}`.
    const BOOLEANS: &[(&str, Result<bool, Kind>)] = &[
        ("true", Ok(true)),
        ("false", Ok(false)),
        (r#""true""#, Ok(true)),
        (r#""True""#, Ok(true)),
        (r#""tRuE""#, Ok(true)),
        (r#""false""#, Ok(false)),
        (r#""FALSE""#, Ok(false)),
        (r#""1""#, Ok(true)),
        (r#""0""#, Ok(false)),
        (r#""yes""#, Ok(true)),
        (r#""YES""#, Ok(true)),
        (r#""Yes""#, Ok(true)),
        (r#""no""#, Ok(false)),
        (r#""on""#, Ok(true)),
        (r#""oN""#, Ok(true)),
        (r#""off""#, Ok(false)),
        (r#""ofF""#, Ok(false)),
        (r#""t""#, Ok(true)),
        (r#""T""#, Ok(true)),
        (r#""f""#, Ok(false)),
        (r#""y""#, Ok(true)),
        (r#""n""#, Ok(false)),
        (r#""N""#, Ok(false)),
        ("1", Ok(true)),
        ("0", Ok(false)),
        ("-0", Ok(false)),
        ("1.0", Ok(true)),
        ("1e0", Ok(true)),
        ("1e-0", Ok(true)),
        ("0.0", Ok(false)),
        ("-0.0", Ok(false)),
        (r#""maybe""#, Err("bool_parsing")),
        (r#""""#, Err("bool_parsing")),
        (r#"" true""#, Err("bool_parsing")),
        (r#""true ""#, Err("bool_parsing")),
        (r#""\ttrue""#, Err("bool_parsing")),
        (r#"" 1 ""#, Err("bool_parsing")),
        (r#""on\u00a0""#, Err("bool_parsing")),
        (r#""2""#, Err("bool_parsing")),
        (r#""01""#, Err("bool_parsing")),
        (r#""+1""#, Err("bool_parsing")),
        (r#""-0""#, Err("bool_parsing")),
        (r#""1.0""#, Err("bool_parsing")),
        (r#""0.0""#, Err("bool_parsing")),
        (r#""null""#, Err("bool_parsing")),
        (r#""１""#, Err("bool_parsing")),
        (r#""\u0131""#, Err("bool_parsing")),
        ("2", Err("bool_parsing")),
        ("-1", Err("bool_parsing")),
        ("2.0", Err("bool_parsing")),
        ("0.5", Err("bool_type")),
        ("1.5", Err("bool_type")),
        ("null", Err("bool_type")),
        ("[]", Err("bool_type")),
        ("{}", Err("bool_type")),
    ];

    fn input(json: &str) -> Value {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    #[test]
    fn floats_read_as_pydantic_lax_mode_reads_them() {
        for &(json, expected) in FLOATS {
            let got = float(&input(json));
            let same = match (got, expected) {
                (Ok(a), Ok(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                (a, b) => a == b,
            };
            assert!(same, "{json}: got {got:?}, pydantic gave {expected:?}");
        }
    }

    #[test]
    fn booleans_read_as_pydantic_lax_mode_reads_them() {
        for &(json, expected) in BOOLEANS {
            assert_eq!(boolean(&input(json)), expected, "{json}");
        }
    }
}
