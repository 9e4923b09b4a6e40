//! A language model as a player: prompts built from the scenario's brief and the observations,
//! replies read as actions, and (feature `agent`) an OpenAI-compatible client that plays
//! whole episodes on the in-process engine. `shopops eval --agent openai` plays with it;
//! `shopops export` writes recorded episodes as the same conversations (docs/evaluating.md).

mod conversation;
#[cfg(feature = "agent")]
mod openai;
#[cfg(feature = "agent")]
mod play;
mod prompt;
mod reply;

pub use conversation::{Transcript, function_tools};
#[cfg(feature = "agent")]
pub use openai::{CallFailure, Completion, Endpoint, RetryPolicy};
#[cfg(feature = "agent")]
pub use play::ModelAgent;
pub use prompt::{ToolMode, first_line, shift_start, system_prompt, tool_result};
pub use reply::{MAX_REPLY_CHARS, Reading, from_text, from_tool_call, read_reply};
