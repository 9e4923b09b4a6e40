//! `shopops eval --agent openai`: a language model behind an OpenAI-compatible endpoint plays
//! tasks × seeds × trials on the in-process engine, several episodes at once; each episode is
//! appended to `--out` as soon as it ends, so a killed run keeps what it finished.

use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use serde_json::{Map, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::eval::{EvalArgs, PROGRESS_TEMPLATE, Run, Spending, open_results, pending};
use super::progress_bar;
use crate::agent::{Endpoint, ModelAgent, RetryPolicy, ToolMode};
use crate::engine::Machine;
use crate::trajectory::{Agent, AgentKind, Status, Trajectory, now_rfc3339};

/// The kinds of language-model agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum AgentBackend {
    /// Any OpenAI-compatible chat completions endpoint.
    Openai,
}

/// How the model answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum ToolModeArg {
    /// One tool per action type; the model calls one per turn.
    Tools,
    /// No tools: the model replies with a JSON action in text (for models without tool calling).
    Json,
}

/// A language model instead of a policy.
#[derive(Debug, Args)]
pub(super) struct AgentArgs {
    /// Play with a language model instead of a policy: openai (any OpenAI-compatible chat
    /// completions endpoint).
    #[arg(long, value_enum, conflicts_with = "policy", requires_all = ["base_url", "model"])]
    agent: Option<AgentBackend>,
    /// The endpoint's base URL, e.g. https://api.openai.com/v1 (POST /chat/completions below it).
    #[arg(long, value_name = "URL", requires = "agent")]
    base_url: Option<String>,
    /// The model's name, as the endpoint knows it.
    #[arg(long, value_name = "NAME", requires = "agent")]
    model: Option<String>,
    /// The environment variable that holds the API key [default: OPENAI_API_KEY, and no key
    /// is sent if it is unset].
    #[arg(long, value_name = "VAR")]
    api_key_env: Option<String>,
    /// How the model answers: tools (tool calling) or json (a JSON action in text).
    #[arg(long, value_enum, default_value = "tools")]
    tool_mode: ToolModeArg,
    /// Sampling temperature.
    #[arg(long, default_value_t = 0.0)]
    temperature: f64,
    /// The completion's token limit (none sent by default).
    #[arg(long, value_name = "N")]
    max_tokens: Option<u32>,
    /// Episodes played at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=256))]
    concurrency: u32,
    /// Seconds one model call may take before it is abandoned and retried.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    timeout: f64,
    /// Retries of a model call after 429, 5xx, a lost connection or a time-out; then the
    /// episode is recorded as failed.
    #[arg(long, default_value_t = 5)]
    max_retries: u32,
    /// Steps of history sent with each request (older ones are left out; only the newest
    /// observation is sent whole).
    #[arg(long, value_name = "STEPS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    history: u32,
    /// USD per million prompt tokens, for a cost estimate.
    #[arg(long, value_name = "USD", requires = "price_completion")]
    price_prompt: Option<f64>,
    /// USD per million completion tokens, for a cost estimate.
    #[arg(long, value_name = "USD", requires = "price_prompt")]
    price_completion: Option<f64>,
}

/// Where the API key is read from without `--api-key-env`.
const DEFAULT_API_KEY_ENV: &str = "OPENAI_API_KEY";

/// The first backoff between retries; each retry doubles it.
const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// The longest backoff, and the longest `Retry-After` honoured.
const BACKOFF_CAP: Duration = Duration::from_secs(60);

/// A checked agent configuration.
pub(super) struct AgentSettings {
    agent: ModelAgent,
    concurrency: usize,
    spending: Spending,
}

