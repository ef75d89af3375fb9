//! Every effect the interpreter has on the world goes through the traits of
//! this module, bundled in a [`Host`].
//!
//! The interpreter never calls `std::process::Command`, the clock, the file
//! system, syslog or standard output directly: this crate does no real I/O.
//! The binaries wire in the real implementations (the `pikt-effects` crate);
//! tests use the recording fakes of [`crate::testing`]. The interpreter
//! never sees a bare [`Host`] either: [`crate::guard::Guarded`] wraps it,
//! implementing these same traits, and applies test mode and no-exec to
//! every effect, so they hold for every implementation.

use std::io::{self, BufRead, Cursor, Read, Seek, Write};
use std::path::Path;

use pikt_lang::ast::Level;

use crate::stop::Stop;

/// What a shell command is run for. The real shell runs every command the
/// same way; test mode and no-exec ([`crate::guard`]) treat each use in its
/// own way, and the log names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandUse<'a> {
    /// `exec`, `exec wait`: acts on the world (test mode prints it instead).
    Exec,
    /// `#system(command)`: as `Exec`.
    System,
    /// `doexec`, `doexec wait`: runs in test mode too.
    DoExec,
    /// `$command(command)`: its output is read.
    Command,
    /// `input proc` (with its `filter` when there is one).
    InputProc,
    /// `filter` over `input file` or `input logfile`.
    Filter,
    /// `#popen(H, command, mode)`.
    Popen,
    /// The pipe of `output print` (`+L`).
    Print,
    /// The alert mail piped to the mail command (`+M`): test mode prints the
    /// message instead.
    Mail,
    /// `#killprocs(user, comm, signal)`: signals every process of `user`
    /// named `comm` (`pkill -c`); test mode lists them instead.
    KillProcs {
        /// The user whose processes are signalled.
        user: &'a str,
        /// Their command name.
        comm: &'a str,
    },
}

impl CommandUse<'_> {
    /// The word that introduces the command in the log (`exec: ls`).
    pub fn word(&self) -> &'static str {
        match self {
            CommandUse::Exec | CommandUse::DoExec => "exec",
            CommandUse::System => "system",
            CommandUse::Command => "command",
            CommandUse::InputProc => "input proc",
            CommandUse::Filter => "filter",
            CommandUse::Popen => "popen",
            CommandUse::Print => "print",
            CommandUse::Mail => "mail",
            CommandUse::KillProcs { .. } => "killprocs",
        }
    }
}

/// A shell command (run as `/bin/sh -c TEXT`) and what it is run for.
///
/// The values a script put into the command are not part of `text`: each
/// is in `data`, and reaches the command as an environment variable
/// (`data[0]` as `PIKT_DATA_1`, see [`data_var`]) that `text` refers to
/// (`crate::command` builds them). `shown` is the same command with the
/// values written in place, quoted: what logs and test mode show, and what
/// a shell that serves some commands itself may read when `shown_exact`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShellCommand<'a> {
    /// The command text.
    pub text: &'a str,
    /// The values `text` refers to, in order.
    pub data: &'a [String],
    /// The command with the values in place, quoted for where they stand.
    pub shown: &'a str,
    /// True when `shown` means exactly what `text` with `data` means
    /// (false when a value stands in backquotes, a comment or a
    /// here-document, where written in place it could be read otherwise).
    pub shown_exact: bool,
    /// Why it runs.
    pub used_for: CommandUse<'a>,
}

impl<'a> ShellCommand<'a> {
    /// `text`, all code, run for `used_for`.
    pub fn new(text: &'a str, used_for: CommandUse<'a>) -> Self {
        ShellCommand {
            text,
            data: &[],
            shown: text,
            shown_exact: true,
            used_for,
        }
    }

