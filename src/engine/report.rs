//! [`StepReport`]: what one step did, held as numbers and symbols (no text, map or heap
//! allocation); the observation renders it, into a sink ([`Observed`](super::Observed)) or into
//! the owned observation ([`observe`](super::observe::observe)).

use std::fmt;

use serde_json::{Map, Value as Json};

use super::ir::Sym;
use super::known::{Known, Wired};
use super::machine::Machine;
use super::query::Refusal;
use super::reveal::{SummaryText, group_facts_then, summary_then};
use super::sink::{Emit, Field, Sink, field};
use super::state::{Episode, Inline};
use crate::wire::{ActionType, usd};

/// What one step did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepReport {
    /// The emitted step reward (clamped, 4 decimals).
    pub reward: f64,
    /// Per reward group, summing to `reward`.
    pub(super) breakdown: Inline<f64, 8>,
    /// The action's type (`None` in a report-free step's).
    pub(super) action_type: Option<ActionType>,
    /// The case the step acted on (the target of a switch).
    pub(super) target_case: usize,
    /// The step's one sentence.
    pub(super) outcome: Outcome,
    /// Tool-result details in the order they were set; shown sorted by key, a later entry
    /// replacing an earlier one of the same key (as a JSON map's insertions do).
    pub(super) details: Inline<(DetailKey, Detail), 6>,
    /// Why the step was refused, if it was rule-invalid.
    pub(super) refusal: Option<Refusal>,
    /// Events fired during the step, in firing order.
    pub(super) events: Inline<Fired, 2>,
}

impl StepReport {
    /// Whether the step was rule-invalid.
    pub fn refused(&self) -> bool {
        self.refusal.is_some()
    }
}

/// What a step's sentence says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The action was taken on this case.
    Done(usize),
    /// The action was taken on this case again, and revealed nothing new.
    Again(usize),
    /// The action was refused (the report's `refusal`).
    #[default]
    Invalid,
}

/// The detail an inspection sets to say whether it revealed its check's facts for the first
/// time (the outcome sentence reads it back: [`StepReport::nothing_new`]).
pub(super) const FIRST_TIME: &Field = field!("first_time");

/// A detail's key: a field of the wire format or a name the scenario's `detail` gives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum DetailKey {
    Wire(&'static Field),
    Scenario(Sym),
}

impl From<&'static Field> for DetailKey {
    fn from(field: &'static Field) -> Self {
        DetailKey::Wire(field)
    }
}

impl DetailKey {
    fn name(self, m: &Machine) -> &str {
        match self {
            DetailKey::Wire(field) => field.name,
            DetailKey::Scenario(name) => m.symbols.name(name),
        }
    }
}

/// A detail's value, as it was when the step set it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Detail {
    Bool(bool),
    /// A name of the scenario (a check, a response status).
    Name(Sym),
    /// A value as a fact of `case` keeps it, shown as that case's facts are.
    Known {
        case: usize,
        value: Known,
    },
    /// A text no symbol names (a request field's own text), as the wire shows it.
    Json(Box<Json>),
    /// A check's summary as it read then (`None`: not revealed).
    Summary(Option<Then>),
    /// A check's revealed facts as they were then (`None`: none, the check was not new).
    Facts(Option<Then>),
    /// The refusal's code.
    Code,
    /// The refusal's message.
    Message,
}

/// A check of a case at one moment: how many fact-log entries and appended texts the case
/// held then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Then {
    pub(super) case: usize,
    pub(super) check: usize,
    pub(super) facts: usize,
    pub(super) appended: usize,
}

impl Then {
    /// `check` of `case` as the episode holds it now.
    pub(super) fn now(ep: &Episode, case: usize, check: usize) -> Self {
        let record = &ep.cases[case];
        Then { case, check, facts: record.facts.entries().len(), appended: record.appended.len() }
    }
}

/// An event fired during a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Fired {
    /// Index into [`Machine::events`].
    pub(super) event: usize,
    pub(super) case: usize,
    pub(super) detail: EventDetail,
}

/// What a fired event's detail shows: the response outcome it delivered, the reopen reason it
/// revealed, or the money it carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EventDetail {
    Nothing,
    Name(Sym),
    Cents(i64),
}

/// A detail's value as the wire shows it, borrowed from the machine and the episode.
#[derive(Clone, Debug)]
pub(super) enum Shown<'a> {
    Wired(Wired<'a>),
    Summary(SummaryText<'a>),
    /// A check's revealed facts as they were then (none if `None`).
    Facts(&'a Machine, &'a Episode, Option<Then>),
    Message(Message<'a>),
}

impl Emit for Shown<'_> {
    fn emit<S: Sink>(&self, sink: &mut S) -> Result<(), S::Error> {
        match self {
            Shown::Wired(value) => value.emit(sink),
            Shown::Summary(text) => sink.text(text),
            Shown::Facts(m, ep, then) => {
                sink.begin_object()?;
                for (name, value) in &facts_then(m, ep, *then) {
                    sink.key(name)?;
                    value.emit(sink)?;
                }
                sink.end_object()
            }
            Shown::Message(message) => sink.text(message),
        }
    }
}

impl Shown<'_> {
    /// The value as JSON (for the owned observation).
    pub(super) fn to_json(&self) -> Json {
        match self {
            Shown::Wired(value) => value.to_json(),
            Shown::Summary(text) => Json::String(text.to_string()),
            Shown::Facts(m, ep, then) => Json::Object(Map::from_iter(
                facts_then(m, ep, *then)
                    .iter()
                    .map(|(name, value)| (name.to_string(), value.to_json())),
            )),
            Shown::Message(message) => Json::String(message.to_string()),
        }
    }
}

