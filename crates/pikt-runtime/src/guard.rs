//! Test mode and no-exec, applied in one place.
//!
//! [`Guarded`] wraps a [`Host`] and implements the same traits; the
//! interpreter only ever holds a `Guarded`, so no statement, function or
//! input can reach an effect around it, and a forgotten check is
//! impossible. Each effect gets its test-mode or no-exec form here:
//!
//! | effect | test mode (`-T`, `status testing`) | no-exec |
//! | --- | --- | --- |
//! | `exec`, `exec wait`, `#system` | not run: `exec: COMMAND` printed, the shell told to [`Shell::pretend`] (a native `kill`'s victims leave later listings), status 0 | refused (with test mode on too: shown as in test mode) |
//! | `#killprocs` | `pgrep` lists the processes instead; `kill: would signal N processes of USER COMMAND (pids …)` printed; N returned | refused (the listing too) |
//! | the alert mail (`+M`) | printed on standard output instead | refused (with test mode on too: printed) |
//! | `doexec`, `$command`, `input proc`, `filter`, `#popen`, `output print` | run | refused |
//! | `pause` | not waited for (logged) | waits |
//! | files, `output log`, syslog, standard output, the alert log, history, the clock's time, host facts | as without test mode | as without |
//!
//! Once the run's stop is requested ([`Guarded::with_stop`], [`crate::stop`])
//! no command starts and no pause begins, whatever the policy, and a
//! command that ends while a stop is requested is reported as stopped: the
//! caller stopped it, so its status and output are not what the script
//! asked for ([`GuardError::Stopped`]).
//!
//! Without test mode and no-exec every effect passes through. Every command
//! that runs is logged first (INFO, `WORD: COMMAND`, the word naming its
//! use), and standard output is flushed before it so that output keeps its
//! order. A refused command is an [`io::Error`] carrying [`GuardError`], which
//! the interpreter turns into a run-time error at the statement.

use std::fmt;
use std::io::{self, BufRead, Write};
use std::path::Path;

use pikt_lang::ast::{Script, Status};

use crate::config::RunConfig;
use crate::host::{
    Clock, CommandUse, FileStat, Fs, Host, LogEntry, MemoryPipe, ReadPipe, SeekRead, Shell,
    ShellCommand, Sinks, SyslogMessage, System, WritePipe,
};
use crate::shell::{killprocs_command, pkill_count};
use crate::stop::Stop;

/// The switches that make effects safe.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Test mode: acting commands are shown, not run.
    pub test_mode: bool,
    /// No command runs at all.
    pub no_exec: bool,
}

impl Policy {
    /// The run's policy.
    pub fn of(config: &RunConfig) -> Policy {
        Policy {
            test_mode: config.test_mode,
            no_exec: config.no_exec,
        }
    }

    /// The policy for one script of the run: `status testing` turns test
    /// mode on for that script alone (reference §4.4).
    pub fn for_script(config: &RunConfig, script: &Script) -> Policy {
        let testing = script.init.status.map(|(s, _)| s) == Some(Status::Testing);
        Policy {
            test_mode: config.test_mode || testing,
            ..Policy::of(config)
        }
    }
}

/// Why the guard did not do an effect.
#[derive(Debug)]
pub enum GuardError {
    /// No-exec: the command was not run.
    Refused {
        /// The command.
        command: String,
    },
    /// Test mode could not print what it did instead (standard output failed).
    Stdout(io::Error),
    /// The run's stop was requested: the command was not started, or it
    /// ended while the stop was requested.
    Stopped {
        /// Why the stop was requested (`SIGTERM`).
        reason: String,
    },
}

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardError::Refused { command } => {
                write!(f, "running commands is disabled: `{command}`")
            }
            GuardError::Stdout(e) => write!(f, "cannot write to standard output: {e}"),
            GuardError::Stopped { reason } => write!(f, "the run was stopped by {reason}"),
        }
    }
}

impl std::error::Error for GuardError {}

