//! The action an agent sends (spec §2.2) and the request errors of §4.2.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::capped::Capped;
use super::lax::{self, Kind};

wire_enum! {
    /// The 12 tool-like actions, in the spec's order (§2.1).
    ActionType {
        /// Review the order record (4 minutes).
        InspectOrder = "inspect_order",
        /// Review the policy that applies (4 minutes).
        InspectPolicy = "inspect_policy",
        /// Check stock for the case's replacement SKU (3 minutes).
        InspectInventory = "inspect_inventory",
        /// Review the customer's history (4 minutes).
        InspectCustomerHistory = "inspect_customer_history",
        /// Ask the customer for evidence; the answer arrives later (3 minutes).
        RequestEvidence = "request_evidence",
        /// Ask the carrier for a trace; the answer arrives later (6 minutes).
        ContactCarrier = "contact_carrier",
        /// Refund `refund_amount_usd` (5 minutes).
        IssueRefund = "issue_refund",
        /// Ship one replacement unit, optionally `expedite`d (8 minutes).
        ShipReplacement = "ship_replacement",
        /// Escalate with an `escalation_reason` (5 minutes).
        EscalateRisk = "escalate_risk",
        /// Add the internal note `note_code` (2 minutes).
        AddInternalNote = "add_internal_note",
        /// Close the active case (2 minutes).
        CloseCase = "close_case",
        /// Make `case_id` the active case (1 minute), or wait 5 minutes if it already is.
        SwitchCase = "switch_case",
    }
}

impl ActionType {
    /// Whether this action records a resolution (`issue_refund`, `ship_replacement`,
    /// `escalate_risk`).
    pub const fn is_resolution(self) -> bool {
        matches!(self, Self::IssueRefund | Self::ShipReplacement | Self::EscalateRisk)
    }
}

wire_enum! {
    /// Why a case is escalated (`escalate_risk`).
    EscalationReason {
        /// Suspected fraud: never pay out.
        SuspectedFraud = "suspected_fraud",
        /// A claim the policy does not cover.
        PolicyException = "policy_exception",
        /// The case is about to miss its deadline.
        SlaRisk = "sla_risk",
        /// Recovery of a VIP customer.
        VipRecovery = "vip_recovery",
    }
}

/// The longest `case_id` or `note_code` a request may carry, in characters.
pub const MAX_ID_CHARS: usize = 64;

/// One action (spec §2.2). Unknown keys are refused; `switch_case` names its target in
/// `case_id`, every other action acts on the active case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Which of the 12 actions.
    pub action_type: ActionType,
    /// Target of `switch_case`; other actions may repeat the active case's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 64))]
    pub case_id: Option<String>,
    /// Amount of `issue_refund`, in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub refund_amount_usd: Option<f64>,
    /// Expedited shipping, for `ship_replacement` only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub expedite: bool,
    /// Reason of `escalate_risk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_reason: Option<EscalationReason>,
    /// Code of `add_internal_note`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 64))]
    pub note_code: Option<String>,
    /// Free-form; accepted and ignored.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Action {
    /// An action of this type with every other field at its default.
    pub fn new(action_type: ActionType) -> Self {
        Self {
            action_type,
            case_id: None,
            refund_amount_usd: None,
            expedite: false,
            escalation_reason: None,
            note_code: None,
            metadata: Map::new(),
        }
    }

    /// `switch_case` to `case_id` (a hold when it is the active case).
    pub fn switch_to(case_id: impl Into<String>) -> Self {
        Self::new(ActionType::SwitchCase).with_case(case_id)
    }

    /// `issue_refund` of `amount_usd`.
    pub fn refund(amount_usd: f64) -> Self {
        Self { refund_amount_usd: Some(amount_usd), ..Self::new(ActionType::IssueRefund) }
    }

    /// `ship_replacement`, expedited or not.
    pub fn ship(expedite: bool) -> Self {
        Self { expedite, ..Self::new(ActionType::ShipReplacement) }
    }

    /// `escalate_risk` with `reason`.
    pub fn escalate(reason: EscalationReason) -> Self {
        Self { escalation_reason: Some(reason), ..Self::new(ActionType::EscalateRisk) }
    }

    /// `add_internal_note` with `code`.
    pub fn note(code: impl Into<String>) -> Self {
        Self { note_code: Some(code.into()), ..Self::new(ActionType::AddInternalNote) }
    }

    /// The same action with `case_id` set.
    pub fn with_case(mut self, case_id: impl Into<String>) -> Self {
        self.case_id = Some(case_id.into());
        self
    }

    /// The request rules of §4.2 that the types cannot express, as [`action_from_value`]
    /// applies them: `case_id` and `note_code` at most 64 characters, `refund_amount_usd`
    /// finite and `>= 0`.
    pub fn validate(&self) -> Result<(), RequestErrors> {
        let mut errors = RequestErrors::new();
        for (spec, value) in [(&CASE_ID, &self.case_id), (&NOTE_CODE, &self.note_code)] {
            if let Some(text) = value
                && let Err(kind) = short(text)
            {
                errors.push(spec.refused(kind, Value::String(text.clone())));
            }
        }
        if let Some(amount) = self.refund_amount_usd
            && let Err(kind) = payable(amount)
        {
            let mut error = REFUND_AMOUNT_USD.refused(kind, serde_json::json!(amount));
            error.message = REFUND_AMOUNT_USD.message(&amount.to_string());
            errors.push(error);
        }
        errors.or_ok(())
    }
}

