//! One sub-environment ([`Slot`]) and what all of them share ([`Shared`]): starting episodes
//! by the seed rule, taking a step, restarting after an end, encoding the numeric observation.

use std::cell::RefCell;
use std::sync::Arc;

use shopops::engine::{Episode, Machine, StepReport, start, step, step_quiet};
use shopops::wire::Action;

use super::layout::{Last, encode};
use super::masks::MaskPlan;
use super::sink::Writer;
use super::table::ActionTable;
use super::vocab::Vocab;

/// What every episode shares.
pub(super) struct Shared {
    pub(super) machine: Arc<Machine>,
    pub(super) table: ActionTable,
    pub(super) masks: MaskPlan,
    /// The action table's entries by declared action.
    pub(super) groups: Vec<(usize, std::ops::Range<usize>)>,
    pub(super) vocab: Vocab,
    /// Floats in one numeric observation.
    pub(super) size: usize,
    pub(super) num_envs: u64,
}

/// One sub-environment.
pub(super) struct Slot {
    pub(super) episode: Episode,
    pub(super) report: Option<StepReport>,
    pub(super) last: Last,
    /// The seed of its first episode since the last reset.
    pub(super) base: u64,
    /// The index `k` of its current episode since the last reset (0 for the first).
    pub(super) episodes: u64,
    /// The episode ended on the last step: the next step starts the next one.
    pub(super) ended: bool,
}

/// What one step did to one sub-environment.
#[derive(Clone, Copy, Default)]
pub(super) struct Outcome {
    pub(super) reward: f64,
    pub(super) terminated: bool,
    pub(super) truncated: bool,
    /// The episode ended on this step: its grade, return and length.
    pub(super) end: Option<(f64, f64, u32)>,
}

impl Shared {
    pub(super) fn start(&self, base: u64, episodes: u64) -> Episode {
        let seed = base.wrapping_add(episodes.wrapping_mul(self.num_envs));
        start(&self.machine, seed, format!("{}-{seed}", self.machine.scenario.id))
    }

    /// Writes `slot`'s numeric observation into `out` as little-endian `f32`s (`out` holds
    /// exactly one observation).
    pub(super) fn encode(&self, slot: &Slot, out: &mut [u8]) {
        FLOATS.with_borrow_mut(|floats| {
            floats.resize(self.size, 0.0);
            let (m, ep) = (&*self.machine, &slot.episode);
            encode(m, &self.vocab, ep, slot.last, &mut Writer::new(floats));
            for (bytes, value) in out.chunks_exact_mut(4).zip(floats.iter()) {
                bytes.copy_from_slice(&value.to_le_bytes());
            }
        });
    }
}

thread_local! {
    /// One numeric observation's floats, reused by every encoding on this thread.
    static FLOATS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

impl Slot {
    /// Starts the next episode of this sub-environment (an automatic reset: reward 0, not
    /// done).
    pub(super) fn restart(&mut self, shared: &Shared) -> Outcome {
        self.episodes += 1;
        self.episode = shared.start(self.base, self.episodes);
        self.report = None;
        self.last = Last::default();
        self.ended = false;
        Outcome::default()
    }

    /// Takes `action` in the running episode (never called once it has ended: the next step
    /// restarts it instead). `loud` keeps the step's report (what a wire observation shows);
    /// otherwise only its reward and whether it was refused are kept (the numeric encoding's
    /// `last_reward` and `last_refused`), and the report is `None`.
    pub(super) fn act(&mut self, shared: &Shared, action: &Action, loud: bool) -> Outcome {
        let (m, ep) = (&*shared.machine, &mut self.episode);
        // `Err` is unreachable: an ended episode is restarted before it is stepped again.
        if loud {
            let Ok(report) = step(m, ep, action) else { return Outcome::default() };
            self.last = Last { reward: report.reward, refused: report.error.is_some() };
            self.report = Some(report);
        } else {
            let Ok(quiet) = step_quiet(m, ep, action) else { return Outcome::default() };
            self.last = Last { reward: quiet.reward, refused: quiet.invalid };
            self.report = None;
        }
        let Some(ending) = &self.episode.ended else {
            return Outcome { reward: self.last.reward, ..Outcome::default() };
        };
        self.ended = true;
        Outcome {
            reward: self.last.reward,
            terminated: !ending.truncated,
            truncated: ending.truncated,
            end: Some((ending.grade, self.episode.total_reward, self.episode.steps)),
        }
    }
}