impl GuardError {
    /// The guard's reason inside `error`, if the guard made it.
    pub fn of(error: &io::Error) -> Option<&GuardError> {
        error.get_ref()?.downcast_ref::<GuardError>()
    }

    fn refused(command: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            GuardError::Refused {
                command: command.to_string(),
            },
        )
    }

    fn stdout(error: io::Error) -> io::Error {
        io::Error::new(error.kind(), GuardError::Stdout(error))
    }

    fn stopped(stop: &Stop) -> io::Error {
        let reason = stop.reason().unwrap_or_else(|| "a stop request".into());
        io::Error::new(io::ErrorKind::Interrupted, GuardError::Stopped { reason })
    }
}

/// What the guard does with one command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Run it (it has been logged, standard output flushed).
    Run,
    /// Test mode: it was shown, not run; answer as a command that succeeded
    /// quietly.
    Shown,
}

/// A [`Host`] with test mode and no-exec applied to every effect.
pub struct Guarded<'a> {
    inner: Host<'a>,
    policy: Policy,
    /// The script the log entries name (empty for the run as a whole).
    script: &'a str,
    /// The run's stop request.
    stop: Stop,
}

impl<'a> Guarded<'a> {
    /// `inner` under `policy`; log entries name `script`.
    pub fn new(inner: Host<'a>, policy: Policy, script: &'a str) -> Guarded<'a> {
        Guarded {
            inner,
            policy,
            script,
            stop: Stop::default(),
        }
    }

    /// Watches `stop`: once it is requested no command starts, no pause
    /// begins, and a command that ends is reported stopped.
    pub fn with_stop(mut self, stop: &Stop) -> Guarded<'a> {
        self.stop = stop.clone();
        self
    }

    fn stopping(&self) -> bool {
        self.stop.is_requested()
    }

    /// Refuses to start anything once the stop is requested.
    fn not_stopping(&self) -> io::Result<()> {
        if self.stopping() {
            return Err(GuardError::stopped(&self.stop));
        }
        Ok(())
    }

    /// A command's result, unless the stop was requested while it ran.
    fn unless_stopped<T>(&self, result: io::Result<T>) -> io::Result<T> {
        self.not_stopping()?;
        result
    }

    /// Logs about this script, when the log keeps such entries.
    fn note(&mut self, tag: &str, text: &str, always_show: bool) {
        if !always_show && !self.inner.sinks.keeps_log() {
            return;
        }
        self.inner.sinks.log(&LogEntry {
            tag,
            script: self.script,
            text,
            always_show,
        });
    }

    fn print(&mut self, text: &str) -> io::Result<()> {
        self.inner.sinks.stdout(text).map_err(GuardError::stdout)
    }

    /// Decides what happens to `command` and does what comes before it.
    fn admit(&mut self, command: &ShellCommand<'_>) -> io::Result<Form> {
        self.not_stopping()?;
        if self.policy.test_mode && !runs_in_test_mode(command.used_for) {
            self.show(command.shown)?;
            return Ok(Form::Shown);
        }
        self.admit_run(command.shown, command.used_for)
    }

    /// A command that will run: refused under no-exec, else logged and
    /// standard output flushed. `text` is the command as shown (its values
    /// in place, quoted).
    fn admit_run(&mut self, text: &str, used_for: CommandUse<'_>) -> io::Result<Form> {
        self.not_stopping()?;
        if self.policy.no_exec {
            return Err(GuardError::refused(text));
        }
        self.note("INFO", &format!("{}: {text}", used_for.word()), false);
        let _ = self.inner.sinks.flush();
        Ok(Form::Run)
    }

    /// Test mode's form of an acting command: `exec: COMMAND`.
    fn show(&mut self, text: &str) -> io::Result<()> {
        self.note("INFO", &format!("test mode, not run: {text}"), false);
        self.inner.shell.pretend(text);
        self.print("exec: ")?;
        self.print(text)?;
        self.print("\n")
    }

    /// `#killprocs` in test mode: lists what would be signalled, prints it,
    /// and answers as `pkill -c` would (the count).
    fn list_instead_of_kill(&mut self, user: &str, comm: &str) -> io::Result<String> {
        let listing = killprocs_command(user, comm, 0, true);
        let use_ = CommandUse::KillProcs { user, comm };
        self.admit_run(&listing, use_)?;
        let output = self
            .inner
            .shell
            .capture(&ShellCommand::new(&listing, use_))?;
        let pids: Vec<&str> = output
            .split_whitespace()
            .filter(|word| word.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        let listed = if pids.is_empty() {
            String::new()
        } else {
            format!(" (pids {})", pids.join(" "))
        };
        let line = format!(
            "kill: would signal {} processes of {user} {comm}{listed}\n",
            pids.len()
        );
        self.print(&line)?;
        Ok(format!("{}\n", pids.len()))
    }

    /// Logs what a real `#killprocs` did.
    fn log_kills(&mut self, user: &str, comm: &str, output: &str) {
        let count = pkill_count(output);
        let text = format!("killprocs: signalled {count} processes of user {user} command {comm}");
        self.note(if count > 0 { "KILL" } else { "INFO" }, &text, count > 0);
    }
}

