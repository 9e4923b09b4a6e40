//! A run's results file (`--out FILE.jsonl`: one trajectory per line) and its `metadata.json`.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::trajectory::{
    Agent, EpisodeCounts, Metadata, Status, Trajectory, Usage, read_numbered_trajectories,
    write_line,
};

/// Identifies an episode of a run: task, seed, trial.
pub(super) type EpisodeKey = (String, u64, u32);

/// The results file of a run, appended one finished trajectory at a time.
pub(super) struct Results {
    path: PathBuf,
    file: Mutex<BufWriter<File>>,
}

impl Results {
    /// Creates `path` (replacing it), or with `resume` keeps the finished episodes it holds
    /// and returns them: each must have been played on the current version of its task
    /// (`versions`: task → version). Unfinished episodes are dropped, to be played again.
    pub(super) fn open(
        path: &Path,
        resume: bool,
        version_of: impl Fn(&str) -> Option<String>,
    ) -> Result<(Self, Vec<Trajectory>), String> {
        let kept = if resume && path.exists() {
            let kept: Vec<Trajectory> = read(path)?
                .into_iter()
                .map(|(_, t)| t)
                .filter(|t| t.status == Status::Finished)
                .collect();
            for t in &kept {
                if let Some(current) = version_of(&t.task).filter(|v| *v != t.scenario_version) {
                    return Err(format!(
                        "{}: task `{}` was played on version {} and is now {current}; resume \
                         needs the same versions (start a new file, or re-grade the old one \
                         with `shopops replay --regrade`)",
                        path.display(),
                        t.task,
                        t.scenario_version
                    ));
                }
            }
            kept
        } else {
            Vec::new()
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        // The kept lines are rewritten to a temporary file that replaces the old one, so a
        // kill at any point leaves a readable file.
        let temporary = path.with_extension("jsonl.partial");
        let io = |e: std::io::Error| format!("{}: {e}", path.display());
        let mut out = BufWriter::new(File::create(&temporary).map_err(io)?);
        for t in &kept {
            write_line(&mut out, t).map_err(io)?;
        }
        drop(out);
        std::fs::rename(&temporary, path).map_err(io)?;
        let file = OpenOptions::new().append(true).open(path).map_err(io)?;
        Ok((Results { path: path.to_path_buf(), file: Mutex::new(BufWriter::new(file)) }, kept))
    }

    /// Appends one trajectory (flushed at once, so a killed run keeps what it finished).
    pub(super) fn append(&self, trajectory: &Trajectory) -> Result<(), String> {
        let mut file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        write_line(&mut *file, trajectory).map_err(|e| format!("{}: {e}", self.path.display()))
    }

    /// Writes the run's `metadata.json` beside the results file.
    pub(super) fn write_metadata(&self, metadata: &Metadata) -> Result<PathBuf, String> {
        let path = self.path.with_file_name("metadata.json");
        let text = serde_json::to_string_pretty(metadata).map_err(|e| e.to_string())? + "\n";
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }
}

/// The trajectories of a results file with their line numbers; a last line cut off by a
/// killed writer is left out, with a note on stderr.
pub(super) fn read(file: &Path) -> Result<Vec<(usize, Trajectory)>, String> {
    let (numbered, cut_off) = read_numbered_trajectories(file)?;
    if cut_off > 0 {
        eprintln!("note: {}: a last line cut off by a killed writer is left out", file.display());
    }
    Ok(numbered)
}

/// The keys of `trajectories`, to skip when resuming.
pub(super) fn keys(trajectories: &[Trajectory]) -> HashSet<EpisodeKey> {
    trajectories.iter().map(|t| (t.task.clone(), t.seed, t.trial)).collect()
}

/// The episode counts, agents and usage of a run's trajectories, for its metadata.
pub(super) fn totals(trajectories: &[Trajectory]) -> (EpisodeCounts, Vec<Agent>, Usage) {
    let mut agents: Vec<Agent> = Vec::new();
    for t in trajectories {
        if !agents.contains(&t.agent) {
            agents.push(t.agent.clone());
        }
    }
    let usage = trajectories.iter().fold(Usage::default(), |sum, t| sum + t.usage);
    (EpisodeCounts::of(trajectories), agents, usage)
}
