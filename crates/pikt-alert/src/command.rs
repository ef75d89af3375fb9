//! PIKT's way of sending mail: pipe the body to the alert's mail command.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use rustix::process::{kill_process_group, Pid, Signal};

use crate::{AlertMessage, DeliveryError, Transport};

/// How much of the command's standard error is kept for the message.
const STDERR_KEPT: u64 = 4096;

/// Runs `/bin/sh -c MAILCMD` with the message body on standard input, as
/// PIKT did with `mailcmd "=mailx -s '...' admins"`. A non-zero exit status,
/// a death by a signal, a failure to start, or a command still running after
/// the time limit is a failed delivery: the message stays in the spool.
///
/// The command runs in its own process group, which is killed as a whole
/// at the time limit (the shell and the `mailx` it started). The body is
/// written from a thread, so a command that never reads cannot block the
/// run past the limit. The environment gets `PIKT_MESSAGE_ID` (the
/// message's id, kept on retries) for commands that can set the header.
#[derive(Debug, Clone)]
pub struct CommandTransport {
    command: String,
    time_limit: Duration,
}

impl CommandTransport {
    /// A transport running `command`, killed after `time_limit`.
    pub fn new(command: impl Into<String>, time_limit: Duration) -> CommandTransport {
        CommandTransport {
            command: command.into(),
            time_limit,
        }
    }

    /// Waits for `child` until the time limit; kills its group then.
    fn wait(&self, child: &mut Child) -> Result<std::process::ExitStatus, DeliveryError> {
        let deadline = Instant::now() + self.time_limit;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() >= deadline => {
                    kill_group(child);
                    let _ = child.wait();
                    return Err(DeliveryError::new(format!(
                        "the mail command was still running after {} s and was killed",
                        self.time_limit.as_secs()
                    )));
                }
                Ok(None) => thread::sleep(Duration::from_millis(10)),
                Err(e) => {
                    kill_group(child);
                    let _ = child.wait();
                    return Err(DeliveryError::new(format!(
                        "waiting for the mail command: {e}"
                    )));
                }
            }
        }
    }
}

fn kill_group(child: &Child) {
    if let Some(group) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) {
        let _ = kill_process_group(group, Signal::KILL);
    }
}

impl Transport for CommandTransport {
    fn send(&self, message: &AlertMessage) -> Result<(), DeliveryError> {
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(&self.command)
            .env("PIKT_MESSAGE_ID", format!("<{}>", message.message_id))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| DeliveryError::new(format!("cannot start the mail command: {e}")))?;
        let body = message.visible_body();
        let writer = child.stdin.take().map(|mut stdin| {
            // A command that exits without reading is judged by its status.
            thread::spawn(move || {
                let _ = stdin.write_all(body.as_bytes());
            })
        });
        let reader = child.stderr.take().map(|pipe| {
            thread::spawn(move || {
                let mut kept = String::new();
                let mut pipe = pipe;
                let _ = pipe.by_ref().take(STDERR_KEPT).read_to_string(&mut kept);
                // Drain the rest so the command never blocks on a full pipe.
                let _ = std::io::copy(&mut pipe, &mut std::io::sink());
                kept
            })
        });
        let status = self.wait(&mut child);
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        let stderr = reader.and_then(|r| r.join().ok()).unwrap_or_default();
        let status = status?;
        if status.success() {
            return Ok(());
        }
        let stderr = stderr.trim();
        Err(DeliveryError::new(if stderr.is_empty() {
            format!("the mail command failed ({status})")
        } else {
            format!("the mail command failed ({status}): {stderr}")
        }))
    }

    fn describe(&self) -> String {
        format!("mail command `{}`", self.command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> AlertMessage {
        AlertMessage::new("pikt@h", vec![], "s", "PIKT ALERT\nbody line\n", "h")
    }

    #[test]
    fn body_reaches_the_command_on_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.txt");
        let t = CommandTransport::new(
            format!("cat > '{}'", out.display()),
            Duration::from_secs(10),
        );
        t.send(&message()).unwrap();
        assert_eq!(
            std::fs::read_to_string(out).unwrap(),
            "PIKT ALERT\nbody line\n"
        );
    }

    #[test]
    fn failing_command_is_an_error_with_its_stderr() {
        let t = CommandTransport::new("echo no relay >&2; exit 3", Duration::from_secs(10));
        let err = t.send(&message()).unwrap_err();
        assert!(err.message.contains("no relay"), "{err}");
        assert!(err.message.contains('3'), "{err}");
    }

    #[test]
    fn hanging_command_is_killed_with_its_children_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        // The shell's child ignores the pipe and would outlive a kill of
        // the shell alone.
        let t = CommandTransport::new(
            format!("sleep 30 & echo $! > '{}'; wait", pid_file.display()),
            Duration::from_millis(300),
        );
        let started = Instant::now();
        let err = t.send(&message()).unwrap_err();
        assert!(err.message.contains("killed"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::path::Path::new(&format!("/proc/{}", pid.trim())).exists() {
            let state =
                std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
            if state.contains(") Z ") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the mail command's child lives on"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_command_that_never_reads_a_big_body_is_still_bounded() {
        let mut big = message();
        big.body = "x".repeat(1 << 20);
        let t = CommandTransport::new("sleep 30", Duration::from_millis(300));
        let started = Instant::now();
        assert!(t.send(&big).is_err());
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn the_command_gets_the_message_id_and_a_visible_body() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.txt");
        let mut m = message();
        m.body = "evil\x1b[2J\rline\n".into();
        let t = CommandTransport::new(
            format!(
                "{{ echo \"$PIKT_MESSAGE_ID\"; cat; }} > '{}'",
                out.display()
            ),
            Duration::from_secs(10),
        );
        t.send(&m).unwrap();
        assert_eq!(
            std::fs::read_to_string(out).unwrap(),
            format!("<{}>\nevil\\x1b[2J\\x0dline\n", m.message_id)
        );
    }

    #[test]
    fn a_command_killed_by_a_signal_is_a_failure() {
        let t = CommandTransport::new("kill -TERM $$", Duration::from_secs(10));
        let err = t.send(&message()).unwrap_err();
        assert!(err.message.contains("failed"), "{err}");
    }
}
