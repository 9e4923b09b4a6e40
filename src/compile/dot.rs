//! The dependency graph in Graphviz DOT.

use std::fmt::Write;

use super::Scenario;
use crate::check::graph::{Edge, Node};

/// Renders the scenario's dependency graph (`dot -Tsvg` draws it).
pub fn to_dot(scenario: &Scenario) -> String {
    let graph = &scenario.graph;
    let mut out = String::new();
    let _ = writeln!(out, "digraph {:?} {{", scenario.id);
    out.push_str("  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (i, node) in graph.index.keys().enumerate() {
        let (shape, style) = match node {
            Node::Step => ("circle", "dashed"),
            Node::Action(_) => ("box", "rounded"),
            Node::Event(_) => ("ellipse", "dashed"),
            Node::Blocker(_) => ("octagon", "solid"),
            Node::Check(_) => ("note", "solid"),
            Node::Response(_) => ("component", "solid"),
            Node::Case(_) => ("folder", "bold"),
        };
        let _ = writeln!(out, "  n{i} [label={:?}, shape={shape}, style={style}];", node.label());
    }
    let g = &graph.graph;
    let mut edges: Vec<(usize, usize, Edge)> = g
        .edge_indices()
        .filter_map(|e| {
            let (a, b) = g.edge_endpoints(e)?;
            let position = |n| graph.index.get_index_of(&g[n]);
            Some((position(a)?, position(b)?, g[e]))
        })
        .collect();
    edges.sort_by_key(|&(a, b, _)| (a, b));
    for (a, b, edge) in edges {
        let label = match edge {
            Edge::Schedules => "schedules",
            Edge::Clears => "clears",
            Edge::Gates => "gates",
            Edge::Completes => "completes",
            Edge::Requests => "requests",
            Edge::Delivers => "delivers",
            Edge::NeededBy => "needed by",
        };
        let style = if edge == Edge::Gates { ", color=red" } else { "" };
        let _ = writeln!(out, "  n{a} -> n{b} [label={label:?}{style}];");
    }
    out.push_str("}\n");
    out
}