/// One violation in a malformed or ill-typed request (spec §4.2): reported as a validation
/// error, never reaching the game and never counting as a step. Shaped like the reference
/// server's 422 items (`type`, `loc`, `msg`, `input`).
#[derive(Clone, Debug, PartialEq)]
pub struct RequestError {
    /// A short code, pydantic's where it has one: `json_invalid`, `model_type`, `missing`,
    /// `extra_forbidden`, `enum`, `string_type`, `float_type`, `float_parsing`, `bool_type`,
    /// `bool_parsing`, `dict_type`, `string_too_long`, `greater_than_equal`, `finite_number`.
    pub kind: &'static str,
    /// The offending field (`action_type`, an unknown key, ...), `None` when the request as a
    /// whole is wrong (not JSON, not an object).
    pub field: Option<String>,
    /// One readable sentence that names the field.
    pub message: String,
    /// The offending value as sent (`null` when it is missing); whoever reports it bounds it.
    pub input: Value,
}

impl RequestError {
    /// A violation of one field.
    pub fn field(
        kind: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
        input: Value,
    ) -> Self {
        Self { kind, field: Some(field.into()), message: message.into(), input }
    }

    /// A violation of the request as a whole.
    pub fn body(kind: &'static str, message: impl Into<String>, input: Value) -> Self {
        Self { kind, field: None, message: message.into(), input }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

/// The violations of one request, in field order (never empty when returned as an error):
/// the first [`MAX_LISTED`](super::MAX_LISTED) listed, the rest counted.
pub type RequestErrors = Capped<RequestError>;

/// A field of the action and what its error messages say it must be.
struct Spec {
    name: &'static str,
    expected: &'static str,
}

impl Spec {
    /// The sentence of a violation: what the field must be and what it got.
    fn message(&self, got: &str) -> String {
        format!("{} must be {}, got {got}", self.name, self.expected)
    }

    /// A violation of this field by `input`.
    fn refused(&self, kind: &'static str, input: Value) -> RequestError {
        RequestError::field(kind, self.name, self.message(&describe(&input)), input)
    }
}

const ACTION_TYPE: Spec = Spec { name: "action_type", expected: "one of the 12 action types" };
const CASE_ID: Spec =
    Spec { name: "case_id", expected: "a string of at most 64 characters, or null" };
const REFUND_AMOUNT_USD: Spec = Spec {
    name: "refund_amount_usd",
    expected: "a finite number >= 0 (a numeric string is read as its number), or null",
};
const EXPEDITE: Spec = Spec {
    name: "expedite",
    expected: "a boolean (also 0, 1 and, in any case, \"true\", \"false\", \"yes\", \"no\", \
               \"on\", \"off\", \"t\", \"f\", \"y\", \"n\")",
};
const ESCALATION_REASON: Spec =
    Spec { name: "escalation_reason", expected: "one of the escalation reasons, or null" };
const NOTE_CODE: Spec =
    Spec { name: "note_code", expected: "a string of at most 64 characters, or null" };
const METADATA: Spec = Spec { name: "metadata", expected: "an object" };
// The messages above spell out the limit.
const _: () = assert!(MAX_ID_CHARS == 64);

/// The fields an action may carry, in wire order.
const FIELDS: [&str; 7] = [
    ACTION_TYPE.name,
    CASE_ID.name,
    REFUND_AMOUNT_USD.name,
    EXPEDITE.name,
    ESCALATION_REASON.name,
    NOTE_CODE.name,
    METADATA.name,
];

/// Parses and validates an action from JSON text: see [`action_from_value`].
pub fn parse_action(json: &str) -> Result<Action, RequestErrors> {
    let value: Value = serde_json::from_str(json).map_err(|e| {
        RequestErrors::one(RequestError::body(
            "json_invalid",
            format!("the action is not valid JSON: {e}"),
            Value::String(json.to_string()),
        ))
    })?;
    action_from_value(value)
}

/// Parses and validates an action from a JSON value (e.g. the `action` of a step request).
/// Every violation is found (the first 20 listed): not an object, unknown keys, a missing
/// `action_type`, wrong types, bad enum values, and the rules of [`Action::validate`]. Numbers
/// and booleans are read leniently, as pydantic's lax mode reads them (`"83.39"`, `"true"`).
pub fn action_from_value(value: Value) -> Result<Action, RequestErrors> {
    let Value::Object(mut object) = value else {
        let message = format!("the action must be a JSON object, got {}", json_kind(&value));
        return Err(RequestErrors::one(RequestError::body("model_type", message, value)));
    };
    let mut errors = RequestErrors::new();
    for (unknown, input) in object.iter().filter(|(key, _)| !FIELDS.contains(&key.as_str())) {
        errors.push_with(|| {
            let message =
                format!("unknown field `{unknown}`; an action has only {}", FIELDS.join(", "));
            RequestError::field("extra_forbidden", unknown.as_str(), message, input.clone())
        });
    }
    let mut fields = Fields { object: &mut object, errors: &mut errors };
    let action_type = fields.take(&ACTION_TYPE, named);
    let mut action = Action::new(action_type.flatten().unwrap_or(ActionType::InspectOrder));
    if action_type.is_none() {
        fields.errors.push(RequestError::field(
            "missing",
            ACTION_TYPE.name,
            "action_type is required (one of the 12 action types)",
            Value::Null,
        ));
    }
    action.case_id = fields.nullable(&CASE_ID, id_text);
    action.refund_amount_usd = fields.nullable(&REFUND_AMOUNT_USD, amount);
    action.expedite = fields.take(&EXPEDITE, lax::boolean).flatten().unwrap_or_default();
    action.escalation_reason = fields.nullable(&ESCALATION_REASON, named);
    action.note_code = fields.nullable(&NOTE_CODE, id_text);
    action.metadata = fields.take(&METADATA, object_of).flatten().unwrap_or_default();
    errors.or_ok(action)
}

/// At most [`MAX_ID_CHARS`] characters.
fn short(text: &str) -> Result<(), Kind> {
    if text.chars().count() <= MAX_ID_CHARS { Ok(()) } else { Err("string_too_long") }
}

/// A refund amount: finite and `>= 0`.
fn payable(amount: f64) -> Result<(), Kind> {
    match amount {
        x if !x.is_finite() => Err("finite_number"),
        x if x < 0.0 => Err("greater_than_equal"),
        _ => Ok(()),
    }
}

/// `case_id` or `note_code`: a [`short`] string.
fn id_text(value: &Value) -> Result<String, Kind> {
    let text = value.as_str().ok_or("string_type")?;
    short(text)?;
    Ok(text.to_string())
}

/// `refund_amount_usd`: a [`payable`] number, read leniently.
fn amount(value: &Value) -> Result<f64, Kind> {
    let amount = lax::float(value)?;
    payable(amount)?;
    Ok(amount)
}

/// A wire enumeration value (`action_type`, `escalation_reason`).
fn named<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, Kind> {
    T::deserialize(value).map_err(|_| "enum")
}

fn object_of(value: &Value) -> Result<Map<String, Value>, Kind> {
    value.as_object().cloned().ok_or("dict_type")
}

/// The fields of an action object, taken one by one; every refused one is recorded.
struct Fields<'a> {
    object: &'a mut Map<String, Value>,
    errors: &'a mut RequestErrors,
}

impl Fields<'_> {
    /// The field's value as `read` reads it: `None` when absent, `Some(None)` when refused.
    fn take<T>(
        &mut self,
        spec: &Spec,
        read: impl Fn(&Value) -> Result<T, Kind>,
    ) -> Option<Option<T>> {
        let value = self.object.remove(spec.name)?;
        match read(&value) {
            Ok(parsed) => Some(Some(parsed)),
            Err(kind) => {
                self.errors.push(spec.refused(kind, value));
                Some(None)
            }
        }
    }

