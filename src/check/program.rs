//! The typed declarations of a scenario, as the checker understands them.
//!
//! [`statements`](super::statements) builds a [`Program`] from the generic syntax tree of every file
//! of a scenario (the task file and its imports). Names keep their spans so later rules and
//! the compiler can point at them.

use indexmap::IndexMap;
use serde::Serialize;

use crate::source::Span;
use crate::syntax::ast::{Expr, Ident};

/// Everything a scenario declares, in declaration order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Program {
    /// The `scenario` block (absent in a library such as the prelude). Compiled into the
    /// scenario's own fields, so not serialized again.
    #[serde(skip)]
    pub scenario: Option<ScenarioDecl>,
    /// `desk { ... }` settings by name.
    pub desk: IndexMap<String, Setting>,
    /// `text NAME = "..."`
    pub texts: IndexMap<String, Setting>,
    /// `check NAME { ... }`
    pub checks: IndexMap<String, CheckDecl>,
    /// `response NAME { ... }`
    pub responses: IndexMap<String, ResponseDecl>,
    /// `reject CODE when ... message ...`, in order.
    pub rejects: Vec<RejectDecl>,
    /// `action NAME { ... }`
    pub actions: IndexMap<String, ActionDecl>,
    /// `on TRIGGER { ... }`, in order.
    pub hooks: Vec<HookDecl>,
    /// `event NAME { ... }`
    pub events: IndexMap<String, EventDecl>,
    /// `blocker NAME { ... }`, in list order.
    pub blockers: IndexMap<String, BlockerDecl>,
    /// `verdict { bad REASON when ... }` items, in order.
    pub verdict: Vec<VerdictItem>,
    /// `truth NAME { ... }`
    pub truths: IndexMap<String, TruthDecl>,
    /// `grade { ... }`
    pub grade: Option<GradeDecl>,
    /// `end` / `truncate` rules, in order.
    pub ends: Vec<EndDecl>,
}

/// A named value: `satisfaction 72%`, `text handbook = "..."`.
#[derive(Clone, Debug, Serialize)]
pub struct Setting {
    /// The setting's name.
    pub name: Ident,
    /// Its value.
    pub value: Expr,
}

/// `scenario ID { ... }`
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioDecl {
    /// Scenario id (the task name on the wire).
    pub id: Ident,
    /// Settings by name (`title`, `difficulty`, `time_limit`, ...).
    pub settings: IndexMap<String, Setting>,
    /// `weight COMPONENT VALUE`, in order.
    pub weights: Vec<Setting>,
    /// `stock "SKU" COUNT_OR_RANGE`, in order (task-level draws).
    pub stock: Vec<Setting>,
    /// `split NAME SEEDS`, in order: named seed sets (`split train 1..800`).
    pub splits: Vec<Setting>,
    /// The whole block.
    #[serde(skip)]
    pub span: Span,
}

/// `check NAME { empty "..." }`
#[derive(Clone, Debug, Serialize)]
pub struct CheckDecl {
    /// Check (and fact group) name.
    pub name: Ident,
    /// Summary shown when the case has no facts in this group.
    pub empty: Option<Expr>,
    /// The observation field that shows its summary (e.g. `order_summary`).
    pub field: Option<Ident>,
}

/// `response NAME { ... }`
#[derive(Clone, Debug, Serialize)]
pub struct ResponseDecl {
    /// Response name.
    pub name: Ident,
    /// The observation field that shows its status (e.g. `evidence_status`).
    pub field: Option<Ident>,
    /// Every status, in order.
    pub statuses: Vec<Ident>,
    /// Status at reset.
    pub initial: Option<Ident>,
    /// Status while the answer is on its way.
    pub pending: Option<Ident>,
    /// Case status while waiting.
    pub waiting: Option<Ident>,
    /// Outcome for cases that do not set one.
    pub default_outcome: Option<Ident>,
    /// Delay for cases that do not set one.
    pub default_delay: Option<Expr>,
}

