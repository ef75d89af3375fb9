//! `+C` commands on this host (`-x`, `-X`): each runs as `/bin/sh -c
//! COMMAND` in the installation root, stdin from `/dev/null`, in a process
//! group of its own. A waited-for command is bounded: its output is kept
//! up to [`OUTPUT_LIMIT`] bytes per stream (the rest counted), and at its
//! time limit its whole group gets `SIGTERM`, then `SIGKILL` 5 s later.
//! A command started without waiting gets `/dev/null` for every stream
//! and is left running. A command that leaves a daemon holding its
//! output open (`service foo restart`) is not waited for beyond its own
//! end plus [`pikt_child::DRAIN_GRACE`]. `pikt-child` owns the bounds.

use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use pikt_child::{End, Run};

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
        .stdin(Stdio::null());
    if !request.wait {
        command
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        result.end = match command.spawn() {
            Ok(child) => CommandEnd::Started(child.id()),
            Err(e) => CommandEnd::CannotStart(e.to_string()),
        };
        return result;
    }
    let bounded = Run::new(Duration::from_secs(request.time_limit), OUTPUT_LIMIT)
        .kill_grace(KILL_GRACE)
        .capture_stdout()
        .capture_stderr();
    match bounded.run(&mut command) {
        Ok(finished) => {
            result.end = match finished.end {
                End::Exited(code) => CommandEnd::Exited(code),
                End::Signalled(signal) => CommandEnd::Signalled(signal),
                End::TimedOut | End::OutputLimit => CommandEnd::TimedOut(request.time_limit),
            };
            result.dropped = finished.dropped();
            result.stdout = finished.stdout;
            result.stderr = finished.stderr;
        }
        Err(e) => result.end = CommandEnd::CannotStart(e.to_string()),
    }
    result
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
