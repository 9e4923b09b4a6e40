//! Each declared action's validation rules, specialised to it. In a rule's condition, what the
//! action fixes (`action`, `resolving`, `payout`) is replaced by its value for that action and
//! the condition simplified: `action != switch_case and status == closed` is `status == closed`
//! for every action but `switch_case`, and a rule that cannot hold for an action (`action ==
//! issue_refund and …` for any other) is left out of its list. Exact: the first rule of an
//! action's list that holds is the first of all the rules that holds, so a step evaluates only
//! its action's list, each condition with less left to evaluate.

use super::ir::{Builtin, Expr, Scalar};
use super::machine::{ActionRule, CompiledAction, CompiledReject};
use crate::lang::BinaryOp;

/// Per declared action, the rules that may refuse it, in rule order, specialised to it.
pub(super) fn rejects_by_action(
    actions: &[CompiledAction],
    rejects: &[CompiledReject],
) -> Vec<Vec<ActionRule>> {
    actions
        .iter()
        .map(|action| {
            let specialised = rejects
                .iter()
                .enumerate()
                .map(|(rule, reject)| ActionRule { rule, when: condition(&reject.when, action) });
            specialised.filter(|r| known(&r.when) != Some(false)).collect()
        })
        .collect()
}

/// `ex` for `action`, read as a condition: only whether it is `true` matters, so a known side
/// of `and` or `or` either decides it or drops out.
fn condition(ex: &Expr, action: &CompiledAction) -> Expr {
    match ex {
        Expr::Binary(op @ (BinaryOp::And | BinaryOp::Or), a, b) => {
            let (a, b) = (condition(a, action), condition(b, action));
            // `false` decides an `and`, `true` an `or`; the other value leaves the other side.
            let decisive = *op == BinaryOp::Or;
            match (known(&a), known(&b)) {
                (x, y) if x == Some(decisive) || y == Some(decisive) => flag(decisive),
                (Some(_), _) => b,
                (_, Some(_)) => a,
                (None, None) => Expr::Binary(*op, Box::new(a), Box::new(b)),
            }
        }
        Expr::Not(e) => {
            let e = condition(e, action);
            known(&e).map_or_else(|| Expr::Not(Box::new(e)), |held| flag(!held))
        }
        other => value(other, action),
    }
}

/// `ex` with `action`'s values in place, and comparisons of two names decided.
fn value(ex: &Expr, action: &CompiledAction) -> Expr {
    let inner = |e: &Expr| Box::new(value(e, action));
    match ex {
        Expr::Get(Builtin::Action) => Expr::Const(Scalar::Sym(action.name)),
        Expr::Get(Builtin::Resolving) => flag(action.resolving),
        // What a rule's frame reads as `payout`: the action's payout, evaluated in place.
        Expr::Get(Builtin::Payout) => {
            action.payout.as_ref().map_or(Expr::Const(Scalar::Int(0)), |p| value(p, action))
        }
        Expr::Binary(op @ (BinaryOp::Eq | BinaryOp::Ne), a, b) => {
            let (a, b) = (value(a, action), value(b, action));
            match (&a, &b) {
                (Expr::Const(Scalar::Sym(x)), Expr::Const(Scalar::Sym(y))) => {
                    flag((x == y) == (*op == BinaryOp::Eq))
                }
                _ => Expr::Binary(*op, Box::new(a), Box::new(b)),
            }
        }
        Expr::Binary(op, a, b) => Expr::Binary(*op, inner(a), inner(b)),
        Expr::Not(e) => Expr::Not(inner(e)),
        Expr::Neg(e) => Expr::Neg(inner(e)),
        Expr::If(parts) => Expr::If(Box::new(parts.each_ref().map(|p| value(p, action)))),
        Expr::Call(f, args) => Expr::Call(*f, args.iter().map(|a| value(a, action)).collect()),
        Expr::Const(_)
        | Expr::Get(_)
        | Expr::Wire(_)
        | Expr::Case(_)
        | Expr::Param(_)
        | Expr::ResponseStatus(_) => ex.clone(),
    }
}

/// Whether a constant condition holds (`None` when `ex` is not a constant).
fn known(ex: &Expr) -> Option<bool> {
    match ex {
        Expr::Const(v) => Some(v.truthy()),
        _ => None,
    }
}

fn flag(held: bool) -> Expr {
    Expr::Const(Scalar::Bool(held))
}