/// A check's revealed facts at `then` (none if `None`), sorted by name.
fn facts_then<'a>(
    m: &'a Machine,
    ep: &'a Episode,
    then: Option<Then>,
) -> Inline<(&'a str, Wired<'a>), 8> {
    then.map(|then| group_facts_then(m, ep, then)).unwrap_or_default()
}

/// A refusal's message.
#[derive(Clone, Copy, Debug)]
pub(super) enum Message<'a> {
    /// A validation rule's.
    Rule(&'a str),
    /// The scenario declares no action of this type.
    NoAction(&'static str),
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Rule(message) => f.write_str(message),
            Message::NoAction(name) => write!(f, "this scenario has no action `{name}`"),
        }
    }
}

/// A rule-invalid step's error: `code: message`.
#[derive(Clone, Copy, Debug)]
pub(super) struct ActionError<'a> {
    pub(super) code: &'a str,
    pub(super) message: Message<'a>,
}

impl fmt::Display for ActionError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// A step's sentence, written on demand.
#[derive(Clone, Copy, Debug)]
pub(super) struct OutcomeText<'a> {
    m: &'a Machine,
    ep: &'a Episode,
    report: &'a StepReport,
}

impl fmt::Display for OutcomeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let OutcomeText { m, ep, report } = *self;
        let (case, ending) = match report.outcome {
            Outcome::Done(case) => (case, " done."),
            Outcome::Again(case) => (case, " again; nothing new."),
            Outcome::Invalid => {
                let code = report.error(m).map_or("", |e| e.code);
                return write!(f, "Invalid action: {code}");
            }
        };
        write!(f, "{}: ", m.symbols.name(ep.world.cases[case].id))?;
        let action = report.action_type.map_or("action", ActionType::as_str);
        for (i, word) in action.split('_').enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(word)?;
        }
        f.write_str(ending)
    }
}

impl StepReport {
    /// Sets a detail (replacing one set before under the same key, as a JSON map would).
    pub(super) fn set_detail(&mut self, m: &Machine, key: DetailKey, detail: Detail) {
        let name = key.name(m);
        match self.details.iter_mut().find(|(k, _)| k.name(m) == name) {
            Some(entry) => entry.1 = detail,
            None => self.details.push((key, detail)),
        }
    }

    /// Whether the details say the action revealed nothing new (`first_time` is false).
    pub(super) fn nothing_new(&self, m: &Machine, ep: &Episode) -> bool {
        let first_time = self.details.iter().find(|(k, _)| k.name(m) == FIRST_TIME.name);
        first_time
            .is_some_and(|(_, d)| matches!(self.shown(m, ep, d), Shown::Wired(Wired::Bool(false))))
    }

    /// The sentence.
    pub(super) fn outcome_text<'a>(&'a self, m: &'a Machine, ep: &'a Episode) -> OutcomeText<'a> {
        OutcomeText { m, ep, report: self }
    }

    /// The error of a rule-invalid step.
    pub(super) fn error<'a>(&self, m: &'a Machine) -> Option<ActionError<'a>> {
        Some(match self.refusal? {
            Refusal::UnknownAction => {
                let name = self.action_type.map_or("", ActionType::as_str);
                ActionError { code: "unknown_action", message: Message::NoAction(name) }
            }
            Refusal::Rule(rule) => {
                let rule = &m.rejects[rule];
                ActionError { code: &rule.code, message: Message::Rule(&rule.message) }
            }
        })
    }

    /// The details as the wire shows them, sorted by key.
    pub(super) fn shown_details<'a>(
        &'a self,
        m: &'a Machine,
        ep: &'a Episode,
    ) -> Inline<(&'a str, Shown<'a>), 8> {
        let mut shown: Inline<_, 8> = self
            .details
            .iter()
            .map(|(key, detail)| (key.name(m), self.shown(m, ep, detail)))
            .collect();
        shown.sort_by(|a, b| a.0.cmp(b.0));
        shown
    }

    fn shown<'a>(&'a self, m: &'a Machine, ep: &'a Episode, detail: &'a Detail) -> Shown<'a> {
        match detail {
            Detail::Bool(b) => Shown::Wired(Wired::Bool(*b)),
            Detail::Name(name) => Shown::Wired(Wired::Str(m.symbols.name(*name))),
            Detail::Known { case, value } => {
                let draw = &ep.world.cases[*case];
                Shown::Wired(ep.cases[*case].facts.wired(m, draw, *value))
            }
            Detail::Json(json) => Shown::Wired(Wired::Json(json)),
            Detail::Summary(then) => match then {
                Some(then) => Shown::Summary(summary_then(m, ep, *then)),
                None => Shown::Wired(Wired::Null),
            },
            Detail::Facts(then) => Shown::Facts(m, ep, *then),
            Detail::Code => Shown::Wired(self.error(m).map_or(Wired::Null, |e| Wired::Str(e.code))),
            Detail::Message => match self.error(m) {
                Some(error) => Shown::Message(error.message),
                None => Shown::Wired(Wired::Null),
            },
        }
    }

    /// The events fired: kind, case, detail as the wire shows it.
    pub(super) fn fired<'a>(
        &'a self,
        m: &'a Machine,
    ) -> impl Iterator<Item = (&'a str, usize, Wired<'a>)> + 'a {
        self.events.iter().map(move |fired| {
            let detail = match fired.detail {
                EventDetail::Nothing => Wired::Null,
                EventDetail::Name(name) => Wired::Str(m.symbols.name(name)),
                EventDetail::Cents(cents) => Wired::Real(usd(cents)),
            };
            (m.symbols.name(m.events[fired.event].name), fired.case, detail)
        })
    }
}
