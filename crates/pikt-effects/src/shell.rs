//! `/bin/sh -c COMMAND`, with the native process commands served first.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;

use pikt_runtime::host::{LogEntry, ReadPipe, Shell, ShellCommand, WritePipe};

use crate::native::{NativeLog, NativeProcs};

/// Runs commands with `/bin/sh -c`, standard input from `/dev/null`.
#[derive(Default)]
pub struct RealShell {
    /// Variables added to every command's environment.
    pub env: Vec<(String, String)>,
    /// `ps`, `kill`, `pgrep` and `pkill` served without forking
    /// ([`crate::native`]); on unless `PIKT_NATIVE_PS=0`.
    pub native: NativeProcs,
    background: VecDeque<Child>,
    /// Where the output of `exec wait` and `#system` commands goes in an
    /// alert run (the alert log, reference §3.5); `None`: our own output.
    output_log: Option<NativeLog>,
}

impl std::fmt::Debug for RealShell {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RealShell")
            .field("env", &self.env)
            .field("native", &self.native)
            .field("background", &self.background.len())
            .field("logs_output", &self.output_log.is_some())
            .finish()
    }
}

/// How much of one command's output is copied into the alert log.
const LOGGED_OUTPUT_LIMIT: usize = 64 * 1024;

impl RealShell {
    /// A shell that adds `env` to every command's environment.
    pub fn new(env: Vec<(String, String)>) -> RealShell {
        RealShell {
            env,
            native: NativeProcs::default(),
            background: VecDeque::new(),
            output_log: None,
        }
    }

    /// Copies the output of every `exec wait` / `#system` command into
    /// `log` (one `OUTPUT` entry per line, at most 64 KiB a command) instead
    /// of letting it reach our standard output and error: an alert run
    /// started by piktd has no terminal, and §3.5 puts command output in the
    /// alert's log.
    pub fn log_command_output(&mut self, log: NativeLog) {
        self.output_log = Some(log);
    }

    /// Runs `command`, waits, and logs what it printed.
    fn run_logged(&mut self, command: &ShellCommand<'_>) -> io::Result<i32> {
        let output = self.command(command).output()?;
        if let Some(log) = &mut self.output_log {
            for stream in [&output.stdout, &output.stderr] {
                let shown = &stream[..stream.len().min(LOGGED_OUTPUT_LIMIT)];
                for line in String::from_utf8_lossy(shown).lines() {
                    log(&LogEntry {
                        tag: "OUTPUT",
                        script: "",
                        text: line,
                        always_show: false,
                    });
                }
                if stream.len() > LOGGED_OUTPUT_LIMIT {
                    let text = format!(
                        "({} more bytes of output not logged)",
                        stream.len() - LOGGED_OUTPUT_LIMIT
                    );
                    log(&LogEntry {
                        tag: "OUTPUT",
                        script: "",
                        text: &text,
                        always_show: false,
                    });
                }
            }
        }
        Ok(status_code(output.status))
    }

    /// `/bin/sh -c TEXT`, with the run's environment and the command's
    /// values (`PIKT_DATA_N`, which the text refers to).
    fn command(&self, command: &ShellCommand<'_>) -> Command {
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(command.text)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .envs(command.environment())
            .stdin(Stdio::null());
        cmd
    }

    /// Collects background commands that have finished (no zombies pile up).
    fn reap(&mut self) {
        self.background
            .retain_mut(|child| !matches!(child.try_wait(), Ok(Some(_)) | Err(_)));
    }
}

/// An exit status as a number: the code, or 128 + the signal.
fn status_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

impl Shell for RealShell {
    fn pretend(&mut self, command: &str) {
        self.native.pretend(command);
    }

    fn signal_number(&self, name: &str) -> Option<i32> {
        pikt_proc::parse_signal(name.trim()).map(pikt_proc::Signal::as_raw)
    }

    fn run(&mut self, command: &ShellCommand<'_>) -> io::Result<i32> {
        if let Some(status) = self.run_native(native_text(command)) {
            return status;
        }
        self.reap();
        if self.output_log.is_some() {
            return self.run_logged(command);
        }
        self.command(command).status().map(status_code)
    }

    fn spawn(&mut self, command: &ShellCommand<'_>) -> io::Result<()> {
        if let Some(status) = self.run_native(native_text(command)) {
            return status.map(|_| ());
        }
        self.reap();
        let child = self.command(command).spawn()?;
        self.background.push_back(child);
        Ok(())
    }

    fn capture(&mut self, command: &ShellCommand<'_>) -> io::Result<String> {
        if let Some(output) = self.capture_native(native_text(command)) {
            return output;
        }
        let mut child = self.command(command).stdout(Stdio::piped()).spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no pipe from the command"))?;
        let mut bytes = Vec::new();
        // What a command prints beyond the limit is not read: its pipe is
        // closed, and a command still writing gets SIGPIPE.
        stdout.take(CAPTURE_LIMIT as u64).read_to_end(&mut bytes)?;
        child.wait()?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn read_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn ReadPipe>> {
        if let Some(pipe) = self.read_native(native_text(command)) {
            return pipe;
        }
        let mut child = self.command(command).stdout(Stdio::piped()).spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no pipe to the command"))?;
        Ok(Box::new(ChildReader {
            reader: Some(BufReader::new(stdout)),
            child,
            feeder: None,
        }))
    }

    fn filter(
        &mut self,
        command: &ShellCommand<'_>,
        input: Vec<u8>,
    ) -> io::Result<Box<dyn ReadPipe>> {
        self.filter_text(command, input)
    }

    fn write_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn WritePipe>> {
        let mut child = self.command(command).stdin(Stdio::piped()).spawn()?;
        let stdin = child.stdin.take();
        Ok(Box::new(ChildWriter { stdin, child }))
    }
}

/// The most of a command's output `capture` (`$command`) reads: 16 MiB.
pub const CAPTURE_LIMIT: usize = 16 << 20;

/// The text the native process commands may read for `command`: the text
/// itself when it carries no values; with values, the command as shown
/// (values quoted in place) when that means exactly the same. Otherwise
/// the text, whose references to values no native form accepts, so the
/// command goes to `/bin/sh`.
fn native_text<'c>(command: &ShellCommand<'c>) -> &'c str {
    if !command.data.is_empty() && command.shown_exact {
        command.shown
    } else {
        command.text
    }
}

