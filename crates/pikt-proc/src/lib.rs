//! The native Linux process table and a kill that cannot hit a recycled PID.
//!
//! PIKT's classic scripts count processes with `ps -eo user,comm | sort | uniq -c` and
//! kill them with `ps -eo pid,user,comm` plus one `kill -9 PID` per line. Both break
//! exactly when they matter: during a process storm `fork` fails and the monitor goes
//! blind, and a `kill -9` on a stale `ps` line can hit a process that got the PID
//! later. This crate replaces both without forking:
//!
//! * [`LinuxProcTable`] reads `/proc` directly into [`Process`] records
//!   ([`ProcessTable::snapshot`]);
//! * [`ps_lines`] prints a snapshot the way `ps -eo FIELDS` does, for scripts that
//!   parse `ps` output, and [`parse_ps_args`] reads such option strings;
//! * [`kill_checked`] signals one process only if its PID still names it, through a
//!   handle bound to that process; [`kill_matching`] kills every live process of a
//!   user and command, round after round;
//! * [`testing`] has fakes for tests that must not touch real processes.
//!
//! See `docs/processes.md` for the differences from `ps` and the guarantees of the kill.
//!
//! **Invariant:** no `unsafe`, no shell, no fork: everything goes through `/proc` and
//! system calls via `rustix`. A large snapshot is read by a few threads, but never
//! depends on them: a thread that cannot be started (a storm that exhausts the PID
//! space) leaves its share to the calling thread.

mod kill;
mod ps;
mod table;
pub mod testing;

pub use kill::{
    check_target, kill_checked, kill_checked_with, kill_matching, kill_matching_with, parse_signal,
    CheckedSignaller, FailedVictim, Identity, KillError, KillMethod, KillOutcome, KillPolicy,
    KillReport, KillRequest, Protected, Refusal, RefusedVictim, Signaller, Victim,
};
pub use ps::{needs_args, parse_ps_args, ps_lines, ps_lines_with, PsField, PsKind, PsOptions};
/// The signal type of [`kill_checked`] (re-exported from `rustix`).
pub use rustix::process::Signal;
pub use table::{
    parse_passwd, pid_by_name, LinuxProcTable, Process, ProcessTable, UserNames, COMM_MAX,
};

#[cfg(test)]
mod real_kill_tests;
