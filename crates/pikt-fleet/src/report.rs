//! What a host answers: a [`Report`] of everything its side did (or would
//! do, in a dry run), sent back to the master in a frame with the magic
//! [`crate::frame::REPORT_MAGIC`]. The master turns reports into text
//! ([`crate::render`]); a report never holds text meant for a terminal
//! except command output and piktd status, which are the host's own.

use serde::{Deserialize, Serialize};

use crate::frame::Payload;
use crate::plan::DaemonAction;

/// One host's answer to one bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The host that answered (its own name).
    pub host: String,
    /// Set when the bundle was refused: nothing was done.
    pub refused: Option<String>,
    /// It was a dry run: nothing was changed.
    pub dry_run: bool,
    /// The plan was made for other directories than this host's: its own
    /// (`piktdir`, `bindir`, ... with their paths); nothing was done.
    pub layout: Vec<(String, String)>,
    /// The version of pikt answering.
    pub version: String,
    /// Directories made (or that would be), bootstrapping.
    pub dirs: Vec<String>,
    /// The files installed (or that would be).
    pub files: Vec<FileResult>,
    /// Backups written (or that would be).
    pub backups: Vec<String>,
    /// The files restored from backups.
    pub restored: Vec<FileResult>,
    /// What became of piktd.conf.
    pub piktd: Option<PiktdResult>,
    /// Files deleted.
    pub removals: Vec<RemovalResult>,
    /// Files read back.
    pub reads: Vec<ReadResult>,
    /// piktd's state, as `piktc -s` shows it.
    pub status: Option<StatusResult>,
    /// Commands run.
    pub commands: Vec<CommandResult>,
    /// What was done with piktd.
    pub daemon: Option<DaemonResult>,
    /// Diagnostics about the host's own files, rendered with their source
    /// lines and carets (printed as they are).
    pub diagnostics: Vec<String>,
    /// What failed (the host counts as failed when there is any).
    pub errors: Vec<String>,
    /// Things worth saying that are not failures.
    pub notes: Vec<String>,
    /// Set when the change stopped before its switch was complete (a
    /// refusal while planning or staging, a failed rename): the files,
    /// backups, restores and piktd.conf edits above are what was planned,
    /// not what was done, and are not reported as done (the errors say
    /// what is in place). Absent in an older host's report: as before.
    #[serde(default)]
    pub held_back: bool,
}

impl Report {
    /// A report refusing a bundle.
    pub fn refusal(host: &str, why: impl Into<String>) -> Report {
        Report {
            host: host.to_string(),
            refused: Some(why.into()),
            ..Report::default()
        }
    }

    /// What the host did, in a few words, for the result table and the
    /// logs: `2 new, 1 updated, 3 unchanged; piktd.conf changed; 1
    /// command; piktd restarted`, or why it failed.
    pub fn summary(&self) -> String {
        if let Some(why) = &self.refused {
            return why.clone();
        }
        if !self.layout.is_empty() {
            return "nothing done: the plan was made for other directories than this host's".into();
        }
        if let Some(error) = self.errors.first() {
            return error.clone();
        }
        let mut parts: Vec<String> = Vec::new();
        let count = |change: FileChange| self.files.iter().filter(|f| f.change == change).count();
        let files: Vec<String> = [
            (FileChange::New, "new"),
            (FileChange::Updated, "updated"),
            (FileChange::Rewritten, "rewritten"),
            (FileChange::Unchanged, "unchanged"),
        ]
        .iter()
        .filter(|(c, _)| count(*c) > 0)
        .map(|(c, word)| format!("{} {word}", count(*c)))
        .collect();
        if !files.is_empty() {
            parts.push(files.join(", "));
        }
        let restored = self
            .restored
            .iter()
            .filter(|f| f.change == FileChange::Restored)
            .count();
        if restored > 0 {
            parts.push(format!("{restored} restored"));
        }
        if let Some(piktd) = &self.piktd {
            parts.push(if piktd.changed {
                "piktd.conf changed".to_string()
            } else {
                "piktd.conf unchanged".to_string()
            });
        }
        let removed = self.removals.iter().filter(|r| r.present).count();
        if removed > 0 {
            parts.push(format!("{removed} deleted"));
        }
        if !self.reads.is_empty() {
            parts.push(format!("{} file(s) read", self.reads.len()));
        }
        if let Some(command) = self.commands.iter().find(|c| c.failed()) {
            parts.push(format!("`{}` failed", command.command));
        } else if !self.commands.is_empty() {
            parts.push(format!("{} command(s)", self.commands.len()));
        }
        if let Some(daemon) = &self.daemon {
            parts.push(match (&daemon.problem, daemon.action) {
                (Some(problem), _) => format!("piktd: {problem}"),
                (None, DaemonAction::Restart) => "piktd (re)started".to_string(),
                (None, DaemonAction::Stop) => "piktd stopped".to_string(),
            });
        }
        if self.status.is_some() {
            parts.push("status read".to_string());
        }
        if parts.is_empty() {
            return "nothing to do".to_string();
        }
        let mut text = parts.join("; ");
        if self.dry_run {
            text.insert_str(0, "dry run: ");
        }
        text
    }

