//! `shopops view`: results files read back. The summary and failures per task and agent, the
//! episodes that did not pass, one episode's transcript, or all of it as one HTML report.

mod failed;
mod html;
mod plot;

use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;

use super::summary::{self, Columns, ReportFormat};
use super::transcript::{Changes, transcript};
use crate::trajectory::{DEFAULT_PASS_THRESHOLD, GroupReport, Metadata, Trajectory, report};

/// Which results to read and what to show of them.
#[derive(Debug, Args)]
pub(super) struct ViewArgs {
    /// Results files (JSON Lines, as `eval --out` writes them); several are merged, e.g. two
    /// models' runs.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// List only the episodes that did not pass.
    #[arg(long, conflicts_with_all = ["episode", "task", "html"])]
    failed: bool,
    /// Print the transcript of episode N (numbered from 1 over the files in order, as
    /// `--failed` lists them).
    #[arg(long, value_name = "N", conflicts_with_all = ["task", "html"])]
    episode: Option<usize>,
    /// Print the transcript of this task's episode with the given --seed (and --trial).
    #[arg(long, value_name = "ID", requires = "seed", conflicts_with = "html")]
    task: Option<String>,
    /// The seed of the episode to print (with --task).
    #[arg(long, requires = "task")]
    seed: Option<u64>,
    /// The trial of the episode to print (with --task; 0-based; default 0).
    #[arg(long, requires = "task")]
    trial: Option<u32>,
    /// An episode passes when it finishes with a grade of at least this (default: the
    /// pass_threshold of the metadata.json beside the first file, else 0.95).
    #[arg(long)]
    pass_threshold: Option<f64>,
    /// Write everything as one self-contained HTML file (no network needed to open it).
    #[arg(long, value_name = "OUT.html", conflicts_with = "format")]
    html: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
}

/// An episode read back, with where it was read.
pub(super) struct Episode {
    /// Its number among all episodes read (from 1, over the files in order).
    pub(super) number: usize,
    /// The results file.
    pub(super) file: PathBuf,
    /// Its line in the file (from 1).
    pub(super) line: usize,
    /// The episode.
    pub(super) trajectory: Trajectory,
}

impl Episode {
    /// `FILE:LINE`.
    pub(super) fn place(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// Everything read from the results files.
pub(super) struct Results {
    /// The results files read.
    pub(super) files: Vec<PathBuf>,
    /// Every episode, in file order.
    pub(super) episodes: Vec<Episode>,
    /// The `metadata.json` beside each file that has one (each once).
    pub(super) runs: Vec<(PathBuf, Metadata)>,
    /// The grade at which an episode passes.
    pub(super) threshold: f64,
    /// The summary per task and agent, task by task in order of first appearance.
    pub(super) groups: Vec<GroupReport>,
}

#[derive(Serialize)]
struct Summary<'a> {
    files: &'a [PathBuf],
    pass_threshold: f64,
    tasks: &'a [GroupReport],
}

/// Reads the files and shows what was asked.
pub(super) fn run(args: ViewArgs) -> Result<u8, String> {
    let results = read(&args.files, args.pass_threshold)?;
    if let Some(out) = &args.html {
        let page = html::page(&results);
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(out, &page).map_err(|e| format!("{}: {e}", out.display()))?;
        super::emit(&format!(
            "wrote {} ({} episodes, {} KB)\n",
            out.display(),
            results.episodes.len(),
            page.len().div_ceil(1024)
        ));
        return Ok(0);
    }
    let text = if let Some(selected) = selected(&args, &results)? {
        match args.format {
            ReportFormat::Table => selected
                .iter()
                .map(|e| format!("{} · #{}\n{}", e.place(), e.number, transcript_of(e)))
                .collect::<Vec<_>>()
                .join("\n"),
            ReportFormat::Json => {
                let trajectories: Vec<&Trajectory> =
                    selected.iter().map(|e| &e.trajectory).collect();
                pretty_json(&trajectories)?
            }
        }
    } else if args.failed {
        let failing = failed::failing(&results.episodes, results.threshold);
        match args.format {
            ReportFormat::Table => failed::listing(&failing, &results),
            ReportFormat::Json => pretty_json(&failing)?,
        }
    } else {
        match args.format {
            ReportFormat::Table => overview(&results),
            ReportFormat::Json => pretty_json(&Summary {
                files: &results.files,
                pass_threshold: results.threshold,
                tasks: &results.groups,
            })?,
        }
    };
    super::emit(&text);
    Ok(0)
}

/// `value` as pretty JSON, one line break at the end.
fn pretty_json(value: &impl Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value).map(|text| text + "\n").map_err(|e| e.to_string())
}

