//! [`Catalog`]: the set of scenarios a front end serves — checked, compiled and made
//! executable — with each one's status and sources, the diagnostics of the last check, and the
//! task selection rules of reset (game spec §2.3).
//!
//! [`Catalog::load`] is strict (any error fails it: `run`, `eval`, `serve`). [`Catalog::reload`]
//! is for a design loop: what checks clean is served in its new version, what does not keeps
//! serving its last good version (marked as failing), and the diagnostics are kept.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::splits::SeedSplit;
use crate::check::{Checked, Report, check_paths, is_scenario_text};
use crate::compile::compile;
use crate::diag::{JsonDiagnostic, Severity, to_json};
use crate::engine::Machine;
use crate::source::SourceMap;

/// The difficulty tiers, easiest first.
pub const TIERS: [&str; 3] = ["easy", "medium", "hard"];

/// Served scenarios by id, in load order (files sorted by path).
#[derive(Debug, Default)]
pub struct Catalog {
    entries: IndexMap<String, Entry>,
    diagnostics: Vec<JsonDiagnostic>,
}

/// One scenario file of the set.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Scenario id (the file stem while the file has never checked clean; the path when
    /// another file has that id).
    pub id: String,
    /// The scenario file.
    pub path: PathBuf,
    /// Whether its latest text checks clean.
    pub status: Status,
    /// The version served: the latest good one; `None` if the file never checked clean.
    pub machine: Option<Arc<Machine>>,
    /// The files of the version served (else of the latest text): scenario, imports, case data.
    pub files: Arc<[SourceText]>,
}

/// Whether a scenario's latest text checks clean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It does, and that version is served.
    Ok,
    /// It does not; the last good version, if any, is still served.
    Error,
}

/// One source file's path and text.
#[derive(Clone, Debug, Serialize)]
pub struct SourceText {
    /// Path as given to the checker.
    pub path: String,
    /// Contents.
    pub text: String,
}

/// Why a set of scenario files could not be served.
#[derive(Debug)]
pub enum LoadError {
    /// A given path does not exist or cannot be listed.
    Io(std::io::Error),
    /// The check found errors (an unreadable file and two files declaring one id among them);
    /// the report holds the diagnostics and sources to render them.
    Invalid(Box<Report>),
    /// No file declares a scenario.
    Empty,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(error) => write!(f, "cannot read the given paths: {error}"),
            LoadError::Invalid(report) => {
                write!(f, "{} error(s) in the scenarios; see `shopops check`", report.errors())
            }
            LoadError::Empty => {
                f.write_str("no scenario found (a scenario file has a `scenario` block)")
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Why reset cannot select a task: a request error with a stable code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectError {
    /// `unknown_task`, `unknown_tier`, `task_tier_mismatch`, or for splits `unknown_split`,
    /// `index_out_of_range`, `seed_not_in_split`, `index_without_split` and `seed_and_index`.
    pub code: &'static str,
    /// The request field at fault: `task`, `tier`, `split`, `index` or `seed`.
    pub field: &'static str,
    /// One readable sentence.
    pub message: String,
}

impl Catalog {
    /// Checks and compiles every scenario file under `paths`; any error fails the load.
    pub fn load(paths: &[PathBuf]) -> Result<Catalog, LoadError> {
        let report = check_paths(paths).map_err(LoadError::Io)?;
        if report.errors() > 0 {
            return Err(LoadError::Invalid(Box::new(report)));
        }
        let catalog = Catalog::build(report, &Catalog::default());
        if catalog.entries.is_empty() {
            return Err(LoadError::Empty);
        }
        Ok(catalog)
    }

    /// Checks and compiles every scenario file under `paths` again. A scenario that fails the
    /// check (an unreadable file, or one of two declaring the same id, included) keeps its
    /// version from `previous` (status `error`); one that never checked clean is listed but not
    /// served. Only a given path that does not exist or cannot be listed fails the reload.
    pub fn reload(paths: &[PathBuf], previous: &Catalog) -> Result<Catalog, LoadError> {
        Ok(Catalog::build(check_paths(paths).map_err(LoadError::Io)?, previous))
    }

    fn build(report: Report, previous: &Catalog) -> Catalog {
        let diagnostics = to_json(&report.diagnostics, &report.sources);
        let sources = report.sources;
        let mut listed = Vec::new();
        for checked in report.checked {
            let path = sources.file(checked.root).path.clone();
            let before = previous.entries.values().find(|e| e.path == path);
            // A scenario file caught half-written (an editor saving in place), or unreadable (an
            // empty stand-in), reads as a file without a scenario: it keeps its last good
            // version until its text is whole again.
            let scenario = is_scenario_text(&sources.file(checked.root).text);
            if !scenario && before.is_none() {
                continue;
            }
            let entry = match (checked.has_errors || !scenario, before) {
                (false, _) => compiled(checked, &sources, path, before),
                (true, Some(before)) => Some(Entry { status: Status::Error, ..before.clone() }),
                (true, None) => Some(Entry {
                    id: stem(&path),
                    files: files_of(&checked, &sources),
                    path,
                    status: Status::Error,
                    machine: None,
                }),
            };
            listed.extend(entry);
        }
        Catalog { entries: by_id(listed), diagnostics }
    }

    /// Every scenario that can be played, in load order.
    pub fn machines(&self) -> impl Iterator<Item = &Arc<Machine>> {
        self.entries.values().filter_map(|e| e.machine.as_ref())
    }

    /// Every scenario file of the set, served or not, in load order.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &Entry> {
        self.entries.values()
    }

    /// The scenario file with this id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }

    /// The playable scenario with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<Machine>> {
        self.entries.get(id).and_then(|e| e.machine.as_ref())
    }

