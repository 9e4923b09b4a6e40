//! Results files: trajectories as JSON lines, and the run's `metadata.json` beside them.

use std::io::Write;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Agent, FORMAT_VERSION, Trajectory, Usage};

/// A run of many episodes (`metadata.json` beside the results file).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The trajectory format's version.
    pub format_version: u32,
    /// The command line that made the run.
    pub command: Vec<String>,
    /// The ShopOps version that played.
    pub shopops_version: String,
    /// The scenarios played, with their versions.
    pub scenarios: Vec<ScenarioRef>,
    /// Who played.
    pub agents: Vec<Agent>,
    /// The seeds played of every scenario.
    pub seeds: Vec<u64>,
    /// Trials per scenario and seed.
    pub trials: u32,
    /// The grade at which an episode passes.
    pub pass_threshold: f64,
    /// Episodes in the results file, by status.
    pub episodes: EpisodeCounts,
    /// What the agents spent, summed.
    pub usage: Usage,
    /// The agent's settings (endpoint, sampling, concurrency, prices), as given.
    #[serde(default)]
    pub settings: Map<String, Value>,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// When it ended.
    pub finished_at: String,
}

/// A scenario as a run names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRef {
    /// Scenario id.
    pub id: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// Its content hash.
    pub version: String,
}

/// Episodes of a run by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EpisodeCounts {
    /// Finished and graded.
    pub finished: u64,
    /// Failed before the end.
    pub failed: u64,
    /// Abandoned before the end.
    pub abandoned: u64,
}

impl EpisodeCounts {
    /// The counts of `trajectories`.
    pub fn of<'a>(trajectories: impl IntoIterator<Item = &'a Trajectory>) -> Self {
        let mut counts = EpisodeCounts::default();
        for trajectory in trajectories {
            let slot = match trajectory.status {
                super::Status::Finished => &mut counts.finished,
                super::Status::Failed => &mut counts.failed,
                super::Status::Abandoned => &mut counts.abandoned,
            };
            *slot += 1;
        }
        counts
    }
}

/// Just the version of a trajectory line.
#[derive(Deserialize)]
struct Versioned {
    format_version: Option<u32>,
}

/// The trajectories of a results file, in file order. A last line cut off by a killed writer
/// (no newline, not valid JSON) is left out and counted in the second value; any other
/// unreadable line is an error naming the file and line.
pub fn read_trajectories(path: &Path) -> Result<(Vec<Trajectory>, usize), String> {
    let (numbered, cut_off) = read_numbered_trajectories(path)?;
    Ok((numbered.into_iter().map(|(_, trajectory)| trajectory).collect(), cut_off))
}

/// As [`read_trajectories`], each trajectory with its line number (1-based).
pub fn read_numbered_trajectories(
    path: &Path,
) -> Result<(Vec<(usize, Trajectory)>, usize), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut trajectories = Vec::new();
    let mut cut_off = 0;
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let place = || format!("{}:{}", path.display(), index + 1);
        // The version first, so a newer format is named as such rather than as a bad field.
        let version = match serde_json::from_str::<Versioned>(line) {
            Ok(versioned) => versioned.format_version,
            Err(_) if !complete && index + 1 == lines.len() => {
                cut_off += 1;
                continue;
            }
            Err(e) => return Err(format!("{}: not a JSON trajectory: {e}", place())),
        };
        if version != Some(FORMAT_VERSION) {
            return Err(format!(
                "{}: trajectory format version {} (this ShopOps reads version {FORMAT_VERSION})",
                place(),
                version.map_or("missing".into(), |v| v.to_string())
            ));
        }
        // Parsed again from the text: a `Value` sorts object keys, and the recorded order of
        // the grade components and reward terms is kept.
        let trajectory = serde_json::from_str(line).map_err(|e| format!("{}: {e}", place()))?;
        trajectories.push((index + 1, trajectory));
    }
    Ok((trajectories, cut_off))
}

/// Writes `trajectory` as one line (with one `write` call, so concurrent appenders of whole
/// lines never interleave) and flushes.
pub fn write_line(out: &mut impl Write, trajectory: &Trajectory) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(trajectory)?;
    line.push(b'\n');
    out.write_all(&line)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::read_trajectories;

    #[test]
    fn maps_keep_their_recorded_order() {
        let line = r#"{"format_version":1,"task":"t","difficulty":"easy","scenario_version":"v","seed":1,"trial":0,"episode_id":"e","agent":{"kind":"policy","name":"rule"},"status":"finished","steps":[],"grade":{"score":1.0,"inference_score":0.999,"weights":{"sla":0.5,"money":0.5},"components":{"sla":1.0,"money":1.0},"per_case":[]},"total_reward":0.0,"started_at":"s","finished_at":"f"}"#;
        let path = std::env::temp_dir().join(format!("shopops-order-{}.jsonl", std::process::id()));
        std::fs::write(&path, format!("{line}\n")).unwrap();
        let (trajectories, cut_off) = read_trajectories(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(cut_off, 0);
        let grade = trajectories[0].grade.as_ref().unwrap();
        assert_eq!(grade.components.keys().collect::<Vec<_>>(), ["sla", "money"]);
        assert_eq!(grade.weights.keys().collect::<Vec<_>>(), ["sla", "money"]);
    }
}
