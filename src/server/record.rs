//! `serve --record DIR`: every episode the server plays, over any transport, written as a
//! trajectory (docs/evaluating.md). A running episode keeps only its actions; when it ends, or
//! is dropped unfinished (reset over, disconnected, evicted, expired), a writer thread replays
//! them on the episode's own scenario version into the full trajectory and appends it to
//! rotating files. Nothing on the request path waits for the disk.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::engine::{Game, Machine, StepError};
use crate::trajectory::{Agent, AgentKind, Status, now_rfc3339, record_actions, write_line};
use crate::wire::Action;

/// Finished or dropped episodes waiting for the writer; beyond it, episodes are not recorded
/// (and counted), so a slow disk never holds up play or grows memory.
const QUEUE: usize = 1024;

/// The transport an episode was played over (the recorded agent's name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    /// `POST /reset`, `/step`.
    Http,
    /// `/ws` sessions.
    WebSocket,
    /// MCP sessions and calls (over `POST /mcp` or a WebSocket's `mcp` messages).
    Mcp,
}

impl Transport {
    fn name(self) -> &'static str {
        match self {
            Transport::Http => "http",
            Transport::WebSocket => "websocket",
            Transport::Mcp => "mcp",
        }
    }
}

/// Where and how much to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordOptions {
    /// The directory of the recording files (created if missing).
    pub dir: PathBuf,
    /// A file is closed and a new one started past this many bytes.
    pub file_bytes: u64,
    /// Files this server keeps; past it, its oldest file is deleted.
    pub max_files: usize,
}

/// An episode to write: what replays it, and how it ended.
struct Tape {
    machine: Arc<Machine>,
    seed: u64,
    episode_id: String,
    transport: Transport,
    actions: Vec<Action>,
    started_at: String,
}

/// The recorder of a server: a bounded queue to a writer thread.
#[derive(Debug)]
pub struct Recording {
    queue: Mutex<Option<SyncSender<Tape>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    dropped: AtomicU64,
}

impl Recording {
    /// Starts recording into `options.dir`.
    pub fn start(options: RecordOptions) -> std::io::Result<Arc<Self>> {
        std::fs::create_dir_all(&options.dir)?;
        let (sender, receiver) = sync_channel(QUEUE);
        let files = Files::new(options);
        let writer = std::thread::Builder::new()
            .name("shopops-record".into())
            .spawn(move || write_all(&receiver, files))?;
        Ok(Arc::new(Recording {
            queue: Mutex::new(Some(sender)),
            writer: Mutex::new(Some(writer)),
            dropped: AtomicU64::new(0),
        }))
    }

    /// Writes what is queued and stops the writer (at shutdown).
    pub fn finish(&self) {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(writer) = self.writer.lock().unwrap_or_else(PoisonError::into_inner).take() {
            let _ = writer.join();
        }
        let dropped = self.dropped.load(Ordering::Relaxed);
        if dropped > 0 {
            eprintln!("record: {dropped} episodes not recorded (the writer fell behind)");
        }
    }

    fn submit(&self, tape: Tape) {
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let sent = queue.as_ref().map(|q| q.try_send(tape));
        if let Some(Err(TrySendError::Full(_) | TrySendError::Disconnected(_))) = sent {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A game played on the server, with its recording when the server records. Reads through to
/// the game; steps record the action. Dropped unfinished, it is recorded as abandoned.
#[derive(Debug)]
pub struct LiveGame {
    game: Game,
    tape: Option<(Arc<Recording>, Tape)>,
}

impl std::fmt::Debug for Tape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tape({} actions)", self.actions.len())
    }
}

impl LiveGame {
    /// `game`, recorded into `recording` (if any) as played over `transport`.
    pub(crate) fn new(
        game: Game,
        recording: Option<&Arc<Recording>>,
        transport: Transport,
    ) -> Self {
        let tape = recording.map(|recording| {
            let tape = Tape {
                machine: game.machine().clone(),
                seed: game.episode().world.seed,
                episode_id: game.episode().world.episode_id.clone(),
                transport,
                actions: Vec::new(),
                started_at: now_rfc3339(),
            };
            (recording.clone(), tape)
        });
        LiveGame { game, tape }
    }

