//! The episode state (spec §2.6), the terminal episode summary (§2.7) and the grade report
//! (§8.6).

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

wire_enum! {
    /// Why an episode ended (§4.4).
    TerminationReason {
        /// Every case is closed (terminated).
        CasesClosed = "cases_closed",
        /// Too many rule-invalid actions (terminated).
        InvalidActionLimit = "invalid_action_limit",
        /// The shift is over (terminated).
        TimeExhausted = "time_exhausted",
        /// Out of steps (truncated).
        StepLimit = "step_limit",
    }
}

wire_enum! {
    /// How a case ended, for the grade (§8.3, §8.6).
    Closure {
        /// Closed, last close good, never reopened (F = 1.0).
        Clean = "clean",
        /// Closed, last close good, reopened once (F = 0.6).
        Repaired = "repaired",
        /// The last close was bad, or reopened and not closed again (F = 0.25).
        Bad = "bad",
        /// Resolved, never closed (F = 0.25).
        Unfinished = "unfinished",
        /// No resolution ever recorded (F = 0).
        Untouched = "untouched",
    }
}

/// The episode state (`GET /state`, spec §2.6).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The episode's label.
    pub episode_id: String,
    /// Accepted steps, rule-invalid ones included.
    pub step_count: u32,
    /// Scenario id.
    pub task: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// The episode seed.
    pub seed: u64,
    /// Content hash of the compiled scenario and its data.
    pub scenario_version: String,
    /// The episode clock, in minutes.
    #[schemars(range(min = 0))]
    pub clock_minutes: i64,
    /// Terminated or truncated.
    pub done: bool,
    /// Ended by a terminal condition.
    pub terminated: bool,
    /// Cut off by the step limit.
    pub truncated: bool,
    /// Sum of the emitted step rewards so far, 4 decimals.
    pub total_reward: f64,
}

/// The terminal episode summary (`metadata.episode_summary`, spec §2.7), after settlement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EpisodeSummary {
    /// Scenario id.
    pub task: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// The grade (§8).
    pub final_score: f64,
    /// Cases closed at the end.
    pub closed_cases: u32,
    /// Cases with a resolution record.
    pub resolved_cases: u32,
    /// Reopen events fired.
    pub reopened_cases: u32,
    /// SLA breaches.
    pub sla_breaches: u32,
    /// Fraud loss, in USD.
    pub fraud_loss_usd: f64,
    /// Stockouts.
    pub stockouts: u32,
    /// Customer satisfaction, 0..1.
    pub customer_satisfaction: f64,
    /// Rule-invalid steps.
    pub invalid_actions: u32,
    /// The final clock.
    pub time_used_minutes: i64,
    /// Spending, in USD.
    pub budget_used_usd: f64,
    /// Steps taken.
    pub steps: u32,
    /// Sum of the step rewards.
    pub total_reward: f64,
    /// Why the episode ended.
    pub termination_reason: String,
    /// Ended by a terminal condition.
    pub terminated: bool,
    /// Cut off by the step limit.
    pub truncated: bool,
    /// The component means of §8.5: `outcome`, `policy`, `sla`, `money`, `closure`,
    /// `diligence`, `invalid_penalty`.
    pub grade_components: IndexMap<String, f64>,
}

/// The grade report (`metadata.grade` on the terminal step, spec §8.6); numbers rounded to 4
/// decimals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeReport {
    /// The grade, in [0, 1].
    pub score: f64,
    /// The grade clamped to [0.001, 0.999].
    pub inference_score: f64,
    /// The task's component weights.
    pub weights: IndexMap<String, f64>,
    /// The component means of §8.5 (as in the episode summary).
    pub components: IndexMap<String, f64>,
    /// Per case, in case order.
    pub per_case: Vec<CaseGrade>,
}

