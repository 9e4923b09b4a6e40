//! `shopops export`: recorded episodes as chat transcripts for supervised fine-tuning. The
//! observations are not recorded, so each episode is replayed on its scenario, which must be
//! the version it was played on; the messages are the ones `eval --agent openai` sends.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde_json::json;

use crate::agent::{ToolMode, Transcript, function_tools};
use crate::engine::{Game, Machine};
use crate::trajectory::{Trajectory, replay};

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum ExportFormat {
    /// One JSON object per episode: `messages` (system, user, assistant tool calls, tool
    /// results) and `tools`, as TRL's SFT trainer reads tool-calling conversations.
    Messages,
}

/// What to export, and where.
#[derive(Debug, Args)]
pub(super) struct ExportArgs {
    /// A results file (JSON Lines of trajectories).
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "messages")]
    format: ExportFormat,
    /// The scenarios the episodes were played on.
    #[arg(long, value_name = "DIR", default_value = "scenarios")]
    scenarios: PathBuf,
    /// Write here instead of stdout.
    #[arg(short, long, value_name = "FILE", visible_alias = "output")]
    out: Option<PathBuf>,
}

/// Exports every trajectory of the file.
pub(super) fn run(args: ExportArgs) -> Result<u8, String> {
    let machines = super::scenarios::machines(std::slice::from_ref(&args.scenarios))?;
    let trajectories = super::results::read(&args.file)?;
    let tools = function_tools();
    let mut lines = String::new();
    for (line, trajectory) in &trajectories {
        let place = format!("{}:{line}", args.file.display());
        let machine = machine_of(&machines, trajectory, &args.scenarios)
            .map_err(|e| format!("{place}: {e}"))?;
        replay(machine, trajectory).map_err(|d| format!("{place}: does not replay: {d}"))?;
        let row = match args.format {
            ExportFormat::Messages => json!({
                "messages": transcript(machine, trajectory).training_messages(),
                "tools": tools,
            }),
        };
        lines.push_str(&serde_json::to_string(&row).map_err(|e| e.to_string())?);
        lines.push('\n');
    }
    match &args.out {
        Some(path) => {
            std::fs::write(path, &lines).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        None => super::emit(&lines),
    }
    Ok(0)
}

/// The scenario `trajectory` was played on: its task, at the version recorded.
fn machine_of<'a>(
    machines: &'a [Arc<Machine>],
    trajectory: &Trajectory,
    dir: &Path,
) -> Result<&'a Arc<Machine>, String> {
    let machine = machines
        .iter()
        .find(|m| m.scenario.id == trajectory.task)
        .ok_or_else(|| format!("no task `{}` under {}", trajectory.task, dir.display()))?;
    if machine.scenario.version != trajectory.scenario_version {
        return Err(format!(
            "task `{}` was played on version {} but {} holds version {}; export needs the \
             scenarios it was played on (--scenarios)",
            trajectory.task,
            trajectory.scenario_version,
            dir.display(),
            machine.scenario.version
        ));
    }
    Ok(machine)
}

/// The conversation of a recorded episode, replayed on `machine` (already checked to
/// reproduce it).
fn transcript(machine: &Arc<Machine>, trajectory: &Trajectory) -> Transcript {
    let mut game = Game::new(machine.clone(), trajectory.seed, trajectory.episode_id.clone());
    let mut transcript = Transcript::start(&game.observation(), ToolMode::Tools);
    for step in &trajectory.steps {
        let Ok(observation) = game.step(&step.action) else { break };
        let unusable = step.turn.as_ref().and_then(|t| t.unusable.as_deref());
        transcript.record(&step.action, &observation, unusable);
    }
    transcript
}
