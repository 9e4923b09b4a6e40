//! `SHOP009`: blockers that can never be cleared, and case requirements nothing can meet,
//! so that a case could never close clean.

use std::collections::BTreeSet;

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use super::graph::{DependencyGraph, Edge, Node};
use super::program::Program;
use crate::data::{Case, Requirements};
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Ident;

/// Nodes that some sequence of steps can reach: ungated actions, events something reachable
/// schedules, blockers something reachable clears, and so on, to a fixpoint.
pub(super) fn reachable(graph: &DependencyGraph) -> BTreeSet<NodeIndex> {
    let g = &graph.graph;
    let mut reached: BTreeSet<NodeIndex> = BTreeSet::new();
    loop {
        let before = reached.len();
        for index in g.node_indices() {
            if reached.contains(&index) {
                continue;
            }
            let incoming: Vec<_> = g.edges_directed(index, Direction::Incoming).collect();
            let ok = match &g[index] {
                Node::Step => true,
                // An action is possible unless a blocker that can never be cleared gates it.
                Node::Action(_) => incoming
                    .iter()
                    .filter(|e| *e.weight() == Edge::Gates)
                    .all(|e| reached.contains(&e.source())),
                // Everything else needs one reachable enabler.
                _ => incoming
                    .iter()
                    .any(|e| *e.weight() != Edge::Gates && reached.contains(&e.source())),
            };
            if ok {
                reached.insert(index);
            }
        }
        if reached.len() == before {
            return reached;
        }
    }
}

/// Reports blockers nothing can clear.
pub(super) fn check_blockers(
    program: &Program,
    graph: &DependencyGraph,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let reached = reachable(graph);
    for (name, blocker) in &program.blockers {
        let node = graph.index[&Node::Blocker(name.clone())];
        if reached.contains(&node) {
            continue;
        }
        let reason = if blocker.cleared_by.is_empty() {
            "nothing clears it".to_string()
        } else {
            let clearers: Vec<&str> = blocker.cleared_by.iter().map(|c| c.name.as_str()).collect();
            format!("{} can never happen", clearers.join(", "))
        };
        diagnostics.push(
            Diagnostic::new(Code::NeverCleared, blocker.name.span, format!("blocker `{name}` can never be cleared"))
                .label(reason)
                .help("add `cleared_by ACTION` naming an action (or an event something schedules) that meets it"),
        );
    }
}

/// Reports requirements of cases that no reachable action or event can meet.
pub(super) fn check_requirements(
    program: &Program,
    graph: &DependencyGraph,
    cases: &[Case],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let reached = reachable(graph);
    let met_by = |node: Node, edge: Edge| {
        graph.index.get(&node).is_some_and(|&target| {
            graph
                .graph
                .edges_directed(target, Direction::Incoming)
                .any(|e| *e.weight() == edge && reached.contains(&e.source()))
        })
    };
    let note_fact =
        program.desk.get("note_fact").and_then(|s| s.value.kind.as_name()).map(|n| n.name.clone());
    for case in cases {
        let requirement_sets = std::iter::once(&case.requires)
            .chain(case.variants.iter().filter_map(|(_, v)| v.requires.as_ref()));
        for requires in requirement_sets {
            for check in requires.checks.iter().filter(|c| program.checks.contains_key(&c.name)) {
                if !met_by(Node::Check(check.name.clone()), Edge::Completes) {
                    diagnostics.push(never(
                        case,
                        &check.name,
                        check.span,
                        "no action inspects this check",
                    ));
                }
            }
            for response in
                requires.responses.iter().filter(|r| program.responses.contains_key(&r.name))
            {
                let node = || Node::Response(response.name.clone());
                if !met_by(node(), Edge::Requests) || !met_by(node(), Edge::Delivers) {
                    let why = "no action requests it, or no event delivers it";
                    diagnostics.push(never(case, &response.name, response.span, why));
                }
            }
            if let (Some(note), Some(fact)) = (&requires.note, &note_fact) {
                let mut groups =
                    case.facts.iter().chain(case.variants.iter().flat_map(|(_, v)| &v.facts));
                if !groups.any(|g| g.facts.iter().any(|(name, _)| name.name == *fact)) {
                    diagnostics.push(note_never_revealed(case, requires, note, fact));
                }
            }
        }
    }
}

/// A required note that no fact of the case reveals: the fix is the fact, in a group the case
/// requires (the first such group the case has, else its first required check).
fn note_never_revealed(
    case: &Case,
    requires: &Requirements,
    note: &Ident,
    fact: &str,
) -> Diagnostic {
    let has_group = |check: &&Ident| case.facts.iter().any(|g| g.group.name == check.name);
    let group = requires.checks.iter().find(has_group).or(requires.checks.first());
    let place = group.map_or("a fact group of a check the case requires".to_string(), |g| {
        format!("the `{}` fact group", g.name)
    });
    Diagnostic::new(
        Code::NeverCleared,
        note.span,
        format!(
            "case `{}` requires note `{}`, but no `{fact}` fact reveals it",
            case.id.name, note.name
        ),
    )
    .label("no agent can learn this code")
    .help(format!(
        "add `{fact}: {}` to {place} of case `{}`, and mention `{{{fact}}}` in its summary",
        note.name, case.id.name
    ))
}

fn never(case: &Case, what: &str, span: crate::source::Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::NeverCleared,
        span,
        format!(
            "case `{}` can never close clean: requirement `{what}` can never be met",
            case.id.name
        ),
    )
    .label(why.to_string())
    .with_label(case.id.span, "the case")
    .help("require only what some action or event provides, or declare the action that provides it")
}
