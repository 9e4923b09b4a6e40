//! One episode played by a language model on the in-process engine, recorded as a trajectory.

use std::sync::Arc;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde_json::{Value, json};

use super::conversation::{Transcript, function_tools};
use super::openai::Endpoint;
use super::prompt::ToolMode;
use super::reply::read_reply;
use crate::engine::{Game, Machine};
use crate::trajectory::{Agent, AgentKind, Recorder, Status, Trajectory, Turn, Usage};
use crate::wire::Action;

/// Everything an episode needs to ask the model.
#[derive(Clone, Debug)]
pub struct ModelAgent {
    /// Where to ask.
    pub endpoint: Endpoint,
    /// The model's name.
    pub model: String,
    /// Tool calls or JSON in text.
    pub mode: ToolMode,
    /// Sampling temperature.
    pub temperature: f64,
    /// The completion's token limit, if any.
    pub max_tokens: Option<u32>,
    /// Steps of history sent with each request (see `Transcript::request_messages`).
    pub history: usize,
}

impl ModelAgent {
    /// Plays `seed` of `machine` as trial `trial`. A reply with no usable action holds the
    /// desk (`switch_case` to the active case) and says why in the step's turn; a model call
    /// that fails for good ends the recording as failed, with the reason.
    pub async fn play(&self, machine: Arc<Machine>, seed: u64, trial: u32) -> Trajectory {
        let mut game = Game::new(machine, seed, format!("eval-{seed}-{trial}"));
        let mut observation = game.observation();
        let agent = Agent { kind: AgentKind::Llm, name: self.model.clone() };
        let mut recorder = Recorder::start(agent, trial, &observation);
        let mut transcript = Transcript::start(&observation, self.mode);
        let mut jitter = ChaCha8Rng::seed_from_u64(seed.rotate_left(20) ^ u64::from(trial));
        while !game.done() {
            let body = self.request(&transcript);
            let completion = match self.endpoint.complete(&body, &mut jitter).await {
                Ok(completion) => completion,
                Err(failure) => {
                    recorder.spend(Usage {
                        calls: u64::from(failure.calls),
                        latency_ms: failure.latency_ms,
                        ..Usage::default()
                    });
                    let step = recorder.steps() + 1;
                    let reason = format!("model call for step {step}: {}", failure.reason);
                    return recorder.finish(Status::Failed, reason);
                }
            };
            let reading = read_reply(&completion.message);
            let (action, unusable) = match reading.action {
                Ok(action) => (action, None),
                Err(why) => (Action::switch_to(observation.active_case.case_id.clone()), Some(why)),
            };
            let turn = Turn {
                reply: reading.reply,
                prompt_tokens: completion.prompt_tokens,
                completion_tokens: completion.completion_tokens,
                latency_ms: completion.latency_ms,
                retries: completion.retries,
                unusable: unusable.clone(),
            };
            match game.step(&action) {
                Ok(next) => {
                    recorder.step(&game, &action, &next, Some(turn));
                    transcript.record(&action, &next, unusable.as_deref());
                    observation = next;
                }
                Err(error) => return recorder.finish(Status::Failed, error.to_string()),
            }
        }
        recorder.finish(Status::Failed, "the episode did not end")
    }

    /// The chat completions request for the next step.
    fn request(&self, transcript: &Transcript) -> Value {
        let mut body = json!({
            "model": self.model,
            "messages": transcript.request_messages(self.mode, self.history),
            "temperature": self.temperature,
        });
        if let Some(limit) = self.max_tokens {
            body["max_tokens"] = limit.into();
        }
        match self.mode {
            ToolMode::Tools => {
                body["tools"] = function_tools().into();
                body["tool_choice"] = "auto".into();
            }
            ToolMode::Json => {}
        }
        body
    }
}
