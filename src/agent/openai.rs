//! An OpenAI-compatible chat completions endpoint: one call with retries. 429, 5xx, connection
//! errors and time-outs are retried with exponential backoff and jitter (or after the
//! `Retry-After` the endpoint asks for) up to a limit; any other answer that is not a
//! completion fails at once with the endpoint's message.

use std::time::{Duration, Instant};

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::Rng;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use serde_json::Value;

/// The longest error body quoted in a failure, in characters.
const MAX_QUOTED: usize = 300;

/// How calls are retried.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first call.
    pub max_retries: u32,
    /// The first backoff; each retry doubles it.
    pub base: Duration,
    /// The longest backoff, and the longest `Retry-After` honoured.
    pub cap: Duration,
}

/// A chat completions endpoint.
#[derive(Clone, Debug)]
pub struct Endpoint {
    client: reqwest::Client,
    url: String,
    api_key: Option<String>,
    retry: RetryPolicy,
}

/// A completion and what it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// `choices[0].message`.
    pub message: Value,
    /// `usage.prompt_tokens`.
    pub prompt_tokens: u64,
    /// `usage.completion_tokens`.
    pub completion_tokens: u64,
    /// Calls that failed and were retried first.
    pub retries: u32,
    /// Wall time of all calls and backoffs, in milliseconds.
    pub latency_ms: u64,
}

/// A call that failed for good.
#[derive(Clone, Debug, PartialEq)]
pub struct CallFailure {
    /// What went wrong (the last attempt's error).
    pub reason: String,
    /// Calls made.
    pub calls: u32,
    /// Wall time spent, in milliseconds.
    pub latency_ms: u64,
}

/// One attempt's outcome.
enum Attempt {
    Answer(Value),
    Retry { reason: String, after: Option<Duration> },
    Fail(String),
}

impl Endpoint {
    /// The endpoint at `base_url` (`…/v1`; `/chat/completions` is appended), with a time-out
    /// per call.
    pub fn new(
        base_url: &str,
        api_key: Option<String>,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("shopops/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        let url = format!("{}/chat/completions", base_url.trim_end_matches('/'));
        Ok(Endpoint { client, url, api_key, retry })
    }

    /// Posts `body` until it is answered with a completion, a call fails for good, or the
    /// retries run out; `jitter` draws the backoffs.
    pub async fn complete(
        &self,
        body: &Value,
        jitter: &mut ChaCha8Rng,
    ) -> Result<Completion, CallFailure> {
        let started = Instant::now();
        let elapsed = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut calls = 0;
        loop {
            calls += 1;
            let reason = match self.attempt(body).await {
                Attempt::Answer(answer) => {
                    return read_completion(&answer, calls - 1, elapsed())
                        .map_err(|reason| CallFailure { reason, calls, latency_ms: elapsed() });
                }
                Attempt::Fail(reason) => {
                    return Err(CallFailure { reason, calls, latency_ms: elapsed() });
                }
                Attempt::Retry { after, .. } if calls <= self.retry.max_retries => {
                    let wait = after.map_or_else(
                        || self.backoff(calls - 1, jitter),
                        |after| after.min(self.retry.cap),
                    );
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Attempt::Retry { reason, .. } => reason,
            };
            return Err(CallFailure {
                reason: format!("gave up after {calls} calls: {reason}"),
                calls,
                latency_ms: elapsed(),
            });
        }
    }

    /// One call.
    async fn attempt(&self, body: &Value) -> Attempt {
        let mut request = self
            .client
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(key) = &self.api_key {
            request = request.header(AUTHORIZATION, format!("Bearer {key}"));
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Attempt::Retry { reason: transport(&error), after: None },
        };
        let status = response.status();
        let after = retry_after(response.headers());
        let text = match response.text().await {
            Ok(text) => text,
            Err(error) => return Attempt::Retry { reason: transport(&error), after: None },
        };
        let quoted = || format!("HTTP {}: {}", status.as_u16(), error_message(&text));
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Attempt::Retry { reason: quoted(), after };
        }
        if !status.is_success() {
            return Attempt::Fail(quoted());
        }
        match serde_json::from_str(&text) {
            Ok(answer) => Attempt::Answer(answer),
            Err(_) => Attempt::Fail(format!(
                "HTTP {}: the answer is not JSON: {}",
                status.as_u16(),
                cut(&text)
            )),
        }
    }

    /// The backoff before retry `retry` (0-based): `base · 2^retry`, at most `cap`, times a
    /// jitter factor in [0.5, 1).
    fn backoff(&self, retry: u32, jitter: &mut ChaCha8Rng) -> Duration {
        let full = self.retry.base.saturating_mul(1 << retry.min(16)).min(self.retry.cap);
        let factor = 0.5 + (jitter.next_u64() >> 11) as f64 / (1u64 << 53) as f64 / 2.0;
        full.mul_f64(factor)
    }
}

/// The completion in an endpoint's answer.
fn read_completion(answer: &Value, retries: u32, latency_ms: u64) -> Result<Completion, String> {
    let message = &answer["choices"][0]["message"];
    if !message.is_object() {
        return Err(format!("the answer has no choices[0].message: {}", cut(&answer.to_string())));
    }
    let tokens = |key: &str| answer["usage"][key].as_u64().unwrap_or_default();
    Ok(Completion {
        message: message.clone(),
        prompt_tokens: tokens("prompt_tokens"),
        completion_tokens: tokens("completion_tokens"),
        retries,
        latency_ms,
    })
}

/// A transport error in words.
fn transport(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the call timed out".into()
    } else if error.is_connect() {
        format!("cannot connect: {error}")
    } else {
        format!("the call failed: {error}")
    }
}

/// `Retry-After` in seconds, if the endpoint sent one.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// The message of an error body: OpenAI's `error.message` if it has one, else the text (cut).
fn error_message(text: &str) -> String {
    let value: Option<Value> = serde_json::from_str(text).ok();
    let message = value.as_ref().and_then(|v| {
        v["error"]["message"]
            .as_str()
            .or_else(|| v["error"].as_str())
            .or_else(|| v["message"].as_str())
    });
    cut(message.unwrap_or(text))
}

/// `text` on one line, cut to [`MAX_QUOTED`] characters.
fn cut(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_QUOTED) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}