    /// The ids of every playable scenario, in load order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.machines().map(|m| m.scenario.id.as_str())
    }

    /// The diagnostics of the last check, as `shopops check --format json` prints them.
    pub fn diagnostics(&self) -> &[JsonDiagnostic] {
        &self.diagnostics
    }

    /// Number of error diagnostics of the last check.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// A hash of every served id and version (16 hex digits): changes when anything served does.
    pub fn version(&self) -> String {
        let mut hasher = Sha256::new();
        for machine in self.machines() {
            hasher.update(machine.scenario.id.as_bytes());
            hasher.update([0]);
            hasher.update(machine.scenario.version.as_bytes());
            hasher.update([0]);
        }
        hasher.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    /// The task a reset asks for: `task` by id, else the first scenario of `tier`, else the
    /// first easy one (else the first of all). A task whose difficulty differs from a given
    /// tier is refused, never silently replaced.
    pub fn select(
        &self,
        task: Option<&str>,
        tier: Option<&str>,
    ) -> Result<&Arc<Machine>, SelectError> {
        let unknown_task =
            |message: String| SelectError { code: "unknown_task", field: "task", message };
        if let Some(tier) = tier
            && !TIERS.contains(&tier)
        {
            return Err(SelectError {
                code: "unknown_tier",
                field: "tier",
                message: format!("unknown tier `{tier}`; the tiers are {}", TIERS.join(", ")),
            });
        }
        match (task, tier) {
            (Some(task), tier) => {
                let machine = self.get(task).ok_or_else(|| {
                    let served: Vec<&str> = self.ids().collect();
                    unknown_task(format!(
                        "unknown task `{task}`; the served tasks are {}",
                        served.join(", ")
                    ))
                })?;
                match tier {
                    Some(tier) if machine.scenario.difficulty != tier => Err(SelectError {
                        code: "task_tier_mismatch",
                        field: "tier",
                        message: format!(
                            "task `{task}` is {}, not {tier}",
                            machine.scenario.difficulty
                        ),
                    }),
                    _ => Ok(machine),
                }
            }
            (None, Some(tier)) => self.first_of(tier).ok_or_else(|| SelectError {
                code: "unknown_tier",
                field: "tier",
                message: format!("no served task is {tier}"),
            }),
            (None, None) => self
                .first_of(TIERS[0])
                .or_else(|| self.machines().next())
                .ok_or_else(|| unknown_task("no task is served".to_string())),
        }
    }

    fn first_of(&self, tier: &str) -> Option<&Arc<Machine>> {
        self.machines().find(|m| m.scenario.difficulty == tier)
    }

    /// Every split name the served tasks declare, in the order first declared (tasks in load
    /// order).
    pub fn splits(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for name in self.machines().flat_map(|m| m.scenario.splits.keys()) {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        names
    }

    /// The task list of `split`: every served task that declares it (only `task`, or only the
    /// tasks of `tier`, when given), in load order, each with its seeds of the split.
    pub fn split_rows(
        &self,
        split: &str,
        task: Option<&str>,
        tier: Option<&str>,
    ) -> Result<SplitRows<'_>, SelectError> {
        let machines: Vec<&Arc<Machine>> = match task {
            Some(_) => vec![self.select(task, tier)?],
            None => {
                self.select(None, tier)?;
                self.machines()
                    .filter(|m| tier.is_none_or(|t| m.scenario.difficulty == t))
                    .collect()
            }
        };
        let parts: Vec<_> = machines
            .into_iter()
            .filter_map(|m| m.scenario.splits.get(split).map(|seeds| (m, seeds)))
            .collect();
        if parts.is_empty() {
            return Err(self.unknown_split(split, task));
        }
        Ok(SplitRows { split: split.to_string(), parts })
    }

    /// The task and seed a reset asks for: as [`Catalog::select`] without a split; with one,
    /// the `index`-th row of its task list ([`Catalog::split_rows`]), or the selected task with
    /// `seed` checked to be in the split, or else a row drawn with `entropy`. `seed` is passed
    /// through when no split is given (`None`: the caller draws one).
    pub fn select_seeded(
        &self,
        selection: Selection<'_>,
        entropy: impl FnOnce() -> u64,
    ) -> Result<(&Arc<Machine>, Option<u64>), SelectError> {
        let Selection { task, tier, split, index, seed } = selection;
        let Some(split) = split else {
            return match index {
                Some(_) => Err(SelectError {
                    code: "index_without_split",
                    field: "index",
                    message: "index selects a seed of a split: give the split too".into(),
                }),
                None => Ok((self.select(task, tier)?, seed)),
            };
        };
        if index.is_some() && seed.is_some() {
            return Err(SelectError {
                code: "seed_and_index",
                field: "index",
                message: "give a seed or an index into the split, not both".into(),
            });
        }
        if let Some(seed) = seed {
            let machine = self.select(task, tier)?;
            let id = &machine.scenario.id;
            let Some(seeds) = machine.scenario.splits.get(split) else {
                return Err(self.unknown_split(split, Some(id)));
            };
            return match seeds.index_of(seed) {
                Some(_) => Ok((machine, Some(seed))),
                None => Err(SelectError {
                    code: "seed_not_in_split",
                    field: "seed",
                    message: format!(
                        "seed {seed} is not in split `{split}` of `{id}` ({})",
                        describe_seeds(seeds)
                    ),
                }),
            };
        }
        let rows = self.split_rows(split, task, tier)?;
        let index = index.unwrap_or_else(|| entropy() % rows.len().max(1));
        let (machine, seed) = rows.get(index).ok_or_else(|| SelectError {
            code: "index_out_of_range",
            field: "index",
            message: format!(
                "index {index} is out of range: {} (indices 0 to {})",
                rows.describe(),
                rows.len().saturating_sub(1)
            ),
        })?;
        Ok((machine, Some(seed)))
    }

    fn unknown_split(&self, split: &str, task: Option<&str>) -> SelectError {
        let message = match task.and_then(|t| self.get(t)) {
            Some(machine) => machine.scenario.split(split).err().unwrap_or_default(),
            None if self.splits().is_empty() => {
                format!("unknown split `{split}`: no served task declares splits")
            }
            None => format!("unknown split `{split}`; the splits are {}", self.splits().join(", ")),
        };
        SelectError { code: "unknown_split", field: "split", message }
    }
}

