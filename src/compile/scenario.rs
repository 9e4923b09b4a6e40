//! The compiled scenario.

use std::path::Path;

use indexmap::IndexMap;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::Checked;
use crate::check::DIFFICULTIES;
use crate::check::constant::{self, Constant};
use crate::check::graph::DependencyGraph;
use crate::check::program::Program;
use crate::check::splits::SeedSplit;
use crate::data::Case;
use crate::source::SourceMap;
use crate::syntax::ast::{Expr, ExprKind};

/// A compiled scenario: everything the engine needs, immutable once built.
#[derive(Debug, Serialize)]
pub struct Scenario {
    /// Scenario id (the task name on the wire).
    pub id: String,
    /// Human title.
    pub title: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// The task's handbook text.
    pub brief: String,
    /// Content hash of every source file (16 hex digits): the scenario version.
    pub version: String,
    /// Time, step, invalid-action and budget limits.
    pub limits: Limits,
    /// Satisfaction at reset, in basis points.
    pub initial_satisfaction_bp: i64,
    /// Grade weight of each component, in declaration order.
    pub weights: IndexMap<String, f64>,
    /// Seed splits by name (`split train 1..800`), in declaration order.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub splits: IndexMap<String, SeedSplit>,
    /// Units of each SKU at reset: a count or a range drawn at reset (task-level draws, in order).
    pub stock: IndexMap<String, Expr>,
    /// Declarations: actions, rules, events, blockers, truths, grade, termination.
    pub program: Program,
    /// Cases in table order.
    pub cases: Vec<Case>,
    /// The dependency graph.
    #[serde(serialize_with = "serialize_graph")]
    pub graph: DependencyGraph,
}

/// The limits of an episode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Minutes in the shift.
    pub time_limit_minutes: i64,
    /// Steps before truncation.
    pub max_steps: i64,
    /// Rule-invalid actions before termination.
    pub invalid_action_limit: i64,
    /// Spending limit in cents.
    pub budget_cents: i64,
}

/// Compiles a clean check result. `None` for a library file (no `scenario` block) or a
/// check with errors.
pub fn compile(checked: Checked, sources: &SourceMap) -> Option<Scenario> {
    if checked.has_errors {
        return None;
    }
    let Checked {
        root, files: mut source_files, cases_file, program, cases, graph, splits, ..
    } = checked;
    let decl = program.scenario.as_ref()?;
    let setting = |name: &str| decl.settings.get(name).map(|s| &s.value);
    let whole = |name: &str| setting(name).and_then(Constant::of).map_or(0, Constant::whole);
    let text = |name: &str| match setting(name).map(|e| &e.kind) {
        Some(ExprKind::Text(t)) => t.clone(),
        Some(ExprKind::Path(p)) if p.len() == 1 => program
            .texts
            .get(&p[0].name)
            .and_then(|t| match &t.value.kind {
                ExprKind::Text(t) => Some(t.clone()),
                _ => None,
            })
            .unwrap_or_default(),
        _ => String::new(),
    };
    let difficulty = setting("difficulty")
        .and_then(|e| e.kind.as_name())
        .map(|n| n.name.clone())
        .unwrap_or_default();
    let satisfaction = setting("satisfaction")
        .or_else(|| program.desk.get("satisfaction").map(|s| &s.value))
        .and_then(Constant::of)
        .map_or(0, Constant::whole);
    let weights = decl
        .weights
        .iter()
        .map(|w| (w.name.name.clone(), Constant::of(&w.value).map_or(0.0, Constant::real)))
        .collect();
    source_files.extend(cases_file);
    let version = content_hash(sources, &source_files, &sources.file(root).path);
    Some(Scenario {
        id: decl.id.name.clone(),
        title: text("title"),
        difficulty,
        brief: text("brief"),
        version,
        limits: Limits {
            time_limit_minutes: whole("time_limit"),
            max_steps: whole("max_steps"),
            invalid_action_limit: whole("invalid_limit"),
            budget_cents: whole("budget"),
        },
        initial_satisfaction_bp: satisfaction,
        weights,
        splits,
        stock: decl.stock.iter().map(|s| (s.name.name.clone(), s.value.clone())).collect(),
        graph,
        program,
        cases,
    })
}

/// SHA-256 over each file's path (relative to the scenario's directory) and text, in order.
fn content_hash(sources: &SourceMap, files: &[crate::source::FileId], root: &Path) -> String {
    let base = root.parent().unwrap_or(Path::new(""));
    let mut hasher = Sha256::new();
    for &file in files {
        let file = sources.file(file);
        let path = file.path.strip_prefix(base).unwrap_or(&file.path);
        hasher.update(path.to_string_lossy().replace('\\', "/").as_bytes());
        hasher.update([0]);
        hasher.update(file.text.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

impl Scenario {
    /// A sort key that lists scenarios easiest first, then by id.
    pub fn tier_key(&self) -> (usize, &str) {
        let tier = DIFFICULTIES.iter().position(|t| *t == self.difficulty);
        (tier.unwrap_or(DIFFICULTIES.len()), &self.id)
    }

    /// The split `name`, or why there is none: a sentence naming the declared splits.
    pub fn split(&self, name: &str) -> Result<&SeedSplit, String> {
        self.splits.get(name).ok_or_else(|| {
            if self.splits.is_empty() {
                format!("unknown split `{name}`: task `{}` declares no splits", self.id)
            } else {
                let names: Vec<&str> = self.splits.keys().map(String::as_str).collect();
                format!(
                    "unknown split `{name}`; the splits of `{}` are {}",
                    self.id,
                    names.join(", ")
                )
            }
        })
    }

    /// The `index`-th seed of split `name`, or why there is none.
    pub fn split_seed(&self, name: &str, index: u64) -> Result<u64, String> {
        let split = self.split(name)?;
        split.seed(index).ok_or_else(|| {
            format!(
                "index {index} is out of range: split `{name}` of `{}` has {} seeds (indices 0 to {})",
                self.id,
                split.len(),
                split.len().saturating_sub(1)
            )
        })
    }

    /// Bounds of the desk's reward clamp.
    pub fn reward_clamp(&self) -> Option<(f64, f64)> {
        let setting = self.program.desk.get("reward_clamp")?;
        let (lo, hi) = constant::range(&setting.value)?;
        Some((lo.real(), hi.real()))
    }
}

fn serialize_graph<S: serde::Serializer>(
    graph: &DependencyGraph,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    graph.view().serialize(serializer)
}
