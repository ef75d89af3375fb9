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

    /// True when the host did not do all it was asked.
    pub fn failed(&self) -> bool {
        self.refused.is_some()
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
