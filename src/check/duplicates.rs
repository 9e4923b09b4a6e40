//! Scenario ids are unique across the checked files (`SHOP020`): two files declaring one id
//! (a task copied to a new name, say) would both claim the same task on the wire.

use super::Checked;
use crate::diag::{Code, Diagnostic};
use crate::syntax::ast::Ident;

/// Reports every scenario whose id an earlier file (in path order) already declares, labelled
/// with that first declaration, and marks every file of such an id as failing: none of them is
/// served in a new version until the ids differ.
pub(super) fn check_scenario_ids(checked: &mut [Checked], diagnostics: &mut Vec<Diagnostic>) {
    let ids: Vec<Option<Ident>> =
        checked.iter().map(|c| c.program.scenario.as_ref().map(|s| s.id.clone())).collect();
    for (later, id) in ids.iter().enumerate() {
        let Some(id) = id else { continue };
        let first = ids[..later].iter().enumerate().find_map(|(index, other)| {
            other.as_ref().filter(|other| other.name == id.name).map(|other| (index, other))
        });
        let Some((first, first_id)) = first else { continue };
        diagnostics.push(
            Diagnostic::new(
                Code::DuplicateScenario,
                id.span,
                format!("scenario `{}` is declared by two files", id.name),
            )
            .label("declared again here")
            .with_label(first_id.span, "first declared here")
            .help("give one of them another id (a task's id is its name on the wire)"),
        );
        checked[first].has_errors = true;
        checked[later].has_errors = true;
    }
}
