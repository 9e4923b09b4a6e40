//! The dependency graph of a scenario: which actions and events clear which blockers,
//! schedule which events, complete which checks and deliver which responses, and which
//! blockers gate which actions.
//!
//! Edges point from enabler to enabled, so a cycle is a set of things that wait on each other.

use indexmap::IndexMap;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use super::program::{Effect, Primitive, Program, for_each_primitive};
use super::scope::Trigger;
use crate::data::Case;

/// A node of the dependency graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Node {
    /// Any step at all (hooks on breaches, settlement, the end).
    Step,
    /// An action.
    Action(String),
    /// A delayed event.
    Event(String),
    /// A blocker.
    Blocker(String),
    /// A check.
    Check(String),
    /// A response.
    Response(String),
    /// A case of the scenario's data.
    Case(String),
}

impl Node {
    /// `kind name`, for messages and DOT labels.
    pub fn label(&self) -> String {
        match self {
            Node::Step => "every step".to_string(),
            Node::Action(n) => format!("action {n}"),
            Node::Event(n) => format!("event {n}"),
            Node::Blocker(n) => format!("blocker {n}"),
            Node::Check(n) => format!("check {n}"),
            Node::Response(n) => format!("response {n}"),
            Node::Case(n) => format!("case {n}"),
        }
    }
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Edge {
    /// The source schedules the target event.
    Schedules,
    /// The source clears the target blocker.
    Clears,
    /// The source blocker refuses the target action while unmet.
    Gates,
    /// The source action completes the target check.
    Completes,
    /// The source action asks for the target response.
    Requests,
    /// The source event delivers the target response.
    Delivers,
    /// The target case requires the source check or response.
    NeededBy,
}

/// The graph with a name index (declaration order, for deterministic output).
#[derive(Clone, Debug, Default)]
pub struct DependencyGraph {
    /// The graph.
    pub graph: DiGraph<Node, Edge>,
    /// Node of each name.
    pub index: IndexMap<Node, NodeIndex>,
}

impl DependencyGraph {
    /// Builds the graph of a program and its cases.
    pub fn build(program: &Program, cases: &[Case]) -> Self {
        let mut g = DependencyGraph::default();
        g.node(Node::Step);
        for name in program.actions.keys() {
            g.node(Node::Action(name.clone()));
        }
        for name in program.events.keys() {
            g.node(Node::Event(name.clone()));
        }
        for name in program.blockers.keys() {
            g.node(Node::Blocker(name.clone()));
        }
        for name in program.checks.keys() {
            g.node(Node::Check(name.clone()));
        }
        for name in program.responses.keys() {
            g.node(Node::Response(name.clone()));
        }
        let deliverers = deliverers(program);
        for (name, action) in &program.actions {
            let source = Node::Action(name.clone());
            g.effects(program, &source, &action.body, &deliverers, &mut Vec::new());
        }
        for (name, event) in &program.events {
            let source = Node::Event(name.clone());
            g.effects(program, &source, &event.body, &deliverers, &mut Vec::new());
        }
        for hook in &program.hooks {
            let every_step = matches!(
                Trigger::named(&hook.trigger.name),
                Some(
                    Trigger::Breach
                        | Trigger::Settle
                        | Trigger::End
                        | Trigger::Invalid
                        | Trigger::Reject
                )
            );
            if every_step {
                g.effects(program, &Node::Step, &hook.body, &deliverers, &mut Vec::new());
            }
        }
        for (name, blocker) in &program.blockers {
            let target = Node::Blocker(name.clone());
            for clearer in &blocker.cleared_by {
                let source = if program.events.contains_key(&clearer.name) {
                    Node::Event(clearer.name.clone())
                } else {
                    Node::Action(clearer.name.clone())
                };
                g.edge(source, target.clone(), Edge::Clears);
            }
            for gated in &blocker.gates {
                g.edge(target.clone(), Node::Action(gated.name.clone()), Edge::Gates);
            }
        }
        for case in cases {
            let target = g.node(Node::Case(case.id.name.clone()));
            let requirements = std::iter::once(&case.requires)
                .chain(case.variants.iter().filter_map(|(_, v)| v.requires.as_ref()));
            for requires in requirements {
                for check in &requires.checks {
                    g.edge(
                        Node::Check(check.name.clone()),
                        g.graph[target].clone(),
                        Edge::NeededBy,
                    );
                }
                for response in &requires.responses {
                    g.edge(
                        Node::Response(response.name.clone()),
                        g.graph[target].clone(),
                        Edge::NeededBy,
                    );
                }
            }
        }
        g
    }

    fn node(&mut self, node: Node) -> NodeIndex {
        if let Some(&index) = self.index.get(&node) {
            return index;
        }
        let index = self.graph.add_node(node.clone());
        self.index.insert(node, index);
        index
    }

