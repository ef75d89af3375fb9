//! piktc's command line, validated: what to do ([`Operation`]) and with
//! what ([`Request`]); how it exits ([`exit`]); and what it prints
//! ([`Outcome`], which the binary writes out).

use std::fmt::Write as _;

use pikt_config::selection::ItemSelection;
use pikt_config::SiteFlags;
use pikt_source::{render, Diagnostic, SourceMap};

use crate::plan::{DaemonAction, DigestKind};

/// Exit statuses of piktc (docs/piktc.md).
pub mod exit {
    /// Everything went well.
    pub const OK: i32 = 0;
    /// The configuration has errors (nothing was changed).
    pub const CONFIG_ERROR: i32 = 1;
    /// A host failed: installing, reading piktd's files, a command, piktd
    /// control, or the host could not be reached.
    pub const HOST_FAILED: i32 = 3;
    /// The rest succeeded, but some selected hosts were skipped.
    pub const HOSTS_SKIPPED: i32 = 4;
    /// Another piktc is changing hosts from this master (its lock is
    /// held); nothing was done (`-U` goes ahead regardless).
    pub const BUSY: i32 = 5;
    /// The command line is wrong (the same status for pikt, piktc, piktd).
    pub const USAGE: i32 = pikt_cli::EXIT_USAGE as i32;
}

/// The name every line piktc prints itself starts with.
pub const PROGRAM: &str = "piktc";

/// What an operation prints and how it exits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit status.
    pub exit: i32,
    /// Standard error ends with a rendered diagnostic, which a blank line
    /// separates from what follows.
    pub(crate) after_block: bool,
}

impl Outcome {
    /// Appends the rendered diagnostics to stderr, a blank line between two,
    /// and raises the exit status to [`exit::CONFIG_ERROR`] if any is an error.
    pub fn diagnostics(&mut self, map: &SourceMap, diags: &[Diagnostic]) {
        for diag in diags {
            self.block(&render(map, diag));
        }
        if diags.iter().any(Diagnostic::is_error) {
            self.exit = self.exit.max(exit::CONFIG_ERROR);
        }
    }

    /// Appends an already rendered diagnostic to stderr.
    pub fn block(&mut self, rendered: &str) {
        if !self.stderr.is_empty() {
            self.stderr.push('\n');
        }
        self.stderr.push_str(rendered);
        self.after_block = true;
    }

    /// Appends text to stderr as it is (a command's own error output).
    pub fn raw_stderr(&mut self, text: &str) {
        self.separate();
        self.stderr.push_str(text);
        if !self.stderr.ends_with('\n') {
            self.stderr.push('\n');
        }
    }

    /// Appends `piktc: error: MESSAGE` to stderr and raises the exit status.
    pub fn fail(&mut self, message: &str, status: i32) {
        self.separate();
        self.stderr
            .push_str(&pikt_cli::error_line(PROGRAM, message));
        self.exit = self.exit.max(status);
    }

    /// Appends `piktc: note: MESSAGE` to stderr.
    pub fn note(&mut self, message: &str) {
        self.separate();
        let _ = writeln!(self.stderr, "{PROGRAM}: note: {message}");
    }

    /// A blank line after a rendered diagnostic.
    pub(crate) fn separate(&mut self) {
        if self.after_block {
            self.stderr.push('\n');
            self.after_block = false;
        }
    }

    /// Adds `other` after this outcome.
    pub fn append(&mut self, other: Outcome) {
        self.stdout.push_str(&other.stdout);
        if !other.stderr.is_empty() {
            self.separate();
            self.stderr.push_str(&other.stderr);
            self.after_block = other.after_block;
        }
        self.exit = self.exit.max(other.exit);
    }
}

/// How to pause between two hosts (`-p`, `-p#`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pause {
    /// `-p#`: this many seconds.
    Seconds(u32),
    /// `-p`: until Enter is pressed.
    Enter,
}

