//! [`Summary`]: what a compiled scenario declares, by name — the view `GET /scenarios/{id}`
//! serves to authors and tools.

use indexmap::{IndexMap, IndexSet};
use serde::Serialize;

use super::Scenario;
use crate::check::program::Effect;

/// The names a scenario declares, in declaration order.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// Scenario id.
    pub id: &'a str,
    /// Human title.
    pub title: &'a str,
    /// `easy`, `medium` or `hard`.
    pub difficulty: &'a str,
    /// Content hash of the scenario and its data.
    pub version: &'a str,
    /// Case ids, in queue order.
    pub cases: Vec<&'a str>,
    /// Actions with the wire fields they read.
    pub actions: Vec<ActionSummary<'a>>,
    /// Fact names per fact group (check, response or event), over every case and variant.
    pub facts: IndexMap<&'a str, IndexSet<&'a str>>,
    /// Blockers with the actions they gate and what clears them.
    pub blockers: Vec<BlockerSummary<'a>>,
    /// Delayed events.
    pub events: Vec<&'a str>,
    /// Reward terms: where they are declared, their group and label.
    pub reward_terms: Vec<RewardTerm<'a>>,
    /// Grade components with their weights.
    pub grade_components: &'a IndexMap<String, f64>,
}

/// An action and its parameters.
#[derive(Debug, Serialize)]
pub struct ActionSummary<'a> {
    /// Wire name.
    pub name: &'a str,
    /// Wire fields it reads.
    pub params: Vec<&'a str>,
}

/// A blocker.
#[derive(Debug, Serialize)]
pub struct BlockerSummary<'a> {
    /// Blocker name.
    pub name: &'a str,
    /// Actions refused while it is unmet.
    pub gates: Vec<&'a str>,
    /// Actions or events that can clear it.
    pub cleared_by: Vec<&'a str>,
}

/// A reward term.
#[derive(Debug, Serialize)]
pub struct RewardTerm<'a> {
    /// The action, hook trigger or event that declares it.
    pub source: String,
    /// Reward group.
    pub group: &'a str,
    /// Human label, if any.
    pub label: Option<&'a str>,
}

impl Scenario {
    /// The names this scenario declares.
    pub fn summary(&self) -> Summary<'_> {
        let program = &self.program;
        let mut facts: IndexMap<&str, IndexSet<&str>> = IndexMap::new();
        for case in &self.cases {
            let groups = case.facts.iter().chain(case.variants.iter().flat_map(|(_, v)| &v.facts));
            for group in groups {
                let names = facts.entry(group.group.name.as_str()).or_default();
                names.extend(group.facts.iter().map(|(name, _)| name.name.as_str()));
            }
        }
        let mut reward_terms = Vec::new();
        for action in program.actions.values() {
            rewards(&action.body, &action.name.name, &mut reward_terms);
        }
        for hook in &program.hooks {
            let source = match &hook.argument {
                Some(argument) => format!("on {} {}", hook.trigger.name, argument.name),
                None => format!("on {}", hook.trigger.name),
            };
            rewards(&hook.body, &source, &mut reward_terms);
        }
        for event in program.events.values() {
            rewards(&event.body, &event.name.name, &mut reward_terms);
        }
        Summary {
            id: &self.id,
            title: &self.title,
            difficulty: &self.difficulty,
            version: &self.version,
            cases: self.cases.iter().map(|c| c.id.name.as_str()).collect(),
            actions: program
                .actions
                .values()
                .map(|a| ActionSummary {
                    name: &a.name.name,
                    params: a.params.iter().map(|p| p.name.name.as_str()).collect(),
                })
                .collect(),
            facts,
            blockers: program
                .blockers
                .values()
                .map(|b| BlockerSummary {
                    name: &b.name.name,
                    gates: b.gates.iter().map(|g| g.name.as_str()).collect(),
                    cleared_by: b.cleared_by.iter().map(|c| c.name.as_str()).collect(),
                })
                .collect(),
            events: program.events.keys().map(String::as_str).collect(),
            reward_terms,
            grade_components: &self.weights,
        }
    }
}

/// Collects the reward terms of a body, branches included.
fn rewards<'a>(body: &'a [Effect], source: &str, out: &mut Vec<RewardTerm<'a>>) {
    for effect in body {
        match effect {
            Effect::Reward { group, label, .. } => out.push(RewardTerm {
                source: source.to_string(),
                group: &group.name,
                label: label.as_deref(),
            }),
            Effect::If { then, otherwise, .. } => {
                rewards(then, source, out);
                rewards(otherwise, source, out);
            }
            Effect::Primitive { .. } => {}
        }
    }
}
