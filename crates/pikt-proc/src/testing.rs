//! Fakes for tests that must not touch real processes: a settable process table and a
//! signaller that "kills" entries of that table.

use std::io;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rustix::process::Signal;

use crate::kill::{KillError, KillMethod, KillOutcome, KillPolicy, Protected, Signaller};
use crate::table::{Process, ProcessTable};

/// A sleeping user process: `pid` of `user` (uid 1000) running `comm`, child of PID 1,
/// started at tick 100, with the command line `/usr/sbin/COMM`. Tests change the
/// fields they need with struct update syntax (`Process { uid: 0, ..process(..) }`).
pub fn process(pid: u32, user: &str, comm: &str) -> Process {
    Process {
        pid,
        ppid: 1,
        uid: 1000,
        user: user.to_string(),
        comm: comm.to_string(),
        state: 'S',
        start_time: 100,
        pgrp: 0,
        session: 0,
        tpgid: -1,
        nice: 0,
        threads: 1,
        kernel_thread: false,
        args: Some(format!("/usr/sbin/{comm}")),
    }
}

/// A process table whose content the test sets.
#[derive(Debug, Default)]
pub struct FakeProcTable {
    processes: Mutex<Vec<Process>>,
    fail_snapshots: Mutex<bool>,
}

impl FakeProcTable {
    /// A table showing `processes`.
    pub fn new(processes: Vec<Process>) -> Self {
        Self {
            processes: Mutex::new(processes),
            fail_snapshots: Mutex::new(false),
        }
    }

    /// Replaces the content.
    pub fn set(&self, processes: Vec<Process>) {
        *lock(&self.processes) = processes;
    }

    /// Adds one process.
    pub fn push(&self, process: Process) {
        lock(&self.processes).push(process);
    }

    /// The current content.
    pub fn processes(&self) -> Vec<Process> {
        lock(&self.processes).clone()
    }

    /// Makes every later snapshot fail (as a `/proc` that cannot be read).
    pub fn fail_snapshots(&self, fail: bool) {
        *lock(&self.fail_snapshots) = fail;
    }

    /// Applies `change` to every process with `pid` (to turn one into a zombie, say).
    pub fn update(&self, pid: u32, change: impl Fn(&mut Process)) {
        lock(&self.processes)
            .iter_mut()
            .filter(|process| process.pid == pid)
            .for_each(change);
    }
}

impl ProcessTable for FakeProcTable {
    fn snapshot(&self, want_args: bool) -> io::Result<Vec<Process>> {
        if *lock(&self.fail_snapshots) {
            return Err(io::Error::other("fake snapshot failure"));
        }
        let mut processes = self.processes();
        if !want_args {
            processes.iter_mut().for_each(|process| process.args = None);
        }
        processes.sort_by_key(|process| process.pid);
        Ok(processes)
    }
}

/// A [`Signaller`] that applies the real refusals ([`Protected::refusal`]), records
/// every call, and turns signalled processes of its table into zombies (state `Z`) at
/// once, except those listed as immortal, so it never waits for exits. It can also fork a new process on its first signal, to
/// imitate a child born while a kill round runs.
#[derive(Debug)]
pub struct FakeSignaller<'table> {
    table: &'table FakeProcTable,
    immortal: Vec<u32>,
    spawn_on_first_signal: Mutex<Option<Process>>,
    calls: Mutex<Vec<(u32, Signal)>>,
}

impl<'table> FakeSignaller<'table> {
    /// A signaller acting on `table`.
    pub fn new(table: &'table FakeProcTable) -> Self {
        Self {
            table,
            immortal: Vec::new(),
            spawn_on_first_signal: Mutex::new(None),
            calls: Mutex::new(Vec::new()),
        }
    }

    /// Processes with these pids take signals but never die.
    pub fn with_immortal(mut self, pids: &[u32]) -> Self {
        self.immortal = pids.to_vec();
        self
    }

    /// Adds `process` to the table when the first signal is sent.
    pub fn with_spawn_on_first_signal(self, process: Process) -> Self {
        *lock(&self.spawn_on_first_signal) = Some(process);
        self
    }

    /// Every `(pid, signal)` passed the refusals and was "sent", in order.
    pub fn calls(&self) -> Vec<(u32, Signal)> {
        lock(&self.calls).clone()
    }
}

impl Signaller for FakeSignaller<'_> {
    fn signal(
        &self,
        target: &Process,
        signal: Signal,
        policy: &KillPolicy,
        protected: &Protected,
    ) -> Result<KillOutcome, KillError> {
        protected.check(target, policy)?;
        let alive = self.table.processes().iter().any(|process| {
            process.pid == target.pid
                && process.start_time == target.start_time
                && !process.is_dead()
        });
        if !alive {
            return Ok(KillOutcome::AlreadyGone);
        }
        lock(&self.calls).push((target.pid, signal));
        if !self.immortal.contains(&target.pid) {
            self.table.update(target.pid, |process| process.state = 'Z');
        }
        if let Some(child) = lock(&self.spawn_on_first_signal).take() {
            self.table.push(child);
        }
        Ok(KillOutcome::Signalled(KillMethod::ProcDirFd))
    }

    /// The fake's victims are zombies the moment they are signalled.
    fn wait_for_exits(&self, _timeout: Duration) {}
}

/// Locks a mutex, ignoring poisoning: a panicking test must not hide the state.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
