//! [`Game`]: one episode with its last step, the convenient handle for front ends.

use std::sync::Arc;

use super::footprint::HeapSize;
use super::machine::Machine;
use super::observe::{observe, state, summary};
use super::observed::Observed;
use super::report::StepReport;
use super::start::start;
use super::state::Episode;
use super::step::{StepError, step};
use crate::wire::{Action, EpisodeSummary, GradeReport, Observation, State};

/// An episode of a scenario, with the report of its last step.
#[derive(Clone, Debug)]
pub struct Game {
    machine: Arc<Machine>,
    episode: Episode,
    /// Boxed: an idle session's game holds a pointer, not a report.
    last: Option<Box<StepReport>>,
}

impl Game {
    /// A new episode with `seed`.
    pub fn new(machine: Arc<Machine>, seed: u64, episode_id: impl Into<String>) -> Self {
        let episode = start(&machine, seed, episode_id.into());
        Game { machine, episode, last: None }
    }

    /// The current observation.
    pub fn observation(&self) -> Observation {
        observe(&self.machine, &self.episode, self.last.as_deref())
    }

    /// The current observation, borrowed: what the wire sends, written without building the
    /// owned [`Observation`].
    pub fn observed(&self) -> Observed<'_> {
        Observed::new(&self.machine, &self.episode, self.last.as_deref())
    }

    /// Takes a step and returns the new observation.
    pub fn step(&mut self, action: &Action) -> Result<Observation, StepError> {
        self.advance(action)?;
        Ok(self.observation())
    }

    /// Takes a step without building its observation (read it with [`Game::observed`] or
    /// [`Game::observation`]).
    pub fn advance(&mut self, action: &Action) -> Result<(), StepError> {
        let report = step(&self.machine, &mut self.episode, action)?;
        // The box is the episode's one allocation for reports, reused by every later step.
        match &mut self.last {
            Some(last) => **last = report,
            None => self.last = Some(Box::new(report)),
        }
        Ok(())
    }

    /// Whether the episode has ended.
    pub fn done(&self) -> bool {
        self.episode.ended.is_some()
    }

    /// The episode state.
    pub fn state(&self) -> State {
        state(&self.machine, &self.episode)
    }

    /// The terminal summary, once the episode has ended.
    pub fn summary(&self) -> Option<EpisodeSummary> {
        summary(&self.machine, &self.episode)
    }

    /// The grade report, once the episode has ended.
    pub fn grade(&self) -> Option<GradeReport> {
        self.done().then(|| super::grade::grade(&self.machine, &self.episode))
    }

    /// An estimate of the heap bytes this game holds (its episode and last step report; the
    /// machine is shared and not counted), for stores bounded in bytes.
    pub fn footprint(&self) -> usize {
        std::mem::size_of::<Self>() + self.episode.heap_size() + self.last.heap_size()
    }

    /// The engine state (for search and replay).
    pub fn episode(&self) -> &Episode {
        &self.episode
    }

    /// The machine it runs on.
    pub fn machine(&self) -> &Arc<Machine> {
        &self.machine
    }
}
