//! `SHOP008`: blockers, events and actions that wait on each other.

use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;

use super::graph::{DependencyGraph, Node};
use super::program::Program;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// Reports every strongly connected component of the dependency graph (and every self-loop).
pub(super) fn check_cycles(
    program: &Program,
    graph: &DependencyGraph,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let g = &graph.graph;
    let mut components = tarjan_scc(g);
    for component in &mut components {
        component.sort();
    }
    components.sort();
    for component in components {
        let is_cycle = component.len() > 1 || g.contains_edge(component[0], component[0]);
        if !is_cycle {
            continue;
        }
        let path = cycle_path(graph, &component);
        let names: Vec<String> = path.iter().map(|&i| g[i].label()).collect();
        let spans: Vec<(Span, String)> = path
            .iter()
            .filter_map(|&i| declaration_span(program, &g[i]).map(|s| (s, g[i].label())))
            .collect();
        let Some(((first, _), rest)) = spans.split_first() else { continue };
        let mut diagnostic = Diagnostic::new(
            Code::Cycle,
            *first,
            format!("dependency cycle: {} → {}", names.join(" → "), names[0]),
        )
        .label("this waits on the next, which waits on this")
        .help("break the cycle: clear one of these blockers or schedule one of these events from outside it");
        for (span, label) in rest {
            diagnostic = diagnostic.with_label(*span, format!("{label} is in the cycle"));
        }
        diagnostics.push(diagnostic);
    }
}

/// A closed walk through the component, starting at its first node.
fn cycle_path(graph: &DependencyGraph, component: &[NodeIndex]) -> Vec<NodeIndex> {
    let g = &graph.graph;
    let start = component[0];
    let mut path = vec![start];
    let mut current = start;
    while path.len() <= component.len() {
        let mut next: Vec<NodeIndex> =
            g.neighbors(current).filter(|n| component.contains(n)).collect();
        next.sort();
        let Some(&step) = next.iter().find(|n| !path.contains(n)).or(next.first()) else { break };
        if step == start {
            break;
        }
        path.push(step);
        current = step;
    }
    path
}

/// Where a graph node is declared.
pub(super) fn declaration_span(program: &Program, node: &Node) -> Option<Span> {
    match node {
        Node::Step | Node::Case(_) => None,
        Node::Action(n) => program.actions.get(n).map(|d| d.name.span),
        Node::Event(n) => program.events.get(n).map(|d| d.name.span),
        Node::Blocker(n) => program.blockers.get(n).map(|d| d.name.span),
        Node::Check(n) => program.checks.get(n).map(|d| d.name.span),
        Node::Response(n) => program.responses.get(n).map(|d| d.name.span),
    }
}