    /// Takes a step (read its observation with [`Game::observed`]); the episode is written
    /// once it ends.
    pub fn step(&mut self, action: &Action) -> Result<(), StepError> {
        self.game.advance(action)?;
        if let Some((_, tape)) = &mut self.tape {
            let mut action = action.clone();
            action.metadata.clear();
            tape.actions.push(action);
        }
        if self.game.done() {
            self.submit();
        }
        Ok(())
    }

    /// An estimate of the heap bytes held: the game's and the recorded actions'.
    pub(crate) fn footprint(&self) -> usize {
        let actions = self.tape.as_ref().map_or(0, |(_, tape)| {
            tape.actions.capacity() * std::mem::size_of::<Action>()
                + tape.actions.iter().map(action_heap).sum::<usize>()
        });
        self.game.footprint() + actions
    }

    fn submit(&mut self) {
        if let Some((recording, tape)) = self.tape.take().filter(|(_, t)| !t.actions.is_empty()) {
            recording.submit(tape);
        }
    }
}

/// The heap bytes of an action's strings (its metadata is never kept).
fn action_heap(action: &Action) -> usize {
    action.case_id.as_ref().map_or(0, String::capacity)
        + action.note_code.as_ref().map_or(0, String::capacity)
}

impl Deref for LiveGame {
    type Target = Game;

    fn deref(&self) -> &Game {
        &self.game
    }
}

impl Drop for LiveGame {
    fn drop(&mut self) {
        self.submit();
    }
}

/// The writer thread: replays each tape into its trajectory and appends it.
fn write_all(queue: &Receiver<Tape>, mut files: Files) {
    for tape in queue {
        let agent = Agent { kind: AgentKind::Client, name: tape.transport.name().into() };
        let (recorder, _) =
            record_actions(&tape.machine, agent, 0, tape.seed, tape.episode_id, &tape.actions);
        let mut trajectory = recorder.finish(
            Status::Abandoned,
            "the client left the episode unfinished (reset, disconnected, or evicted)",
        );
        trajectory.started_at = tape.started_at;
        if let Err(error) = files.append(&trajectory) {
            eprintln!("record: cannot write {}: {error}", files.options.dir.display());
        }
    }
}

/// The recording files: `shopops-<start>-<pid>-<n>.jsonl`, rotated by size, the oldest of
/// this server's deleted past the limit.
struct Files {
    options: RecordOptions,
    prefix: String,
    /// This server's files, oldest first.
    written: std::collections::VecDeque<PathBuf>,
    /// Files started so far (numbers the next one).
    started: usize,
    current: Option<(BufWriter<File>, u64)>,
}

impl Files {
    fn new(options: RecordOptions) -> Self {
        let started = now_rfc3339().replace(':', "");
        Files {
            prefix: format!("shopops-{started}-{}", std::process::id()),
            options,
            written: Default::default(),
            started: 0,
            current: None,
        }
    }

    fn append(&mut self, trajectory: &crate::trajectory::Trajectory) -> std::io::Result<()> {
        let full =
            self.current.as_ref().is_some_and(|(_, bytes)| *bytes >= self.options.file_bytes);
        if full || self.current.is_none() {
            self.rotate()?;
        }
        let Some((file, bytes)) = &mut self.current else { return Ok(()) };
        let mut line = Vec::new();
        write_line(&mut line, trajectory)?;
        file.write_all(&line)?;
        file.flush()?;
        *bytes += line.len() as u64;
        Ok(())
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        self.started += 1;
        let path = self.options.dir.join(format!("{}-{:04}.jsonl", self.prefix, self.started));
        let file = OpenOptions::new().create_new(true).append(true).open(&path)?;
        self.written.push_back(path);
        while self.written.len() > self.options.max_files.max(1) {
            if let Some(oldest) = self.written.pop_front() {
                remove(&oldest);
            }
        }
        self.current = Some((BufWriter::new(file), 0));
        Ok(())
    }
}

fn remove(path: &Path) {
    if let Err(error) = std::fs::remove_file(path) {
        eprintln!("record: cannot remove {}: {error}", path.display());
    }
}
