//! Check → compile → run never panics, on any scenario text and case data.
//!
//! The input is split at NUL bytes into a scenario file (`fuzz.shop`), its case data
//! (`cases.yaml`) and, if there is a third part, a prelude (`prelude.shop`) that replaces the
//! shipped one. Nothing is read from disk: the source map is confined to a directory that does
//! not exist, so an `import` of anything else is a diagnostic. A scenario that checks clean is
//! compiled, made executable, started, observed and played for a few steps (one action of each
//! type, then holds), and its grade is computed: the engine must accept whatever the checker
//! accepts.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use shopops::check::check_sources;
use shopops::compile::compile;
use shopops::engine::grade::grade;
use shopops::engine::{Game, Machine};
use shopops::source::SourceMap;
use shopops::wire::{Action, ActionType, EscalationReason};

const PRELUDE: &str = include_str!("../../scenarios/prelude.shop");

/// Steps played on a scenario that compiles, at most.
const MAX_STEPS: usize = 24;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(3, '\0');
    let scenario = parts.next().unwrap_or_default();
    let cases = parts.next().unwrap_or_default();
    let prelude = parts.next().unwrap_or(PRELUDE);
    let mut sources = SourceMap::confined("/nonexistent/shopops-fuzz");
    sources.add("prelude.shop", prelude);
    sources.add("cases.yaml", cases);
    let root = sources.add("fuzz.shop", scenario);
    let report = check_sources(sources, &[root]);
    let clean = report.errors() == 0;
    let sources = report.sources;
    for checked in report.checked {
        let has_errors = checked.has_errors;
        let Some(scenario) = compile(checked, &sources) else {
            continue;
        };
        assert!(!has_errors, "a scenario with errors compiled");
        assert!(clean, "a scenario compiled despite errors in the report");
        play(Arc::new(Machine::new(Arc::new(scenario))));
    }
});

/// Starts an episode and plays one action of each type, then holds, for a few steps.
fn play(machine: Arc<Machine>) {
    let mut game = Game::new(machine.clone(), 7, "fuzz");
    let first = game.observation();
    serde_json::to_string(&first).expect("an observation serializes");
    let case = first.active_case.case_id.clone();
    let actions = ActionType::ALL
        .iter()
        .map(|&action_type| {
            let mut action = Action::new(action_type);
            match action_type {
                ActionType::SwitchCase => action.case_id = Some(case.clone()),
                ActionType::IssueRefund => action.refund_amount_usd = Some(12.34),
                ActionType::EscalateRisk => {
                    action.escalation_reason = Some(EscalationReason::ALL[0]);
                }
                ActionType::AddInternalNote => action.note_code = Some("follow_up".into()),
                _ => {}
            }
            action
        })
        .chain(std::iter::repeat(Action::switch_to(case.clone())));
    for action in actions.take(MAX_STEPS) {
        if game.done() {
            assert!(game.step(&action).is_err(), "a finished episode took a step");
            break;
        }
        let observation = game.step(&action).expect("a running episode takes a step");
        let reward = observation.reward.expect("a step has a reward");
        assert!(reward.is_finite(), "reward {reward}");
        serde_json::to_string(&observation).expect("an observation serializes");
    }
    let report = grade(&machine, game.episode());
    assert!((0.0..=1.0).contains(&report.score), "grade {}", report.score);
    serde_json::to_string(&game.state()).expect("state serializes");
    if game.done() {
        serde_json::to_string(&game.summary().expect("a finished episode has a summary"))
            .expect("the summary serializes");
    }
}