/// What a reset asks for: a task (or tier), and a seed given, or chosen from a split.
#[derive(Clone, Copy, Debug, Default)]
pub struct Selection<'a> {
    /// The task by id.
    pub task: Option<&'a str>,
    /// The tier, when no task is given (a check of the task's tier when one is).
    pub tier: Option<&'a str>,
    /// The split to choose the seed from.
    pub split: Option<&'a str>,
    /// The row of the split's task list (needs `split`).
    pub index: Option<u64>,
    /// The seed (with `split`: one of its seeds).
    pub seed: Option<u64>,
}

/// A split's task list: (task, seed) rows, task by task in load order, each task's seeds in
/// the order its split lists them.
#[derive(Debug)]
pub struct SplitRows<'a> {
    split: String,
    parts: Vec<(&'a Arc<Machine>, &'a SeedSplit)>,
}

impl<'a> SplitRows<'a> {
    /// The number of rows.
    pub fn len(&self) -> u64 {
        self.parts.iter().map(|(_, seeds)| seeds.len()).fold(0, u64::saturating_add)
    }

    /// Whether there is no row (a split list always has one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `index`-th row (from 0): its task and seed.
    pub fn get(&self, index: u64) -> Option<(&'a Arc<Machine>, u64)> {
        let mut rest = index;
        for &(machine, seeds) in &self.parts {
            if rest < seeds.len() {
                return seeds.seed(rest).map(|seed| (machine, seed));
            }
            rest -= seeds.len();
        }
        None
    }

