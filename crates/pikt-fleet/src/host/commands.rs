//! `+C` commands on this host (`-x`, `-X`): each runs as `/bin/sh -c
//! COMMAND` in the installation root, stdin from `/dev/null`, in a process
//! group of its own. A waited-for command is bounded: its output is kept
//! up to [`OUTPUT_LIMIT`] bytes per stream (the rest counted), and at its
//! time limit its whole group gets `SIGTERM`, then `SIGKILL` 5 s later.
//! A command started without waiting gets `/dev/null` for every stream
//! and is left running. A command that leaves a daemon holding its
//! output open (`service foo restart`) is not waited for beyond its own
//! end plus [`DRAIN_GRACE`].

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use rustix::process::{kill_process_group, Pid, Signal};

use crate::collect::{Collector, DRAIN_GRACE};
use crate::plan::CommandRequest;
use crate::report::{CommandEnd, CommandResult};

/// Bytes of each output stream kept per command.
pub const OUTPUT_LIMIT: usize = 1 << 20;

/// How long a group gets between `SIGTERM` and `SIGKILL`.
const KILL_GRACE: Duration = Duration::from_secs(5);

/// Runs `request` in `cwd`.
pub(super) fn run(request: &CommandRequest, cwd: &Path) -> CommandResult {
    let mut result = CommandResult {
        command: request.command.clone(),
        end: CommandEnd::WouldRun,
        dropped: 0,
        stdout: Vec::new(),
        stderr: Vec::new(),
    };
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(&request.command)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .process_group(0);
    if !request.wait {
        command.stdout(Stdio::null()).stderr(Stdio::null());
        result.end = match command.spawn() {
            Ok(child) => CommandEnd::Started(child.id()),
            Err(e) => CommandEnd::CannotStart(e.to_string()),
        };
        return result;
    }
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            result.end = CommandEnd::CannotStart(e.to_string());
            return result;
        }
    };
    let stdout = child
        .stdout
        .take()
        .map(|s| Collector::start(s, OUTPUT_LIMIT));
    let stderr = child
        .stderr
        .take()
        .map(|s| Collector::start(s, OUTPUT_LIMIT));
    result.end = wait_bounded(child, Duration::from_secs(request.time_limit));
    for (slot, collector) in [(&mut result.stdout, stdout), (&mut result.stderr, stderr)] {
        if let Some(collector) = collector {
            let (kept, dropped) = collector.finish(DRAIN_GRACE);
            *slot = kept;
            result.dropped += dropped;
        }
    }
    result
}

/// Waits for `child` at most `limit`, then stops its process group.
fn wait_bounded(mut child: Child, limit: Duration) -> CommandEnd {
    let group = i32::try_from(child.id()).ok().and_then(Pid::from_raw);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let ended = |status: std::io::Result<ExitStatus>| match status {
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => CommandEnd::Exited(code),
            (None, Some(signal)) => CommandEnd::Signalled(signal),
            (None, None) => CommandEnd::Exited(-1),
        },
        Err(e) => CommandEnd::CannotStart(e.to_string()),
    };
    if let Ok(status) = rx.recv_timeout(limit) {
        return ended(status);
    }
    for (signal, grace) in [(Signal::TERM, KILL_GRACE), (Signal::KILL, KILL_GRACE)] {
        if let Some(group) = group {
            let _ = kill_process_group(group, signal);
        }
        if rx.recv_timeout(grace).is_ok() {
            break;
        }
    }
    CommandEnd::TimedOut(limit.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(command: &str, wait: bool, time_limit: u64) -> CommandRequest {
        CommandRequest {
            command: command.into(),
            wait,
            time_limit,
        }
    }

    #[test]
    fn output_and_status_come_back() {
        let result = run(
            &request("echo out; echo err >&2; exit 3", true, 10),
            Path::new("/"),
        );
        assert_eq!(result.end, CommandEnd::Exited(3));
        assert_eq!(result.stdout, b"out\n");
        assert_eq!(result.stderr, b"err\n");
        assert!(result.failed());
    }

    #[test]
    fn output_is_bounded() {
        let result = run(
            &request("head -c 1100000 /dev/zero", true, 30),
            Path::new("/"),
        );
        assert_eq!(result.end, CommandEnd::Exited(0));
        assert_eq!(result.stdout.len(), OUTPUT_LIMIT);
        assert_eq!(result.dropped, 1_100_000 - OUTPUT_LIMIT as u64);
    }

    #[test]
    fn a_command_past_its_limit_is_stopped_with_its_group() {
        let started = std::time::Instant::now();
        let result = run(&request("sleep 30 & sleep 30", true, 1), Path::new("/"));
        assert_eq!(result.end, CommandEnd::TimedOut(1));
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_daemon_left_behind_does_not_hold_the_run() {
        let started = std::time::Instant::now();
        let result = run(
            &request("setsid sleep 20 & echo started", true, 30),
            Path::new("/"),
        );
        assert_eq!(result.end, CommandEnd::Exited(0));
        assert_eq!(result.stdout, b"started\n");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn not_waiting_returns_the_pid() {
        let result = run(&request("exit 0", false, 1), Path::new("/"));
        assert!(matches!(result.end, CommandEnd::Started(pid) if pid > 0));
        assert!(!result.failed());
    }
}
