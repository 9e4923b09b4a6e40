//! Episode state: a plain value, cheap to clone, with no RNG (everything random is drawn at
//! reset).

use std::sync::Arc;

use smallvec::SmallVec;

use super::ir::{Scalar, Sym};
use super::known::FactLog;
use super::notes::Notes;
use super::symbols::Symbols;
use super::value::Value;

/// Per-scenario lists held inline in the episode (SKUs, checks, responses, truth kinds, events):
/// the shipped scenarios fit, so cloning copies them with the record and no heap; a scenario
/// with more spills that list to the heap and plays the same.
pub type Inline<T, const N: usize> = SmallVec<[T; N]>;

/// Everything about one episode that changes as it is played.
#[derive(Clone, Debug)]
pub struct Episode {
    /// Per-episode data that never changes after reset (shared by clones).
    pub world: Arc<EpisodeWorld>,
    /// Minutes on the episode clock.
    pub clock: i64,
    /// Steps taken (rule-invalid ones included).
    pub steps: u32,
    /// Rule-invalid steps.
    pub invalid: u32,
    /// Index of the active case.
    pub active: usize,
    /// Money spent, cents.
    pub spending: i64,
    /// Units per SKU (scenario order).
    pub stock: Inline<i64, 8>,
    /// Customer satisfaction, basis points.
    pub satisfaction: i64,
    /// Reopen events fired.
    pub reopened_cases: u32,
    /// Cases breached.
    pub sla_breaches: u32,
    /// Fraud loss, cents.
    pub fraud_loss: i64,
    /// Cases counted as stockouts.
    pub stockouts: u32,
    /// Per-case records, in table order.
    pub cases: Vec<CaseState>,
    /// Scheduled events, kept sorted by (due, sequence).
    pub pending: Inline<Pending, 8>,
    /// Next event sequence number.
    pub sequence: u32,
    /// Sum of emitted step rewards.
    pub total_reward: f64,
    /// How the episode ended, once it has.
    pub ended: Option<Ending>,
}

/// The end of an episode.
#[derive(Clone, Debug, PartialEq)]
pub struct Ending {
    /// Index of the termination rule that fired.
    pub rule: usize,
    /// Whether it is a truncation.
    pub truncated: bool,
    /// The grade of the settled state.
    pub grade: f64,
}

/// Drawn data of one episode.
#[derive(Debug)]
pub struct EpisodeWorld {
    /// The seed.
    pub seed: u64,
    /// The caller's label.
    pub episode_id: String,
    /// Queue order (indices into cases).
    pub queue: Vec<usize>,
    /// Drawn case data, in table order.
    pub cases: Vec<CaseDraw>,
    /// The scenario's names, which the episode's symbols stand for (the machine's).
    pub symbols: Arc<Symbols>,
}

/// One case's drawn data.
#[derive(Debug)]
pub struct CaseDraw {
    /// Interned case id.
    pub id: Sym,
    /// Order value, cents.
    pub order_value: i64,
    /// Requested compensation, cents.
    pub requested: Option<i64>,
    /// Days since the order.
    pub days_since_order: i64,
    /// SLA deadline, minutes.
    pub sla_deadline: i64,
    /// Satisfaction bonus of a good close, basis points.
    pub satisfaction_bonus: i64,
    /// Reopen delay, minutes.
    pub reopen_delay: i64,
    /// Chargeback delay, minutes.
    pub chargeback_delay: i64,
    /// Fee per chargeback, cents.
    pub chargeback_fee: i64,
    /// Payouts are fraud losses.
    pub fraudulent: bool,
    /// Truth kind index and its arguments.
    pub truth: (usize, Vec<Scalar>),
    /// Required checks (bit per check index).
    pub required_checks: u32,
    /// Required responses (bit per response index).
    pub required_responses: u32,
    /// Required note code.
    pub required_note: Option<Sym>,
    /// Per response: initial status, outcome, delay.
    pub responses: Vec<(Sym, Sym, i64)>,
    /// SKU index into the stock.
    pub sku: Option<usize>,
    /// Index of this case in the scenario's case list (for its static data).
    pub index: usize,
    /// The variant drawn (an index into the case plan's variants).
    pub variant: Option<usize>,
    /// Its draws and `let`s by slot, for facts evaluated when revealed.
    pub vars: Vec<Value>,
    /// Its named values, likewise.
    pub fields: Vec<Value>,
}

