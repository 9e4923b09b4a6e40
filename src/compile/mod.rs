//! Checked declarations → an immutable, hashable [`Scenario`].

pub mod graph;