impl RealShell {
    /// Runs `command` with `input` on its standard input; a reader of its
    /// standard output (`filter`, and the rest of a natively fed pipeline).
    pub(crate) fn filter_text(
        &mut self,
        command: &ShellCommand<'_>,
        input: Vec<u8>,
    ) -> io::Result<Box<dyn ReadPipe>> {
        let mut child = self
            .command(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no pipe from the filter"))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no pipe to the filter"))?;
        // A thread feeds the filter so that neither side blocks the other.
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        Ok(Box::new(ChildReader {
            reader: Some(BufReader::new(stdout)),
            child,
            feeder: Some(feeder),
        }))
    }
}

/// The standard output of a running command.
struct ChildReader {
    reader: Option<BufReader<ChildStdout>>,
    child: Child,
    feeder: Option<JoinHandle<()>>,
}

impl Read for ChildReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.reader {
            Some(r) => r.read(buf),
            None => Ok(0),
        }
    }
}

impl BufRead for ChildReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &mut self.reader {
            Some(r) => r.fill_buf(),
            None => Ok(&[]),
        }
    }

    fn consume(&mut self, amount: usize) {
        if let Some(r) = &mut self.reader {
            r.consume(amount);
        }
    }
}

impl ReadPipe for ChildReader {
    fn close(mut self: Box<Self>) -> io::Result<i32> {
        // Closing our end first lets a command still writing get SIGPIPE
        // instead of blocking forever.
        drop(self.reader.take());
        let status = self.child.wait()?;
        if let Some(feeder) = self.feeder.take() {
            let _ = feeder.join();
        }
        Ok(status_code(status))
    }
}

/// The standard input of a running command.
struct ChildWriter {
    stdin: Option<ChildStdin>,
    child: Child,
}

impl Write for ChildWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.stdin {
            Some(w) => w.write(buf),
            None => Err(io::Error::from(io::ErrorKind::BrokenPipe)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.stdin {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl WritePipe for ChildWriter {
    fn close(mut self: Box<Self>) -> io::Result<i32> {
        drop(self.stdin.take());
        self.child.wait().map(status_code)
    }
}

#[cfg(test)]
mod tests {
    use pikt_runtime::host::CommandUse;

    use super::*;

    fn cmd(text: &str) -> ShellCommand<'_> {
        ShellCommand::new(text, CommandUse::DoExec)
    }

    #[test]
    fn shell_runs_captures_and_pipes() {
        let mut shell = RealShell::new(vec![("PIKT_T".into(), "v".into())]);
        assert_eq!(shell.run(&cmd("exit 3")).unwrap(), 3);
        assert_eq!(shell.capture(&cmd("echo $PIKT_T")).unwrap(), "v\n");
        let mut pipe = shell.read_pipe(&cmd("printf 'a\\nb\\n'; exit 2")).unwrap();
        let mut text = String::new();
        pipe.read_to_string(&mut text).unwrap();
        assert_eq!(text, "a\nb\n");
        assert_eq!(pipe.close().unwrap(), 2);
        let mut filtered = shell
            .filter(&cmd("tr a-z A-Z"), b"x\ny\n".to_vec())
            .unwrap();
        let mut text = String::new();
        filtered.read_to_string(&mut text).unwrap();
        assert_eq!(text, "X\nY\n");
        assert_eq!(filtered.close().unwrap(), 0);
    }

    #[test]
    fn closing_a_pipe_early_does_not_hang() {
        let mut shell = RealShell::default();
        let mut pipe = shell.read_pipe(&cmd("yes")).unwrap();
        let mut line = String::new();
        pipe.read_line(&mut line).unwrap();
        assert_eq!(line, "y\n");
        assert_eq!(pipe.close().unwrap(), 128 + 13);
    }

    #[test]
    fn signal_names_and_numbers_are_this_systems() {
        let shell = RealShell::default();
        assert_eq!(shell.signal_number("9"), Some(9));
        assert_eq!(shell.signal_number("KILL"), Some(9));
        assert_eq!(shell.signal_number(" sigterm "), Some(15));
        assert_eq!(shell.signal_number("NOPE"), None);
        assert_eq!(shell.signal_number("999"), None);
    }

    #[test]
    fn send_feeds_a_command_and_a_failing_status_wins() {
        let mut shell = RealShell::default();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got");
        let command = format!("cat > '{}'", out.display());
        assert_eq!(shell.send(&cmd(&command), b"mail body\n").unwrap(), 0);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "mail body\n");
        assert_eq!(shell.send(&cmd("exit 3"), &vec![b'x'; 1 << 20]).unwrap(), 3);
    }
}