    /// The environment the command needs for its values: `(PIKT_DATA_N,
    /// value)` pairs.
    pub fn environment(&self) -> impl Iterator<Item = (String, &'a str)> + 'a {
        let data = self.data;
        data.iter()
            .enumerate()
            .map(|(index, value)| (data_var(index + 1), value.as_str()))
    }
}

/// The prefix of the environment variables that carry a command's values.
pub const DATA_VAR_PREFIX: &str = "PIKT_DATA_";

/// The name of the variable that carries a command's `n`th value (from 1).
pub fn data_var(n: usize) -> String {
    format!("{DATA_VAR_PREFIX}{n}")
}

/// Shell commands, all run as `/bin/sh -c COMMAND`.
pub trait Shell {
    /// Runs `command` and waits for it (`exec wait`, `#system`); its output
    /// goes where ours goes. Returns the exit status (128 + signal number
    /// when it was killed by a signal).
    fn run(&mut self, command: &ShellCommand<'_>) -> io::Result<i32>;
    /// Starts `command` in the background (`exec`).
    fn spawn(&mut self, command: &ShellCommand<'_>) -> io::Result<()>;
    /// Runs `command` and returns its standard output (`$command`,
    /// `#killprocs`).
    fn capture(&mut self, command: &ShellCommand<'_>) -> io::Result<String>;
    /// Starts `command` and returns a reader of its standard output
    /// (`input proc`, `#popen(H, cmd, "r")`).
    fn read_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn ReadPipe>>;
    /// Starts `command` with `input` on its standard input and returns a
    /// reader of its standard output (`filter` over file input).
    fn filter(
        &mut self,
        command: &ShellCommand<'_>,
        input: Vec<u8>,
    ) -> io::Result<Box<dyn ReadPipe>>;
    /// Starts `command` and returns a writer to its standard input
    /// (`#popen(H, cmd, "w")`, `output print`).
    fn write_pipe(&mut self, command: &ShellCommand<'_>) -> io::Result<Box<dyn WritePipe>>;
    /// Runs `command` with `input` on its standard input and waits for it
    /// (the alert mail); returns its exit status. A command that fails
    /// before reading its input also breaks the pipe: its status then says
    /// more than the broken pipe, so a non-zero status wins.
    fn send(&mut self, command: &ShellCommand<'_>, input: &[u8]) -> io::Result<i32> {
        let mut pipe = self.write_pipe(command)?;
        let written = pipe.write_all(input).and_then(|()| pipe.flush());
        let status = pipe.close()?;
        if status != 0 {
            return Ok(status);
        }
        written.map(|()| status)
    }
    /// Test mode did not run `command`; a shell that can tell what it would
    /// have done to what later commands see (a native `kill` makes its
    /// victims vanish from later native `ps` output) pretends it ran. So a
    /// kill loop such as the seed's `kill_user_proc` ends in test mode as it
    /// would for real, instead of finding the same processes forever.
    fn pretend(&mut self, command: &str) {
        let _ = command;
    }
    /// The number of the signal `name` names on this system (`9`, `KILL`,
    /// `SIGkill`, `term`), for `#killprocs`; `None` when it names none.
    fn signal_number(&self, name: &str) -> Option<i32>;
}

/// The standard output of a running command.
pub trait ReadPipe: BufRead {
    /// Closes the pipe and waits for the command; returns its exit status.
    fn close(self: Box<Self>) -> io::Result<i32>;
}

/// The output of a command that is already complete: served natively by the
/// real shell, canned by a fake, or nothing for a command test mode did not
/// run.
pub struct MemoryPipe {
    data: Cursor<Vec<u8>>,
    status: i32,
}

impl MemoryPipe {
    /// A pipe that reads `data`, then closes with `status`.
    pub fn new(data: Vec<u8>, status: i32) -> Self {
        MemoryPipe {
            data: Cursor::new(data),
            status,
        }
    }
}

impl Read for MemoryPipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.data.read(buf)
    }
}

impl BufRead for MemoryPipe {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.data.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.data.consume(amount);
    }
}

impl ReadPipe for MemoryPipe {
    fn close(self: Box<Self>) -> io::Result<i32> {
        Ok(self.status)
    }
}

/// The standard input of a running command.
pub trait WritePipe: Write {
    /// Closes the pipe and waits for the command; returns its exit status.
    fn close(self: Box<Self>) -> io::Result<i32>;
}

/// Time.
pub trait Clock {
    /// Seconds since the Unix epoch.
    fn now(&mut self) -> i64;
    /// Waits `seconds` (`pause`), or less: a real clock returns as soon as
    /// `stop` is requested ([`Stop::wait`]), so a stopped run never sits
    /// out its pause.
    fn sleep(&mut self, seconds: f64, stop: &Stop);
    /// The processor time this process has used, for the processor-time
    /// limit; `None` when it cannot be told.
    fn cpu_time(&mut self) -> Option<std::time::Duration> {
        None
    }
}

/// What kind of file a path names (for the file-test operators).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (only when not following links).
    Symlink,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A named pipe.
    Fifo,
    /// A socket.
    Socket,
}

/// What the interpreter needs to know about a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStat {
    /// The kind of file.
    pub kind: FileKind,
    /// Size in bytes.
    pub len: u64,
    /// Device and inode: a changed pair means the file was replaced (rotated).
    pub identity: (u64, u64),
    /// Last modification, in seconds since the Unix epoch (`#age`).
    pub modified: Option<i64>,
}

/// A file open for reading that can be positioned (`input logfile`).
pub trait SeekRead: BufRead + Seek {}