/// One case's grade (§8.3, §8.6). Wire names are the spec's letters: `F`, `G`, `O`, `P`, `S`,
/// `M`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseGrade {
    /// Case id.
    pub case_id: String,
    /// How the case ended.
    pub closure: Closure,
    /// `F`: closure factor (1.0, 0.6, 0.25 or 0).
    #[serde(rename = "F")]
    pub closure_factor: f64,
    /// `G`: share of required checks completed before the graded resolution.
    #[serde(rename = "G")]
    pub gate: f64,
    /// `O`: outcome of the graded resolution (table 8.2).
    #[serde(rename = "O")]
    pub outcome: f64,
    /// `Acc`: whether `O >= 0.5`.
    pub acceptable: bool,
    /// `P`: policy compliance.
    #[serde(rename = "P")]
    pub policy: f64,
    /// `S`: closed on time.
    #[serde(rename = "S")]
    pub sla: f64,
    /// `M`: money component.
    #[serde(rename = "M")]
    pub money: f64,
    /// `F·G·Acc·(w_out·O + w_pol·P + w_sla·S + w_mon·M)`.
    pub score: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::schemas;
    use serde_json::json;

    fn components() -> IndexMap<String, f64> {
        [
            ("outcome", 1.0),
            ("policy", 1.0),
            ("sla", 1.0),
            ("money", 1.0),
            ("closure", 1.0),
            ("diligence", 1.0),
            ("invalid_penalty", 0.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    #[test]
    fn grade_report_uses_the_spec_letters() {
        let report = GradeReport {
            score: 1.0,
            inference_score: 0.999,
            weights: [("outcome", 0.40), ("policy", 0.25), ("sla", 0.10), ("money", 0.25)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            components: components(),
            per_case: vec![CaseGrade {
                case_id: "RPR-1".into(),
                closure: Closure::Clean,
                closure_factor: 1.0,
                gate: 1.0,
                outcome: 1.0,
                acceptable: true,
                policy: 1.0,
                sla: 1.0,
                money: 1.0,
                score: 1.0,
            }],
        };
        let value = serde_json::to_value(&report).unwrap();
        assert_eq!(
            value["per_case"][0],
            json!({"case_id": "RPR-1", "closure": "clean", "F": 1.0, "G": 1.0, "O": 1.0,
                   "acceptable": true, "P": 1.0, "S": 1.0, "M": 1.0, "score": 1.0})
        );
        let text = serde_json::to_string(&report).unwrap();
        assert!(text.contains(
            r#""components":{"outcome":1.0,"policy":1.0,"sla":1.0,"money":1.0,"closure""#
        ));
        assert_eq!(serde_json::from_str::<GradeReport>(&text).unwrap(), report);
    }

    #[test]
    fn summary_and_state_round_trip() {
        let summary = EpisodeSummary {
            task: "refund_policy_recovery".into(),
            difficulty: "easy".into(),
            final_score: 1.0,
            closed_cases: 1,
            resolved_cases: 1,
            reopened_cases: 0,
            sla_breaches: 0,
            fraud_loss_usd: 0.0,
            stockouts: 0,
            customer_satisfaction: 0.84,
            invalid_actions: 0,
            time_used_minutes: 21,
            budget_used_usd: 81.21,
            steps: 6,
            total_reward: 1.13,
            termination_reason: TerminationReason::CasesClosed.as_str().to_string(),
            terminated: true,
            truncated: false,
            grade_components: components(),
        };
        let value = serde_json::to_value(&summary).unwrap();
        assert_eq!(value["termination_reason"], "cases_closed");
        assert_eq!(value.as_object().unwrap().len(), 19);
        assert_eq!(serde_json::from_value::<EpisodeSummary>(value).unwrap(), summary);

        let state = State {
            episode_id: "demo-ep-1".into(),
            step_count: 6,
            task: "refund_policy_recovery".into(),
            difficulty: "easy".into(),
            seed: u64::MAX,
            scenario_version: "abc".into(),
            clock_minutes: 21,
            done: true,
            terminated: true,
            truncated: false,
            total_reward: 1.13,
        };
        let text = serde_json::to_string(&state).unwrap();
        assert!(text.starts_with(r#"{"episode_id":"demo-ep-1","step_count":6,"#), "{text}");
        assert!(text.contains("18446744073709551615"));
        assert_eq!(serde_json::from_str::<State>(&text).unwrap(), state);
    }

    #[test]
    fn state_schema_has_the_protocol_fields() {
        let schema = &schemas()["state"];
        assert_eq!(schema["properties"]["episode_id"]["type"], "string");
        assert_eq!(schema["properties"]["step_count"]["type"], "integer");
        assert_eq!(schema["properties"]["step_count"]["minimum"], 0);
        let required = schema["required"].as_array().unwrap();
        assert!(required.contains(&json!("episode_id")) && required.contains(&json!("step_count")));
    }

    #[test]
    fn termination_reasons() {
        assert_eq!(TerminationReason::ALL.len(), 4);
        assert_eq!(Closure::parse("repaired"), Some(Closure::Repaired));
    }
}