impl AgentArgs {
    /// The agent's settings, or `None` without `--agent`.
    pub(super) fn settings(&self) -> Result<Option<AgentSettings>, String> {
        let Some(AgentBackend::Openai) = self.agent else { return Ok(None) };
        let (Some(base_url), Some(model)) = (&self.base_url, &self.model) else {
            return Err("--agent openai needs --base-url and --model".into());
        };
        if !(self.timeout.is_finite() && self.timeout > 0.0) {
            return Err("--timeout must be a positive number of seconds".into());
        }
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return Err("--temperature must be a number >= 0".into());
        }
        let prices = self.price_prompt.zip(self.price_completion);
        if prices.is_some_and(|(p, c)| !(p >= 0.0 && c >= 0.0 && p.is_finite() && c.is_finite())) {
            return Err("prices must be numbers >= 0".into());
        }
        let key_env = self.api_key_env.as_deref().unwrap_or(DEFAULT_API_KEY_ENV);
        let api_key = std::env::var(key_env).ok().filter(|k| !k.is_empty());
        if api_key.is_none() && self.api_key_env.is_some() {
            return Err(format!("--api-key-env: the environment variable {key_env} is not set"));
        }
        let retry =
            RetryPolicy { max_retries: self.max_retries, base: BACKOFF_BASE, cap: BACKOFF_CAP };
        let timeout = Duration::from_secs_f64(self.timeout);
        let endpoint = Endpoint::new(base_url, api_key, timeout, retry)?;
        let mode = match self.tool_mode {
            ToolModeArg::Tools => ToolMode::Tools,
            ToolModeArg::Json => ToolMode::Json,
        };
        let mut settings = Map::new();
        for (key, value) in [
            ("backend", json!("openai")),
            ("base_url", json!(base_url)),
            ("model", json!(model)),
            ("api_key_env", json!(key_env)),
            ("tool_mode", json!(mode.as_str())),
            ("temperature", json!(self.temperature)),
            ("max_tokens", json!(self.max_tokens)),
            ("concurrency", json!(self.concurrency)),
            ("timeout_seconds", json!(self.timeout)),
            ("max_retries", json!(self.max_retries)),
            ("history", json!(self.history)),
            ("price_prompt_usd_per_million", json!(self.price_prompt)),
            ("price_completion_usd_per_million", json!(self.price_completion)),
        ] {
            settings.insert(key.into(), value);
        }
        Ok(Some(AgentSettings {
            agent: ModelAgent {
                endpoint,
                model: model.clone(),
                mode,
                temperature: self.temperature,
                max_tokens: self.max_tokens,
                history: self.history as usize,
            },
            concurrency: self.concurrency as usize,
            spending: Spending { settings, report_usage: true, prices },
        }))
    }
}

/// Plays every pending episode of the run with the model and summarises the run.
pub(super) fn run(
    args: &EvalArgs,
    machines: &[Arc<Machine>],
    settings: AgentSettings,
) -> Result<u8, String> {
    let agent = Agent { kind: AgentKind::Llm, name: settings.agent.model.clone() };
    let started_at = now_rfc3339();
    let (results, kept) = open_results(args, machines)?;
    let jobs = pending(machines, args, &kept);
    let progress = progress_bar(jobs.len() as u64, PROGRESS_TEMPLATE);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let model = Arc::new(settings.agent);
    let limit = Arc::new(Semaphore::new(settings.concurrency));
    let mut trajectories = kept;
    let mut append_error = None;
    runtime.block_on(async {
        let mut episodes = JoinSet::new();
        for job in jobs {
            let (model, limit) = (model.clone(), limit.clone());
            episodes.spawn(async move {
                let _permit = limit.acquire_owned().await;
                model.play(job.machine, job.seed, job.trial).await
            });
        }
        while let Some(finished) = episodes.join_next().await {
            progress.inc(1);
            let trajectory = match finished {
                Ok(trajectory) => trajectory,
                Err(error) => {
                    append_error.get_or_insert(format!("an episode panicked: {error}"));
                    continue;
                }
            };
            if let Some(results) = &results
                && let Err(error) = results.append(&trajectory)
            {
                append_error.get_or_insert(error);
            }
            trajectories.push(trajectory);
        }
    });
    progress.finish_and_clear();
    if let Some(error) = append_error {
        return Err(error);
    }
    let failed = report_failures(&trajectories);
    let run = Run { args, machines, agent: &agent, started_at };
    let code = run.conclude(trajectories, results.as_ref(), &settings.spending)?;
    // The report is out and every trajectory kept: a script still learns that some did not
    // finish.
    Ok(if failed { EPISODES_FAILED } else { code })
}

/// `eval --agent`'s exit status when some episode failed (the model's calls gave up).
const EPISODES_FAILED: u8 = 1;

/// Says on stderr how many episodes failed, and why the first did; whether any did.
fn report_failures(trajectories: &[Trajectory]) -> bool {
    let mut failed = trajectories.iter().filter(|t| t.status == Status::Failed);
    let Some(first) = failed.next() else { return false };
    eprintln!(
        "{} episode(s) failed; the first ({} seed {} trial {}): {}",
        failed.count() + 1,
        first.task,
        first.seed,
        first.trial,
        first.failure.as_deref().unwrap_or("no reason recorded")
    );
    true
}
