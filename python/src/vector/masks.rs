//! Which validation rules an action mask must evaluate for each entry of the action table,
//! read off the rules' conditions once per scenario:
//!
//! - only the rules that may refuse the entry's action, as specialised to it
//!   ([`Machine::rejects_of`]: a rule whose condition is a conjunction with `action == X` can
//!   refuse no other action, and `action`, `resolving` and `payout` are the action's own);
//! - a rule that reads none of an action's parameters says the same for every entry of that
//!   action, so it is evaluated once per action, not once per entry.
//!
//! Both are exact: the mask is what the step's validation would say, entry by entry.

use shopops::engine::Machine;
use shopops::engine::ir::Expr;
use shopops::lang::WireField;

/// Per declared action (index into [`Machine::actions`]), the conditions of the rules that may
/// refuse it, split by whether their verdict can differ between the action's entries.
#[derive(Debug)]
pub(crate) struct MaskPlan {
    /// Conditions whose verdict is the same for every entry of the action.
    pub(crate) fixed: Vec<Vec<Expr>>,
    /// Conditions that read one of the action's parameters.
    pub(crate) varying: Vec<Vec<Expr>>,
}

impl MaskPlan {
    /// The plan of `m`'s rules.
    pub(crate) fn new(m: &Machine) -> Self {
        let n = m.actions.len();
        let (mut fixed, mut varying) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for (a, rules) in m.rejects_of.iter().enumerate() {
            let name = m.symbols.name(m.actions[a].name);
            let params: Vec<&str> =
                m.scenario.program.actions.get(name).map_or_else(Vec::new, |d| {
                    d.params.iter().map(|p| p.name.name.as_str()).collect()
                });
            for rule in rules {
                let depends = reads(&rule.when).iter().any(|f| params.contains(&f.name()));
                if depends { &mut varying[a] } else { &mut fixed[a] }.push(rule.when.clone());
            }
        }
        MaskPlan { fixed, varying }
    }
}

/// The request fields a condition reads.
fn reads(ex: &Expr) -> Vec<WireField> {
    let mut fields = Vec::new();
    walk(ex, &mut fields);
    fields
}

fn walk(ex: &Expr, fields: &mut Vec<WireField>) {
    match ex {
        Expr::Wire(field) => fields.push(*field),
        Expr::Not(e) | Expr::Neg(e) => walk(e, fields),
        Expr::Binary(_, a, b) => {
            walk(a, fields);
            walk(b, fields);
        }
        Expr::If(parts) => parts.iter().for_each(|e| walk(e, fields)),
        Expr::Call(_, args) => args.iter().for_each(|e| walk(e, fields)),
        Expr::Const(_)
        | Expr::Get(_)
        | Expr::Case(_)
        | Expr::Param(_)
        | Expr::ResponseStatus(_) => {}
    }
}