/// What a change does on each host (`-i -e -d -t -b -B -x -X -r -k -n`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Change {
    /// `-i`.
    pub install: bool,
    /// `-e`.
    pub enable: bool,
    /// `-d`.
    pub disable: bool,
    /// `-t`.
    pub delete: bool,
    /// `-b`.
    pub backup: bool,
    /// `-B`.
    pub restore: bool,
    /// `-x` (true: wait) or `-X` (false).
    pub exec: Option<bool>,
    /// `-r` or `-k`.
    pub daemon: Option<DaemonAction>,
    /// `-n`.
    pub dry_run: bool,
    /// `--bootstrap`: bring new hosts in (binaries, layout, install,
    /// enable, start piktd).
    pub bootstrap: bool,
}

impl Change {
    /// True when it touches items (files or piktd.conf lines), so items
    /// must be selected.
    pub fn touches_items(&self) -> bool {
        self.install || self.enable || self.disable || self.delete || self.restore || self.bootstrap
    }
}

/// piktc's operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `-c`.
    Check,
    /// A change on each selected host.
    Change(Change),
    /// `-l`.
    List,
    /// `-Z`.
    ListAll,
    /// `-L`.
    ExpandHosts,
    /// `-M`.
    ExpandMacros,
    /// `--render`.
    Render,
    /// `--explain FILE:LINE`.
    Explain {
        /// The file as named in diagnostics.
        file: String,
        /// 1-based line.
        line: usize,
    },
    /// `-s` on each selected host.
    Status,
    /// `-f` on each selected host.
    Diff,
    /// `-w` on each selected host.
    View,
    /// `-W`: the master's files for each selected host.
    ViewMaster,
    /// `-m#` on each selected host: SHA-256 (`-m`) or PIKT's level #.
    Checksum(DigestKind),
    /// `-h`.
    Help,
    /// `-V`.
    Version,
    /// `--apply-bundle` (the host side; the binary handles it).
    ApplyBundle,
    /// `--complete KIND`: the names shell completion offers.
    Complete(pikt_cli::Complete),
}

impl Operation {
    /// True when the operation acts on hosts through a transport.
    pub fn reaches_hosts(&self) -> bool {
        matches!(
            self,
            Operation::Change(_)
                | Operation::Status
                | Operation::Diff
                | Operation::View
                | Operation::Checksum(_)
        )
    }
}

/// A validated piktc command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The operation.
    pub operation: Operation,
    /// `--piktdir`, `--host`.
    pub site: SiteFlags,
    /// `+H`/`-H` in order.
    pub hosts: Vec<(bool, String)>,
    /// Item selectors.
    pub items: ItemSelection,
    /// The selectors written with the `f` suffix (`+Af`): their items are
    /// rewritten even when a host has them already.
    pub forced: ItemSelection,
    /// `+D`/`-D` in order.
    pub defines: Vec<(String, bool)>,
    /// `+M` texts.
    pub macro_texts: Vec<String>,
    /// `+C` commands.
    pub commands: Vec<String>,
    /// `+E name=value` (Some) and `-E name` (None), in order.
    pub env: Vec<(String, Option<String>)>,
    /// `-T`.
    pub test_mode: bool,
    /// `-v`.
    pub verbose: bool,
    /// `-I`.
    pub refresh: bool,
    /// `-G`.
    pub debug: bool,
    /// `-p`, `-p#`.
    pub pause: Option<Pause>,
    /// `-j#`: hosts worked on at once.
    pub jobs: Option<usize>,
    /// `--timeout SECONDS`: how long one host may take.
    pub timeout: Option<u64>,
    /// The command line as given (for piktc.log).
    pub argv: Vec<String>,
    /// `-U`: urgent mode, no lock blocks a change.
    pub urgent: bool,
}

impl Request {
    /// A request for `operation` with nothing else given.
    pub fn new(operation: Operation) -> Request {
        Request {
            operation,
            site: SiteFlags::default(),
            hosts: Vec::new(),
            items: ItemSelection::default(),
            forced: ItemSelection::default(),
            defines: Vec::new(),
            macro_texts: Vec::new(),
            commands: Vec::new(),
            env: Vec::new(),
            test_mode: false,
            verbose: false,
            refresh: false,
            debug: false,
            pause: None,
            jobs: None,
            timeout: None,
            argv: Vec::new(),
            urgent: false,
        }
    }
}