    /// Rows `start..stop` (clamped to the list), with their indices.
    pub fn range(
        &self,
        start: u64,
        stop: u64,
    ) -> impl Iterator<Item = (u64, &'a Arc<Machine>, u64)> + '_ {
        let stop = stop.min(self.len());
        (start..stop).filter_map(|i| self.get(i).map(|(machine, seed)| (i, machine, seed)))
    }

    /// The split's name.
    pub fn split(&self) -> &str {
        &self.split
    }

    /// "split `test` has 300 seeds across 3 tasks" or "... of `task` has 100 seeds (1..100)".
    fn describe(&self) -> String {
        match self.parts.as_slice() {
            [(machine, seeds)] => format!(
                "split `{}` of `{}` has {} seeds ({})",
                self.split,
                machine.scenario.id,
                seeds.len(),
                describe_seeds(seeds)
            ),
            parts => {
                format!(
                    "split `{}` has {} rows across {} tasks",
                    self.split,
                    self.len(),
                    parts.len()
                )
            }
        }
    }
}

/// `1..100`, or `3, 7, 20..24`: a split's seeds as written (the first 5 ranges).
fn describe_seeds(seeds: &SeedSplit) -> String {
    let mut parts: Vec<String> = seeds
        .ranges()
        .iter()
        .take(5)
        .map(|&(lo, hi)| if lo == hi { lo.to_string() } else { format!("{lo}..{hi}") })
        .collect();
    if seeds.ranges().len() > 5 {
        parts.push("…".into());
    }
    parts.join(", ")
}

/// The entry of a clean scenario file: its new version, or the previous one when unchanged
/// (so a reload that changes nothing keeps the very same machine).
fn compiled(
    checked: Checked,
    sources: &SourceMap,
    path: PathBuf,
    before: Option<&Entry>,
) -> Option<Entry> {
    let files = files_of(&checked, sources);
    let scenario = compile(checked, sources)?;
    let unchanged = before
        .and_then(|b| b.machine.as_ref())
        .filter(|m| m.scenario.version == scenario.version && m.scenario.id == scenario.id);
    let machine = match unchanged {
        Some(machine) => machine.clone(),
        None => Arc::new(Machine::new(Arc::new(scenario))),
    };
    Some(Entry {
        id: machine.scenario.id.clone(),
        path,
        status: Status::Ok,
        machine: Some(machine),
        files,
    })
}

/// The texts of a checked scenario: its `.shop` files, then its case data.
fn files_of(checked: &Checked, sources: &SourceMap) -> Arc<[SourceText]> {
    let ids = checked.files.iter().copied().chain(checked.cases_file).chain([checked.root]);
    let mut seen = Vec::new();
    ids.filter(|id| {
        let new = !seen.contains(id);
        seen.push(*id);
        new
    })
    .map(|id| {
        let file = sources.file(id);
        SourceText { path: file.path.display().to_string(), text: file.text.clone() }
    })
    .collect()
}

/// The entries keyed by id, in load order. A clean scenario's id is unique (two files declaring
/// one id fail the check), but a failing file's id, kept from its last good version or its
/// file stem, may be one another file now has: such an entry is listed under its path, and
/// not served.
fn by_id(listed: Vec<Entry>) -> IndexMap<String, Entry> {
    let clean: Vec<String> =
        listed.iter().filter(|e| e.status == Status::Ok).map(|e| e.id.clone()).collect();
    let mut entries = IndexMap::new();
    for entry in listed {
        let entry = if entry.status == Status::Error
            && (clean.contains(&entry.id) || entries.contains_key(&entry.id))
        {
            Entry { id: entry.path.display().to_string(), machine: None, ..entry }
        } else {
            entry
        };
        entries.entry(entry.id.clone()).or_insert(entry);
    }
    entries
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, path: &str, status: Status) -> Entry {
        Entry { id: id.into(), path: path.into(), status, machine: None, files: Arc::from([]) }
    }

    #[test]
    fn a_failing_file_whose_id_is_taken_is_listed_under_its_path() {
        let listed = vec![
            entry("b", "s/a.shop", Status::Error),
            entry("b", "s/b.shop", Status::Ok),
            entry("t", "s/x/t.shop", Status::Error),
            entry("t", "s/y/t.shop", Status::Error),
        ];
        let entries = by_id(listed);
        let keyed: Vec<(&str, &str)> =
            entries.iter().map(|(key, e)| (key.as_str(), e.id.as_str())).collect();
        assert_eq!(
            keyed,
            [("s/a.shop", "s/a.shop"), ("b", "b"), ("t", "t"), ("s/y/t.shop", "s/y/t.shop")]
        );
    }
}