/// `reject CODE when CONDITION message "..."`
#[derive(Clone, Debug, Serialize)]
pub struct RejectDecl {
    /// The stable error code.
    pub code: Ident,
    /// When the action is refused.
    pub when: Expr,
    /// One readable sentence.
    pub message: Expr,
}

/// `action NAME { param ...; cost ...; effects }`
#[derive(Clone, Debug, Serialize)]
pub struct ActionDecl {
    /// Wire name.
    pub name: Ident,
    /// Wire fields it reads, with their declared types.
    pub params: Vec<Param>,
    /// Time cost.
    pub cost: Option<Expr>,
    /// Effects, in order.
    pub body: Vec<Effect>,
}

/// `param NAME TYPE`
#[derive(Clone, Debug, Serialize)]
pub struct Param {
    /// Parameter name.
    pub name: Ident,
    /// Type name (`money`, `flag`, ...).
    pub ty: Ident,
}

/// `on TRIGGER [ARG] { effects }`
#[derive(Clone, Debug, Serialize)]
pub struct HookDecl {
    /// What triggers it (`inspect`, `breach`, `reject`, ...).
    pub trigger: Ident,
    /// The reject code for `on reject CODE`.
    pub argument: Option<Ident>,
    /// Effects, in order.
    pub body: Vec<Effect>,
}

/// `event NAME { visible ...; settle fire|drop; effects }`
#[derive(Clone, Debug, Serialize)]
pub struct EventDecl {
    /// Event name (listed in `pending_events` when visible).
    pub name: Ident,
    /// Whether it shows in `pending_events` before it fires.
    pub visible: Option<Expr>,
    /// `fire` or `drop` when the episode ends first.
    pub settle: Option<Ident>,
    /// Effects when it fires.
    pub body: Vec<Effect>,
}

/// `blocker NAME { unmet ...; visible ...; gates ACTION; cleared_by X }`
#[derive(Clone, Debug, Serialize)]
pub struct BlockerDecl {
    /// Blocker name.
    pub name: Ident,
    /// When the requirement is unmet.
    pub unmet: Option<Expr>,
    /// When it is shown to the agent.
    pub visible: Option<Expr>,
    /// Actions refused while it is unmet (a hard blocker).
    pub gates: Vec<Ident>,
    /// Actions or events that can clear it.
    pub cleared_by: Vec<Ident>,
    /// The whole declaration.
    #[serde(skip)]
    pub span: Span,
}

/// `bad REASON when CONDITION` in `verdict`.
#[derive(Clone, Debug, Serialize)]
pub struct VerdictItem {
    /// Reopen reason when this item fails.
    pub reason: Ident,
    /// When the close is bad for this reason.
    pub when: Expr,
}

/// `truth NAME { param ...; allowance ...; outcome V when C; dissatisfied when C }`
#[derive(Clone, Debug, Serialize)]
pub struct TruthDecl {
    /// Truth kind (also the resolution kind that `resolve` records).
    pub name: Ident,
    /// Parameters given by the case data.
    pub params: Vec<Param>,
    /// Money the case may cost without loss.
    pub allowance: Option<Expr>,
    /// `(outcome, condition)`, first match wins, otherwise 0.
    pub outcomes: Vec<(Expr, Expr)>,
    /// Conditions under which the customer is dissatisfied.
    pub dissatisfied: Vec<Expr>,
}

/// `grade { ... }`
#[derive(Clone, Debug, Serialize)]
pub struct GradeDecl {
    /// `accept`, `tolerance`, `invalid_penalty`.
    pub settings: IndexMap<String, Setting>,
    /// `closure NAME FACTOR`, in order.
    pub closure: Vec<Setting>,
    /// `component NAME = EXPR`, in order.
    pub components: Vec<Setting>,
    /// The whole block.
    #[serde(skip)]
    pub span: Span,
}

/// `end REASON when C` (terminated) or `truncate REASON when C`.
#[derive(Clone, Debug, Serialize)]
pub struct EndDecl {
    /// Termination reason.
    pub reason: Ident,
    /// Condition.
    pub when: Expr,
    /// Truncation rather than termination.
    pub truncated: bool,
}