/// Whether a command of this use runs in test mode: only acting ones
/// (`exec`, `#system`, the mail, `#killprocs`'s signals) do not.
fn runs_in_test_mode(used_for: CommandUse<'_>) -> bool {
    !matches!(
        used_for,
        CommandUse::Exec | CommandUse::System | CommandUse::Mail | CommandUse::KillProcs { .. }
    )
}

/// The input of a command that was shown instead of run: discarded.
struct NoInput;

impl Write for NoInput {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl WritePipe for NoInput {
    fn close(self: Box<Self>) -> io::Result<i32> {
        Ok(0)
    }
}

impl Shell for Guarded<'_> {
    fn run(&mut self, command: &ShellCommand<'_>) -> io::Result<i32> {
        match self.admit(command)? {
            Form::Run => {
                let status = self.inner.shell.run(command);
                self.unless_stopped(status)
            }
            Form::Shown => Ok(0),
        }
    }

    fn spawn(&mut self, command: &ShellCommand<'_>) -> io::Result<()> {
        match self.admit(command)? {
            Form::Run => self.inner.shell.spawn(command),
            Form::Shown => Ok(()),
        }
    }

    fn capture(&mut self, command: &ShellCommand<'_>) -> io::Result<String> {
        match command.used_for {
            CommandUse::KillProcs { user, comm } if self.policy.test_mode => {
                self.list_instead_of_kill(user, comm)
            }
            CommandUse::KillProcs { user, comm } => {
                self.admit_run(command.shown, command.used_for)?;
                let output = self.inner.shell.capture(command)?;
                self.log_kills(user, comm, &output);
                self.unless_stopped(Ok(output))
            }
            _ => match self.admit(command)? {
                Form::Run => {
                    let output = self.inner.shell.capture(command);
                    self.unless_stopped(output)
                }
                Form::Shown => Ok(String::new()),
            },
        }
    }

    fn read_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn ReadPipe>> {
        match self.admit(command)? {
            Form::Run => self.inner.shell.read_pipe(command),
            Form::Shown => Ok(Box::new(MemoryPipe::new(Vec::new(), 0))),
        }
    }

    fn filter(
        &mut self,
        command: &ShellCommand<'_>,
        input: Vec<u8>,
    ) -> io::Result<Box<dyn ReadPipe>> {
        match self.admit(command)? {
            Form::Run => self.inner.shell.filter(command, input),
            Form::Shown => Ok(Box::new(MemoryPipe::new(Vec::new(), 0))),
        }
    }

    fn write_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn WritePipe>> {
        match self.admit(command)? {
            Form::Run => self.inner.shell.write_pipe(command),
            Form::Shown => Ok(Box::new(NoInput)),
        }
    }

