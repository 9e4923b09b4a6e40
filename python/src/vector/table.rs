//! [`ActionTable`]: the numeric action space of a scenario. Every action the scenario declares,
//! times the choices of its parameters that make sense: one entry per case for `case_id`,
//! fractions of the active case's order value for a refund amount, both `expedite` values, the
//! escalation reasons, and the note codes the case data declares.

use shopops::engine::ir::Sym;
use shopops::engine::{Episode, Machine};
use shopops::wire::{Action, ActionType, EscalationReason, usd};

/// One parameter's choice in a table entry.
#[derive(Clone, Debug)]
enum Choice {
    /// `case_id`: the case of this table index.
    Case(usize),
    /// `refund_amount_usd`: `level / levels` of the active case's order value.
    Refund(u32),
    /// `expedite`.
    Expedite(bool),
    /// `escalation_reason`.
    Reason(EscalationReason),
    /// `note_code`: the note code of this index in [`ActionTable::notes`].
    Note(usize),
}

/// One concrete action of the table.
#[derive(Clone, Debug)]
struct Entry {
    action_type: ActionType,
    /// Index of the declared action (into `Machine::actions`).
    declared: usize,
    choices: Vec<Choice>,
}

/// The per-scenario table of concrete actions that `Discrete(n)` indexes.
#[derive(Debug)]
pub(crate) struct ActionTable {
    entries: Vec<Entry>,
    /// Refund amounts are `k / levels` of the order value, `k` in `1..=levels`.
    levels: u32,
    /// Case ids, in table order.
    cases: Vec<String>,
    /// Note codes the case data requires somewhere (base data and variants), first seen first.
    notes: Vec<String>,
}

impl ActionTable {
    /// The table of `machine`'s scenario with `levels` refund amounts.
    pub(crate) fn new(machine: &Machine, levels: u32) -> Self {
        let name = |sym: Sym| machine.symbols.name(sym).to_string();
        let cases: Vec<String> = machine.reset.cases.iter().map(|c| name(c.id)).collect();
        let mut notes: Vec<String> = Vec::new();
        for plan in &machine.reset.cases {
            let variants = plan.variants.iter().map(|(_, v)| &v.requires);
            for note in std::iter::once(&plan.requires).chain(variants).filter_map(|r| r.note) {
                if !notes.contains(&name(note)) {
                    notes.push(name(note));
                }
            }
        }
        let mut entries = Vec::new();
        for (name, decl) in &machine.scenario.program.actions {
            let Some(action_type) = ActionType::parse(name) else { continue };
            let Some(declared) = machine.action(action_type) else { continue };
            let mut combos: Vec<Vec<Choice>> = vec![Vec::new()];
            for param in &decl.params {
                let options: Vec<Choice> = match param.name.name.as_str() {
                    "case_id" => (0..cases.len()).map(Choice::Case).collect(),
                    "refund_amount_usd" => (1..=levels).map(Choice::Refund).collect(),
                    "expedite" => vec![Choice::Expedite(false), Choice::Expedite(true)],
                    "escalation_reason" => {
                        EscalationReason::ALL.iter().copied().map(Choice::Reason).collect()
                    }
                    "note_code" => (0..notes.len()).map(Choice::Note).collect(),
                    _ => continue,
                };
                combos = combos
                    .iter()
                    .flat_map(|prefix| {
                        options.iter().map(move |o| {
                            let mut next = prefix.clone();
                            next.push(o.clone());
                            next
                        })
                    })
                    .collect();
            }
            entries.extend(combos.into_iter().map(|choices| Entry {
                action_type,
                declared,
                choices,
            }));
        }
        ActionTable { entries, levels, cases, notes }
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries of each declared action: its index into `Machine::actions` and the range
    /// of its entries (contiguous, in table order).
    pub(crate) fn groups(&self) -> Vec<(usize, std::ops::Range<usize>)> {
        let mut groups: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            match groups.last_mut() {
                Some((declared, range)) if *declared == entry.declared => range.end = i + 1,
                _ => groups.push((entry.declared, i..i + 1)),
            }
        }
        groups
    }

    /// The concrete action of entry `index` in `episode` (refund amounts follow the active
    /// case's order value, rounded to the cent). `index` must be below [`Self::len`].
    pub(crate) fn action(&self, index: usize, episode: &Episode) -> Action {
        let entry = &self.entries[index];
        let mut action = Action::new(entry.action_type);
        for choice in &entry.choices {
            match choice {
                Choice::Case(case) => action.case_id = Some(self.cases[*case].clone()),
                Choice::Refund(level) => {
                    let value = episode.world.cases[episode.active].order_value;
                    let amount = (value * i64::from(*level) * 2 + i64::from(self.levels))
                        / (2 * i64::from(self.levels));
                    action.refund_amount_usd = Some(usd(amount));
                }
                Choice::Expedite(expedite) => action.expedite = *expedite,
                Choice::Reason(reason) => action.escalation_reason = Some(*reason),
                Choice::Note(note) => action.note_code = Some(self.notes[*note].clone()),
            }
        }
        action
    }

    /// A readable label of every entry, in order: `issue_refund 25.0%`, `switch_case RPR-1`.
    pub(crate) fn labels(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|entry| {
                let mut label = entry.action_type.as_str().to_string();
                for choice in &entry.choices {
                    let part = match choice {
                        Choice::Case(case) => self.cases[*case].clone(),
                        Choice::Refund(level) => format!(
                            "{:.1}% of the order value",
                            f64::from(*level) * 100.0 / f64::from(self.levels)
                        ),
                        Choice::Expedite(true) => "expedite".to_string(),
                        Choice::Expedite(false) => "standard".to_string(),
                        Choice::Reason(reason) => reason.as_str().to_string(),
                        Choice::Note(note) => self.notes[*note].clone(),
                    };
                    label.push(' ');
                    label.push_str(&part);
                }
                label
            })
            .collect()
    }

    /// The note codes of `add_internal_note` entries, in table order.
    pub(crate) fn notes(&self) -> &[String] {
        &self.notes
    }
}
