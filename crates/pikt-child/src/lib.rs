//! A child process run bounded: the one place that knows how.
//!
//! Commands that piktc, its host side, the preprocessor and alert mail run
//! for the admin are programs nobody checked: one may print for ever, hang
//! on a network share, or start children of its own that hold its output
//! open. [`Run`] starts such a command so that none of that can hold the
//! caller:
//!
//! * the child gets a **process group of its own**, so a stop reaches the
//!   shell and everything it started (not just the shell), and a Ctrl-C
//!   on the caller's terminal reaches the caller, which decides;
//! * at the **time limit** the whole group is stopped (`SIGTERM`, then
//!   `SIGKILL` after the grace, or `SIGKILL` at once when there is none);
//! * each captured output stream is read on a thread of its own
//!   ([`Collector`]) and **kept up to a limit**: beyond it the bytes are
//!   counted and dropped, or the whole group is stopped
//!   ([`AtOutputLimit`]); standard error may have a limit of its own
//!   ([`Run::capture_stderr_up_to`]), past which it is only counted;
//! * input is written from a thread of its own, so a child that never reads
//!   cannot block the caller past the limit;
//! * a child that ended while something it left behind still holds its
//!   output open is not waited for beyond [`DRAIN_GRACE`].
//!
//! **Invariant:** no call here blocks past the time limit plus the grace
//! and [`DRAIN_GRACE`]; nothing is read into memory beyond the output limit
//! (one read buffer aside).

use std::io::{self, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{kill_process_group, Pid, Signal};

/// How long output is still read after the child ended.
pub const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// How long the end of a group killed with `SIGKILL` is waited for.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// What happens when a captured stream passes the output limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtOutputLimit {
    /// The rest is read and counted, and the child runs on.
    KeepCounting,
    /// The whole group is stopped ([`End::OutputLimit`]).
    Stop,
}

/// How a bounded child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// It exited with this status.
    Exited(i32),
    /// A signal it did not get from us ended it.
    Signalled(i32),
    /// It was still running at the time limit; its group was stopped.
    TimedOut,
    /// It printed more than the output limit; its group was stopped.
    OutputLimit,
}

impl End {
    /// True for an exit with status 0.
    pub fn success(self) -> bool {
        self == End::Exited(0)
    }

    /// An exit status as a number: the code, or 128 + the signal; `None`
    /// when we stopped it.
    pub fn status_code(self) -> Option<i32> {
        match self {
            End::Exited(code) => Some(code),
            End::Signalled(signal) => Some(128 + signal),
            End::TimedOut | End::OutputLimit => None,
        }
    }
}

/// What a bounded child left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// How it ended.
    pub end: End,
    /// Its standard output, when captured (at most the output limit).
    pub stdout: Vec<u8>,
    /// Its standard error, when captured (at most its limit).
    pub stderr: Vec<u8>,
    /// Bytes of standard output beyond the limit (at least those seen,
    /// when the group was stopped at the limit).
    pub stdout_dropped: u64,
    /// Bytes of standard error beyond its limit (likewise).
    pub stderr_dropped: u64,
}

impl Finished {
    /// Bytes of captured output dropped, both streams together.
    pub fn dropped(&self) -> u64 {
        self.stdout_dropped.saturating_add(self.stderr_dropped)
    }
}

/// One command to run bounded (see the crate's documentation).
#[derive(Clone, Debug)]
pub struct Run {
    time_limit: Duration,
    output_limit: usize,
    at_output_limit: AtOutputLimit,
    kill_grace: Duration,
    input: Option<Vec<u8>>,
    capture_stdout: bool,
    capture_stderr: bool,
    stderr_limit: Option<usize>,
}

