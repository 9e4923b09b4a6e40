//! Replaying a trajectory on the engine: checking that it reproduces ([`replay`]) and grading
//! its actions on another scenario version ([`regrade`]).

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::{Recorder, Status, StepRecord, Trajectory};
use crate::engine::{Game, Machine};

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

/// Plays the recorded actions of `trajectory` on `machine` (as far as the episode lasts):
/// the trajectory the engine records now, and how many recorded actions were left unplayed
/// because the episode had already ended.
fn play(machine: &Arc<Machine>, trajectory: &Trajectory) -> (Trajectory, usize) {
    let mut game = Game::new(machine.clone(), trajectory.seed, trajectory.episode_id.clone());
    let mut recorder =
        Recorder::start(trajectory.agent.clone(), trajectory.trial, &game.observation());
    let mut played = 0;
    for action in trajectory.actions() {
        let Ok(observation) = game.step(action) else { break };
        recorder.step(&game, action, &observation, None);
        played += 1;
    }
    let unplayed = trajectory.steps.len() - played;
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
    let components =
        |t: &Trajectory| t.grade.as_ref().map(|g| g.components.clone()).unwrap_or_default();
    let (old, new) = (components(trajectory), components(&replayed));
    let changed = old
        .iter()
        .map(|(name, &value)| (name.clone(), value, new.get(name).copied().unwrap_or_default()))
        .chain(
            new.iter()
                .filter(|(name, _)| !old.contains_key(*name))
                .map(|(n, &v)| (n.clone(), 0.0, v)),
        )
        .filter(|(_, a, b)| a != b)
        .collect();
    Regrade {
        recorded: trajectory.score(),
        regraded: replayed.score(),
        components: changed,
        first_change,
        unplayed,
        trajectory: replayed,
    }
}
