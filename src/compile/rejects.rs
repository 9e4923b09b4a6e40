//! Which validation rules can refuse which declared action, read off the rules' conditions: a
//! rule whose condition is a conjunction with `action == X` (or `action != X`) can refuse no
//! action but X (or every action but X). Exact: the first rule of an action's list that holds
//! is the first of all the rules that holds, so a step evaluates only its action's list.

use super::ir::{Builtin, Expr, Scalar};
use super::machine::{CompiledAction, CompiledReject};
use crate::lang::BinaryOp;

/// Per declared action, the indices of the rules that may refuse it, in rule order.
pub(super) fn rejects_by_action(
    actions: &[CompiledAction],
    rejects: &[CompiledReject],
) -> Vec<Vec<usize>> {
    let admitted: Vec<Option<Vec<bool>>> =
        rejects.iter().map(|rule| admitted(actions, &rule.when)).collect();
    (0..actions.len())
        .map(|a| {
            let may_refuse = |r: &usize| admitted[*r].as_ref().is_none_or(|set| set[a]);
            (0..rejects.len()).filter(may_refuse).collect()
        })
        .collect()
}

/// The actions for which `when` can hold (one flag per declared action), `None` for all.
fn admitted(actions: &[CompiledAction], when: &Expr) -> Option<Vec<bool>> {
    match when {
        Expr::Binary(BinaryOp::And, a, b) => match (admitted(actions, a), admitted(actions, b)) {
            (Some(x), Some(y)) => Some(x.iter().zip(&y).map(|(p, q)| *p && *q).collect()),
            (x, None) => x,
            (None, y) => y,
        },
        Expr::Binary(op @ (BinaryOp::Eq | BinaryOp::Ne), a, b) => {
            let name = match (&**a, &**b) {
                (Expr::Get(Builtin::Action), Expr::Const(Scalar::Sym(s)))
                | (Expr::Const(Scalar::Sym(s)), Expr::Get(Builtin::Action)) => *s,
                _ => return None,
            };
            let equal = *op == BinaryOp::Eq;
            Some(actions.iter().map(|action| (action.name == name) == equal).collect())
        }
        _ => None,
    }
}