    /// A field that may be absent or `null`; `None` also when it is refused (recorded).
    fn nullable<T>(&mut self, spec: &Spec, read: impl Fn(&Value) -> Result<T, Kind>) -> Option<T> {
        self.take(spec, |value| if value.is_null() { Ok(None) } else { read(value).map(Some) })
            .flatten()
            .flatten()
    }
}

/// A value as an error message quotes it: strings quoted, short values whole.
fn describe(value: &Value) -> String {
    match value {
        Value::String(text) if text.chars().count() <= 40 => format!("{value}"),
        Value::String(text) => format!("a string of {} characters", text.chars().count()),
        Value::Bool(_) | Value::Number(_) | Value::Null => value.to_string(),
        _ => json_kind(value).to_string(),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{MAX_LISTED, schemas};

    fn rejected(json: &str) -> RequestError {
        match parse_action(json) {
            Ok(action) => panic!("{json} was accepted as {action:?}"),
            Err(errors) => errors.listed()[0].clone(),
        }
    }

    fn assert_names(json: &str, field: &str) {
        let error = rejected(json);
        assert_eq!(error.field.as_deref(), Some(field), "{json}: {error}");
        assert!(error.message.contains(field), "{json}: message `{error}` does not name {field}");
    }

    #[test]
    fn accepts_the_minimal_action() {
        let action = parse_action(r#"{"action_type":"inspect_order"}"#).unwrap();
        assert_eq!(action, Action::new(ActionType::InspectOrder));
    }

    #[test]
    fn accepts_every_field() {
        let json = r#"{"action_type":"issue_refund","case_id":"RPR-1","refund_amount_usd":81.21,
            "expedite":false,"escalation_reason":null,"note_code":null,"metadata":{"x":[1]}}"#;
        let action = parse_action(json).unwrap();
        assert_eq!(action.refund_amount_usd, Some(81.21));
        assert_eq!(action.case_id.as_deref(), Some("RPR-1"));
        assert_eq!(action.metadata.len(), 1);
        // The derived Deserialize agrees with the field-by-field parser on strict input.
        assert_eq!(serde_json::from_str::<Action>(json).unwrap(), action);
    }

    #[test]
    fn rejects_unknown_keys() {
        assert_names(r#"{"action_type":"inspect_order","amount":3}"#, "amount");
        assert!(serde_json::from_str::<Action>(r#"{"action_type":"close_case","x":1}"#).is_err());
    }

    #[test]
    fn rejects_bad_enum_values() {
        assert_names(r#"{"action_type":"inspect_everything"}"#, "action_type");
        assert_names(r#"{"action_type":"refund"}"#, "action_type");
        assert_names(
            r#"{"action_type":"escalate_risk","escalation_reason":"gut_feeling"}"#,
            "escalation_reason",
        );
    }

    #[test]
    fn rejects_missing_action_type_and_wrong_types() {
        assert_names(r#"{"case_id":"RPR-1"}"#, "action_type");
        assert_names(r#"{"action_type":null}"#, "action_type");
        assert_names(r#"{"action_type":"switch_case","case_id":7}"#, "case_id");
        assert_names(
            r#"{"action_type":"issue_refund","refund_amount_usd":"81,21"}"#,
            "refund_amount_usd",
        );
        assert_names(r#"{"action_type":"ship_replacement","expedite":"maybe"}"#, "expedite");
        assert_names(r#"{"action_type":"ship_replacement","expedite":null}"#, "expedite");
        assert_names(r#"{"action_type":"add_internal_note","note_code":["a"]}"#, "note_code");
        assert_names(r#"{"action_type":"close_case","metadata":[]}"#, "metadata");
        assert_eq!(rejected("[1]").field, None);
        assert_eq!(rejected("{").field, None);
        assert_eq!(rejected("null").field, None);
    }

    #[test]
    fn reports_every_violation_with_its_kind_and_input() {
        let errors = parse_action(r#"{"case_id":7,"bogus":1,"expedite":"maybe","note_code":null}"#)
            .unwrap_err();
        let summary: Vec<(&str, Option<&str>)> =
            errors.iter().map(|e| (e.kind, e.field.as_deref())).collect();
        assert_eq!(
            summary,
            [
                ("extra_forbidden", Some("bogus")),
                ("missing", Some("action_type")),
                ("string_type", Some("case_id")),
                ("bool_parsing", Some("expedite")),
            ]
        );
        assert_eq!(errors.listed()[0].input, serde_json::json!(1));
        assert_eq!(errors.listed()[2].input, serde_json::json!(7));
        assert_eq!(errors.listed()[3].input, serde_json::json!("maybe"));
        assert_eq!(rejected("{").kind, "json_invalid");
        assert_eq!(rejected("[]").kind, "model_type");
        assert_eq!(rejected(r#"{"action_type":"refund"}"#).kind, "enum");
        let negative = rejected(r#"{"action_type":"issue_refund","refund_amount_usd":-1}"#);
        assert_eq!((negative.kind, negative.input), ("greater_than_equal", serde_json::json!(-1)));
        // The value as sent is echoed, a quoted one too.
        let quoted = rejected(r#"{"action_type":"issue_refund","refund_amount_usd":"-1"}"#);
        assert_eq!((quoted.kind, quoted.input), ("greater_than_equal", serde_json::json!("-1")));
    }

    #[test]
    fn reads_quoted_numbers_and_booleans_as_pydantic_lax_mode_does() {
        let refund = parse_action(r#"{"action_type":"issue_refund","refund_amount_usd":"83.39"}"#);
        assert_eq!(refund, Ok(Action::refund(83.39)));
        let ship = parse_action(r#"{"action_type":"ship_replacement","expedite":"true"}"#);
        assert_eq!(ship, Ok(Action::ship(true)));
        let ship = parse_action(r#"{"action_type":"ship_replacement","expedite":0}"#);
        assert_eq!(ship, Ok(Action::ship(false)));
        // Pydantic reads "inf" and "nan"; the schema's amounts are finite.
        for quoted in [r#""inf""#, r#""nan""#, r#""1e400""#] {
            let json = format!(r#"{{"action_type":"issue_refund","refund_amount_usd":{quoted}}}"#);
            assert_eq!(rejected(&json).kind, "finite_number", "{json}");
        }
    }

    #[test]
    fn lists_twenty_violations_and_counts_the_rest() {
        let keys: Vec<String> = (0..85_000).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let json = format!(r#"{{"action_type":"close_case",{}}}"#, keys.join(","));
        let errors = parse_action(&json).unwrap_err();
        assert_eq!((errors.listed().len(), errors.len()), (MAX_LISTED, 85_000));
        assert_eq!(errors.listed()[0].field.as_deref(), Some("k0"));
    }

    #[test]
    fn rejects_negative_and_non_finite_amounts() {
        assert_names(
            r#"{"action_type":"issue_refund","refund_amount_usd":-0.01}"#,
            "refund_amount_usd",
        );
        for amount in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0] {
            let errors = Action::refund(amount).validate().unwrap_err();
            let error = &errors.listed()[0];
            assert_eq!(error.field.as_deref(), Some("refund_amount_usd"));
            assert!(error.message.ends_with(&format!("got {amount}")), "{error}");
        }
        assert!(Action::refund(0.0).validate().is_ok());
        // Not a request error: zero is refused by the rules of the game (§4.3), not the schema.
        assert!(parse_action(r#"{"action_type":"issue_refund","refund_amount_usd":0}"#).is_ok());
    }

    #[test]
    fn rejects_over_long_strings() {
        let long = "x".repeat(65);
        assert_names(&format!(r#"{{"action_type":"switch_case","case_id":"{long}"}}"#), "case_id");
        assert_names(
            &format!(r#"{{"action_type":"add_internal_note","note_code":"{long}"}}"#),
            "note_code",
        );
        let fits = "é".repeat(64); // characters, not bytes
        assert!(
            parse_action(&format!(r#"{{"action_type":"switch_case","case_id":"{fits}"}}"#)).is_ok()
        );
    }

    #[test]
    fn serialises_compactly_and_round_trips() {
        let action = Action::switch_to("SLA-1");
        assert_eq!(
            serde_json::to_string(&action).unwrap(),
            r#"{"action_type":"switch_case","case_id":"SLA-1"}"#
        );
        for action in [
            Action::refund(81.21).with_case("RPR-1"),
            Action::ship(true),
            Action::escalate(EscalationReason::SuspectedFraud),
            Action::note("vip_exchange"),
            Action::new(ActionType::CloseCase),
        ] {
            let text = serde_json::to_string(&action).unwrap();
            assert_eq!(parse_action(&text).unwrap(), action, "{text}");
        }
    }

    #[test]
    fn enums_match_their_wire_names() {
        assert_eq!(ActionType::ALL.len(), 12);
        for &action_type in ActionType::ALL {
            let wire = serde_json::to_value(action_type).unwrap();
            assert_eq!(wire, action_type.as_str());
            assert_eq!(action_type.as_str().parse::<ActionType>(), Ok(action_type));
        }
        for &reason in EscalationReason::ALL {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
        }
        assert!("Refund".parse::<ActionType>().is_err());
        assert!(ActionType::EscalateRisk.is_resolution());
        assert!(!ActionType::CloseCase.is_resolution());
    }

    #[test]
    fn action_schema_is_closed_and_lists_the_action_types() {
        let schema = &schemas()["action"];
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], serde_json::json!(["action_type"]));
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(properties.keys().len(), FIELDS.len());
        for name in FIELDS {
            assert!(properties.contains_key(name), "{name}");
        }
        let reference = properties["action_type"]["$ref"].as_str().unwrap();
        let name = reference.strip_prefix("#/$defs/").unwrap();
        let listed: Vec<&str> = schema["$defs"][name]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let expected: Vec<&str> = ActionType::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(listed, expected);
        let text = serde_json::to_string(&properties["case_id"]).unwrap();
        assert!(text.contains("\"maxLength\":64"), "{text}");
        let text = serde_json::to_string(&properties["refund_amount_usd"]).unwrap();
        assert!(text.contains("\"minimum\":0"), "{text}");
    }
}
