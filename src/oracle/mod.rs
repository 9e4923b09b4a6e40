//! The oracle: a search over the engine for the best grade a scenario and seed allow, the
//! actions that reach it, and a proof of how far it is best. It plays with full knowledge of
//! the episode (the hidden record included): it shows what is achievable, it is not a fair
//! agent.
//!
//! `candidates` lists the moves worth trying in a state; `schedule` estimates which open cases
//! will miss their deadlines; `signature` hashes a state so that the searches know it when they
//! reach it again; `search` runs greedy beam searches for the first plays to beat (`layer` is
//! what each step of one keeps), then `exact`, a branch and bound whose `bound` is an upper
//! bound on the grade any play can still reach from a state. A play is proven optimal when no unexplored state's bound beats
//! it; when the budget runs out first, the highest such bound is what is proven.
//!
//! The search tries the moves that can lead to full marks on a case (see `candidates`); its
//! proofs hold over those plays, the bound over every play: a rule-invalid action, a check or
//! request a case does not require, a resolution other than the true one, or a refund outside
//! its band never raises a case's marks.

mod bound;
mod candidates;
mod exact;
mod layer;
mod schedule;
mod search;
mod signature;

pub use search::{DEFAULT_BUDGET, SearchOptions, Solution, solve};
