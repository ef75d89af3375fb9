//! Running one ssh client: in a process group of its own (so Ctrl-C on
//! the terminal reaches piktc, which decides, and not the client), with
//! its input written on a thread, its outputs read bounded, and the
//! whole group killed at the host's deadline or when the run is cut.

use std::io::{self, Write as _};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{kill_process_group, Pid, Signal};

use crate::collect::{Collector, DRAIN_GRACE};
use crate::interrupt::{Interrupt, Level};

/// Bytes of the client's standard error kept (ssh's messages are short).
const STDERR_LIMIT: usize = 64 << 10;

/// How a client ended.
#[derive(Debug)]
pub(super) struct Finished {
    /// Its exit status (`None` when a signal ended it).
    pub code: Option<i32>,
    /// The signal that ended it.
    pub signal: Option<i32>,
    /// Its standard output (at most the limit asked for).
    pub stdout: Vec<u8>,
    /// Bytes of standard output beyond the limit.
    pub stdout_dropped: u64,
    /// Its standard error, as text.
    pub stderr: String,
}

/// Why a client was stopped before it ended.
#[derive(Debug)]
pub(super) enum Cut {
    /// The host's time was up.
    Deadline,
    /// The run was cut (Ctrl-C twice, SIGTERM).
    Interrupted,
    /// It could not be started.
    Spawn(io::Error),
}

/// What bounds one client.
pub(super) struct Limits<'a> {
    /// When it is killed.
    pub deadline: Instant,
    /// Cuts it at [`Level::Cut`] (none: it is not cut, e.g. cleanup).
    pub interrupt: Option<&'a Interrupt>,
    /// Bytes of standard output kept.
    pub stdout_limit: usize,
}

/// Runs `command` with `input` on its standard input (none: `/dev/null`).
/// Also says whether the whole input was written.
pub(super) fn run(
    mut command: Command,
    input: Option<&[u8]>,
    limits: &Limits<'_>,
) -> (Result<Finished, Cut>, bool) {
    command
        .process_group(0)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return (Err(Cut::Spawn(e)), false),
    };
    let group = i32::try_from(child.id()).ok().and_then(Pid::from_raw);
    let stdout = child
        .stdout
        .take()
        .map(|s| Collector::start(s, limits.stdout_limit));
    let stderr = child
        .stderr
        .take()
        .map(|s| Collector::start(s, STDERR_LIMIT));
    let sent = AtomicBool::new(input.is_none());
    let ended = thread::scope(|scope| {
        if let (Some(mut pipe), Some(bytes)) = (child.stdin.take(), input) {
            let sent = &sent;
            scope.spawn(move || {
                if pipe.write_all(bytes).and_then(|()| pipe.flush()).is_ok() {
                    sent.store(true, Ordering::SeqCst);
                }
            });
        }
        let mut pause = Duration::from_millis(1);
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) => {}
                Err(e) => return Err(Cut::Spawn(e)),
            }
            let stop = if Instant::now() >= limits.deadline {
                Some(Cut::Deadline)
            } else if limits.interrupt.is_some_and(|i| i.level() == Level::Cut) {
                Some(Cut::Interrupted)
            } else {
                None
            };
            if let Some(stop) = stop {
                // Not reaped yet, so the group id is still this client's.
                if let Some(group) = group {
                    let _ = kill_process_group(group, Signal::KILL);
                }
                let _ = child.wait();
                return Err(stop);
            }
            thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    });
    let input_sent = sent.load(Ordering::SeqCst);
    let status = match ended {
        Ok(status) => status,
        Err(cut) => return (Err(cut), input_sent),
    };
    let (stdout, stdout_dropped) = stdout.map(|c| c.finish(DRAIN_GRACE)).unwrap_or_default();
    let (stderr, _) = stderr.map(|c| c.finish(DRAIN_GRACE)).unwrap_or_default();
    let finished = Finished {
        code: status.code(),
        signal: status.signal(),
        stdout,
        stdout_dropped,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    (Ok(finished), input_sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(seconds: u64) -> Limits<'static> {
        Limits {
            deadline: Instant::now() + Duration::from_secs(seconds),
            interrupt: None,
            stdout_limit: 16,
        }
    }

    fn sh(script: &str) -> Command {
        let mut command = Command::new("/bin/sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn input_goes_in_and_output_comes_out_bounded() {
        let (finished, sent) = run(
            sh("cat; echo oops >&2; exit 7"),
            Some(b"0123456789abcdefXYZ"),
            &limits(10),
        );
        let finished = finished.unwrap_or_else(|e| panic!("{e:?}"));
        assert!(sent);
        assert_eq!(finished.code, Some(7));
        assert_eq!(finished.stdout, b"0123456789abcdef");
        assert_eq!(finished.stdout_dropped, 3);
        assert_eq!(finished.stderr, "oops\n");
    }

    #[test]
    fn the_deadline_kills_the_whole_group() {
        let started = Instant::now();
        let (finished, sent) = run(
            sh("sleep 30 & sleep 30"),
            Some(&vec![0u8; 1 << 20]),
            &Limits {
                deadline: Instant::now() + Duration::from_millis(300),
                ..limits(0)
            },
        );
        assert!(matches!(finished, Err(Cut::Deadline)), "{finished:?}");
        assert!(!sent, "nobody read the input");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_cut_run_stops_the_client() {
        let interrupt = Interrupt::new();
        interrupt.cut();
        let (finished, _) = run(
            sh("sleep 30"),
            None,
            &Limits {
                interrupt: Some(&interrupt),
                ..limits(30)
            },
        );
        assert!(matches!(finished, Err(Cut::Interrupted)), "{finished:?}");
    }
}
