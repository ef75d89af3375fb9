//! Test doubles: a [`FakeLauncher`] whose runs follow a script on a
//! [`ManualClock`], a [`SharedBuffer`] console, a `/proc` helper, and
//! helpers that read and wait on the `piktd.log` of a real daemon.
//!
//! Public so that the binary's tests, the benchmark example and other crates
//! can drive a [`crate::Daemon`] without starting processes.

use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::clock::{Clock, ManualClock};
use crate::launcher::{Exit, Launcher, Output, Run, StopSignal};

/// What a fake run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Exits with `code` after `after`.
    Exit {
        /// Run time.
        after: Duration,
        /// Exit status.
        code: i32,
    },
    /// Is killed by `signal` after `after` (a crash).
    Crash {
        /// Run time.
        after: Duration,
        /// The signal that ends it.
        signal: i32,
    },
    /// Never ends by itself; `SIGTERM` ends it.
    Hang,
    /// Never ends by itself and ignores `SIGTERM`; only `SIGKILL` ends it.
    HangIgnoringTerm,
    /// Cannot be started.
    FailToStart,
}

/// One launch seen by a [`FakeLauncher`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launched {
    /// The command.
    pub command: String,
    /// Its fake pid.
    pub pid: u32,
    /// When (monotonic, on the manual clock).
    pub at: Duration,
}

/// The life of one fake run.
#[derive(Clone, Copy, Debug)]
struct FakeState {
    pid: u32,
    behaviour: Behaviour,
    /// When it ends (monotonic), once that is known.
    ends_at: Option<Duration>,
    /// How it ends.
    exit: Exit,
    reaped: bool,
}

#[derive(Debug, Default)]
struct Record {
    launched: Vec<Launched>,
    signals: Vec<(u32, StopSignal)>,
    runs: Vec<FakeState>,
}

/// What a [`FakeLauncher`] saw; clones share it.
#[derive(Clone, Debug, Default)]
pub struct LaunchLog {
    record: Arc<Mutex<Record>>,
}

impl LaunchLog {
    fn lock(&self) -> MutexGuard<'_, Record> {
        self.record
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every launch so far.
    pub fn launched(&self) -> Vec<Launched> {
        self.lock().launched.clone()
    }

    /// Every group signal sent so far, as (pid, signal).
    pub fn signals(&self) -> Vec<(u32, StopSignal)> {
        self.lock().signals.clone()
    }

    /// When the next not-yet-reaped run ends (monotonic): the moment a real
    /// daemon would get `SIGCHLD`. Test loops wake the daemon then.
    pub fn next_end(&self) -> Option<Duration> {
        self.lock()
            .runs
            .iter()
            .filter(|run| !run.reaped)
            .filter_map(|run| run.ends_at)
            .min()
    }
}

/// A launcher whose runs behave as scripted, on a manual clock.
pub struct FakeLauncher {
    clock: ManualClock,
    rules: Vec<(String, Behaviour)>,
    default: Behaviour,
    log: LaunchLog,
    next_pid: u32,
}

impl FakeLauncher {
    /// Runs exit 0 after one second unless a rule says otherwise.
    pub fn new(clock: ManualClock) -> FakeLauncher {
        FakeLauncher {
            clock,
            rules: Vec::new(),
            default: Behaviour::Exit {
                after: Duration::from_secs(1),
                code: 0,
            },
            log: LaunchLog::default(),
            next_pid: 1000,
        }
    }

    /// Commands containing `needle` behave as `behaviour` (first rule wins).
    #[must_use]
    pub fn rule(mut self, needle: &str, behaviour: Behaviour) -> FakeLauncher {
        self.rules.push((needle.to_owned(), behaviour));
        self
    }

    /// A handle on what the launcher sees.
    pub fn log(&self) -> LaunchLog {
        self.log.clone()
    }
}