/// A case's dynamic record.
#[derive(Debug)]
pub struct CaseState {
    /// Case status symbol.
    pub status: Sym,
    /// Step at which each check was completed.
    pub completed: Inline<Option<u32>, 8>,
    /// Fact groups revealed (bit per check index).
    pub revealed: u32,
    /// Response statuses.
    pub responses: Inline<Sym, 4>,
    /// Step at which each response was received.
    pub received: Inline<Option<u32>, 4>,
    /// Note codes in insertion order.
    pub notes: Notes,
    /// The latest resolution.
    pub resolution: Option<Resolution>,
    /// Whether a resolution may be recorded.
    pub slot_free: bool,
    /// Paid per truth kind, cents.
    pub paid_as: Inline<i64, 8>,
    /// Fees booked, cents.
    pub fees: i64,
    /// Times reopened.
    pub reopens: u32,
    /// Close history: minute, good.
    pub closes: Inline<(i64, bool), 2>,
    /// Whether the required note was present at the last close.
    pub note_at_close: bool,
    /// Reason of the last bad close.
    pub close_reason: Option<Sym>,
    /// Counted as breached.
    pub breached: bool,
    /// Counted as a stockout.
    pub stockout: bool,
    /// Facts revealed and set, in order, with the check that revealed each.
    pub facts: FactLog,
    /// Texts appended to summaries by events, in firing order.
    pub appended: Inline<Appended, 4>,
}

impl CaseState {
    /// Whether the fact group of `check` has been revealed.
    pub fn is_revealed(&self, check: usize) -> bool {
        self.revealed & (1 << check) != 0
    }
}

/// Cloned list by list, each list of plain values as one copy (a derived clone copies them
/// element by element, which the oracle paid for every move it tried).
impl Clone for CaseState {
    fn clone(&self) -> Self {
        CaseState {
            status: self.status,
            completed: Inline::from_slice(&self.completed),
            revealed: self.revealed,
            responses: Inline::from_slice(&self.responses),
            received: Inline::from_slice(&self.received),
            notes: self.notes.clone(),
            resolution: self.resolution.clone(),
            slot_free: self.slot_free,
            paid_as: Inline::from_slice(&self.paid_as),
            fees: self.fees,
            reopens: self.reopens,
            closes: Inline::from_slice(&self.closes),
            note_at_close: self.note_at_close,
            close_reason: self.close_reason,
            breached: self.breached,
            stockout: self.stockout,
            facts: self.facts.clone(),
            appended: Inline::from_slice(&self.appended),
        }
    }
}

/// A text an event appended to a check's summary: its template, rendered from the facts known
/// when it fired.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Appended {
    /// The check whose summary it joins.
    pub check: u16,
    /// How many entries the case's fact log held when it fired.
    pub facts: u16,
    /// The template.
    pub text: Sym,
}

/// A recorded resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    /// Truth kind index.
    pub kind: usize,
    /// The action that made it.
    pub action: usize,
    /// `expedite` of the request.
    pub expedite: bool,
    /// `escalation_reason` of the request.
    pub reason: Scalar,
    /// 1-based step index.
    pub step: u32,
}

/// A scheduled event.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    /// Due minute.
    pub due: i64,
    /// Scheduling order.
    pub sequence: u32,
    /// Event index.
    pub event: usize,
    /// Case index.
    pub case: usize,
    /// Money it carries.
    pub payload: i64,
}