/// A statement in an action, hook or event body.
#[derive(Clone, Debug, Serialize)]
pub enum Effect {
    /// `if C { ... } else { ... }`
    If {
        /// Condition.
        condition: Expr,
        /// Effects when true.
        then: Vec<Effect>,
        /// Effects when false.
        otherwise: Vec<Effect>,
    },
    /// `reward VALUE GROUP "label" [when C]`
    Reward {
        /// Amount (real).
        value: Expr,
        /// Reward group.
        group: Ident,
        /// Human label of the term.
        label: Option<String>,
        /// Condition.
        when: Option<Expr>,
    },
    /// One of the desk's primitive operations.
    Primitive {
        /// Which.
        op: Primitive,
        /// Condition.
        when: Option<Expr>,
        /// The statement.
        #[serde(skip)]
        span: Span,
    },
}

/// Primitive operations of the desk model (see docs/scenario-language.md, "Effects").
#[derive(Clone, Debug, Serialize)]
pub enum Primitive {
    /// `inspect CHECK`: complete the check and reveal its fact group (first time only).
    Inspect(Ident),
    /// `request RESPONSE`: ask for an answer; schedules the delivering event once.
    Request(Ident),
    /// `deliver RESPONSE`: the answer arrives (status := outcome, case stops waiting).
    Deliver(Ident),
    /// `resolve KIND`: record a resolution of that truth kind.
    Resolve(Ident),
    /// `pay AMOUNT`: spend money on the case (a payout).
    Pay(Expr),
    /// `take_stock`: one unit of the case's SKU leaves the shelf.
    TakeStock,
    /// `note CODE`: append an internal note.
    Note(Expr),
    /// `close`: close the case and judge the close.
    Close,
    /// `switch CASE`: make a case active (the active one: hold).
    Switch(Expr),
    /// `reopen`: a closed case comes back.
    Reopen,
    /// `satisfaction DELTA`: change customer satisfaction.
    Satisfaction(Expr),
    /// `fraud_loss AMOUNT`: book a fraud loss.
    FraudLoss(Expr),
    /// `fee AMOUNT`: book a fee on the case (it counts against the money component).
    Fee(Expr),
    /// `stockout`: count the case as a stockout (once).
    Stockout,
    /// `schedule EVENT after DELAY [with AMOUNT]`
    Schedule {
        /// Event to schedule.
        event: Ident,
        /// Delay from the clock after this step.
        after: Expr,
        /// Money the event carries (`payload` in its body).
        with: Option<Expr>,
    },
    /// `fact NAME = VALUE`: reveal a fact on the case.
    Fact {
        /// Fact name.
        name: Ident,
        /// Value.
        value: Expr,
    },
    /// `detail NAME = VALUE`: add a key to the step's tool-result details.
    Detail {
        /// Key.
        name: Ident,
        /// Value.
        value: Expr,
    },
    /// `append CHECK "text"`: append text to a check's summary.
    Append {
        /// Whose summary.
        check: Ident,
        /// Template text.
        text: Expr,
    },
}

impl Program {
    /// Every effect body: actions, hooks and events, in declaration order.
    pub fn bodies(&self) -> impl Iterator<Item = &[Effect]> {
        let actions = self.actions.values().map(|a| a.body.as_slice());
        let hooks = self.hooks.iter().map(|h| h.body.as_slice());
        let events = self.events.values().map(|e| e.body.as_slice());
        actions.chain(hooks).chain(events)
    }
}

/// Calls `visit` on every operation of a body, inside `if` branches too.
pub fn for_each_primitive<'a>(body: &'a [Effect], visit: &mut impl FnMut(&'a Primitive)) {
    for effect in body {
        match effect {
            Effect::If { then, otherwise, .. } => {
                for_each_primitive(then, visit);
                for_each_primitive(otherwise, visit);
            }
            Effect::Primitive { op, .. } => visit(op),
            Effect::Reward { .. } => {}
        }
    }
}