impl Run {
    /// A run stopped after `time_limit`, keeping `output_limit` bytes of
    /// each captured stream and counting the rest, stopped with `SIGKILL`,
    /// capturing nothing (the streams are as the command says).
    pub fn new(time_limit: Duration, output_limit: usize) -> Run {
        Run {
            time_limit,
            output_limit,
            at_output_limit: AtOutputLimit::KeepCounting,
            kill_grace: Duration::ZERO,
            input: None,
            capture_stdout: false,
            capture_stderr: false,
            stderr_limit: None,
        }
    }

    /// What passing the output limit does.
    #[must_use]
    pub fn at_output_limit(mut self, what: AtOutputLimit) -> Run {
        self.at_output_limit = what;
        self
    }

    /// Stops the group with `SIGTERM` first, and `SIGKILL` only when it
    /// has not ended `grace` later.
    #[must_use]
    pub fn kill_grace(mut self, grace: Duration) -> Run {
        self.kill_grace = grace;
        self
    }

    /// Writes `bytes` to the child's standard input (then closes it).
    #[must_use]
    pub fn input(mut self, bytes: Vec<u8>) -> Run {
        self.input = Some(bytes);
        self
    }

    /// Captures standard output into [`Finished::stdout`].
    #[must_use]
    pub fn capture_stdout(mut self) -> Run {
        self.capture_stdout = true;
        self
    }

    /// Captures standard error into [`Finished::stderr`].
    #[must_use]
    pub fn capture_stderr(mut self) -> Run {
        self.capture_stderr = true;
        self
    }

    /// Captures standard error into [`Finished::stderr`] with a limit of
    /// its own: `limit` bytes are kept and the rest only counted
    /// ([`Finished::stderr_dropped`]), whatever [`Run::at_output_limit`]
    /// says. What a command complains about never stops it, and never
    /// floods the caller.
    #[must_use]
    pub fn capture_stderr_up_to(mut self, limit: usize) -> Run {
        self.capture_stderr = true;
        self.stderr_limit = Some(limit);
        self
    }

    /// Starts `command` in a process group of its own and waits for it
    /// within the bounds. An error only when it cannot be started.
    pub fn run(&self, command: &mut Command) -> io::Result<Finished> {
        command.process_group(0);
        if self.input.is_some() {
            command.stdin(Stdio::piped());
        }
        if self.capture_stdout {
            command.stdout(Stdio::piped());
        }
        if self.capture_stderr {
            command.stderr(Stdio::piped());
        }
        let mut child = command.spawn()?;
        let group = i32::try_from(child.id()).ok().and_then(Pid::from_raw);
        let (events, received) = mpsc::channel();
        let stdout = child
            .stdout
            .take()
            .map(|s| self.collect(s, self.output_limit, &events));
        let stderr = child.stderr.take().map(|s| match self.stderr_limit {
            Some(limit) => Collector::start(s, limit),
            None => self.collect(s, self.output_limit, &events),
        });
        if let (Some(mut pipe), Some(bytes)) = (child.stdin.take(), self.input.clone()) {
            // A child that exits without reading is judged by its status.
            thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            });
        }
        thread::spawn(move || {
            let _ = events.send(Event::Ended(child.wait()));
        });
        let end = self.wait(&received, group);
        let mut finished = Finished {
            end,
            stdout: Vec::new(),
            stderr: Vec::new(),
            stdout_dropped: 0,
            stderr_dropped: 0,
        };
        for (slot, count, collector) in [
            (&mut finished.stdout, &mut finished.stdout_dropped, stdout),
            (&mut finished.stderr, &mut finished.stderr_dropped, stderr),
        ] {
            if let Some(collector) = collector {
                (*slot, *count) = collector.finish(DRAIN_GRACE);
            }
        }
        Ok(finished)
    }

    fn collect(
        &self,
        stream: impl Read + Send + 'static,
        limit: usize,
        events: &Sender<Event>,
    ) -> Collector {
        let full = (self.at_output_limit == AtOutputLimit::Stop).then(|| events.clone());
        Collector::watched(stream, limit, full)
    }

    /// Waits for the end, the time limit or a full stream; stops the group
    /// at either limit.
    fn wait(&self, events: &Receiver<Event>, group: Option<Pid>) -> End {
        let deadline = Instant::now().checked_add(self.time_limit);
        let event = match deadline {
            Some(deadline) => {
                events.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            }
            None => events.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        let cause = match event {
            Ok(Event::Ended(status)) => return ended(status),
            Ok(Event::Full) => End::OutputLimit,
            Err(_) => End::TimedOut,
        };
        self.stop_group(events, group);
        cause
    }

    /// `SIGTERM` (with a grace) then `SIGKILL` to the whole group, until
    /// the child ended or the last wait is over.
    fn stop_group(&self, events: &Receiver<Event>, group: Option<Pid>) {
        let steps: &[(Signal, Duration)] = if self.kill_grace.is_zero() {
            &[(Signal::KILL, KILL_WAIT)]
        } else {
            &[
                (Signal::TERM, self.kill_grace),
                (Signal::KILL, self.kill_grace.max(KILL_WAIT)),
            ]
        };
        for &(signal, wait) in steps {
            if let Some(group) = group {
                let _ = kill_process_group(group, signal);
            }
            if wait_for_end(events, wait) {
                return;
            }
        }
    }
}

