//! Where the work of `POST /check` runs. `shopops serve` runs each check in a child process of
//! its own binary (`shopops check-job`): a check given up on (its request timed out, its client
//! gone) is killed with it, and all the memory a check took goes back to the system when the
//! child exits. The library's default runs it on the blocking pool, in process (tests, fuzzing).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::OwnedSemaphorePermit;

use crate::check::check_sources;
use crate::diag::to_json;
use crate::source::{SourceMap, normalize};

/// Diagnostics a `POST /check` answer lists at most (the first, in report order).
const MAX_LISTED_DIAGNOSTICS: usize = 100;

/// Bytes of listed diagnostics a `POST /check` answer holds at most.
const MAX_CHECK_ANSWER_BYTES: usize = 256 << 10;

/// The subcommand of the server's binary that runs one check job.
pub const CHECK_JOB_COMMAND: &str = "check-job";

/// How a server runs its checks.
#[derive(Clone, Debug, Default)]
pub enum Checker {
    /// On the blocking pool of the server's runtime.
    #[default]
    InProcess,
    /// In a child process: this binary, run with [`CHECK_JOB_COMMAND`].
    Subprocess(PathBuf),
}

/// One check: validated text and the directory it is checked in.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CheckJob {
    /// The served directory the text is checked in.
    pub(crate) base: PathBuf,
    /// The scenario's file name, without `.shop`.
    pub(crate) name: String,
    /// The scenario text.
    pub(crate) source: String,
    /// The case data, if sent.
    pub(crate) data: Option<String>,
}

/// What a check found: the JSON array of the diagnostics listed, and how many there are.
#[derive(Debug)]
pub(crate) struct CheckAnswer {
    pub(crate) listed: String,
    pub(crate) total: usize,
}

impl Checker {
    /// Runs `job`, holding `permit` until it is done (or killed).
    pub(crate) async fn check(
        &self,
        job: CheckJob,
        permit: Arc<OwnedSemaphorePermit>,
    ) -> Result<CheckAnswer, String> {
        match self {
            Checker::InProcess => tokio::task::spawn_blocking(move || {
                let answer = job.run();
                drop(permit);
                answer
            })
            .await
            .map_err(|error| error.to_string()),
            Checker::Subprocess(binary) => {
                let answer = in_child(binary, &job).await;
                drop(permit);
                answer
            }
        }
    }
}

/// Runs `job` in a child process; the child is killed if this future is dropped.
async fn in_child(binary: &Path, job: &CheckJob) -> Result<CheckAnswer, String> {
    let mut child = tokio::process::Command::new(binary)
        .arg(CHECK_JOB_COMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| format!("cannot start the checker: {error}"))?;
    let input = serde_json::to_vec(job).map_err(|error| error.to_string())?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let write = async move {
        let written = stdin.write_all(&input).await;
        drop(stdin);
        written
    };
    let mut output = Vec::new();
    let mut limited = stdout.take(MAX_CHECK_ANSWER_BYTES as u64 + 64);
    let (written, read) = tokio::join!(write, limited.read_to_end(&mut output));
    written.and(read).map_err(|error| format!("the checker's pipe failed: {error}"))?;
    let status = child.wait().await.map_err(|error| error.to_string())?;
    if !status.success() {
        return Err(format!("the checker ended with {status}"));
    }
    decode(&output).ok_or_else(|| "the checker's answer is malformed".to_string())
}

/// `<total>\n<listed>`, as [`run_check_job`] writes it.
fn decode(output: &[u8]) -> Option<CheckAnswer> {
    let text = std::str::from_utf8(output).ok()?;
    let (total, listed) = text.split_once('\n')?;
    Some(CheckAnswer { listed: listed.to_string(), total: total.parse().ok()? })
}

/// The child's side (`shopops check-job`): reads a job as JSON from `input`, checks it and
/// writes `<total>\n<listed>` to `output`.
pub fn run_check_job(mut input: impl Read, mut output: impl Write) -> Result<(), String> {
    let mut text = String::new();
    input.read_to_string(&mut text).map_err(|error| error.to_string())?;
    let job: CheckJob = serde_json::from_str(&text).map_err(|error| error.to_string())?;
    let answer = job.run();
    write!(output, "{}\n{}", answer.total, answer.listed).map_err(|error| error.to_string())
}

impl CheckJob {
    /// Checks the text in memory below `base`. The data is taken to be the file the
    /// scenario's `cases "PATH"` names (else `data/<name>.yaml`). Lists the first
    /// [`MAX_LISTED_DIAGNOSTICS`] diagnostics, fewer when they would pass
    /// [`MAX_CHECK_ANSWER_BYTES`].
    pub(crate) fn run(self) -> CheckAnswer {
        let base = self.base;
        let mut sources = SourceMap::confined(&base);
        let data_path = cases_path(&self.source).map_or_else(
            || base.join("data").join(format!("{}.yaml", self.name)),
            |p| base.join(p),
        );
        let root = sources.add(base.join(format!("{}.shop", self.name)), self.source);
        if let Some(data) = self.data {
            sources.add(normalize(&data_path), data);
        }
        let report = check_sources(sources, &[root]);
        let first = &report.diagnostics[..report.diagnostics.len().min(MAX_LISTED_DIAGNOSTICS)];
        let mut listed = String::from("[");
        for diagnostic in to_json(first, &report.sources) {
            let text = serde_json::to_string(&diagnostic).unwrap_or_default();
            if listed.len() + text.len() + 2 > MAX_CHECK_ANSWER_BYTES {
                break;
            }
            if listed.len() > 1 {
                listed.push(',');
            }
            listed.push_str(&text);
        }
        listed.push(']');
        CheckAnswer { listed, total: report.diagnostics.len() }
    }
}

/// The path in a scenario's `cases "PATH"` line, if it has one.
fn cases_path(source: &str) -> Option<&str> {
    source.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("cases")?.trim_start();
        rest.strip_prefix('"')?.split('"').next()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_round_trips_through_the_child_protocol() {
        let job = CheckJob {
            base: PathBuf::from("/nonexistent"),
            name: "draft".into(),
            source: "chek order\n".into(),
            data: None,
        };
        let mut output = Vec::new();
        run_check_job(serde_json::to_vec(&job).unwrap().as_slice(), &mut output).unwrap();
        let answer = decode(&output).expect("an answer");
        assert_eq!(answer.total, 1);
        let listed: serde_json::Value = serde_json::from_str(&answer.listed).unwrap();
        assert_eq!(listed[0]["code"], "SHOP002", "{listed}");
    }
}