impl<T: BufRead + Seek> SeekRead for T {}

/// The file system.
pub trait Fs {
    /// Opens `path` for reading (`#fopen(H, path, "r")`, `input file`).
    fn open_read(&mut self, path: &str) -> io::Result<Box<dyn BufRead>>;
    /// Opens `path` for writing, truncating it or appending
    /// (`#fopen(H, path, "w"|"a")`).
    fn open_write(&mut self, path: &str, append: bool) -> io::Result<Box<dyn Write>>;
    /// Appends one line (a newline is added) to `path` (`output log`).
    /// Creates the file (mode 0644) when missing; refuses to follow a
    /// symbolic link at the last path component.
    fn append_line(&mut self, path: &str, line: &str) -> io::Result<()>;
    /// Facts about `path`; `follow` chooses between `stat` and `lstat`.
    fn stat(&mut self, path: &str, follow: bool) -> io::Result<FileStat>;
    /// Opens `path` for positioned reading with facts about the open file
    /// (`input logfile`).
    fn open_seekable(&mut self, path: &str) -> io::Result<(Box<dyn SeekRead>, FileStat)>;
    /// Reads a whole file (history store); `Ok(None)` when it does not exist.
    fn read_state(&mut self, path: &Path) -> io::Result<Option<String>>;
    /// Replaces a file atomically (history store), creating its directory.
    fn write_state(&mut self, path: &Path, contents: &str) -> io::Result<()>;
}

/// One line for the alert's log (or, for runs with no alert log, standard
/// error when it is worth showing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogEntry<'a> {
    /// `ERROR`, `WARNING`, `INFO`, or a script level for `output piktlog`.
    pub tag: &'a str,
    /// The script it concerns.
    pub script: &'a str,
    /// The text.
    pub text: &'a str,
    /// Shown on standard error even when no log file is kept and debugging
    /// is off (`output piktlog`, a syslog that cannot be reached).
    pub always_show: bool,
}

/// One message for the system log: the real sink adds the time, its pid and
/// the facility, and turns the level into a severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyslogMessage<'a> {
    /// The script's level (`notice` for a script that names none).
    pub level: Level,
    /// The tag: the script's name.
    pub tag: &'a str,
    /// The text.
    pub text: &'a str,
}

/// Where text goes: standard output, syslog, the alert log, debug traces.
pub trait Sinks {
    /// Writes `text` to standard output (the caller adds newlines).
    fn stdout(&mut self, text: &str) -> io::Result<()>;
    /// Flushes standard output (before a command that shares it runs).
    fn flush(&mut self) -> io::Result<()>;
    /// Sends one message to the system log (`output syslog`).
    fn syslog(&mut self, message: &SyslogMessage<'_>) -> io::Result<()>;
    /// Records an entry in the alert log.
    fn log(&mut self, entry: &LogEntry<'_>);
    /// False when entries that are not `always_show` go nowhere, so the
    /// interpreter need not build them (a WARNING in a hot loop).
    fn keeps_log(&self) -> bool {
        true
    }
    /// Writes a debug trace line (`pikt -G`, `status debugging`).
    fn trace(&mut self, line: &str);
}

/// Facts about the machine that functions such as `$hostname()` and
/// `$getenv()` report.
pub trait System {
    /// The host name (alert mail, syslog lines, `$hostname()`).
    fn hostname(&self) -> &str;
    /// An environment variable.
    fn getenv(&self, name: &str) -> Option<String>;
    /// A random number in `0.0..1.0`.
    fn random(&mut self) -> f64;
    /// The process id of the interpreter.
    fn pid(&self) -> u32;
    /// The id of the live process whose command name (as `ps -o comm` shows
    /// it) is `name`, the lowest when there are several (`#pid(name)`).
    fn pid_of(&mut self, name: &str) -> Option<u32>;
}

/// Every effect, bundled; borrowed for one run.
pub struct Host<'a> {
    /// Shell commands.
    pub shell: &'a mut dyn Shell,
    /// Time.
    pub clock: &'a mut dyn Clock,
    /// Files.
    pub fs: &'a mut dyn Fs,
    /// Output.
    pub sinks: &'a mut dyn Sinks,
    /// Machine facts.
    pub system: &'a mut dyn System,
}

impl Host<'_> {
    /// A shorter borrow of the same effects.
    pub fn reborrow(&mut self) -> Host<'_> {
        Host {
            shell: &mut *self.shell,
            clock: &mut *self.clock,
            fs: &mut *self.fs,
            sinks: &mut *self.sinks,
            system: &mut *self.system,
        }
    }
}
