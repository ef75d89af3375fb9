//! What one host is to get and do: a [`HostPlan`], made on the master from
//! the configuration alone (no I/O), sent to the host as a bundle
//! ([`crate::frame`]) and carried out there ([`crate::host`]).
//!
//! A plan holds every file with its content, mode and owner; the alerts
//! whose piktd.conf lines to set or remove; the paths to delete, back up
//! or restore; the files to read back; the `+C` commands; what to do with
//! piktd. The host checks it is meant for it, then stages every file and
//! switches them in one step (see [`crate::host`]).

use serde::{Deserialize, Serialize};

use crate::frame::Payload;

/// Everything one host is asked to do, in one bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostPlan {
    /// The host it is meant for: the host refuses a plan for another name.
    pub host: String,
    /// The installation root the master rendered the paths for: the host
    /// refuses a plan for another root.
    pub piktdir: String,
    /// Who made it (the master's host name), for logs.
    pub master: String,
    /// Who asked for it on the master (the user), for logs.
    pub user: String,
    /// Make every directory of the installation first (`--bootstrap`).
    pub layout: bool,
    /// The directories (`piktdir`, `bindir`, ... with their paths) the
    /// master made the plan's paths for; empty when it names none. A host
    /// whose own directories are elsewhere (its PIKT.conf moves them)
    /// changes nothing and answers with its own, for the master to plan
    /// again.
    pub expect_layout: Vec<(String, String)>,
    /// Report what would change, change nothing.
    pub dry_run: bool,
    /// Files to install.
    pub files: Vec<PlanFile>,
    /// Copy each file replaced or deleted to `FILE<ext>` first, `<ext>`
    /// being the host's PIKT.conf `backup_extension` (default
    /// [`DEFAULT_BACKUP_EXTENSION`]).
    pub backup: bool,
    /// Files to restore from their backups.
    pub restore: Vec<ItemPath>,
    /// piktd.conf lines to set or remove.
    pub piktd: Option<PiktdEdit>,
    /// Files to delete (after the switch).
    pub removals: Vec<ItemPath>,
    /// Files to read back.
    pub reads: Vec<ReadRequest>,
    /// piktd's state and the alerts' status.
    pub status: Option<StatusRequest>,
    /// Commands to run, after every change.
    pub commands: Vec<CommandRequest>,
    /// What to do with piktd, last.
    pub daemon: Option<DaemonAction>,
}

/// The backup extension PIKT uses when PIKT.conf names none.
pub const DEFAULT_BACKUP_EXTENSION: &str = ".piktbak";

/// One file to install.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFile {
    /// Where it goes (absolute).
    pub path: String,
    /// What it is (`alert Urgent`), for messages.
    pub what: String,
    /// Permission bits.
    pub mode: u32,
    /// Owner and group (applied when the host side runs as root).
    pub owner: Option<(u32, u32)>,
    /// Rewrite it even when the host has it already (`+Af`).
    pub force: bool,
    /// Its content (travels as a blob).
    #[serde(skip)]
    pub content: Vec<u8>,
}

/// A path and what it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemPath {
    /// The path (absolute).
    pub path: String,
    /// What it is, for messages.
    pub what: String,
}

/// Changes to piktd.conf.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PiktdEdit {
    /// Alerts whose lines are replaced by these (`-e`); an alert with no
    /// lines has no timing.
    pub set: Vec<AlertLines>,
    /// Alerts whose lines are removed (`-d`).
    pub remove: Vec<String>,
}

/// An alert's piktd.conf lines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertLines {
    /// The alert.
    pub alert: String,
    /// Its lines, as piktd.conf holds them (the host parses them again).
    pub lines: Vec<String>,
}

/// A file to read back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadRequest {
    /// The path.
    pub path: String,
    /// What it is, for messages.
    pub what: String,
    /// Send the content back (`-f`, `-w`); otherwise only its checksum.
    pub content: bool,
    /// Which checksum to compute.
    pub digest: DigestKind,
}

/// A checksum kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DigestKind {
    /// SHA-256 (`sha256sum`): `-m` alone, and what sameness is judged by.
    #[default]
    Sha256,
    /// `-m#`: PIKT's checksum level # (1 to 5), as `$checksum` computes it
    /// (`pikt-checksum`).
    Level(u8),
}

/// `-s` on the host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRequest {
    /// `+A name` (true) / `-A name` (false) in command-line order; none
    /// means every alert piktd knows.
    pub alerts: Vec<(bool, String)>,
}

/// One `+C` command.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandRequest {
    /// The command, the host's macros expanded; run with `/bin/sh -c`.
    pub command: String,
    /// Wait for it (`-x`) or not (`-X`).
    pub wait: bool,
    /// Seconds it may run when waited for.
    pub time_limit: u64,
}

/// How long a waited-for `+C` command may run (the same default as an
/// alert run under piktd).
pub const COMMAND_TIME_LIMIT: u64 = 3600;

/// What to do with piktd.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DaemonAction {
    /// `-r`: stop it if it runs, then start it.
    Restart,
    /// `-k`: stop it.
    Stop,
}

impl Payload for HostPlan {
    fn payloads(&mut self, visit: &mut dyn FnMut(&mut Vec<u8>)) {
        for file in &mut self.files {
            visit(&mut file.content);
        }
    }
}

impl HostPlan {
    /// True when the plan names paths of the host's installation (files,
    /// piktd.conf lines, removals, backups, read-backs), so the master must
    /// know where the host's directories are before making it.
    pub fn uses_paths(&self) -> bool {
        !self.files.is_empty()
            || !self.restore.is_empty()
            || self.piktd.is_some()
            || !self.removals.is_empty()
            || !self.reads.is_empty()
    }

    /// True when the plan changes files or piktd.conf on the host.
    pub fn writes(&self) -> bool {
        self.layout
            || !self.files.is_empty()
            || !self.restore.is_empty()
            || self.piktd.is_some()
            || !self.removals.is_empty()
    }
}
