//! One sub-environment ([`Slot`]) and what all of them share ([`Shared`]): starting episodes
//! by the seed rule, taking a step, restarting after an end, and what a batch leaves in the
//! slot for the caller to hand to Python (the numeric observation, the action mask; the wire
//! observation is walked from its episode).

use std::sync::Arc;

use shopops::engine::query::{refused_by, response_pending};
use shopops::engine::{Episode, Machine, Observed, StepReport, start, step, step_quiet};
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
    /// What the last step did.
    pub(super) outcome: Outcome,
    /// The numeric observation, once [`Slot::encode`] has run.
    pub(super) floats: Vec<f32>,
    /// The action mask (one byte per table entry), once [`Slot::mask`] has run.
    pub(super) mask: Vec<u8>,
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
    fn start(&self, base: u64, episodes: u64) -> Episode {
        let seed = base.wrapping_add(episodes.wrapping_mul(self.num_envs));
        start(&self.machine, seed, format!("{}-{seed}", self.machine.scenario.id))
    }
}

impl Slot {
    /// Sub-environment `index`'s slot, playing seed `index` until reset.
    pub(super) fn new(shared: &Shared, index: u64) -> Self {
        Slot {
            episode: shared.start(index, 0),
            report: None,
            last: Last::default(),
            base: index,
            episodes: 0,
            ended: false,
            outcome: Outcome::default(),
            floats: Vec::new(),
            mask: Vec::new(),
        }
    }

    /// Starts over from `seed`: it plays `seed`, then `seed + N`, `seed + 2N`, ...
    pub(super) fn reset(&mut self, shared: &Shared, seed: u64) {
        self.base = seed;
        self.episodes = 0;
        self.episode = shared.start(seed, 0);
        self.report = None;
        self.last = Last::default();
        self.ended = false;
    }

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
            self.last = Last { reward: report.reward, refused: report.refused() };
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

    /// Writes the numeric observation into `floats`.
    pub(super) fn encode(&mut self, shared: &Shared) {
        self.floats.resize(shared.size, 0.0);
        let mut writer = Writer::new(&mut self.floats);
        encode(&shared.machine, &shared.vocab, &self.episode, self.last, &mut writer);
    }

    /// The wire observation, borrowed.
    pub(super) fn observed<'a>(&'a self, shared: &'a Shared) -> Observed<'a> {
        Observed::new(&shared.machine, &self.episode, self.report.as_ref())
    }

    /// Writes the action mask into `mask`: 1 for the table entries the scenario's rules
    /// accept now, 0 for those they refuse; all 1 when the next step starts a new episode.
    pub(super) fn mask(&mut self, shared: &Shared) {
        self.mask.clear();
        self.mask.resize(shared.table.len(), 1);
        if self.ended {
            return;
        }
        let (m, ep) = (&*shared.machine, &self.episode);
        let pending = response_pending(m, ep);
        for (declared, range) in &shared.groups {
            let (fixed, varying) =
                (&shared.masks.fixed[*declared], &shared.masks.varying[*declared]);
            let first = shared.table.action(range.start, ep);
            let refused = refused_by(m, ep, *declared, &first, pending, fixed);
            for index in range.clone() {
                let refused = refused
                    || (!varying.is_empty() && {
                        let action = shared.table.action(index, ep);
                        refused_by(m, ep, *declared, &action, pending, varying)
                    });
                self.mask[index] = u8::from(!refused);
            }
        }
    }
}