/// Reads every file (and the `metadata.json` beside it); the threshold is `threshold`, else
/// the first file's run's, else the default.
pub(super) fn read(files: &[PathBuf], threshold: Option<f64>) -> Result<Results, String> {
    let mut episodes = Vec::new();
    let mut runs: Vec<(PathBuf, Metadata)> = Vec::new();
    for file in files {
        for (line, trajectory) in super::results::read(file)? {
            let number = episodes.len() + 1;
            episodes.push(Episode { number, file: file.clone(), line, trajectory });
        }
        let beside = file.with_file_name("metadata.json");
        if beside.is_file()
            && !runs.iter().any(|(path, _)| *path == beside)
            && let Some(metadata) = read_metadata(&beside)
        {
            runs.push((beside, metadata));
        }
    }
    if episodes.is_empty() {
        return Err(format!("no episodes in {}", list(files)));
    }
    let first_run = files.first().map(|f| f.with_file_name("metadata.json"));
    let threshold = threshold
        .or_else(|| {
            runs.iter()
                .find(|(path, _)| Some(path) == first_run.as_ref())
                .map(|(_, m)| m.pass_threshold)
        })
        .unwrap_or(DEFAULT_PASS_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        return Err("--pass-threshold must be between 0 and 1".into());
    }
    let trajectories: Vec<Trajectory> = episodes.iter().map(|e| e.trajectory.clone()).collect();
    let mut groups = report(&trajectories, threshold);
    let first_seen = |task: &str| trajectories.iter().position(|t| t.task == task);
    groups.sort_by_key(|g| first_seen(&g.task));
    Ok(Results { files: files.to_vec(), episodes, runs, threshold, groups })
}

/// A run's metadata, or `None` with a warning when it cannot be read.
fn read_metadata(path: &Path) -> Option<Metadata> {
    let parsed = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()));
    parsed.map_err(|e| eprintln!("warning: {}: {e}; ignored", path.display())).ok()
}

/// `a.jsonl, b.jsonl`.
fn list(files: &[PathBuf]) -> String {
    files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// The episodes `--episode` or `--task --seed --trial` select, if either was given.
fn selected<'a>(args: &ViewArgs, results: &'a Results) -> Result<Option<Vec<&'a Episode>>, String> {
    if let Some(number) = args.episode {
        let episode = results.episodes.iter().find(|e| e.number == number).ok_or_else(|| {
            format!("no episode {number}: the files hold episodes 1 to {}", results.episodes.len())
        })?;
        return Ok(Some(vec![episode]));
    }
    let (Some(task), Some(seed)) = (&args.task, args.seed) else { return Ok(None) };
    let trial = args.trial.unwrap_or(0);
    let matching: Vec<&Episode> = results
        .episodes
        .iter()
        .filter(|e| {
            e.trajectory.task == *task && e.trajectory.seed == seed && e.trajectory.trial == trial
        })
        .collect();
    if matching.is_empty() {
        return Err(format!("no episode of task `{task}` with seed {seed}, trial {trial}"));
    }
    Ok(Some(matching))
}

/// The transcript of a recorded episode.
pub(super) fn transcript_of(episode: &Episode) -> String {
    transcript(&episode.trajectory, Changes::Outcome)
}

/// The summary table, then the failures per task and agent.
fn overview(results: &Results) -> String {
    let mut out = format!(
        "{} episodes from {} · pass at grade ≥ {}\n{}\n",
        results.episodes.len(),
        list(&results.files),
        results.threshold,
        summary::table(&results.groups, Columns::All)
    );
    match summary::failures_table(&results.groups) {
        Some(table) => out.push_str(&format!(
            "\nepisodes that did not pass, by task and agent (`--failed` lists them)\n{table}\n"
        )),
        None => out.push_str("\nevery episode passed\n"),
    }
    out
}
