//! Replaying a trajectory on the engine: checking that it reproduces ([`replay`]) and grading
//! its actions on another scenario version ([`regrade`]).

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use super::{Agent, Recorder, Status, StepRecord, Trajectory};
use crate::engine::{Game, Machine};
use crate::wire::Action;

/// Where a replay first differs from the recording.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Divergence {
    /// The step (1-based) whose answer differs; 0 for the episode's header, and one past the
    /// last step for its ending.
    pub step: usize,
    /// The field that differs, e.g. `reward`, `grade`, `scenario_version`.
    pub field: String,
    /// What the trajectory says.
    pub recorded: Value,
    /// What the engine answered.
    pub replayed: Value,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place =
            if self.step == 0 { "the header".to_string() } else { format!("step {}", self.step) };
        write!(
            f,
            "{place}: `{}` was recorded as {} but replays as {}",
            self.field, self.recorded, self.replayed
        )
    }
}

/// Plays `actions` from the start of episode `seed` of `machine`, as far as the episode
/// lasts, recording it as played by `agent`: the recorder (to finish) and how many actions
/// were left unplayed because the episode had already ended.
pub fn record_actions<'a>(
    machine: &Arc<Machine>,
    agent: Agent,
    trial: u32,
    seed: u64,
    episode_id: String,
    actions: impl IntoIterator<Item = &'a Action>,
) -> (Recorder, usize) {
    let mut game = Game::new(machine.clone(), seed, episode_id);
    let mut recorder = Recorder::start(agent, trial, &game.observation());
    let mut unplayed = 0;
    for action in actions {
        match game.step(action) {
            Ok(observation) => recorder.step(&game, action, &observation, None),
            Err(_) => unplayed += 1,
        }
    }
    (recorder, unplayed)
}

/// Plays the recorded actions of `trajectory` on `machine`: the trajectory the engine
/// records now (with the recording's times and model turns), and how many recorded actions
/// were left unplayed because the episode had already ended.
fn play(machine: &Arc<Machine>, trajectory: &Trajectory) -> (Trajectory, usize) {
    let (recorder, unplayed) = record_actions(
        machine,
        trajectory.agent.clone(),
        trajectory.trial,
        trajectory.seed,
        trajectory.episode_id.clone(),
        trajectory.actions(),
    );
    let reason =
        trajectory.failure.clone().unwrap_or_else(|| "the recorded actions ran out".into());
    let status =
        if trajectory.status == Status::Finished { Status::Abandoned } else { trajectory.status };
    let mut replayed = recorder.finish(status, reason);
    replayed.usage = trajectory.usage;
    replayed.started_at.clone_from(&trajectory.started_at);
    replayed.finished_at.clone_from(&trajectory.finished_at);
    for (new, old) in replayed.steps.iter_mut().zip(&trajectory.steps) {
        new.turn.clone_from(&old.turn);
    }
    (replayed, unplayed)
}

/// Replays `trajectory` on `machine` and checks that every recorded field reproduces bit for
/// bit: the first difference otherwise. The scenario version must match (see [`regrade`]).
pub fn replay(machine: &Arc<Machine>, trajectory: &Trajectory) -> Result<(), Divergence> {
    let header = |field: &str, recorded: Value, replayed: Value| Divergence {
        step: 0,
        field: field.into(),
        recorded,
        replayed,
    };
    let scenario = &machine.scenario;
    if trajectory.task != scenario.id {
        return Err(header("task", trajectory.task.clone().into(), scenario.id.clone().into()));
    }
    if trajectory.scenario_version != scenario.version {
        return Err(header(
            "scenario_version",
            trajectory.scenario_version.clone().into(),
            scenario.version.clone().into(),
        ));
    }
    let (replayed, unplayed) = play(machine, trajectory);
    for (index, (old, new)) in trajectory.steps.iter().zip(&replayed.steps).enumerate() {
        if let Some((field, recorded, now)) = first_difference(old, new) {
            return Err(Divergence { step: index + 1, field, recorded, replayed: now });
        }
    }
    let end = replayed.steps.len() + 1;
    if unplayed > 0 {
        return Err(Divergence {
            step: end,
            field: "steps".into(),
            recorded: trajectory.steps.len().into(),
            replayed: replayed.steps.len().into(),
        });
    }
    let whole = |t: &Trajectory| serde_json::to_value(t).unwrap_or(Value::Null);
    let (old, new) = (whole(trajectory), whole(&replayed));
    match first_key_difference(&old, &new) {
        Some((field, recorded, now)) => {
            Err(Divergence { step: end, field, recorded, replayed: now })
        }
        None => Ok(()),
    }
}

