//! Checked declarations → an immutable, hashable [`Scenario`].
//!
//! Compilation runs only on a clean check and never reports user errors: anything it could
//! trip on is a checker rule. A compiled scenario is shared as `Arc<Scenario>`; its
//! [`Scenario::version`] is a content hash of every file it was built from.

pub mod case_plan;
mod dot;
pub mod ir;
mod lower;
mod lower_cases;
pub mod machine;
mod rejects;
mod scenario;
mod summary;
pub mod symbols;
pub mod template;
pub mod value;

pub use crate::check::graph::GraphView;
pub use dot::to_dot;
pub use lower::lower;
pub use scenario::{Limits, Scenario, compile};
pub use summary::{ActionSummary, BlockerSummary, RewardTerm, Summary};