impl Launcher for FakeLauncher {
    fn launch(&mut self, command: &str) -> io::Result<Box<dyn Run>> {
        let behaviour = self
            .rules
            .iter()
            .find(|(needle, _)| command.contains(needle.as_str()))
            .map_or(self.default, |(_, b)| *b);
        let (ends_after, exit) = match behaviour {
            Behaviour::FailToStart => {
                return Err(io::Error::new(io::ErrorKind::NotFound, "no such shell"));
            }
            Behaviour::Exit { after, code } => (Some(after), Exit::Code(code)),
            Behaviour::Crash { after, signal } => (
                Some(after),
                Exit::Signal {
                    signal,
                    core_dumped: true,
                },
            ),
            Behaviour::Hang | Behaviour::HangIgnoringTerm => (None, Exit::Code(0)),
        };
        self.next_pid += 1;
        let pid = self.next_pid;
        let at = self.clock.elapsed();
        let mut record = self.log.lock();
        record.launched.push(Launched {
            command: command.to_owned(),
            pid,
            at,
        });
        record.runs.push(FakeState {
            pid,
            behaviour,
            ends_at: ends_after.map(|after| at.saturating_add(after)),
            exit,
            reaped: false,
        });
        Ok(Box::new(FakeRun {
            clock: self.clock.clone(),
            log: self.log.clone(),
            pid,
            output: format!("ran {command}\n"),
        }))
    }
}

struct FakeRun {
    clock: ManualClock,
    log: LaunchLog,
    pid: u32,
    output: String,
}

impl FakeRun {
    fn with_state<T>(&self, f: impl FnOnce(&mut FakeState) -> T) -> Option<T> {
        let mut record = self.log.lock();
        record
            .runs
            .iter_mut()
            .find(|run| run.pid == self.pid)
            .map(f)
    }
}

impl Run for FakeRun {
    fn pid(&self) -> u32 {
        self.pid
    }

    fn try_wait(&mut self) -> io::Result<Option<Exit>> {
        let now = self.clock.elapsed();
        let exit = self.with_state(|state| match state.ends_at {
            Some(end) if end <= now && !state.reaped => {
                state.reaped = true;
                Some(state.exit)
            }
            _ => None,
        });
        Ok(exit.flatten())
    }

    fn signal_group(&mut self, signal: StopSignal) -> io::Result<()> {
        let now = self.clock.elapsed();
        self.log.lock().signals.push((self.pid, signal));
        self.with_state(|state| {
            let already_ended = state.ends_at.is_some_and(|end| end <= now);
            let ignored =
                signal == StopSignal::Term && state.behaviour == Behaviour::HangIgnoringTerm;
            if !already_ended && !ignored {
                state.ends_at = Some(now);
                state.exit = signal_exit(match signal {
                    StopSignal::Term => 15,
                    StopSignal::Kill => 9,
                });
            }
        });
        Ok(())
    }

    fn output(&mut self) -> Output {
        Output {
            total_bytes: u64::try_from(self.output.len()).unwrap_or(0),
            text: self.output.clone(),
        }
    }
}

fn signal_exit(signal: i32) -> Exit {
    Exit::Signal {
        signal,
        core_dumped: false,
    }
}

/// A `Write` whose bytes can be read back from a clone (a test console).
#[derive(Clone, Debug, Default)]
pub struct SharedBuffer {
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl SharedBuffer {
    /// The text written so far.
    pub fn text(&self) -> String {
        let bytes = self
            .bytes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How many live (not zombie) processes are in process group `group`,
/// read from `/proc`. For tests that check that a whole group was killed.
pub fn live_group_members(group: u32) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("stat")).ok())
        .filter(|stat| {
            // `pid (comm) state ppid pgrp ...`; comm may hold spaces and ')'.
            let Some(after) = stat.rfind(')').and_then(|i| stat.get(i + 1..)) else {
                return false;
            };
            let fields: Vec<&str> = after.split_whitespace().collect();
            let state = fields.first().copied().unwrap_or("Z");
            let pgrp = fields.get(2).and_then(|p| p.parse::<u32>().ok());
            state != "Z" && state != "X" && pgrp == Some(group)
        })
        .count()
}

/// The text of `var/log/piktd.log` under the PIKT directory `dir`; empty
/// while the daemon has not written it yet.
pub fn log_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("var/log/piktd.log")).unwrap_or_default()
}

/// Waits (at most `limit` of real time) until the log under `dir` has a line
/// holding every one of `needles`, and returns that line. Panics with the
/// whole log when none comes in time.
pub fn wait_for_log_line(dir: &Path, needles: &[&str], limit: Duration) -> String {
    let deadline = Instant::now() + limit;
    loop {
        let text = log_text(dir);
        if let Some(line) = text.lines().find(|l| needles.iter().all(|n| l.contains(n))) {
            return line.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no log line with {needles:?} in:\n{text}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}