    fn send(&mut self, command: &ShellCommand<'_>, input: &[u8]) -> io::Result<i32> {
        if self.policy.test_mode && command.used_for == CommandUse::Mail {
            // Test mode mails nothing: the message is shown instead.
            self.print(&String::from_utf8_lossy(input))?;
            self.inner.sinks.flush().map_err(GuardError::stdout)?;
            return Ok(0);
        }
        match self.admit(command)? {
            Form::Run => {
                let status = self.inner.shell.send(command, input);
                self.unless_stopped(status)
            }
            Form::Shown => Ok(0),
        }
    }

    fn pretend(&mut self, command: &str) {
        if self.policy.test_mode {
            self.inner.shell.pretend(command);
        }
    }

    fn signal_number(&self, name: &str) -> Option<i32> {
        self.inner.shell.signal_number(name)
    }
}

impl Clock for Guarded<'_> {
    fn now(&mut self) -> i64 {
        self.inner.clock.now()
    }

    fn cpu_time(&mut self) -> Option<std::time::Duration> {
        self.inner.clock.cpu_time()
    }

    fn sleep(&mut self, seconds: f64, stop: &Stop) {
        if self.policy.test_mode {
            // A dry run does not wait (decided: docs/runtime.md).
            let text = format!(
                "test mode, pause of {} s skipped",
                crate::value::format_number(seconds)
            );
            self.note("INFO", &text, false);
        } else if seconds > 0.0 && !self.stopping() && !stop.is_requested() {
            let _ = self.inner.sinks.flush();
            self.inner.clock.sleep(seconds, stop);
        }
    }
}

impl Fs for Guarded<'_> {
    fn open_read(&mut self, path: &str) -> io::Result<Box<dyn BufRead>> {
        self.inner.fs.open_read(path)
    }

    fn open_write(&mut self, path: &str, append: bool) -> io::Result<Box<dyn Write>> {
        self.inner.fs.open_write(path, append)
    }

    fn append_line(&mut self, path: &str, line: &str) -> io::Result<()> {
        self.inner.fs.append_line(path, line)
    }

    fn stat(&mut self, path: &str, follow: bool) -> io::Result<FileStat> {
        self.inner.fs.stat(path, follow)
    }

    fn open_seekable(&mut self, path: &str) -> io::Result<(Box<dyn SeekRead>, FileStat)> {
        self.inner.fs.open_seekable(path)
    }

    fn read_state(&mut self, path: &Path) -> io::Result<Option<String>> {
        self.inner.fs.read_state(path)
    }

    fn write_state(&mut self, path: &Path, contents: &str) -> io::Result<()> {
        self.inner.fs.write_state(path, contents)
    }
}

impl Sinks for Guarded<'_> {
    fn stdout(&mut self, text: &str) -> io::Result<()> {
        self.inner.sinks.stdout(text)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.sinks.flush()
    }

    fn syslog(&mut self, message: &SyslogMessage<'_>) -> io::Result<()> {
        self.inner.sinks.syslog(message)
    }

    fn log(&mut self, entry: &LogEntry<'_>) {
        self.inner.sinks.log(entry);
    }

    fn keeps_log(&self) -> bool {
        self.inner.sinks.keeps_log()
    }

    fn trace(&mut self, line: &str) {
        self.inner.sinks.trace(line);
    }
}

impl System for Guarded<'_> {
    fn hostname(&self) -> &str {
        self.inner.system.hostname()
    }

    fn getenv(&self, name: &str) -> Option<String> {
        self.inner.system.getenv(name)
    }

    fn random(&mut self) -> f64 {
        self.inner.system.random()
    }

    fn pid(&self) -> u32 {
        self.inner.system.pid()
    }

    fn pid_of(&mut self, name: &str) -> Option<u32> {
        // Reading the process table changes nothing: allowed in test mode.
        self.inner.system.pid_of(name)
    }
}

#[cfg(test)]
mod tests;
