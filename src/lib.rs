//! ShopOps: an online shop's operations desk as a reinforcement-learning environment, built
//! from a scenario language.
//!
//! The pipeline is one module per stage: [`source`] (files and spans) → [`syntax`] (parse) →
//! [`data`] (YAML case data) → [`check`] (every diagnostic) → [`compile`] (an immutable
//! [`compile::Scenario`]) → [`engine`] (episodes; [`wire`] is their public format) →
//! [`catalog`] (the served set), [`trajectory`] (recorded episodes), [`agent`] (language models
//! as players) → `server` (OpenEnv over HTTP, WebSocket and MCP; feature `server`), with
//! `watch` (hot reload; feature `watch`) and `cli` (feature `cli`).

pub mod agent;
pub mod catalog;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod compile;
pub mod data;
pub mod diag;
pub mod engine;
pub mod lang;
pub mod oracle;
pub mod policy;
pub mod prove;
#[cfg(feature = "server")]
pub mod server;
pub mod source;
pub mod syntax;
pub mod trajectory;
#[cfg(feature = "watch")]
pub mod watch;
pub mod wire;
