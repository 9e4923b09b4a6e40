//! The YAML shape of case data, as serde deserializes it (with locations).
//!
//! Values that hold quantities are [`Scalar`]s: YAML booleans and numbers are taken as they
//! are, strings are expressions of the scenario language (`$250.00..$320.00`, `pct(value, 30%)`).
//! Fact values are literals unless they start with `=` (`days_late: =late`).

use indexmap::IndexMap;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// A located YAML string.
pub type Text = Spanned<String>;
/// A located YAML scalar.
pub type Value = Spanned<Scalar>;

/// A YAML scalar or list of strings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged, expecting = "expected a number, `true`/`false`, text, or a list of text")]
pub enum Scalar {
    /// `true` / `false`
    Bool(bool),
    /// `12`
    Int(i64),
    /// `0.5`
    Real(f64),
    /// Anything else written as a string.
    Text(String),
    /// `[a, b]`
    List(Vec<String>),
}

/// A response's outcome as written.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged, expecting = "an outcome takes a status or the name of a draw")]
pub enum Outcome {
    /// A status (`received`) or a draw's name (`evidence_outcome`).
    Named(Scalar),
    /// `{ received: 80%, insufficient: 20% }`: weights written in place, which belong in a
    /// draw; lowered to a diagnostic that says so.
    Weights(IndexMap<String, String>),
}

/// A whole case-data file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// The cases, in table order (the first is the first in the queue).
    pub cases: Vec<Spanned<CaseRecord>>,
}

/// One case: visible attributes, seeded draws and the hidden record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRecord {
    /// Case id, e.g. `W-1`.
    pub id: Text,
    /// One-line title.
    pub title: Text,
    /// `refund_request`, `delivery_issue`, `wrong_item` or `fraud_signal`.
    #[serde(rename = "type")]
    pub case_type: Text,
    /// `bronze` … `platinum`.
    pub tier: Text,
    /// `low` … `critical`.
    pub priority: Text,
    /// `delivered`, `in_transit`, `delayed` or `lost`.
    pub order_status: Text,
    /// `low`, `medium` or `high`.
    pub fraud_signal: Text,
    /// Replacement SKU, if the case has one.
    #[serde(default)]
    pub sku: Option<Text>,
    /// Seeded draws, made in the order written: a range (`31..40`, `$10.00..$25.00`) or
    /// weighted options (`{ none: 50%, paid: 50% }`).
    #[serde(default)]
    pub draws: IndexMap<Text, Spanned<Draw>>,
    /// Derived values, computed in the order written.
    #[serde(default, rename = "let")]
    pub lets: IndexMap<Text, Value>,
    /// Order value (money).
    pub order_value: Value,
    /// Requested compensation (money), if any.
    #[serde(default)]
    pub requested: Option<Value>,
    /// Days since the order (count).
    pub days_since_order: Value,
    /// SLA deadline (minutes on the episode clock).
    pub sla_deadline: Value,
    /// Satisfaction bonus of a good close (percent).
    pub satisfaction_bonus: Value,
    /// Delay of the reopen after a bad close (minutes).
    pub reopen_delay: Value,
    /// Delay of a chargeback after a payout (minutes), on fraud-capable cases.
    #[serde(default)]
    pub chargeback_delay: Option<Value>,
    /// Fee added to each chargeback (money).
    #[serde(default)]
    pub chargeback_fee: Option<Value>,
    /// Whether payouts on this case are fraud losses (bool).
    #[serde(default)]
    pub fraudulent: Option<Value>,
    /// What the case needs before a good close.
    #[serde(default)]
    pub requires: Requires,
    /// Per-response answers: initial status, outcome, delay.
    #[serde(default)]
    pub responses: IndexMap<Text, Spanned<ResponseData>>,
    /// The correct resolution, e.g. `refund(pct(value, 30%), pct(value, 35%))`.
    pub truth: Value,
    /// Fact groups revealed by checks and events: `{ group: { summary: "...", fact: value } }`.
    #[serde(default)]
    pub facts: IndexMap<Text, IndexMap<Text, Value>>,
    /// The draw whose option selects an entry of `variants`.
    #[serde(default)]
    pub variant: Option<Text>,
    /// Per-option overrides, keyed by the options of the `variant` draw.
    #[serde(default)]
    pub variants: IndexMap<Text, Spanned<Override>>,
}

/// A seeded draw.
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(untagged, expecting = "expected a range like `1..3` or options like `{ a: 50%, b: 50% }`")]
pub enum Draw {
    /// `lo..hi`, uniform.
    Range(String),
    /// `{ option: weight, ... }`, weights in percent summing to 100%.
    Options(IndexMap<String, String>),
}

/// Requirements of a case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requires {
    /// Checks that must be completed.
    #[serde(default)]
    pub checks: Vec<Text>,
    /// Responses that must be received.
    #[serde(default)]
    pub responses: Vec<Text>,
    /// Internal note code that must be present at closing.
    #[serde(default)]
    pub note: Option<Text>,
}

/// How a response behaves on this case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseData {
    /// Status at reset (e.g. `received`: a photo attached at intake).
    #[serde(default)]
    pub initial: Option<Value>,
    /// The status the answer delivers: a status, or the name of a draw whose options are
    /// statuses.
    #[serde(default)]
    pub outcome: Option<Spanned<Outcome>>,
    /// How long the answer takes (minutes).
    #[serde(default)]
    pub delay: Option<Value>,
}

/// What one variant changes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Replaces the truth.
    #[serde(default)]
    pub truth: Option<Value>,
    /// Replaces `fraudulent`.
    #[serde(default)]
    pub fraudulent: Option<Value>,
    /// Replaces the requirements.
    #[serde(default)]
    pub requires: Option<Requires>,
    /// Replaces whole fact groups.
    #[serde(default)]
    pub facts: IndexMap<Text, IndexMap<Text, Value>>,
}
