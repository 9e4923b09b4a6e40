//! `shopops check --prove`: compiles the checked scenarios, proves each over the seeds (see
//! [`crate::prove`]) and tabulates the score bands.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};

use super::check::ProveOptions;
use super::progress_bar;
use crate::check::Report;
use crate::prove::{Proof, TRIVIAL, prove_report};
use crate::trajectory::{Agent, AgentKind, Status, record_actions, write_line};

/// Proves the `scenarios` of a clean `report` as `options` say (see [`prove_report`]), with a
/// progress bar on a terminal; timing goes to stderr.
pub(super) fn prove(
    report: &mut Report,
    scenarios: usize,
    options: &ProveOptions,
) -> Result<Vec<Proof>, String> {
    let seeds = &options.seeds;
    let count = seeds.end.saturating_sub(seeds.start);
    let progress =
        progress_bar(count * scenarios as u64, "{bar:40} {pos}/{len} seeds ({eta}) {msg}");
    let started = Instant::now();
    let proofs = prove_report(report, seeds.clone(), options.search, &|id| {
        progress.set_message(id.to_string());
        progress.inc(1);
    });
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let nodes: u64 = proofs.iter().map(Proof::nodes).sum();
    let runs = proofs.iter().map(|p| p.seeds.len()).sum::<usize>().max(1) as f64;
    eprintln!(
        "proved {} scenario(s) × {count} seed(s) in {seconds:.1} s: {:.2} s per scenario-seed, \
         {:.0}k search steps/s",
        proofs.len(),
        seconds / runs,
        nodes as f64 / seconds.max(1e-9) / 1e3,
    );
    if let Some(dir) = &options.emit_solutions {
        emit_solutions(&proofs, dir)?;
    }
    Ok(proofs)
}

/// Writes every seed's best play as a trajectory of the oracle, one file per scenario:
/// `dir/<task>.jsonl`.
fn emit_solutions(proofs: &[Proof], dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let agent = Agent { kind: AgentKind::Policy, name: "oracle".into() };
    for proof in proofs {
        let path = dir.join(format!("{}.jsonl", proof.task));
        let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
        let mut out = BufWriter::new(File::create(&path).map_err(failed)?);
        for seed in &proof.seeds {
            let id = format!("prove-{}", seed.seed);
            let (recorder, _) =
                record_actions(&proof.machine, agent.clone(), 1, seed.seed, id, &seed.actions);
            let trajectory = recorder.finish(Status::Finished, "the oracle's play");
            write_line(&mut out, &trajectory).map_err(failed)?;
        }
        out.flush().map_err(failed)?;
    }
    eprintln!("wrote the best plays to {}", dir.display());
    Ok(())
}

/// The score bands: the oracle's mean and worst grade, the seeds it proved optimal and the
/// lowest proven upper bound, the rule policy's mean, and each trivial policy's bound (mean
/// for `random`, worst seed for the others).
pub(super) fn table(proofs: &[Proof]) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    let mut header: Vec<String> =
        ["task", "tier", "seeds", "oracle", "oracle min", "optimal", "bound min", "rule"]
            .map(String::from)
            .into();
    header.extend(
        TRIVIAL.iter().map(|t| if *t == "random" { t.to_string() } else { format!("{t} max") }),
    );
    table.set_header(header);
    for proof in proofs {
        let number = |x: f64| Cell::new(format!("{x:.4}")).set_alignment(CellAlignment::Right);
        let mut row = vec![
            Cell::new(&proof.task),
            Cell::new(&proof.difficulty),
            Cell::new(proof.seeds.len()).set_alignment(CellAlignment::Right),
            number(proof.mean(|s| s.oracle)),
            number(proof.highest(|s| -s.oracle).map_or(0.0, |s| s.oracle)),
            Cell::new(proof.seeds.iter().filter(|s| s.optimal()).count())
                .set_alignment(CellAlignment::Right),
            number(proof.highest(|s| -s.upper_bound).map_or(0.0, |s| s.upper_bound)),
            number(proof.mean(|s| s.baseline("rule"))),
        ];
        row.extend(TRIVIAL.iter().map(|&name| number(proof.trivial_score(name).0)));
        table.add_row(row);
    }
    format!("{table}\n")
}
