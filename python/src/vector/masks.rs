//! Which validation rules an action mask must evaluate for each entry of the action table,
//! read off the rules' conditions once per scenario:
//!
//! - only the rules that may refuse the entry's action ([`Machine::rejects_of`]: a rule whose
//!   condition is a conjunction with `action == X` can refuse no other action);
//! - a rule that reads none of an action's parameters (no request field it takes, no
//!   `payout`) says the same for every entry of that action, so it is evaluated once per
//!   action, not once per entry.
//!
//! Both are exact: the mask is what the step's validation would say, entry by entry.

use shopops::engine::Machine;
use shopops::engine::ir::{Builtin, Expr};
use shopops::lang::WireField;

/// Per declared action (index into [`Machine::actions`]), the rules that may refuse it, split
/// by whether their verdict can differ between the action's entries.
#[derive(Debug)]
pub(crate) struct MaskPlan {
    /// Rules whose verdict is the same for every entry of the action.
    pub(crate) fixed: Vec<Vec<usize>>,
    /// Rules that read one of the action's parameters.
    pub(crate) varying: Vec<Vec<usize>>,
}

impl MaskPlan {
    /// The plan of `m`'s rules.
    pub(crate) fn new(m: &Machine) -> Self {
        let n = m.actions.len();
        let (mut fixed, mut varying) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        let params: Vec<Vec<String>> = m
            .actions
            .iter()
            .map(|a| {
                let name = m.symbols.name(a.name);
                let decl = m.scenario.program.actions.get(name);
                decl.map_or_else(Vec::new, |d| {
                    d.params.iter().map(|p| p.name.name.clone()).collect()
                })
            })
            .collect();
        let reads: Vec<Reads> = m.rejects.iter().map(|rule| Reads::of(&rule.when)).collect();
        for (a, rules) in m.rejects_of.iter().enumerate() {
            for &r in rules {
                let depends = reads[r].payout
                    || reads[r].fields.iter().any(|f| params[a].iter().any(|p| p == f.name()));
                if depends { &mut varying[a] } else { &mut fixed[a] }.push(r);
            }
        }
        MaskPlan { fixed, varying }
    }
}

/// What of the request a condition reads.
#[derive(Default)]
struct Reads {
    fields: Vec<WireField>,
    /// `payout`, which reads the action's parameters through its payout expression.
    payout: bool,
}

impl Reads {
    fn of(ex: &Expr) -> Self {
        let mut reads = Reads::default();
        reads.walk(ex);
        reads
    }

    fn walk(&mut self, ex: &Expr) {
        match ex {
            Expr::Wire(field) => self.fields.push(*field),
            Expr::Get(Builtin::Payout) => self.payout = true,
            Expr::Not(e) | Expr::Neg(e) => self.walk(e),
            Expr::Binary(_, a, b) => {
                self.walk(a);
                self.walk(b);
            }
            Expr::If(parts) => parts.iter().for_each(|e| self.walk(e)),
            Expr::Call(_, args) => args.iter().for_each(|e| self.walk(e)),
            Expr::Const(_)
            | Expr::Get(_)
            | Expr::Case(_)
            | Expr::Param(_)
            | Expr::ResponseStatus(_) => {}
        }
    }
}
