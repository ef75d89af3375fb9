//! A run's progress as plain lines, for a standard error that is not a
//! terminal (a log, a pipe, cron's mail): one line per host as it ends,
//! and a line when the run is interrupted. On a terminal the binary draws
//! a live progress bar instead; both say the same things.

use std::io::Write;

use crate::fleet::{HostResult, Observer};
use crate::interrupt::Level;
use crate::render::outcome_words;

/// Writes one line per finished host to `out`, when the run contacts
/// more than one host.
pub struct PlainProgress<W: Write> {
    out: W,
    total: usize,
    done: usize,
}

impl<W: Write> PlainProgress<W> {
    /// Progress lines written to `out`.
    pub fn new(out: W) -> PlainProgress<W> {
        PlainProgress {
            out,
            total: 0,
            done: 0,
        }
    }

    /// What was written to it.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// The line for a host that ended, the `done`th of `total`.
pub fn host_line(done: usize, total: usize, result: &HostResult) -> String {
    let (word, _) = outcome_words(result);
    format!("piktc: [{done}/{total}] {}: {word}", result.host)
}

/// What an interruption to `level` means for the hosts `in_flight`.
pub fn interrupt_line(level: Level, in_flight: &[String]) -> String {
    let hosts = if in_flight.is_empty() {
        "none".to_string()
    } else {
        in_flight.join(", ")
    };
    match level {
        Level::Run => String::new(),
        Level::Stop => format!(
            "piktc: interrupted: no more hosts are started; the ones in flight finish ({hosts}); interrupt again to cut them"
        ),
        Level::Cut => format!(
            "piktc: interrupted again: cutting the hosts in flight ({hosts}); each keeps its old or its new version"
        ),
    }
}

impl<W: Write> Observer for PlainProgress<W> {
    fn run_started(&mut self, hosts: usize) {
        self.total = hosts;
        self.done = 0;
    }

    fn host_finished(&mut self, result: &HostResult) {
        if self.total <= 1 {
            return;
        }
        self.done += 1;
        let _ = writeln!(self.out, "{}", host_line(self.done, self.total, result));
    }

    fn interrupted(&mut self, level: Level, in_flight: &[String]) {
        let _ = writeln!(self.out, "{}", interrupt_line(level, in_flight));
    }
}
