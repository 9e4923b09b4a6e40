//! The action cycle the measurement examples' sessions step, and a reply read without parsing it
//! (so the machine's cores go to the server).

/// The actions every session cycles through (valid or rule-invalid, all accepted steps).
pub(crate) const CYCLE: [&str; 5] = [
    "inspect_order",
    "inspect_policy",
    "inspect_customer_history",
    "inspect_inventory",
    "close_case",
];

/// The WebSocket `step` message of a session's `round`-th step: the next action of [`CYCLE`].
pub(crate) fn step_message(round: usize) -> String {
    let action = CYCLE[round % CYCLE.len()];
    format!(r#"{{"type":"step","data":{{"action_type":"{action}"}}}}"#)
}

/// A reply's JSON text (serde_json writes objects' keys in order, without spaces).
pub(crate) struct Reply(pub(crate) String);

impl Reply {
    /// Whether it is an observation frame.
    pub(crate) fn is_observation(&self) -> bool {
        self.0.starts_with(r#"{"type":"observation","data":"#)
    }

    /// Whether the episode it reports is done.
    pub(crate) fn done(&self) -> bool {
        self.0.contains(r#""done":true"#)
    }
}