    fn edge(&mut self, from: Node, to: Node, edge: Edge) {
        // Only edges between declared things: unknown names are the checker's to report.
        if let (Some(&a), Some(&b)) = (self.index.get(&from), self.index.get(&to))
            && !self.graph.edges_connecting(a, b).any(|e| *e.weight() == edge)
        {
            self.graph.add_edge(a, b, edge);
        }
    }

    /// Adds the edges of a body, following the hooks its operations trigger.
    fn effects(
        &mut self,
        program: &Program,
        source: &Node,
        body: &[Effect],
        deliverers: &IndexMap<String, Vec<String>>,
        triggered: &mut Vec<Trigger>,
    ) {
        for effect in body {
            match effect {
                Effect::If { then, otherwise, .. } => {
                    self.effects(program, source, then, deliverers, triggered);
                    self.effects(program, source, otherwise, deliverers, triggered);
                }
                Effect::Reward { .. } => {}
                Effect::Op { op, .. } => {
                    let triggers: &[Trigger] = match op {
                        Primitive::Inspect(check) => {
                            self.edge(
                                source.clone(),
                                Node::Check(check.name.clone()),
                                Edge::Completes,
                            );
                            &[Trigger::Inspect]
                        }
                        Primitive::Request(response) => {
                            self.edge(
                                source.clone(),
                                Node::Response(response.name.clone()),
                                Edge::Requests,
                            );
                            for event in deliverers.get(&response.name).into_iter().flatten() {
                                self.edge(
                                    source.clone(),
                                    Node::Event(event.clone()),
                                    Edge::Schedules,
                                );
                            }
                            &[Trigger::Request]
                        }
                        Primitive::Deliver(response) => {
                            self.edge(
                                source.clone(),
                                Node::Response(response.name.clone()),
                                Edge::Delivers,
                            );
                            &[]
                        }
                        Primitive::Schedule { event, .. } => {
                            self.edge(
                                source.clone(),
                                Node::Event(event.name.clone()),
                                Edge::Schedules,
                            );
                            &[]
                        }
                        Primitive::Resolve(_) => &[Trigger::Resolve],
                        Primitive::Pay(_) => &[Trigger::Payout],
                        Primitive::Close => &[Trigger::GoodClose, Trigger::BadClose],
                        Primitive::TakeStock
                        | Primitive::Note(_)
                        | Primitive::Switch(_)
                        | Primitive::Reopen
                        | Primitive::Satisfaction(_)
                        | Primitive::FraudLoss(_)
                        | Primitive::Fee(_)
                        | Primitive::Stockout
                        | Primitive::Fact { .. }
                        | Primitive::Detail { .. }
                        | Primitive::Append { .. } => &[],
                    };
                    for &trigger in triggers {
                        if triggered.contains(&trigger) {
                            continue;
                        }
                        triggered.push(trigger);
                        for hook in program
                            .hooks
                            .iter()
                            .filter(|h| Trigger::named(&h.trigger.name) == Some(trigger))
                        {
                            self.effects(program, source, &hook.body, deliverers, triggered);
                        }
                        triggered.pop();
                    }
                }
            }
        }
    }
}

/// The dependency graph as data: nodes in declaration order, edges sorted by their ends.
#[derive(Debug, Serialize)]
pub struct GraphView<'g> {
    nodes: Vec<&'g Node>,
    edges: Vec<EdgeView<'g>>,
}

#[derive(Debug, Serialize)]
struct EdgeView<'g> {
    from: &'g Node,
    to: &'g Node,
    kind: Edge,
}

impl DependencyGraph {
    /// The graph as data (what `dump --format json` shows under `graph`).
    pub fn view(&self) -> GraphView<'_> {
        let g = &self.graph;
        let mut edges: Vec<EdgeView<'_>> = g
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = g.edge_endpoints(e)?;
                Some(EdgeView { from: &g[a], to: &g[b], kind: g[e] })
            })
            .collect();
        let position = |n: &Node| self.index.get_index_of(n).unwrap_or(usize::MAX);
        edges.sort_by_key(|e| (position(e.from), position(e.to)));
        GraphView { nodes: self.index.keys().collect(), edges }
    }
}

/// For each response, the events whose bodies deliver it.
fn deliverers(program: &Program) -> IndexMap<String, Vec<String>> {
    let mut map: IndexMap<String, Vec<String>> = IndexMap::new();
    for (name, event) in &program.events {
        for_each_primitive(&event.body, &mut |op| {
            if let Primitive::Deliver(response) = op {
                map.entry(response.name.clone()).or_default().push(name.clone());
            }
        });
    }
    map
}
