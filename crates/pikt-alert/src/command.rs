//! PIKT's way of sending mail: pipe the body to the alert's mail command.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{AlertMessage, DeliveryError, Transport};

/// Runs `/bin/sh -c MAILCMD` with the message body on standard input, as
/// PIKT did with `mailcmd "=mailx -s '...' admins"`. A non-zero exit status,
/// a failure to start, or a command still running after the time limit is a
/// failed delivery (the message is then spooled).
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
}

impl Transport for CommandTransport {
    fn send(&self, message: &AlertMessage) -> Result<(), DeliveryError> {
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| DeliveryError::new(format!("cannot start the mail command: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A command that exits without reading is judged by its status below.
            let _ = stdin.write_all(message.body.as_bytes());
        }
        let deadline = Instant::now() + self.time_limit;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(DeliveryError::new(format!(
                        "the mail command was still running after {} s and was killed",
                        self.time_limit.as_secs()
                    )));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => {
                    return Err(DeliveryError::new(format!(
                        "waiting for the mail command: {e}"
                    )))
                }
            }
        };
        if status.success() {
            return Ok(());
        }
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.by_ref().take(4096).read_to_string(&mut stderr);
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
        AlertMessage {
            from: "pikt@h".into(),
            to: vec![],
            subject: "s".into(),
            body: "PIKT ALERT\nbody line\n".into(),
        }
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
    fn hanging_command_is_killed_at_the_limit() {
        let t = CommandTransport::new("sleep 30", Duration::from_millis(200));
        let started = Instant::now();
        let err = t.send(&message()).unwrap_err();
        assert!(err.message.contains("killed"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