/// The first field (in record order) in which two step records differ.
fn first_difference(old: &StepRecord, new: &StepRecord) -> Option<(String, Value, Value)> {
    let value = |s: &StepRecord| serde_json::to_value(s).unwrap_or(Value::Null);
    first_key_difference(&value(old), &value(new))
}

/// The first key of `old` (an object) whose value differs in `new`, with both values.
fn first_key_difference(old: &Value, new: &Value) -> Option<(String, Value, Value)> {
    let (Value::Object(old), Value::Object(new)) = (old, new) else {
        return (old != new).then(|| (String::new(), old.clone(), new.clone()));
    };
    let keys = old.keys().chain(new.keys().filter(|k| !old.contains_key(*k)));
    keys.map(|k| (k, old.get(k).unwrap_or(&Value::Null), new.get(k).unwrap_or(&Value::Null)))
        .find(|(_, a, b)| a != b)
        .map(|(k, a, b)| (k.clone(), a.clone(), b.clone()))
}

/// A trajectory's actions graded on another scenario version.
#[derive(Clone, Debug, Serialize)]
pub struct Regrade {
    /// The grade recorded (null if the recording did not finish).
    pub recorded: Option<f64>,
    /// The grade of the same actions on this version (null if they no longer finish it).
    pub regraded: Option<f64>,
    /// Components whose value changed: name, recorded, regraded.
    pub components: Vec<(String, f64, f64)>,
    /// Grade weights that changed: component, recorded, regraded.
    pub weights: Vec<(String, f64, f64)>,
    /// The first step whose answer changed, if any.
    pub first_change: Option<Divergence>,
    /// Recorded actions not played because the episode ended earlier on this version.
    pub unplayed: usize,
    /// The trajectory as this version records it.
    pub trajectory: Trajectory,
}

impl Regrade {
    /// Whether the grade changed.
    pub fn changed(&self) -> bool {
        self.recorded != self.regraded
    }
}

/// Plays the actions of `trajectory` on `machine`, which may be another version of its
/// scenario, and reports how the grade changed and where the play first differs.
pub fn regrade(machine: &Arc<Machine>, trajectory: &Trajectory) -> Regrade {
    let (replayed, unplayed) = play(machine, trajectory);
    let first_change =
        trajectory.steps.iter().zip(&replayed.steps).enumerate().find_map(|(index, (old, new))| {
            first_difference(old, new).map(|(field, recorded, now)| Divergence {
                step: index + 1,
                field,
                recorded,
                replayed: now,
            })
        });
    let grades = |t: &Trajectory| {
        t.grade.as_ref().map(|g| (g.components.clone(), g.weights.clone())).unwrap_or_default()
    };
    let ((old_components, old_weights), (new_components, new_weights)) =
        (grades(trajectory), grades(&replayed));
    Regrade {
        recorded: trajectory.score(),
        regraded: replayed.score(),
        components: changes(&old_components, &new_components),
        weights: changes(&old_weights, &new_weights),
        first_change,
        unplayed,
        trajectory: replayed,
    }
}

/// The entries of two maps that differ (a missing entry counts as 0), in `old`'s order, then
/// those only in `new`.
fn changes(old: &IndexMap<String, f64>, new: &IndexMap<String, f64>) -> Vec<(String, f64, f64)> {
    let value = |map: &IndexMap<String, f64>, name: &str| map.get(name).copied().unwrap_or(0.0);
    old.keys()
        .chain(new.keys().filter(|name| !old.contains_key(*name)))
        .map(|name| (name.clone(), value(old, name), value(new, name)))
        .filter(|(_, a, b)| a != b)
        .collect()
}
