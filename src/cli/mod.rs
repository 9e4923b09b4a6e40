//! The command-line interface: `check`, `explain`, `dump`, `run`, `eval`, `view`, `replay`,
//! `export`, `serve`.

#[cfg(feature = "agent")]
mod agent;
mod check;
mod dump;
mod eval;
mod explain;
mod export;
mod prove;
mod replay;
mod results;
mod run;
mod scenarios;
#[cfg(feature = "server")]
mod serve;
mod summary;
mod transcript;
mod view;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diag::Format;

/// Exit code for usage and I/O errors.
const USAGE_ERROR: u8 = 2;

/// ShopOps: an online shop's operations desk as an RL environment, built from scenario files.
#[derive(Debug, Parser)]
#[command(name = "shopops", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check scenario files and directories (recursively, `*.shop`) and report every problem.
    Check {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Fail on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Check again on every change to a `.shop` or YAML file (Ctrl-C to stop).
        #[cfg(feature = "watch")]
        #[arg(long)]
        watch: bool,
        /// Also prove every scenario sound: solvable by the oracle, not scored by trivial
        /// policies, not farmable, every weighted component and blocker reached.
        #[arg(long)]
        prove: bool,
        /// Seeds per scenario for `--prove`.
        #[arg(long, default_value_t = 5, requires = "prove")]
        seeds: u64,
        /// First seed for `--prove`.
        #[arg(long, default_value_t = 1, requires = "prove")]
        seed_base: u64,
        /// Steps the oracle's exact search may simulate per seed before it settles for a bound.
        #[arg(long, default_value_t = crate::oracle::DEFAULT_BUDGET, requires = "prove")]
        budget: u64,
        /// Write each seed's best play as a trajectory to DIR/<task>.jsonl (`shopops replay`
        /// plays it back).
        #[arg(long, value_name = "DIR", requires = "prove")]
        emit_solutions: Option<PathBuf>,
    },
    /// Explain a diagnostic code, e.g. `shopops explain SHOP004`.
    Explain {
        /// The code (`SHOP004`, `shop4` or `4`).
        code: String,
    },
    /// Play one episode: a transcript with `--policy`, else JSON actions in, observations out.
    Run {
        /// A scenario file.
        scenario: PathBuf,
        /// Episode seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Play a seed of this split instead (the scenario's `split NAME SEEDS`).
        #[arg(long, conflicts_with = "seed")]
        split: Option<String>,
        /// Which seed of the split, from 0 (default 0).
        #[arg(long, requires = "split")]
        index: Option<u64>,
        /// A policy: rule, random, noop, close_all, pay_all, oracle.
        #[arg(long)]
        policy: Option<String>,
    },
    /// Evaluate an agent over tasks × seeds × trials: mean grade, pass^k, recorded trajectories.
    Eval(eval::EvalArgs),
    /// Read results files back: summary and failures, failed episodes, transcripts, HTML report.
    View(view::ViewArgs),
    /// Replay recorded trajectories: check them bit for bit, re-grade them, fork a what-if.
    Replay(replay::ReplayArgs),
    /// Write recorded episodes (a results file) as chat transcripts for fine-tuning.
    Export(export::ExportArgs),
    /// Print the compiled scenario (JSON or RON) or its dependency graph (DOT).
    Dump {
        /// A scenario file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: dump::DumpFormat,
    },
    /// Serve the scenarios as an OpenEnv environment (HTTP, WebSocket, MCP).
    #[cfg(feature = "server")]
    Serve(serve::ServeArgs),
    /// Internal: run one `POST /check` job for `serve` (JSON on stdin, answer on stdout).
    #[cfg(feature = "server")]
    #[command(name = crate::server::CHECK_JOB_COMMAND, hide = true)]
    CheckJob,
}

/// Runs the command line and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { USAGE_ERROR } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        Command::Check {
            paths,
            format,
            deny_warnings,
            #[cfg(feature = "watch")]
            watch,
            prove,
            seeds,
            seed_base,
            budget,
            emit_solutions,
        } => {
            if prove && seeds == 0 {
                eprintln!("error: --seeds must be at least 1");
                return ExitCode::from(USAGE_ERROR);
            }
            let prove = prove.then(|| check::ProveOptions {
                seeds: seed_base..seed_base.saturating_add(seeds),
                search: crate::oracle::SearchOptions { budget, ..Default::default() },
                emit_solutions,
            });
            let options = check::CheckOptions { format, deny_warnings, prove };
            #[cfg(feature = "watch")]
            let check = if watch { check::watch } else { check::run };
            #[cfg(not(feature = "watch"))]
            let check = check::run;
            check(&paths, &options)
        }
        Command::Explain { code } => explain::run(&code),
        Command::Dump { file, format } => dump::run(&file, format),
        Command::Run { scenario, seed, split, index, policy } => {
            let split = split.map(|name| (name, index.unwrap_or(0)));
            run::run(scenario, seed, split, policy.as_deref())
        }
        Command::Eval(args) => eval::run(args),
        Command::View(args) => view::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Export(args) => export::run(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run(args),
        #[cfg(feature = "server")]
        Command::CheckJob => {
            crate::server::run_check_job(std::io::stdin().lock(), std::io::stdout().lock())
                .map(|()| 0)
        }
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(USAGE_ERROR)
        }
    }
}

/// Whether to colour output written to stdout: only on a terminal, never with `NO_COLOR`.
fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Writes to stdout; a closed pipe (`shopops check | head`) is not an error.
fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}

/// A progress bar on stderr drawn with `template`, hidden unless stderr is a terminal.
fn progress_bar(total: u64, template: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressStyle};
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// Width to wrap reports at.
fn width() -> usize {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|w| *w >= 40).unwrap_or(100)
}
