//! [`Catalog`]: the set of scenarios a front end serves, checked, compiled and made executable,
//! and the task selection rules of reset (game spec §2.3).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::check::{Report, check_paths};
use crate::compile::compile;
use crate::engine::Machine;

/// The difficulty tiers, easiest first.
pub const TIERS: [&str; 3] = ["easy", "medium", "hard"];

/// Executable scenarios by id, in load order (files sorted by path).
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    machines: IndexMap<String, Arc<Machine>>,
}

/// Why a set of scenario files could not be served.
#[derive(Debug)]
pub enum LoadError {
    /// A path could not be read.
    Io(std::io::Error),
    /// The check found errors; the report holds the diagnostics and sources to render them.
    Invalid(Box<Report>),
    /// Two files declare the same scenario id.
    DuplicateId(String),
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
            LoadError::DuplicateId(id) => write!(f, "two scenario files declare the id `{id}`"),
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
    /// `unknown_task`, `unknown_tier` or `task_tier_mismatch`.
    pub code: &'static str,
    /// The request field at fault: `task` or `tier`.
    pub field: &'static str,
    /// One readable sentence.
    pub message: String,
}

impl Catalog {
    /// Checks and compiles every scenario file under `paths`.
    pub fn load(paths: &[PathBuf]) -> Result<Catalog, LoadError> {
        let report = check_paths(paths).map_err(LoadError::Io)?;
        if report.errors() > 0 {
            return Err(LoadError::Invalid(Box::new(report)));
        }
        let mut machines = IndexMap::new();
        for scenario in report.checked.into_iter().filter_map(|c| compile(c, &report.sources)) {
            let id = scenario.id.clone();
            if machines.insert(id.clone(), Arc::new(Machine::new(Arc::new(scenario)))).is_some() {
                return Err(LoadError::DuplicateId(id));
            }
        }
        if machines.is_empty() {
            return Err(LoadError::Empty);
        }
        Ok(Catalog { machines })
    }

    /// Every scenario, in load order.
    pub fn machines(&self) -> impl ExactSizeIterator<Item = &Arc<Machine>> {
        self.machines.values()
    }

    /// The scenario with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<Machine>> {
        self.machines.get(id)
    }

    /// The task a reset asks for: `task` by id, else the first scenario of `tier`, else the
    /// first easy one (else the first of all). A task whose difficulty differs from a given
    /// tier is refused, never silently replaced.
    pub fn select(
        &self,
        task: Option<&str>,
        tier: Option<&str>,
    ) -> Result<&Arc<Machine>, SelectError> {
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
                let machine = self.get(task).ok_or_else(|| SelectError {
                    code: "unknown_task",
                    field: "task",
                    message: format!(
                        "unknown task `{task}`; the served tasks are {}",
                        self.ids().collect::<Vec<_>>().join(", ")
                    ),
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
            (None, None) => Ok(self.first_of(TIERS[0]).unwrap_or_else(|| &self.machines[0])),
        }
    }

    /// The ids of every scenario, in load order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.machines.keys().map(String::as_str)
    }

    fn first_of(&self, tier: &str) -> Option<&Arc<Machine>> {
        self.machines().find(|m| m.scenario.difficulty == tier)
    }
}