/// What the threads watching a child report.
enum Event {
    /// The child ended (reaped).
    Ended(io::Result<ExitStatus>),
    /// A stream passed the output limit (only under [`AtOutputLimit::Stop`]).
    Full,
}

/// True once the child ended, false when `wait` passed first.
fn wait_for_end(events: &Receiver<Event>, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    loop {
        match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Event::Ended(_)) => return true,
            Ok(Event::Full) => {}
            Err(_) => return false,
        }
    }
}

fn ended(status: io::Result<ExitStatus>) -> End {
    match status {
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => End::Exited(code),
            (None, Some(signal)) => End::Signalled(signal),
            (None, None) => End::Exited(-1),
        },
        Err(_) => End::Exited(-1),
    }
}

/// A stream read to its end on a thread of its own, keeping at most
/// `limit` bytes and counting the rest.
pub struct Collector {
    shared: Arc<Mutex<(Vec<u8>, u64)>>,
    done: mpsc::Receiver<()>,
}

impl Collector {
    /// Starts reading `stream`, keeping `limit` bytes and counting the rest.
    pub fn start(stream: impl Read + Send + 'static, limit: usize) -> Collector {
        Collector::watched(stream, limit, None)
    }

    /// Starts reading `stream`; once it passes `limit`, sends
    /// [`Event::Full`] on `full` (when given) and stops reading.
    fn watched(
        mut stream: impl Read + Send + 'static,
        limit: usize,
        full: Option<Sender<Event>>,
    ) -> Collector {
        let shared = Arc::new(Mutex::new((Vec::new(), 0u64)));
        let (tx, done) = mpsc::channel();
        let sink = Arc::clone(&shared);
        thread::spawn(move || {
            let mut buffer = vec![0u8; 64 << 10];
            while let Ok(n) = stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let over = match sink.lock() {
                    Ok(mut guard) => {
                        let (kept, dropped) = &mut *guard;
                        let room = limit.saturating_sub(kept.len()).min(n);
                        kept.extend_from_slice(buffer.get(..room).unwrap_or_default());
                        *dropped += (n - room) as u64;
                        *dropped > 0
                    }
                    Err(_) => false,
                };
                if let (true, Some(full)) = (over, &full) {
                    // Our end of the pipe closes here: a writer gets SIGPIPE.
                    let _ = full.send(Event::Full);
                    break;
                }
            }
            let _ = tx.send(());
        });
        Collector { shared, done }
    }

    /// What was read (and how many bytes were dropped), once the stream
    /// ended or `grace` passed.
    pub fn finish(self, grace: Duration) -> (Vec<u8>, u64) {
        let _ = self.done.recv_timeout(grace);
        self.shared
            .lock()
            .map(|mut guard| std::mem::take(&mut *guard))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