    /// True when the host did not do all it was asked.
    pub fn failed(&self) -> bool {
        self.refused.is_some()
            || !self.layout.is_empty()
            || !self.errors.is_empty()
            || self.commands.iter().any(CommandResult::failed)
            || self.daemon.as_ref().is_some_and(|d| !d.done)
            || self.status.as_ref().is_some_and(|s| s.failed)
    }
}

/// What happened to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileChange {
    /// It did not exist.
    New,
    /// It existed with other content, mode or owner.
    Updated,
    /// It was already as planned; left alone.
    Unchanged,
    /// It was already as planned, but rewritten (`+Af`).
    Rewritten,
    /// Restored from its backup.
    Restored,
    /// There is no backup to restore it from.
    NoBackup,
}

/// One file and what happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileResult {
    /// The path.
    pub path: String,
    /// What it is.
    pub what: String,
    /// What happened.
    pub change: FileChange,
}

/// What became of piktd.conf.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PiktdResult {
    /// Its path on the host.
    pub path: String,
    /// Alerts enabled, with their number of lines.
    pub enabled: Vec<(String, usize)>,
    /// Alerts disabled, with the number of lines removed.
    pub disabled: Vec<(String, usize)>,
    /// Alerts that have no timing: nothing to enable.
    pub no_timing: Vec<String>,
    /// The file changed (or would).
    pub changed: bool,
    /// The change as a unified diff (dry runs).
    pub diff: String,
}

/// One file to delete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalResult {
    /// The path.
    pub path: String,
    /// What it is.
    pub what: String,
    /// It existed (and was, or would be, deleted).
    pub present: bool,
}

/// A file as the host has it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadResult {
    /// The path.
    pub path: String,
    /// What it is.
    pub what: String,
    /// Whether it could be read.
    pub state: ReadState,
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// The checksum asked for, as `-m#` shows it.
    pub digest: String,
    /// The SHA-256 of the file, which sameness is judged by.
    #[serde(default)]
    pub sha256: String,
    /// Its content, when asked for (a blob).
    #[serde(skip)]
    pub content: Vec<u8>,
}

/// Whether a file could be read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadState {
    /// Read.
    #[default]
    Found,
    /// It does not exist.
    Missing,
    /// It cannot be read: why.
    Error(String),
}

/// `piktc -s` on the host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusResult {
    /// The status text.
    pub text: String,
    /// Notes and errors about piktd's files.
    pub messages: Vec<String>,
    /// One of piktd's files could not be read.
    pub failed: bool,
}

/// One `+C` command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResult {
    /// The command as run.
    pub command: String,
    /// How it ended.
    pub end: CommandEnd,
    /// Bytes of output not kept (over the limit).
    pub dropped: u64,
    /// Its standard output (a blob).
    #[serde(skip)]
    pub stdout: Vec<u8>,
    /// Its standard error (a blob).
    #[serde(skip)]
    pub stderr: Vec<u8>,
}

impl CommandResult {
    /// True when it did not run to a zero exit (or was not started).
    pub fn failed(&self) -> bool {
        !matches!(
            self.end,
            CommandEnd::Exited(0) | CommandEnd::Started(_) | CommandEnd::WouldRun
        )
    }
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandEnd {
    /// It exited with this status.
    Exited(i32),
    /// A signal ended it.
    Signalled(i32),
    /// It ran past its time limit (seconds) and was stopped.
    TimedOut(u64),
    /// Started without waiting (`-X`), with this pid.
    Started(u32),
    /// It could not be started: why.
    CannotStart(String),
    /// Dry run.
    WouldRun,
}

/// What was done with piktd.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonResult {
    /// What was asked.
    pub action: DaemonAction,
    /// The pid of the piktd running before, if any.
    pub before: Option<u32>,
    /// The pid of the piktd running after, if any.
    pub after: Option<u32>,
    /// How: `systemctl restart piktd.service`, `SIGTERM`, ...
    pub how: String,
    /// It worked (or, in a dry run, would be tried).
    pub done: bool,
    /// Why it did not work.
    pub problem: Option<String>,
}

impl Payload for Report {
    fn payloads(&mut self, visit: &mut dyn FnMut(&mut Vec<u8>)) {
        for read in &mut self.reads {
            visit(&mut read.content);
        }
        for command in &mut self.commands {
            visit(&mut command.stdout);
            visit(&mut command.stderr);
        }
    }
}
